"""Modules skipped at start-up are absent, and what imported them still works."""

from __future__ import annotations

import sys

import pytest

from pipeline.imports import UNUSED, skip_unused_imports


def test_skipped_module_cannot_be_imported_but_jsonschema_validates(monkeypatch):
    for name in UNUSED:
        monkeypatch.delitem(sys.modules, name, raising=False)
    skip_unused_imports()
    with pytest.raises(ImportError):
        import rfc3987_syntax  # noqa: F401
    import jsonschema

    jsonschema.validate({"n": 3}, {"type": "object", "properties": {"n": {"type": "integer"}}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"n": "x"}, {"type": "object", "properties": {"n": {"type": "integer"}}})


def test_a_module_already_imported_is_left_alone(monkeypatch):
    marker = object()
    monkeypatch.setitem(sys.modules, UNUSED[0], marker)
    skip_unused_imports()
    assert sys.modules[UNUSED[0]] is marker


# --- deferred modules (pipeline.imports.deferring) ---

from pipeline.imports import GX_DEFERRED, DeferredModule, deferring, is_deferred  # noqa: E402

PROBE = "deferred_probe_module"


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """A module that counts how often it is executed (in `LOADS` of a side module)."""
    (tmp_path / f"{PROBE}.py").write_text("import builtins\nbuiltins._probe_loads = getattr(builtins, '_probe_loads', 0) + 1\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, PROBE, raising=False)
    import builtins

    monkeypatch.setattr(builtins, "_probe_loads", 0, raising=False)
    yield builtins
    sys.modules.pop(PROBE, None)


def test_a_deferred_module_is_executed_only_when_an_attribute_is_read(probe):
    with deferring((PROBE,)):
        import deferred_probe_module as held
    assert isinstance(held, DeferredModule) and is_deferred(held)
    assert probe._probe_loads == 0
    assert PROBE not in sys.modules  # the stand-in leaves sys.modules with the block
    assert held.VALUE == 42
    assert probe._probe_loads == 1 and not is_deferred(held)
    assert held.VALUE == 42 and probe._probe_loads == 1  # loaded once
    import deferred_probe_module as again

    assert not isinstance(again, DeferredModule) and again.VALUE == 42 and probe._probe_loads == 1


def test_a_module_imported_after_the_block_is_the_real_one(probe):
    with deferring((PROBE,)):
        import deferred_probe_module  # noqa: F401
    import deferred_probe_module as real

    assert not isinstance(real, DeferredModule) and real.VALUE == 42 and probe._probe_loads == 1


def test_an_already_imported_module_is_not_deferred(probe):
    import deferred_probe_module as real

    with deferring((PROBE,)):
        import deferred_probe_module as inside
    assert inside is real and sys.modules[PROBE] is real and probe._probe_loads == 1


def test_a_missing_attribute_still_raises_attribute_error(probe):
    with deferring((PROBE,)):
        import deferred_probe_module as held
    with pytest.raises(AttributeError):
        held.NOT_THERE  # noqa: B018


GX_CHECK = r"""
import sys
import pandas as pd
from pipeline.validate.gx import import_gx

gx, gxe, ProgressBarsConfig = import_gx()
real = {n for n in GX_DEFERRED if type(sys.modules.get(n)).__name__ == "module"}
print("imported after GX:", sorted(real))
context = gx.get_context(mode="ephemeral")
source = context.data_sources.add_pandas(name="t")
batch = source.add_dataframe_asset(name="a").add_batch_definition_whole_dataframe("w").get_batch(
    batch_parameters={"dataframe": pd.DataFrame({"c": ["a", "b", "z", None], "n": [1.0, 2.0, 2.0, 3.0]})})
r = batch.validate(gxe.ExpectColumnValuesToBeInSet(column="c", value_set=["a", "b"]), result_format="COMPLETE")
print("in_set", r.success, r.result["unexpected_list"])
r = batch.validate(gxe.ExpectColumnKLDivergenceToBeLessThan(column="n", partition_object={"bins": [0, 1.5, 3.5], "weights": [0.25, 0.75]}, threshold=0.1))
print("kl", r.success, round(r.result["observed_value"], 6))
"""


def test_gx_imports_without_the_deferred_modules_and_still_validates_with_them():
    """In a fresh interpreter: after import_gx() none of GX_DEFERRED is really imported; a set
    check finds the one bad value; the KL-divergence check (scipy.stats) imports on demand."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = f"GX_DEFERRED = {GX_DEFERRED!r}\n" + GX_CHECK
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "imported after GX: []"
    assert lines[1] == "in_set False ['z']"
    # observed 1 of 4 in [0, 1.5) and 3 of 4 in [1.5, 3.5): the same weights, divergence 0
    assert lines[2] == "kl True 0.0"
