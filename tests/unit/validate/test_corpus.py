"""A corpus of deliberately broken returns, each built from the valid fixture by one change.

Each case names the rule it must trigger (and, where it matters, the file and data row). All
cases run through one Great Expectations context (the import alone takes seconds).
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.readers import read_raw
from pipeline.validate.rules import RULES
from pipeline.validate.run import build_jobs, failures_from_results, run_jobs
from tests.unit.validate.fixture_return import SS, files, replace, write

EP, HD, TR = f"{SS}/episodes.csv", f"{SS}/header.csv", "local/permanence_tracker.csv"
ST, UC, POP, FC = "local/staffing.csv", "local/unit_costs.csv", "local/population.csv", "local/fostering_capacity.csv"


def _drop_column(content, rel, column):
    lines = content[rel].splitlines()
    i = lines[0].split(",").index(column)
    return {**content, rel: "\n".join(",".join(v for j, v in enumerate(line.split(",")) if j != i) for line in lines) + "\n"}


def _with_la(text, las):
    lines = text.strip().splitlines()
    return "\n".join([lines[0] + ",LA"] + [f"{line},{la}" for line, la in zip(lines[1:], las, strict=True)]) + "\n"


def _r(rel, old, new):
    return lambda c: replace(c, rel, old, new)


# (case id, change, expected rule, file, data row or None). Rows count from 1 after the header.
BROKEN = [
    ("missing_column", lambda c: _drop_column(c, EP, "REC"), "COL_MISSING", EP, None),
    ("duplicate_column", _r(HD, "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MOTHER"), "COL_DUPLICATE", HD, None),
    ("empty_file", lambda c: {**c, EP: ""}, "FILE_EMPTY", EP, None),
    ("not_utf8", lambda c: {**c, HD: c[HD].replace("WBRI", "WBRI\u00e9").encode("latin-1")}, "FILE_ENCODING", HD, None),
    ("ragged_row", _r(EP, "C2,01/07/2024,S,V2,N4,U3,PR1,01/12/2024,E45,,NM2 1AA,NM2 2BB,", "C2,01/07/2024,S,V2,N4,U3,PR1,01/12/2024,E45,,NM2 1AA,NM2 2BB,,x,y"), "FILE_UNREADABLE", EP, None),
    ("missing_header_file", lambda c: {k: v for k, v in c.items() if k != HD}, "FILE_MISSING", None, None),
    ("bad_return_folder", lambda c: {k.replace("2024-25", "2024"): v for k, v in c.items()}, "RETURN_NAME", None, None),
    ("wrong_date_format", _r(EP, "C2,01/07/2024", "C2,2024/07/01"), "DATE_FORMAT", EP, 3),
    ("impossible_date", _r(EP, "C2,01/07/2024", "C2,31/02/2024"), "DATE_FORMAT", EP, 3),
    ("blank_required", _r(EP, "C2,01/07/2024,S,V2,N4", "C2,01/07/2024,S,V2,"), "REQUIRED_BLANK", EP, 3),
    ("unknown_code", _r(EP, "N4,U3,PR1", "N4,Z9,PR1"), "CODE_UNKNOWN", EP, 3),
    ("place_code_not_valid_for_year", _r(EP, "N4,U3,PR1", "N4,K3,PR1"), "CODE_NOT_VALID_FOR_YEAR", EP, 3),
    ("sex_code_not_valid_for_year", _r(HD, "C2,M,", "C2,1,"), "CODE_NOT_VALID_FOR_YEAR", HD, 2),
    ("date_after_return_end", _r(EP, "01/12/2024,E45", "01/05/2025,E45"), "DATE_AFTER_RETURN_END", EP, 3),
    ("overlapping_episodes", _r(EP, "C1,01/06/2024,P", "C1,01/05/2024,P"), "EP_OVERLAP", EP, 2),
    ("duplicate_episode", _r(EP, "C1,01/06/2024,P,C2,N1,U6", "C1,10/05/2023,P,C2,N1,U6"), "EP_DUPLICATE", EP, 2),
    ("duplicate_child", lambda c: {**c, HD: c[HD] + "C4,M,02/02/2008,AOTH,,,\n"}, "HDR_CHILD_DUPLICATE", HD, 5),
    ("rec_without_dec", _r(EP, "PR1,01/12/2024,E45", "PR1,,E45"), "EP_REC_WITHOUT_DEC", EP, 3),
    ("dec_without_rec", _r(EP, "PR1,01/12/2024,E45", "PR1,01/12/2024,"), "EP_DEC_WITHOUT_REC", EP, 3),
    ("dec_before_decom", _r(EP, "PR1,01/12/2024,E45", "PR1,01/06/2024,E45"), "EP_DEC_BEFORE_DECOM", EP, 3),
    ("child_not_in_header", _r(EP, "C2,01/07/2024", "C9,01/07/2024"), "CHILD_NOT_IN_HEADER", EP, 3),
    ("over_18_at_decom", _r(HD, "C2,M,07/06/2015", "C2,M,07/06/2005"), "EP_AGED_18_AT_DECOM", EP, 3),
    ("dob_after_decom", _r(HD, "C2,M,07/06/2015", "C2,M,07/08/2024"), "EP_DOB_AFTER_DECOM", EP, 3),
    ("x1_not_followed", _r(EP, "C3,10/09/2024,L", "C3,12/09/2024,L"), "EP_X1_NOT_FOLLOWED", EP, 4),
    ("chain_broken", _r(EP, "C3,01/11/2024,P", "C3,02/11/2024,P"), "EP_CHAIN_BROKEN", EP, 6),
    ("s_after_x1", _r(EP, "C3,10/09/2024,L", "C3,10/09/2024,S"), "EP_S_AFTER_X1", EP, 5),
    ("placed_for_adoption_without_order", _r(EP, "C3,01/11/2024,P,E1", "C3,01/11/2024,P,C2"), "EP_LS_PLACE_ADOPTION", EP, 6),
    ("missing_end_before_start", _r(f"{SS}/missing.csv", "2024-05-01,2024-05-03", "2024-05-03,2024-05-01"), "DATE_ORDER", f"{SS}/missing.csv", 1),
    ("tracker_stages_out_of_order", _r(TR, "E4,K1,C2,SGO,PANEL,2024-10-15", "E4,K1,C2,SGO,PANEL,2024-08-15"), "TR_STAGE_ORDER", TR, 4),
    ("tracker_end_stage_before_others", lambda c: {**c, TR: c[TR] + "E11,K2,C3,ADOPTION,REVERSAL,2024-10-01,2024-10-01,W2,COWORK,\n"}, "TR_STAGE_ORDER", TR, 11),
    ("tracker_outcome_no_episode", _r(TR, "GRANTED,2024-12-01", "GRANTED,2024-11-30"), "TR_OUTCOME_NO_EPISODE", TR, 6),
    ("tracker_stage_not_in_route", _r(TR, "E9,K2,C3,ADOPTION,MATCHED", "E9,K2,C3,ADOPTION,PANEL"), "TR_STAGE_FOR_ROUTE", TR, 9),
    ("tracker_duplicate_event", _r(TR, "E10,K2", "E9,K2"), "TR_EVENT_DUPLICATE", TR, 10),
    ("tracker_case_two_children", _r(TR, "E10,K2,C3", "E10,K2,C1"), "TR_CASE_INCONSISTENT", TR, 10),
    ("fte_1_5", _r(ST, "Social worker,0.5,", "Social worker,1.5,"), "ST_FTE_RANGE", ST, 2),
    ("fte_not_a_number", _r(ST, "Social worker,0.5,", "Social worker,half,"), "TYPE_FLOAT", ST, 2),
    ("negative_cost", _r(UC, "ALL,21000", "ALL,-21000"), "UC_COST_POSITIVE", UC, 1),
    ("duplicate_cost", lambda c: {**c, UC: c[UC] + "2024-25,FOSTER_IN_HOUSE,ALL,22000\n"}, "UC_DUPLICATE", UC, 3),
    ("population_zero", _r(POP, "Under 1,1200", "Under 1,0"), "POP_POSITIVE", POP, 1),
    ("population_not_whole", _r(POP, "Under 1,1200", "Under 1,1200.5"), "TYPE_INT", POP, 1),
    ("filled_over_approved", _r(FC, "120,180,150", "120,180,190"), "FC_FILLED_OVER_APPROVED", FC, 1),
    ("two_local_authorities", lambda c: {**c, HD: _with_la(c[HD], ["North", "South", "North", "North"])}, "LA_MULTIPLE", HD, None),
]

# Accepted variants: no error at all (warnings allowed, listed when expected).
ACCEPTED = [
    ("excel_bom", lambda c: {**c, HD: "\ufeff" + c[HD], EP: "\ufeff" + c[EP]}, set()),
    ("semicolon_delimiter", lambda c: {**c, EP: c[EP].replace(",", ";")}, set()),
    ("stray_whitespace", lambda c: {**c, EP: c[EP].replace(",S,", ", S ,").replace("C1,", " C1 ,")}, set()),
    ("iso_dates", lambda c: {**c, HD: c[HD].replace("04/03/2010", "2010-03-04")}, set()),
    ("crlf_line_ends", lambda c: {**c, EP: c[EP].replace("\n", "\r\n")}, set()),
    ("blank_lines", lambda c: {**c, EP: c[EP] + "\n\n"}, set()),
    ("utf16_with_bom", lambda c: {**c, HD: c[HD].encode("utf-16")}, set()),
    ("extra_column", lambda c: {**c, HD: c[HD].replace("MC_DOB\n", "MC_DOB,NOTE\n")}, {"COL_EXTRA"}),
    ("bad_upn", _r(HD, "A123456789012", "A1234"), {"HDR_UPN_FORMAT"}),
    ("bad_postcode", _r(EP, "NM2 1AA", "NOT A POSTCODE"), {"EP_POSTCODE_FORMAT"}),
    ("tracker_child_not_in_header", _r(TR, "E7,K2,C3", "E7,K3,C8"), {"TR_CHILD_NOT_IN_HEADER"}),
]


def _fingerprint(job) -> tuple:
    """Jobs with the same suite and the same prepared rows give the same GX result."""
    frame = job.frame.astype("string")
    return (job.ctx.suite_name, job.source_file, tuple(frame.columns), int(pd.util.hash_pandas_object(frame, index=False).sum()), len(frame))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every case's failure table, from one GX run over the distinct files of all cases."""
    cases = [(cid, change) for cid, change, *_ in BROKEN] + [(cid, change) for cid, change, _ in ACCEPTED] + [("valid", lambda c: c)]
    raws, case_jobs, unique = {}, {}, {}
    for cid, change in cases:
        root = write(tmp_path_factory.mktemp(cid), change(files()))
        raws[cid] = read_raw(root)
        case_jobs[cid] = build_jobs(raws[cid])
        for j in case_jobs[cid]:
            key = _fingerprint(j)
            if key not in unique:
                j.name = f"{cid}__{j.name}"
                unique[key] = j
    keys = list(unique)
    results = dict(zip(keys, run_jobs([unique[k] for k in keys]), strict=True))
    out = {}
    for cid, jobs in case_jobs.items():
        rows = failures_from_results(jobs, [results[_fingerprint(j)] for j in jobs])
        out[cid] = pd.concat([raws[cid].failures, rows], ignore_index=True)
    return out


def test_corpus_is_large_enough():
    assert len(BROKEN) >= 30


def broken_case_problems(f: pd.DataFrame, cid: str, rule: str, file: str | None, row: int | None) -> list[str]:
    """What is wrong with one broken case's failures (empty when it gives its rule)."""
    hits = f[f["rule"] == rule]
    if hits.empty:
        return [f"{cid}: expected {rule}, got {sorted(f['rule'].unique())}"]
    problems = []
    if not (hits["severity"] == RULES[rule].severity).all():
        problems.append(f"{cid}: {rule} with the wrong severity")
    if not (f["severity"] == "error").any():
        problems.append(f"{cid}: not refused")
    if file is not None and not (hits["file"] == file).any():
        problems.append(f"{cid}: {rule} not reported in {file}: {sorted(hits['file'].unique())}")
    if row is not None and row not in set(hits["row"].dropna().astype(int)):
        problems.append(f"{cid}: {rule} not reported on row {row}: {sorted(hits['row'].dropna().astype(int))}")
    if not hits["message"].str.len().gt(10).all():
        problems.append(f"{cid}: empty message")
    return problems


# One test over the whole corpus (rather than one per case) so that pytest-xdist builds the
# corpus, and imports GX, in one worker only.
def test_corpus(corpus):
    assert corpus["valid"].empty, corpus["valid"][["file", "row", "rule", "message"]].to_string()

    problems = [p for cid, _, rule, file, row in BROKEN for p in broken_case_problems(corpus[cid], cid, rule, file, row)]
    for cid, _, warnings in ACCEPTED:
        f = corpus[cid]
        if (f["severity"] == "error").any():
            problems.append(f"{cid}: must be accepted but has errors {sorted(f.loc[f['severity'] == 'error', 'rule'].unique())}")
        if set(f["rule"]) != warnings:
            problems.append(f"{cid}: warnings {sorted(set(f['rule']))}, expected {sorted(warnings)}")
    assert not problems, "\n".join(problems)

    unknown = corpus["unknown_code"]
    msg = unknown.loc[unknown["rule"] == "CODE_UNKNOWN", "message"].iloc[0]
    assert msg.startswith("PLACE was 'Z9' but allowed codes for 2024-25 are A3, A4")

    rec = corpus["rec_without_dec"]
    hit = rec[rec["rule"] == "EP_REC_WITHOUT_DEC"].iloc[0]
    assert (hit["CHILD"], hit["column"], hit["value"], hit["return"]) == ("C2", "REC", "E45", "2024-25")


def test_broken_case_problems_reports_a_missing_rule():
    f = pd.DataFrame({"rule": ["CODE_UNKNOWN"], "severity": ["error"], "file": ["a.csv"], "row": [1], "message": ["PLACE was 'Z9' ..."]})
    assert broken_case_problems(f, "x", "CODE_UNKNOWN", "a.csv", 1) == []
    assert broken_case_problems(f, "x", "EP_OVERLAP", None, None) == ["x: expected EP_OVERLAP, got ['CODE_UNKNOWN']"]
    assert broken_case_problems(f, "x", "CODE_UNKNOWN", "b.csv", 2)[0].startswith("x: CODE_UNKNOWN not reported in b.csv")
