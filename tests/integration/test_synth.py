"""End-to-end checks of `python -m pipeline synth`: layout, determinism, internal consistency
and plausible flows. Small scales keep it fast (a few seconds)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema
from pipeline.cli import main
from pipeline.schema import parse_return_label
from tests import synth_checks as checks

RETURNS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26", "2026-27_Q1", "2026-27_Q2"]


def run_synth(out: Path, *extra: str) -> None:
    assert main(["synth", "--out", str(out), *extra]) == 0


def read_raw(root: Path) -> dict[str, pd.DataFrame]:
    return {p.relative_to(root).as_posix(): pd.read_csv(p, dtype=str, keep_default_na=False)
            for p in sorted(root.rglob("*.csv"))}


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.csv"))}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("synth_small")
    run_synth(out, "--scale", "0.2", "--seed", "7")
    return out, read_raw(out)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("synth_full")
    run_synth(out, "--seed", "3")
    return read_raw(out)


def test_layout_and_columns_follow_the_schema(small):
    _, files = small
    expected = {f"ssda903/{r}/{t}.csv" for r in RETURNS for t in schema.SSDA903_TABLES}
    expected |= {f"local/{f}.csv" for f in schema.LOCAL_FILES}
    assert set(files) == expected
    for path, df in files.items():
        kind, name = path.split("/")[0], Path(path).stem
        cols = schema.SSDA903_TABLES[name] if kind == "ssda903" else schema.LOCAL_FILES[name]
        assert list(df.columns) == [c.name for c in cols], path


def test_same_seed_gives_identical_files_and_another_seed_does_not(small, tmp_path):
    out, _ = small
    run_synth(tmp_path / "again", "--scale", "0.2", "--seed", "7")
    assert digest(tmp_path / "again") == digest(out)
    run_synth(tmp_path / "other", "--scale", "0.2", "--seed", "8")
    assert digest(tmp_path / "other")["ssda903/2024-25/episodes.csv"] != digest(out)["ssda903/2024-25/episodes.csv"]


@pytest.mark.parametrize("ret", RETURNS)
def test_each_return_is_internally_consistent(small, ret):
    _, files = small
    t = {name: files[f"ssda903/{ret}/{name}.csv"] for name in schema.SSDA903_TABLES}
    label = parse_return_label(ret)
    problems = (checks.check_children_in_header(t["header"], t["episodes"], t["oc3"])
                + checks.check_dates_and_reasons(t["episodes"])
                + checks.check_chains(t["episodes"], pd.Timestamp(label.start))
                + checks.check_ages(t["header"], t["episodes"])
                + checks.check_codes(t, label.collection_year)
                + checks.check_legal_status(t["episodes"])
                + checks.check_upns(t["header"])
                + checks.check_postcodes(t["episodes"], files["local/postcodes.csv"]))
    assert problems == []


def test_dates_are_dmy_in_returns_and_iso_in_local_files(small):
    _, files = small
    assert files["ssda903/2024-25/episodes.csv"]["DECOM"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert files["local/permanence_tracker.csv"]["EVENT_DATE"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert files["local/staffing.csv"]["FROM_DATE"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def test_tracker_matches_episodes_and_keeps_stage_order(small):
    _, files = small
    episodes = pd.concat([files[f"ssda903/{r}/episodes.csv"] for r in RETURNS], ignore_index=True)
    tracker = files["local/permanence_tracker.csv"]
    assert checks.check_tracker_outcomes(tracker, episodes) == []
    assert checks.check_tracker_order(tracker) == []
    staff = files["local/staffing.csv"]
    team_of = dict(zip(staff["WORKER_ID"], staff["TEAM"], strict=False))
    assigned = tracker[tracker["WORKER_ID"] != ""]
    expected = assigned["ROUTE"].map(lambda r: "ADOPTION" if r == "ADOPTION" else "EXIT")
    assert (assigned["WORKER_ID"].map(team_of) == expected).all()
    sgo = tracker[tracker["ROUTE"] == "SGO"]
    assert set(sgo["CARER"]) <= {"FORMER_FOSTER_CARER", "OTHER_CARER"}
    assert checks.check_staffing(staff) == []


def test_sgo_carer_agrees_with_the_exit_code(small):
    _, files = small
    episodes = pd.concat([files[f"ssda903/{r}/episodes.csv"] for r in RETURNS], ignore_index=True)
    ep = episodes[episodes["REC"].isin(["E45", "E46", "E47", "E48"])]
    ep = ep.assign(EVENT_DATE=pd.to_datetime(ep["DEC"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d"))
    granted = files["local/permanence_tracker.csv"].query("STAGE == 'GRANTED'")
    both = granted.merge(ep[["CHILD", "EVENT_DATE", "REC"]].drop_duplicates(), on=["CHILD", "EVENT_DATE"])
    assert len(both) == len(granted) > 0
    former = both["REC"].isin(["E45", "E46"])
    assert (both.loc[former, "CARER"] == "FORMER_FOSTER_CARER").all()
    assert (both.loc[~former, "CARER"] == "OTHER_CARER").all()


def test_open_episodes_reappear_in_the_next_return(small):
    _, files = small
    for a, b in zip(RETURNS[:6], RETURNS[1:7], strict=True):
        ea, eb = files[f"ssda903/{a}/episodes.csv"], files[f"ssda903/{b}/episodes.csv"]
        open_a = set(zip(ea.loc[ea["DEC"] == "", "CHILD"], ea.loc[ea["DEC"] == "", "DECOM"], strict=True))
        assert open_a and open_a <= set(zip(eb["CHILD"], eb["DECOM"], strict=True))


def test_codes_follow_collection_year_changes(small):
    _, files = small
    assert set(files["ssda903/2023-24/header.csv"]["SEX"]) <= {"1", "2"}
    assert set(files["ssda903/2024-25/header.csv"]["SEX"]) <= {"M", "F", "U"}
    assert not {"H5", "P2", "Z1"} & set(files["ssda903/2025-26/episodes.csv"]["PLACE"])
    assert {"H5", "P2"} & set(files["ssda903/2024-25/episodes.csv"]["PLACE"])


def test_q1_extract_misses_some_endings_that_q2_shows(full):
    q1, q2 = full["ssda903/2026-27_Q1/episodes.csv"], full["ssda903/2026-27_Q2/episodes.csv"]
    key = ["CHILD", "DECOM"]
    both = q1.merge(q2, on=key, suffixes=("_q1", "_q2"))
    dec = pd.to_datetime(both["DEC_q2"].replace("", None), format="%d/%m/%Y")
    late = both[(both["DEC_q1"] == "") & (dec <= pd.Timestamp("2026-06-30"))]
    assert 0 < len(late) < 0.1 * len(q1)


def test_a_few_episodes_are_corrected_in_a_later_return(full):
    a, b = full["ssda903/2023-24/episodes.csv"], full["ssda903/2024-25/episodes.csv"]
    both = a.merge(b, on=["CHILD", "DECOM"], suffixes=("_a", "_b"))
    changed = both[(both["PLACE_PROVIDER_a"] != both["PLACE_PROVIDER_b"]) | (both["PL_POST_a"] != both["PL_POST_b"])]
    assert 0 < len(changed) <= 0.05 * len(both)


def annual_figures(files: dict[str, pd.DataFrame], ret: str) -> dict[str, float]:
    """31 March stock, admissions and share of ceased within 3 months of the period's start,
    excluding short breaks; period starts come from the annual returns stitched so far."""
    label = parse_return_label(ret)
    upto = [r for r in RETURNS[:7] if r <= ret]
    history = pd.concat([files[f"ssda903/{r}/episodes.csv"] for r in upto], ignore_index=True)
    ep = checks.with_dates(history.drop_duplicates(["CHILD", "DECOM"], keep="last"))
    ep = ep[~ep["LS"].isin(["V3", "V4"])]
    end, start = pd.Timestamp(label.end), pd.Timestamp(label.start)
    period = (ep["RNE"] == "S").groupby(ep["CHILD"]).cumsum()
    period_start = ep.groupby([ep["CHILD"], period])["DECOM"].transform("min")
    stock = ep[(ep["DECOM"] <= end) & (ep["DEC"].isna() | (ep["DEC"] > end))]["CHILD"].nunique()
    admissions = int(((ep["RNE"] == "S") & ep["DECOM"].between(start, end)).sum())
    ceased = ep["REC"].ne("") & ep["REC"].ne("X1") & ep["DEC"].between(start, end) & (period > 0)
    days = (ep.loc[ceased, "DEC"] - period_start[ceased]).dt.days
    return {"stock": stock, "admissions": admissions, "short": float((days < 91).mean())}


@pytest.mark.parametrize("ret", ["2021-22", "2023-24", "2025-26"])
def test_flows_are_plausible_at_the_default_scale(full, ret):
    fig = annual_figures(full, ret)
    assert 550 <= fig["stock"] <= 750
    assert 240 <= fig["admissions"] <= 360
    assert 0.15 <= fig["short"] <= 0.35


def test_placements_and_distance_are_plausible(full):
    ep = full["ssda903/2025-26/episodes.csv"]
    ep = ep[(ep["DEC"] == "") & ~ep["LS"].isin(["V3", "V4"])]
    groups = ep.apply(lambda r: schema.placement_group(r["PLACE"], r["PLACE_PROVIDER"]), axis=1).value_counts(normalize=True)
    assert 0.40 <= groups["FOSTER_IN_HOUSE"] <= 0.60
    assert 0.12 <= groups["FOSTER_AGENCY"] <= 0.30
    pcs = full["local/postcodes.csv"].set_index("POSTCODE")[["EASTING", "NORTHING"]].astype(float)
    h, p = pcs.loc[ep["HOME_POST"]].to_numpy(), pcs.loc[ep["PL_POST"]].to_numpy()
    miles = ((h - p) ** 2).sum(axis=1) ** 0.5 / 1609.344
    assert 0.10 <= (miles >= 20).mean() <= 0.30


def test_local_files_cover_every_year_and_group(full):
    years = {parse_return_label(r).year.label for r in RETURNS}
    costs = full["local/unit_costs.csv"]
    assert set(costs["FINANCIAL_YEAR"]) == years
    assert set(costs["PLACEMENT_GROUP"]) == set(schema.COST_GROUPS)
    pop = full["local/population.csv"].astype({"POPULATION": int})
    per_year = pop.groupby("YEAR")["POPULATION"].sum()
    assert per_year.between(120_000, 180_000).all()
    assert set(pop["AGE_BAND"]) == set(schema.AGE_BANDS)
    assert 6 <= pop["DISTRICT"].nunique() <= 7


def test_another_la_has_other_children_and_districts(small, tmp_path):
    out, files = small
    run_synth(tmp_path / "east", "--scale", "0.2", "--seed", "7", "--la", "Eastvale Borough Council")
    other = read_raw(tmp_path / "east")
    a = set(files["ssda903/2024-25/header.csv"]["CHILD"])
    b = set(other["ssda903/2024-25/header.csv"]["CHILD"])
    assert a and b and not a & b
    assert set(files["local/population.csv"]["DISTRICT"]) != set(other["local/population.csv"]["DISTRICT"])


def test_until_moves_the_returns(tmp_path):
    run_synth(tmp_path, "--scale", "0.1", "--until", "2025-26 Q4")
    folders = sorted(p.name for p in (tmp_path / "ssda903").iterdir())
    assert folders == ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25",
                       "2025-26_Q1", "2025-26_Q2", "2025-26_Q3", "2025-26_Q4"]


@pytest.mark.parametrize("args", [["--scale", "0"], ["--until", "2026 Q2"], ["--scale", "-1"]])
def test_bad_arguments_fail_cleanly(tmp_path, args, capsys):
    assert main(["synth", "--out", str(tmp_path), *args]) != 0
    assert "error:" in capsys.readouterr().err
