"""Properties that must hold for every table: protection always passes its own audit, and
every secondary cell it keeps is needed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import DisclosureParams
from pipeline.disclosure import audit_paper, protect_paper
from pipeline.tables import Paper

PARAMS = DisclosureParams()
# mostly small counts (many below the threshold), some zeros, some larger
value = st.one_of(st.integers(0, 0), st.integers(1, 9), st.integers(1, 9), st.integers(10, 60))


@st.composite
def inner_tables(draw):
    rows = draw(st.integers(1, 8))
    cols = draw(st.integers(1, 8))
    return [[draw(value) for _ in range(cols)] for _ in range(rows)]


SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(inner_tables())
def test_protected_tables_pass_an_independent_audit(margins, inner):
    paper = Paper("p", [margins("T", inner)])
    protected = protect_paper(paper, PARAMS, exact_intervals=False)
    hidden = protected.suppressed()
    # every count the rule hides is hidden; every shown zero stays shown
    for cell, v in paper.count_cells().items():
        if 1 <= v <= PARAMS.threshold - 1:
            assert cell in hidden
        if v == 0:
            assert cell not in hidden
    report = audit_paper(paper, hidden, PARAMS, exact=False)
    assert report.passed, report.summary()


@SETTINGS
@given(inner_tables())
def test_revealing_any_secondary_cell_fails_the_audit(margins, inner):
    paper = Paper("p", [margins("T", inner)])
    protected = protect_paper(paper, PARAMS, exact_intervals=False)
    hidden = protected.suppressed()
    secondaries = [c for c, s in protected.status.items() if s == "secondary"]
    for cell in secondaries:
        report = audit_paper(paper, hidden - {cell}, PARAMS, exact=False)
        assert not report.passed, f"{cell.id} was kept but is redundant"
    # cells dropped by pruning are logged as redundant and are shown
    for entry in protected.log:
        if entry.rule == "secondary (pruned)":
            assert "redundant" in entry.reason
