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
