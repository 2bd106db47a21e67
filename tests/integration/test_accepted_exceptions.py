"""An extract with errors: refused without an exceptions file, through with one that lists
its errors; the paper counts them and `trace` shows them on the figures they touch.

Synthetic data (small scale) where two children who start to be looked after in the latest
in-year extract (their only episode) are given a date of birth 18 years before that
episode's start: two episodes starting on an 18th birthday (EP_AGED_18_AT_DECOM).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
LATEST = "ssda903/2026-27_Q2"


def make_project(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "params.yaml").read_text())
    data["paths"] = {"raw": str(tmp / "data/raw"), "processed": str(tmp / "data/processed"), "reports": str(tmp / "reports")}
    data["period"], data["period_slug"] = "2026-27 Q2", "2026-27-Q2"
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "params.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp / "params.yaml"


def age_two_starters(raw: Path) -> list[tuple[str, int]]:
    """Give two new children of the latest extract a DOB 18 years before their only episode;
    returns their (CHILD, episodes.csv row)."""
    ep = pd.read_csv(raw / LATEST / "episodes.csv", dtype=str, keep_default_na=False)
    earlier = set()
    for f in (raw / "ssda903").glob("*/header.csv"):
        if f.parent.name != LATEST.split("/")[1]:
            earlier |= set(pd.read_csv(f, dtype=str)["CHILD"])
    decom = pd.to_datetime(ep["DECOM"], format="%d/%m/%Y")
    only = ep["CHILD"].map(ep["CHILD"].value_counts()).eq(1)
    chosen = ep[(decom >= "2026-04-01") & (ep["RNE"] == "S") & only & ~ep["CHILD"].isin(earlier)].head(2)
    assert len(chosen) == 2
    for name in ("header", "uasc", "oc2", "reviews", "missing", "placed_for_adoption", "previous_permanence"):
        path = raw / LATEST / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for child, start in zip(chosen["CHILD"], pd.to_datetime(chosen["DECOM"], format="%d/%m/%Y"), strict=True):
            frame.loc[frame["CHILD"] == child, "DOB"] = (start - pd.DateOffset(years=18)).strftime("%d/%m/%Y")
        frame.to_csv(path, index=False)
    return [(c, int(i) + 1) for c, i in zip(chosen["CHILD"], chosen.index, strict=True)]


def test_errors_refused_then_accepted_and_reported(tmp_path, capsys):
    params = make_project(tmp_path)
    raw = tmp_path / "data/raw"
    cli = ["--params", str(params)]
    assert main([*cli, "synth", "--out", str(raw), "--scale", "0.3"]) == 0
    aged = age_two_starters(raw)

    assert main([*cli, "validate", "--no-docs"]) == 2
    err = capsys.readouterr().err
    assert "EP_AGED_18_AT_DECOM (2 rows)" in err and "accepted_exceptions.csv" in err
    assert not (tmp_path / "data/processed/validated/episodes.parquet").exists()

    lines = ["rule,file,row,CHILD,reason,accepted_by,accepted_on"]
    lines += [f"EP_AGED_18_AT_DECOM,{LATEST}/episodes.csv,{row},{child},court extended the order,Data Team,2026-10-05"
              for child, row in aged]
    lines.append(f"EP_OVERLAP,{LATEST}/episodes.csv,,,fixed last quarter,Data Team,2026-07-01")
    (raw / "accepted_exceptions.csv").write_text("\n".join(lines) + "\n")
    assert main([*cli, "validate", "--no-docs"]) == 0
    out = capsys.readouterr().out
    assert "accepted 2 error(s)" in out and "EP_AGED_18_AT_DECOM 2 (kept)" in out
    assert "1 accepted exception(s)" in out and "match no failure" in out  # the EP_OVERLAP line is stale
    validation = tmp_path / "data/processed/validation"
    accepted = pd.read_csv(validation / "accepted.csv", dtype=str)
    assert sorted(zip(accepted["CHILD"], accepted["row"].astype(int), strict=True)) == sorted(aged)
    assert set(accepted["policy"]) == {"kept"} and set(accepted["reason"]) == {"court extended the order"}
    assert pd.read_csv(validation / "stale_exceptions.csv")["rule"].tolist() == ["EP_OVERLAP"]
    episodes = pd.read_parquet(tmp_path / "data/processed/validated/episodes.parquet")
    assert {c for c, _ in aged} <= set(episodes["CHILD"])  # kept, as the policy says

    assert main([*cli, "process"]) == 0
    assert main([*cli, "paper", "quarterly"]) == 0
    capsys.readouterr()
    # staged: `check-publication` publishes it to reports/ (pipeline.publish)
    dq = pd.read_csv(tmp_path / "data/processed/staging/2026-27-Q2/tables/quarterly/DQ02_accepted_exceptions.csv",
                     dtype=str)
    assert any(r.startswith("EP_AGED_18_AT_DECOM") and "kept" in r for r in dq["row"])
    notebook = (tmp_path / "data/processed/restricted/2026-27-Q2/quarterly").rglob("*.ipynb")
    text = "".join(p.read_text() for p in notebook)
    assert "Validation errors reviewed and accepted" in text and "EP_AGED_18_AT_DECOM" in text

    contributions = pd.read_parquet(tmp_path / "data/processed/restricted/2026-27-Q2/lineage/quarterly/contributions.parquet")
    rows = {(f"{LATEST}/episodes.csv", r) for _, r in aged}
    touched = contributions[[(f, int(r)) in rows if pd.notna(r) else False
                             for f, r in zip(contributions["SOURCE_FILE"], contributions["SOURCE_ROW"], strict=True)]]
    if touched.empty:
        pytest.fail("no published figure counts the two starters")
    assert main([*cli, "trace", touched["figure_id"].iloc[0], "--all"]) == 0
    trace = capsys.readouterr().out
    assert "Accepted exceptions on these source rows:" in trace and "EP_AGED_18_AT_DECOM" in trace
    assert "court extended the order" in trace
