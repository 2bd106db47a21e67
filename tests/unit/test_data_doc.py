"""docs/data.md documents every raw file and column of pipeline/schema.py."""

import importlib.util
from pathlib import Path

from pipeline import schema

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("data_doc_tables", ROOT / "scripts" / "data_doc_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_column_tables_are_up_to_date():
    script = load_script()
    text = (ROOT / "docs" / "data.md").read_text()
    assert script.generated_block() in text, "run: python scripts/data_doc_tables.py --write"


def test_every_file_and_column_is_mentioned():
    text = (ROOT / "docs" / "data.md").read_text()
    for table, cols in {**schema.SSDA903_TABLES, **schema.LOCAL_FILES}.items():
        section = text.split(f"#### `{table}`", 1)[1].split("####", 1)[0]
        for col in cols:
            assert f"| {col.name} |" in section, f"{table}.{col.name}"
