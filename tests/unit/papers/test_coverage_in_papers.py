"""Papers never show a figure for a window the returns do not cover (pipeline.coverage): the
sufficiency paper leaves those years out with a note naming them and the reason; either paper
is refused when its own year or quarter is not covered."""

import math

import pytest

from pipeline.coverage import build_coverage_fact
from pipeline.errors import InputError
from pipeline.papers import quarterly as qp
from pipeline.papers.sufficiency import build_sufficiency_paper
from pipeline.process.sufficiency import build_sufficiency_facts
from tests.fixtures.quarterly_story import story_facts, story_params
from tests.unit.sufficiency_world import world_episodes, world_params, world_validated

Y24, Y25 = "31 March 2024", "31 March 2025"


@pytest.fixture(scope="module")
def params():
    return world_params(**{"projection.simulations": 0})


@pytest.fixture(scope="module")
def facts(params):
    return build_sufficiency_facts(world_validated(), world_episodes(), params)


def _paper(facts, params, returns):
    return build_sufficiency_paper({**facts, "coverage": build_coverage_fact(returns)}, params)


def test_one_annual_return_gives_its_year_and_its_opening_stock_only(facts, params):
    # the 2024-25 return covers 1 April 2024 - 31 March 2025; its opening stock shows 31 March 2024
    paper = _paper(facts, params, ["2024-25"])
    assert paper.table("S01_cla_by_age").cols == [Y24, Y25]
    assert paper.table("S09_admissions_by_age").cols == ["2024-25"]       # 2023-24 flows: not covered
    assert paper.table("S13_stability").cols == [Y25]                      # placements in 2023-24: not covered
    flows = paper.table("S12_flows")
    assert flows.cols == ["2023-24", "2024-25"]
    assert math.isnan(flows.values.at["Started to be looked after", "2023-24"])   # blank, never 0
    assert ("Started to be looked after", "2023-24") not in flows.selections
    assert flows.values.at["In care at 31 March", "2023-24"] == 2                # A and D (by hand)
    assert flows.values.at["Started to be looked after", "2024-25"] == 1          # B
    note = ("Not shown: 2023-24 (no return covers the whole year; the returns cover 1 April 2024 to "
            "31 March 2025).")
    assert note in paper.table("S09_admissions_by_age").notes
    assert ("Started and ceased in 2023-24 are shown as z: no return covers the whole year (the returns cover "
            "1 April 2024 to 31 March 2025); the number in care on 31 March comes from the next return's opening "
            "stock.") in flows.notes


def test_returns_covering_every_year_leave_nothing_out(facts, params):
    paper = _paper(facts, params, ["2022-23", "2023-24", "2024-25"])
    assert paper.table("S09_admissions_by_age").cols == ["2023-24", "2024-25"]
    assert not any(n.startswith("Not shown") for t in paper.tables for n in t.notes)


@pytest.mark.parametrize(("returns", "reason"), [
    (["2022-23", "2023-24"], "no return covers 31 March 2025 (the returns cover 1 April 2022 to 31 March 2024)"),
    (["2025-26"], "no return covers the whole of 1 April 2024 to 31 March 2025"),   # only its opening stock
    (["2023-24", "2024-25_Q3"], "no return covers 31 March 2025 (the returns cover 1 April 2023 to 31 December 2024)"),
])
def test_a_sufficiency_year_the_returns_do_not_cover_is_refused(facts, params, returns, reason):
    with pytest.raises(InputError, match="sufficiency_year 2024-25: the sufficiency analysis is not produced: ") as e:
        _paper(facts, params, returns)
    assert reason in str(e.value)


def test_a_quarter_no_extract_covers_is_refused_not_a_paper_of_zeros():
    facts = story_facts()
    assert qp.build_quarterly_paper({**facts, "coverage": build_coverage_fact(["2026-27_Q2"])}, story_params())
    with pytest.raises(InputError, match=r"^2026-27 Q2: the quarterly paper is not produced: no return covers the "
                                         r"whole of 1 April 2026 to 30 September 2026 \(the returns cover 1 April "
                                         r"2025 to 30 June 2026\)"):
        qp.build_quarterly_paper({**facts, "coverage": build_coverage_fact(["2025-26", "2026-27_Q1"])},
                                 story_params())
