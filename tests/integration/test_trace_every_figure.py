"""The issue's Done-when: every figure of the papers built from small synthetic data traces,
and its recount matches. In process (one build, one recount of each figure), through the
stored lineage and parquet fact tables exactly as `trace --recount` reads them."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline import lineage
from pipeline.config import load_params
from pipeline.lineage.store import read_lineage_store, write_lineage_store

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    generate = pytest.importorskip("pipeline.synth.generate")
    settings_mod = pytest.importorskip("pipeline.synth.settings")
    synth_stage = pytest.importorskip("pipeline.synth.stage")
    readers = pytest.importorskip("pipeline.readers")
    assemble = pytest.importorskip("pipeline.validate.assemble")
    catalog = pytest.importorskip("pipeline.process.catalog")
    params = load_params(ROOT / "params.yaml")
    raw = tmp_path_factory.mktemp("raw")
    settings = settings_mod.SynthSettings(seed=3, scale=0.1, la_name=params.la.name, la_code=params.la.code,
                                          until=params.period)
    synth_stage.write_files(generate.generate(settings), raw)
    validated = assemble.assemble_validated(readers.read_raw(raw)).tables
    built = catalog.build_facts(validated, params)
    # read back from parquet, as the trace command does
    out = tmp_path_factory.mktemp("facts")
    for name, frame in built.items():
        frame.to_parquet(out / f"{name}.parquet")
    return params, built, {name: pd.read_parquet(out / f"{name}.parquet") for name in built}


@pytest.mark.parametrize(("module", "builder"), [("pipeline.papers.quarterly", "build_quarterly_paper"),
                                                 ("pipeline.papers.sufficiency", "build_sufficiency_paper")])
def test_every_figure_traces_and_recounts(facts, tmp_path, module, builder):
    build = getattr(pytest.importorskip(module), builder)
    params, built, read_back = facts
    paper = build(built, params)
    lin = lineage.build_lineage(paper, built, builder=f"{module}.{builder}",
                                parameters=lineage.describe_parameters(params))
    write_lineage_store(lin, tmp_path / paper.paper_id, {})
    stored, _ = read_lineage_store(tmp_path / paper.paper_id)
    ids = {c.id for t in paper.tables for c in t.cells()}
    ids |= {f"{d.table_id}|{r}|{c}" for d in paper.derived for r in d.values.index for c in d.values.columns
            if pd.notna(d.values.at[r, c])}
    assert set(stored.figures["figure_id"]) == ids  # every number of the paper has a record
    assert len(ids) > 50
    results = lineage.recount_all(stored.figures, stored.contributions, read_back)
    failing = {f: r.problems for f, r in results.items() if not r.ok}
    assert not failing, list(failing.items())[:10]
