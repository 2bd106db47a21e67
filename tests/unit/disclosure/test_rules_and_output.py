"""Primary rule, narrative phrases, shown tables, tidy output and the log."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import DisclosureParams
from pipeline.disclosure import describe_count, format_count, is_sensitive, protect_paper
from pipeline.errors import DisclosureError
from pipeline.tables import Cell, Paper, PublishedTable

P = DisclosureParams()


@pytest.mark.parametrize("value,expected", [(0, False), (1, True), (9, True), (10, False), (250, False)])
def test_primary_rule_hides_1_to_threshold_minus_1(value, expected):
    assert is_sensitive(value, P) is expected


def test_zeros_can_be_suppressed_and_threshold_comes_from_params():
    assert is_sensitive(0, DisclosureParams(zero="suppress"))
    assert is_sensitive(4, DisclosureParams(threshold=5))
    assert not is_sensitive(5, DisclosureParams(threshold=5))


def test_describe_count():
    assert describe_count(8, True, P) == "8"
    assert describe_count(1234, True, P) == "1,234"
    assert describe_count(8, False, P) == "fewer than 10"
    assert describe_count(3, False, DisclosureParams(threshold=5)) == "fewer than 5"
    with pytest.raises(DisclosureError, match="secondary"):
        describe_count(40, False, P)  # a hidden large count cannot be phrased without leaking
    assert format_count(12.5) == "12.5"


def test_totals_are_exempt_when_configured(margins):
    table = margins("T", [[3, 4], [40, 50]])  # row total 7 is a total below the threshold
    paper = Paper("p", [table])
    exempt = protect_paper(paper, DisclosureParams(suppress_totals=False))
    assert exempt.status[Cell("T", "r0", "Total")] != "primary"
    strict = protect_paper(paper, P)
    assert strict.status[Cell("T", "r0", "Total")] == "primary"


def test_shown_tidy_and_log(margins):
    protected = protect_paper(Paper("p", [margins("T", [[20, 50, 10], [8, 19, 22], [17, 32, 12]])]), P)
    shown = protected.shown("T")
    assert shown.loc["r1", "c0"] == "x"
    assert shown.loc["Total", "Total"] == "190"
    tidy = protected.tidy("T")
    assert list(tidy.columns) == ["table_id", "row", "column", "value"]
    assert len(tidy) == 16 and (tidy["value"] == "x").sum() == len(protected.suppressed())
    log = protected.log_frame()
    primary = log[log["figure"] == "T|r1|c0"].iloc[0]
    assert primary["status"] == "primary" and primary["value"] == 8
    assert all(log.loc[log["status"] == "secondary", "reason"].str.startswith("secondary: protects T|"))
    assert protected.describe(Cell("T", "r1", "c0")) == "fewer than 10"
    assert protected.value(Cell("T", "r1", "c0")) is None
    assert protected.value(Cell("T", "r0", "c0")) == 20


def test_tables_that_do_not_add_up_are_refused():
    frame = pd.DataFrame({"A": [3, 20, 24], "Total": [3, 20, 24]}, index=["a", "b", "Total"])
    with pytest.raises(DisclosureError, match="do not add up"):
        protect_paper(Paper("p", [PublishedTable("T", "T", "r", "c", frame, row_total="Total")]), P)


def test_non_count_tables_are_never_suppressed(margins):
    money = PublishedTable("M", "cost", "r", "c", pd.DataFrame({"£": [3.0]}, index=["a"]), suppress=False)
    protected = protect_paper(Paper("p", [margins("T", [[30, 40]]), money]), P)
    assert protected.shown("M").loc["a", "£"] == "3"


def test_fails_closed_when_a_hidden_cell_was_published_before(margins):
    paper = Paper("p", [margins("T", [[3, 40], [20, 50]])], published_before={"T|r0|c0": 3})
    with pytest.raises(DisclosureError, match="earlier paper"):
        protect_paper(paper, P)


def test_cells_hidden_by_hand_are_kept_and_protected(margins):
    table = margins("T", [[30, 40, 25], [20, 50, 35]])  # nothing small: only the hand-hidden cell
    protected = protect_paper(Paper("p", [table]), P, hide=[Cell("T", "r0", "c0")])
    assert protected.status[Cell("T", "r0", "c0")] == "secondary"
    entry = next(e for e in protected.log if e.figure == "T|r0|c0")
    assert entry.rule == "manual" and entry.reason == "hidden by hand"
    assert len(protected.suppressed()) >= 4  # a lone hidden cell needs a rectangle
    assert protected.audit.passed


def test_derived_figure_naming_no_counts_is_shown(margins):
    from pipeline.tables import DerivedTable

    target = DerivedTable("D", "targets", "row", "column",
                          pd.DataFrame({"Target": [28.0], "Share": [25.0]}, index=["r0"]),
                          inputs={("r0", "Share"): (Cell("T", "r1", "c0"),)}, fmt="number")
    protected = protect_paper(Paper("p", [margins("T", [[20, 50], [8, 19]])], derived=[target]), P)
    assert protected.shown("D").loc["r0"].tolist() == ["28.0", "x"]
