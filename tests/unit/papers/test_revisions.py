"""Revisions: two consecutive quarters where the later extract back-dates some tracker
events and corrects an episode. Expected values are worked out by hand below."""

import dataclasses
from pathlib import Path

import pandas as pd

from pipeline import lineage
from pipeline.config import load_params
from pipeline.papers import revisions as rv
from pipeline.periods import parse_quarter
from pipeline.tables import Paper, PublishedTable, Selection, tidy

ROOT = Path(__file__).resolve().parents[3]
Q1, Q2 = "2026-27 Q1", "2026-27 Q2"
ROUTES = ["Adoption", "SGO", "Returned home", "Other"]


def _exits(rows):
    """rows: (child, route, quarter, return); DECOM is fixed per child (the episode's key)."""
    frame = pd.DataFrame(rows, columns=["CHILD", "EXIT_ROUTE", "QUARTER", "RETURN"])
    frame["DECOM"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.index, unit="D")
    frame["SOURCE_FILE"] = "ssda903/" + frame["RETURN"] + "/episodes.csv"
    frame["SOURCE_ROW"] = range(1, len(frame) + 1)
    return frame


def _events(rows):
    """rows: (event id, stage, quarter of EVENT_DATE, RECORDED_DATE)."""
    frame = pd.DataFrame(rows, columns=["EVENT_ID", "STAGE", "QUARTER", "RECORDED_DATE"])
    frame["RECORDED_DATE"] = pd.to_datetime(frame["RECORDED_DATE"])
    frame["CHILD"] = "T" + frame["EVENT_ID"]
    frame["ROUTE"] = "ADOPTION"
    frame["SOURCE_FILE"] = "local/permanence_tracker.csv"
    frame["SOURCE_ROW"] = range(1, len(frame) + 1)
    return frame


# Q1 extract: in Q1, 12 adoptions (A01-A12), 10 SGOs (S01-S10), 11 returned home (R01-R11),
# 3 other (O1-O3); 10 BI decisions recorded in Q1 (E01-E10).
Q1_EXITS = ([(f"A{i:02d}", "Adoption", Q1, "2026-27_Q1") for i in range(1, 13)]
            + [(f"S{i:02d}", "SGO", Q1, "2026-27_Q1") for i in range(1, 11)]
            + [(f"R{i:02d}", "Returned home", Q1, "2026-27_Q1") for i in range(1, 12)]
            + [(f"O{i}", "Other", Q1, "2026-27_Q1") for i in range(1, 4)])
Q1_EVENTS = [(f"E{i:02d}", "BI_DECISION", Q1, "2026-06-10") for i in range(1, 11)]


def _q2_exits():
    """The Q2 extract re-reports every Q1 episode (so every row's RETURN is now Q2), and:
    A12's episode is corrected from adoption to SGO; R12 left in Q1 but first appears in
    the Q2 extract; O4 left in Q1 too (a suppressed figure that changes: never revised);
    and 3 exits in Q2."""
    rows = [(c, r, q, "2026-27_Q2") for c, r, q, _ in Q1_EXITS]
    rows = [(c, "SGO" if c == "A12" else r, q, ret) for c, r, q, ret in rows]
    rows += [("R12", "Returned home", Q1, "2026-27_Q2"), ("O4", "Other", Q1, "2026-27_Q2")]
    rows += [("N1", "Adoption", Q2, "2026-27_Q2"), ("N2", "SGO", Q2, "2026-27_Q2"), ("N3", "SGO", Q2, "2026-27_Q2")]
    frame = _exits(rows)
    # the identity of a re-reported episode is unchanged: keep each child's Q1 DECOM
    q1 = _exits(Q1_EXITS).set_index("CHILD")["DECOM"]
    frame["DECOM"] = frame["CHILD"].map(q1).fillna(frame["DECOM"] + pd.Timedelta(days=1000))
    return frame


# Q2: two BI decisions made in Q1 (20 June) but recorded on 15 July: back-dated; one in Q2.
Q2_EVENTS = Q1_EVENTS + [("E11", "BI_DECISION", Q1, "2026-07-15"), ("E12", "BI_DECISION", Q1, "2026-07-15"),
                         ("E13", "BI_DECISION", Q2, "2026-08-01")]


def build_paper(facts, params):
    """A tiny quarterly paper: exits by route and BI decisions, for params.period."""
    q = params.period.label
    exits = facts["exits"]
    sel = Selection.of("exits", QUARTER=q)
    values = pd.DataFrame({q: [sel.narrow(EXIT_ROUTE=r).evaluate(exits) for r in ROUTES] + [sel.evaluate(exits)]},
                          index=[*ROUTES, "Total"])
    sels = {(r, q): sel.narrow(EXIT_ROUTE=r) for r in ROUTES} | {("Total", q): sel}
    t1 = PublishedTable("Q01_exits", "Exits by route", "route", "quarter", values, row_total="Total", selections=sels)
    bi = Selection.of("tracker_events", ROUTE="ADOPTION", STAGE="BI_DECISION", QUARTER=q)
    t2 = PublishedTable("Q02_adoption", "Adoption progress", "stage", "quarter",
                        pd.DataFrame({q: [bi.evaluate(facts["tracker_events"])]}, index=["BI decisions"]),
                        selections={("BI decisions", q): bi}, unit="decisions")
    fte = PublishedTable("Q03_staff", "Staffing", "team", "quarter", pd.DataFrame({q: [4.5]}, index=["Exit"]),
                         unit="FTE", suppress=False)
    return Paper("quarterly", [t1, t2, fte])


def _params(period):
    return load_params(ROOT / "params.yaml", [f"period={period}"])


Q1_FACTS = {"exits": _exits(Q1_EXITS), "tracker_events": _events(Q1_EVENTS)}
Q2_FACTS = {"exits": _q2_exits(), "tracker_events": _events(Q2_EVENTS)}


def _published_q1():
    """What the Q1 paper published (threshold 10: the 3 'other' exits were suppressed)."""
    paper = build_paper(Q1_FACTS, _params(Q1))
    frames = [tidy(t) for t in paper.tables]
    shown = pd.concat(frames, ignore_index=True).astype({"value": str})
    shown["value"] = [("x" if v == "3.0" else v.removesuffix(".0")) for v in shown["value"]]
    # the FTE table was published rounded to a whole number
    shown.loc[shown["table_id"] == "Q03_staff", "value"] = "5"
    return paper, shown


def test_published_fixture_is_as_worked_out():
    _, shown = _published_q1()
    got = dict(zip(shown["row"], shown["value"], strict=True))
    assert got == {"Adoption": "12", "SGO": "10", "Returned home": "11", "Other": "x", "Total": "36",
                   "BI decisions": "10", "Exit": "5"}


def _expected_rows():
    lab = "2026-27 Q1, {}: {}, 2026-27 Q1"
    return [
        # A12 moved from adoption to SGO: the same episode (CHILD + DECOM), corrected
        (lab.format("Exits by route", "Adoption"), 12, 11, "corrected record"),
        (lab.format("Exits by route", "SGO"), 10, 11, "corrected record"),
        # R12 is new in the Q2 extract
        (lab.format("Exits by route", "Returned home"), 11, 12, "new return"),
        # Total: 36 + R12 + O4 = 38; A12 is in both; R12 and O4 came with the Q2 extract
        (lab.format("Exits by route", "Total"), 36, 38, "new return"),
        # E11 and E12 were made in Q1 but recorded in July
        (lab.format("Adoption progress", "BI decisions"), 10, 12, "late-recorded event"),
    ]


def _revisions(contributions=True, corrections=None):
    paper_q1, shown = _published_q1()
    contrib = None
    if contributions:
        contrib = lineage.build_lineage(paper_q1, Q1_FACTS, builder="b", parameters={}).contributions
    return rv.revise_earlier_papers(build_paper, Q2_FACTS, _params(Q2), {"2026-27-Q1": shown},
                                    {"2026-27-Q1": contrib} if contributions else None, corrections)


def test_two_quarters_give_the_expected_revisions_table():
    revs = _revisions()
    expected = _expected_rows()
    t = revs.table
    assert t.table_id == "QREV_revisions" and t.title == "Revisions to previously reported figures"
    assert list(t.rows) == [r[0] for r in expected]
    assert list(t.cols) == ["Previously reported", "Now"]
    assert t.values["Previously reported"].tolist() == [r[1] for r in expected]
    assert t.values["Now"].tolist() == [r[2] for r in expected]
    assert revs.change.values["Change"].tolist() == [-1, 1, 1, 2, 2]
    assert revs.reasons["reason"].tolist() == [r[3] for r in expected]
    # 'Other' was published as x (3 -> 4) and the FTE (4.5 shown as 5) is unchanged: neither is revised
    assert not any("Other" in r for r in t.rows) and not any("Staffing" in r for r in t.rows)


def test_reason_counts_are_restricted_detail():
    r = _revisions().reasons.set_index("figure_id")
    total = r.loc["Q01_exits|Total|2026-27 Q1"]
    assert (total["added_new_return"], total["added_corrected"], total["removed"]) == (2, 0, 0)
    adoption = r.loc["Q01_exits|Adoption|2026-27 Q1"]
    assert (adoption["removed"], adoption["added_other"]) == (1, 0)
    assert r.loc["Q02_adoption|BI decisions|2026-27 Q1", "added_late"] == 2


def test_revisions_are_under_disclosure_control():
    revs = _revisions()
    row = _expected_rows()[0][0]
    assert revs.published_before[f"QREV_revisions|{row}|Previously reported"] == 12
    assert revs.sources[f"QREV_revisions|{row}|Previously reported"] == "2026-27-Q1#Q01_exits|Adoption|2026-27 Q1"
    # "Now" is the same figure as the rebuilt cell: same selection, so linked wherever it appears
    assert revs.table.selections[(row, "Now")] == Selection.of("exits", QUARTER=Q1, EXIT_ROUTE="Adoption")
    assert revs.table.suppress and revs.table.selections.get((row, "Previously reported")) is None
    # the change is derived from Now, so suppressing Now suppresses it
    assert revs.change.inputs[(row, "Change")][0].id == f"QREV_revisions|{row}|Now"
    base = build_paper(Q2_FACTS, _params(Q2))
    # an earlier value claimed for a cell id this paper shows again: kept unless revised
    base.published_before = {"Q01_exits|Adoption|2026-27 Q1": 12.0, "Q01_exits|Other|2026-27 Q1": 3.0}
    q2 = rv.add_revisions(base, revs)
    assert q2.table("QREV_revisions") is revs.table
    assert q2.published_before == {"Q01_exits|Other|2026-27 Q1": 3.0, **revs.published_before}
    assert base.published_before["Q01_exits|Adoption|2026-27 Q1"] == 12.0  # input untouched
    # a later paper that already published the revised value: that value is still public
    now = revs.reasons.set_index("figure_id").at["Q01_exits|Adoption|2026-27 Q1", "now"]
    assert now != 12
    base.published_before = {"Q01_exits|Adoption|2026-27 Q1": float(now)}
    assert rv.add_revisions(base, revs).published_before == {"Q01_exits|Adoption|2026-27 Q1": float(now),
                                                             **revs.published_before}
    # the Q2 paper's own tables were not touched
    assert [t.table_id for t in build_paper(Q2_FACTS, _params(Q2)).tables] == ["Q01_exits", "Q02_adoption", "Q03_staff"]


def test_every_revision_figure_traces_and_recounts():
    revs = _revisions()
    q2 = rv.add_revisions(build_paper(Q2_FACTS, _params(Q2)), revs)
    lin = lineage.build_lineage(q2, Q2_FACTS, builder="b", parameters={}, sources=revs.sources)
    _, shown = _published_q1()
    earlier = {f"2026-27-Q1#{t}|{r}|{c}": v for t, r, c, v in shown.itertuples(index=False)}
    results = lineage.recount_all(lin.figures, lin.contributions, Q2_FACTS, earlier)
    undeclared = set(lin.figures.loc[lin.figures["kind"] == "undeclared", "figure_id"])
    assert undeclared == {"Q03_staff|Exit|2026-27 Q2"}  # the FTE has no selection in this test paper
    assert all(r.ok for f, r in results.items() if f not in undeclared), [
        (f, r.problems) for f, r in results.items() if not r.ok and f not in undeclared]


def test_without_the_earlier_store_reasons_come_from_provenance_and_the_stitch_log():
    corrections = pd.DataFrame({"fact": ["exits"], "CHILD": ["A12"],
                                "DECOM": [_exits(Q1_EXITS).set_index("CHILD").at["A12", "DECOM"]]})
    reasons = _revisions(contributions=False, corrections=corrections).reasons["reason"].tolist()
    # a later RETURN alone proves nothing (the Q2 extract re-reports every episode), so R12 is
    # not determined; A12's listed correction is credited to every figure that selects it,
    # the total included (without the store the fallback cannot tell it did not move the total)
    assert reasons == ["corrected record", "corrected record", "not determined", "corrected record",
                       "late-recorded event"]
    no_log = _revisions(contributions=False).reasons["reason"].tolist()
    assert no_log == ["not determined"] * 4 + ["late-recorded event"]


def test_no_earlier_paper_or_no_change_gives_no_table():
    paper_q1, shown = _published_q1()
    none = rv.revise_earlier_papers(build_paper, Q1_FACTS, _params(Q2), {"2026-27-Q1": shown})
    assert none.table is None and none.reasons.empty
    assert rv.add_revisions(paper_q1, none) is paper_q1
    assert "No figure" in rv.describe_revisions(none)


def test_earlier_periods_within_the_lookback_only():
    slugs = ["2025-26-Q2", "2025-26-Q3", "2026-27-Q1", "2026-27-Q2", "2026-27-Q3", "notes", "2025-26"]
    # four quarters before 2026-27 Q2: 2026-27 Q1 and 2025-26 Q4, Q3, Q2
    got = rv.select_earlier_periods(parse_quarter("2026-27 Q2"), slugs, lookback=4)
    assert [q.label for q in got] == ["2025-26 Q2", "2025-26 Q3", "2026-27 Q1"]
    got = rv.select_earlier_periods(parse_quarter("2026-27 Q2"), slugs, lookback=3)
    assert [q.label for q in got] == ["2025-26 Q3", "2026-27 Q1"]
    assert rv.select_earlier_periods(parse_quarter("2026-27 Q2"), slugs, lookback=0) == []


def test_published_strings_are_parsed_and_rounding_is_not_a_revision():
    assert rv.parse_published_value("1,234") == 1234
    assert rv.parse_published_value("x") is None and rv.parse_published_value("") is None
    p = Paper("p", [PublishedTable("t", "T", "r", "c", pd.DataFrame({"c": [12.4, 7.0]}, index=["a", "b"]))])
    shown = pd.DataFrame({"table_id": ["t", "t"], "row": ["a", "b"], "column": ["c", "c"], "value": ["12", "8"]})
    diff = rv.compare_published(shown, p)
    assert diff["figure_id"].tolist() == ["t|b|c"] and diff["now"].tolist() == [7.0]


def test_row_labels_never_contain_the_id_separator():
    assert "|" not in rv.label_revision(parse_quarter(Q1), "A|B", "r|1", "c")


def test_inputs_are_not_mutated():
    before = {k: v.copy() for k, v in Q2_FACTS.items()}
    _revisions()
    for k, v in Q2_FACTS.items():
        pd.testing.assert_frame_equal(v, before[k])
    assert dataclasses.is_dataclass(rv.Revisions)


def test_lookback_comes_from_params_and_is_checked():
    import pytest

    from pipeline.config import ConfigError

    assert _params(Q2).revisions.lookback_quarters == 4
    with pytest.raises(ConfigError, match="lookback_quarters"):
        load_params(ROOT / "params.yaml", ["revisions.lookback_quarters=-1"])
    _, shown = _published_q1()
    none = rv.revise_earlier_papers(build_paper, Q2_FACTS, load_params(
        ROOT / "params.yaml", [f"period={Q2}", "revisions.lookback_quarters=0"]), {"2026-27-Q1": shown})
    assert none.table is None


def test_corrections_come_from_the_stitching_rules_that_change_records():
    log = pd.DataFrame({"CHILD": ["A12", "B1", "C1", "A12"],
                        "DECOM": pd.to_datetime(["2024-01-12", "2024-02-01", "2024-03-01", "2024-01-12"]),
                        "rule": ["S3_REPLACED_BY_LATER_RETURN", "S1_EXACT_DUPLICATE", "S6_CUT_AT_LATER_RETURN",
                                 "S4_SUPERSEDED_BY_LATER_RETURN"],
                        "kept_return": "2026-27_Q2", "dropped_return": "2026-27_Q1", "detail": ""})
    got = rv.list_corrections(log, {"exits": Q2_FACTS["exits"], "tracker_events": Q2_FACTS["tracker_events"]})
    # A12 (S3 and S4, once) and C1 (S6); B1 was only an exact duplicate; the tracker has no DECOM
    assert got.to_dict("list") == {"fact": ["exits", "exits"], "CHILD": ["A12", "C1"],
                                   "DECOM": [pd.Timestamp("2024-01-12"), pd.Timestamp("2024-03-01")]}


def test_revisions_flow_on_disk_and_trace_of_a_previously_reported_figure(tmp_path, capsys):
    """Q1 paper published (tables + lineage store), then the Q2 paper with revisions; the
    previously reported figure and the revised one both trace and recount."""
    import shutil

    from pipeline import cli
    from pipeline.lineage.store import record_paper_lineage
    from pipeline.papers.revisions import revise_paper

    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    p1 = load_params(tmp_path / "params.yaml", [f"period={Q1}"])
    p2 = load_params(tmp_path / "params.yaml", [f"period={Q2}"])
    paper_q1, shown = _published_q1()
    tables = p1.paths.report_dir("2026-27-Q1") / "tables" / "quarterly"
    tables.mkdir(parents=True)
    shown.to_csv(tables / "all.csv", index=False)
    record_paper_lineage(paper_q1, Q1_FACTS, p1, "tests.build_paper")
    facts_dir = p2.paths.processed / "facts"
    facts_dir.mkdir(parents=True)
    for name, frame in Q2_FACTS.items():
        frame.to_parquet(facts_dir / f"{name}.parquet")

    raw = p2.paths.raw / "local"
    raw.mkdir(parents=True)
    Q2_FACTS["tracker_events"][["EVENT_ID", "CHILD", "ROUTE", "STAGE", "RECORDED_DATE"]].to_csv(
        raw / "permanence_tracker.csv", index=False)

    paper_q2, revs = revise_paper(build_paper(Q2_FACTS, p2), Q2_FACTS, p2, build_paper)
    assert revs.reasons["reason"].tolist() == [r[3] for r in _expected_rows()]  # used the Q1 store
    record_paper_lineage(paper_q2, Q2_FACTS, p2, "tests.build_paper", sources=revs.sources)

    row = _expected_rows()[4][0]
    argv = ["--params", str(tmp_path / "params.yaml"), "--set", f"period={Q2}", "trace"]
    assert cli.main([*argv, f"QREV_revisions|{row}|Previously reported", "--recount"]) == 0
    out = capsys.readouterr().out
    assert "2026-27-Q1#Q02_adoption|BI decisions|2026-27 Q1 shows 10" in out
    assert cli.main([*argv, f"QREV_revisions|{row}|Now", "--recount"]) == 0
    out = capsys.readouterr().out
    assert "recomputed 12 = recorded 12" in out and "E11" in out and "E12" in out
    assert cli.main([*argv, f"QREV_change|{row}|Change"]) == 0
    assert not (p2.paths.reports / "2026-27-Q2").exists()  # nothing of lineage under reports/


def test_numeric_child_ids_with_leading_zeros_give_the_same_revisions():
    # the same two quarters, each child's id a plain number as many councils' systems issue
    # them, kept as text: A12 -> 000012 (leading zeros), S01 -> 010001, R12 -> 030012 ...
    letters = {"A": 0, "S": 1, "R": 3, "O": 4, "N": 5, "T": 6}

    def numeric(frame):
        digits = frame["CHILD"].str.replace(r"\D", "", regex=True).replace("", "0").astype(int)
        return frame.assign(CHILD=[f"{letters[c[0]]:02d}{d:04d}" for c, d in zip(frame["CHILD"], digits, strict=True)])

    q1 = {k: numeric(v) for k, v in Q1_FACTS.items()}
    q2 = {k: numeric(v) for k, v in Q2_FACTS.items()}
    assert q1["exits"]["CHILD"].iloc[11] == "000012" and q1["exits"]["CHILD"].is_unique
    _, shown = _published_q1()
    contrib = lineage.build_lineage(build_paper(q1, _params(Q1)), q1, builder="b", parameters={}).contributions
    revs = rv.revise_earlier_papers(build_paper, q2, _params(Q2), {"2026-27-Q1": shown}, {"2026-27-Q1": contrib})
    assert revs.table.values["Now"].tolist() == [r[2] for r in _expected_rows()]
    assert revs.reasons["reason"].tolist() == [r[3] for r in _expected_rows()]
    # without the earlier store, the stitching log's correction of 000012 is matched by id
    corrections = pd.DataFrame({"fact": ["exits"], "CHILD": ["000012"],
                                "DECOM": [q1["exits"].set_index("CHILD").at["000012", "DECOM"]]})
    revs = rv.revise_earlier_papers(build_paper, q2, _params(Q2), {"2026-27-Q1": shown}, None, corrections)
    assert revs.reasons["reason"].tolist() == ["corrected record", "corrected record", "not determined",
                                               "corrected record", "late-recorded event"]
