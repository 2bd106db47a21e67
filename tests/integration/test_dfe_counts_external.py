"""`measures --period P` alone reproduces the DfE counts on an independent authority's returns,
for every quarter of five years.

The returns: ../shared/external/cs-demand-model-samples-2017-2021 (five annual returns written
by data-to-insight's demand-model generator, 1 April 2017 to 31 March 2022). They go through
the real path: `validate --accept FILE` with a reviewed exceptions file (the returns break
DfE rules: every open episode carries a REC, some placements for adoption lack the legal
status ...; every one of those errors is of a rule whose records are kept as recorded), then
`measures --period P` for each of the 20 quarters 2017-18 Q1 .. 2021-22 Q4. Each period's
measures export is compared with an independent reference computed straight from the raw CSVs
(tests/dfe_reference.py: plain pandas, no pipeline code, the DfE definitions written out):
children looked after at 31 March (total, by age band, placement group, legal status, sex and
UASC) for every year the export holds, children who started and ceased in each year (by age
band, placement group and legal status; by reason and age band), and periods of care ended by
exit route in the quarter and in the year to date.

The 25 children (of 820) whose episodes overlap (DfE rule 501: a second chain of episodes
running beside the first, in one return or across returns) are left out of the copy both
sides read: the DfE has no count for them until the return is corrected, and the pipeline's
stitching repairs of such histories are its own choice, not a DfE definition.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import ROOT, SHARED
from tests.dfe_reference import overlapping_children, reference_counts, write_without

SAMPLE = SHARED / "external" / "cs-demand-model-samples-2017-2021"
PREFIXES = {str(y): y for y in range(2017, 2022)}  # file prefix -> the year its financial year starts in
PERIODS = [f"{y}-{(y + 1) % 100:02d} Q{q}" for y in range(2017, 2022) for q in (1, 2, 3, 4)]
TREND_YEARS = 5  # params.yaml trend_years: the years each export holds
DIMENSIONS = {
    "cla_31_march": ("age_band", "placement_group", "legal_status", "sex", "uasc"),
    "admissions": ("age_band", "placement_group", "legal_status"),
    "ceased": ("reason", "age_band"),
}
# The errors these returns carry, reviewed: all of rules whose records are kept as recorded.
ACCEPTED = {
    "EP_REC_WITHOUT_DEC": "the generator writes a REC on open episodes; a REC without a DEC ends nothing",
    "EP_LS_PLACE_ADOPTION": "legal status recorded as the generator drew it",
    "EP_CHAIN_BROKEN": "a continuation episode whose previous episode is in no return: it starts a period",
    "EP_X1_NOT_FOLLOWED": "X1 with no next episode: the period does not end",
    "DATE_AFTER_RETURN_END": "DEC the day after the return's end",
    "DFE_437": "a new period after E15",
}


def _exceptions_file(path, files: list[str]) -> None:
    lines = ["rule,file,row,CHILD,reason,accepted_by,accepted_on"]
    lines += [f"{rule},{f},,,{reason},test reviewer,2026-12-06" for f in files for rule, reason in ACCEPTED.items()]
    lines.append("CODE_UNKNOWN,2017-header.csv,,,MOTHER written as 1.0,test reviewer,2026-12-06")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(validated folder, processed folder, reference counts): the sample without the
    overlapping children, validated once with the reviewed exceptions."""
    if not SAMPLE.is_dir():
        pytest.skip("../shared/external is not present beside this checkout")
    base = tmp_path_factory.mktemp("dfe-counts")
    overlapping = overlapping_children(SAMPLE, PREFIXES)
    assert len(overlapping) == 25
    raw = base / "raw"
    write_without(SAMPLE, PREFIXES, overlapping, raw)
    accept = base / "accepted_exceptions.csv"
    _exceptions_file(accept, [f"{p}-episodes.csv" for p in PREFIXES])
    processed = base / "processed"
    code = main(["--params", str(ROOT / "params.yaml"), "--set", f"paths.processed={processed}", "validate",
                 "--raw", str(raw), "--accept", str(accept), "--no-docs"])
    assert code == 0
    accepted = json.loads((processed / "validation" / "summary.json").read_text())["accepted"]
    assert accepted["rows"] > 1000 and {r["policy"] for r in accepted["rules"].values()} == {"kept"}  # nothing set aside
    return processed / "validated", processed, reference_counts(raw, PREFIXES)


def _measures(validated, processed, out, period: str) -> pd.DataFrame:
    assert main(["--params", str(ROOT / "params.yaml"), "--set", f"paths.processed={processed}", "measures",
                 "--validated", str(validated), "--period", period, "--out", str(out)]) == 0
    m = pd.read_csv(out / "measures.csv", keep_default_na=False, na_values=[""])
    m[["dimension", "category"]] = m[["dimension", "category"]].fillna("")
    return m


def _compare(m: pd.DataFrame, ref: dict, period: str) -> tuple[list[str], dict[str, int]]:
    """Every difference between the period's export and the reference, as readable lines, and
    how many years of each measure were compared."""
    problems, compared = [], {}
    for mid, dims in DIMENSIONS.items():
        rows = m[(m["measure_id"] == mid) & (m["dimension"].isin(("", *dims)))]
        compared[mid] = 0
        for year, frame in rows.groupby("period"):
            total = frame.loc[frame["dimension"] == "", "value"].iloc[0]
            if year not in ref[mid]:
                if not math.isnan(total):
                    problems.append(f"{mid} {year}: {total:g} printed for a year no return covers")
                continue
            compared[mid] += 1
            got = {(r.dimension, r.category): r.value for r in frame.itertuples() if r.value}
            want = {k: float(v) for k, v in ref[mid][year].items() if k[0] in ("", *dims)}
            for key in sorted(set(got) | set(want)):
                if got.get(key, 0.0) != want.get(key, 0.0):
                    problems.append(f"{mid} {year} {key}: pipeline {got.get(key)} reference {want.get(key)}")
    fy, quarter = period[:7], int(period[-1])
    for window, quarters in (("quarter", [quarter]), ("ytd", range(1, quarter + 1))):
        want: dict[str, float] = {}
        for q in quarters:
            for route, n in ref["exits"][fy][q].items():
                want[route] = want.get(route, 0.0) + n
        rows = m[(m["measure_id"] == f"exits_dfe_{window}") & (m["period"] == period)]
        compared[f"exits_dfe_{window}"] = len(rows)
        got = dict(zip(rows["category"], rows["value"], strict=True))
        for route in sorted(set(got) | set(want)):
            if got.get(route, 0.0) != want.get(route, 0.0):
                problems.append(f"exits_dfe_{window} {period} {route}: pipeline {got.get(route)} reference {want.get(route)}")
    return problems, compared


def test_the_reference_counts_are_not_trivial(run):
    _, _, ref = run
    assert ref["cla_31_march"]["2016-17"][("", "")] > 300 and ref["cla_31_march"]["2021-22"][("", "")] > 30
    assert all(ref["admissions"][y][("", "")] > 0 and ref["ceased"][y][("", "")] > 0 for y in ref["admissions"])
    assert sum(ref["exits"]["2019-20"][q].get("ALL", 0) for q in (1, 2, 3, 4)) > 50


@pytest.mark.parametrize("period", PERIODS)
def test_measures_for_the_period_alone_reproduce_the_dfe_counts(run, tmp_path, period):
    validated, processed, ref = run
    m = _measures(validated, processed, tmp_path / "out", period)
    problems, compared = _compare(m, ref, period)
    assert problems == []
    # the sufficiency year is the latest year ending by the period's end: the period's own
    # year from Q4, the year before in Q1-Q3 (2016-17: only the first return's opening stock)
    first_year = int(period[:4]) if period.endswith("Q4") else int(period[:4]) - 1
    assert compared["cla_31_march"] == min(first_year - 2015, TREND_YEARS)
    assert compared["admissions"] == compared["ceased"] == min(first_year - 2016, TREND_YEARS)
    assert compared["exits_dfe_quarter"] == compared["exits_dfe_ytd"] == 8  # seven routes and ALL
