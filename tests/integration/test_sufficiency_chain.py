"""The sufficiency chain on the synthetic LA: synth -> validate -> facts -> measures -> paper.

Checks plausibility against seed 004's magnitudes (a county of ~150,000 under-18s has
600-700 children in care, ~300 admissions a year, ~40-45 per 10,000; at --scale 0.3 the
counts scale down, the rate does not) and that the stock-flow identity holds with only its
documented exceptions.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import load_params
from pipeline.measures.sufficiency import compute_sufficiency_measures, reconcile_stock_flow
from pipeline.papers.sufficiency import build_sufficiency_paper
from pipeline.process.episodes import derive_episode_fields
from pipeline.process.sufficiency import build_sufficiency_facts

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.3

def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


pytestmark = pytest.mark.skipif(not (_has("pipeline.validate.stage") and _has("pipeline.synth.stage")),
                                reason="needs the synth and validate commands")


def _run(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("suff")
    _run("synth", "--out", str(tmp / "raw"), "--scale", str(SCALE))
    _run("validate", "--raw", str(tmp / "raw"), "--processed", str(tmp / "processed"), "--no-docs")
    validated = {p.stem: pd.read_parquet(p) for p in (tmp / "processed" / "validated").glob("*.parquet")}
    params = load_params(ROOT / "params.yaml", ["projection.simulations=50"])
    episodes = derive_episode_fields(validated["episodes"], validated["header"], validated.get("postcodes"))
    facts = build_sufficiency_facts(validated, episodes, params)
    return params, facts


def test_stock_flow_identity_holds_with_documented_exceptions(chain):
    params, facts = chain
    recon = reconcile_stock_flow(facts, params.trend_financial_years)
    assert len(recon) == params.trend_years
    assert (recon["UNEXPLAINED"] == 0).all(), recon.to_string()


def test_magnitudes_are_plausible_against_seed_004(chain):
    params, facts = chain
    m = compute_sufficiency_measures(facts, params)
    total = m[(m["dimension"] == "") & (m["category"] == "")].set_index(["measure_id", "period"])["value"]
    for year in params.trend_financial_years:
        cla, adm = total[("cla_31_march", year.label)], total[("admissions", year.label)]
        assert 600 * SCALE * 0.6 <= cla <= 700 * SCALE * 1.4, (year, cla)
        assert 300 * SCALE * 0.5 <= adm <= 300 * SCALE * 1.5, (year, adm)
        assert 25 <= total[("cla_rate_per_10000", year.label)] <= 65
        assert 0 <= total[("stability_3plus_pct", year.label)] <= 20
    proj = total[("projected_cla_median", params.sufficiency_year.shift(1).label)]
    assert 0.5 * cla <= proj <= 1.5 * cla


def test_paper_cells_trace_to_their_facts(chain):
    params, facts = chain
    paper = build_sufficiency_paper(facts, params)
    for table in paper.tables:
        assert table.check_additive() == [], table.table_id
        for cell in table.cells():
            sel = table.selections[(cell.row, cell.col)]
            assert sel.evaluate(facts[sel.fact]) == pytest.approx(table.value(cell)), cell.id
