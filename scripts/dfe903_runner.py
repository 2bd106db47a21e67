"""Run the DfE SSDA903 validator (data-to-insight, PyPI csc-validator-be-903) on one return.

Runs INSIDE the validator's own Python 3.10 environment (not the project's): it imports
``lac_validator``. ``scripts/compare_dfe_validator.py`` calls it with that environment's
python. Writes a CSV of every flagged row: table, row (1-based data row, as the pipeline's
SOURCE_ROW), CHILD, dfe_rule; prints the seconds the validation took on stderr.

    python dfe903_runner.py FOLDER COLLECTION_YEAR RULESET OUT.csv
    e.g. /tmp/dfe903/bin/python scripts/dfe903_runner.py data/raw/flat 2018 lac2022_23 /tmp/dfe.csv
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from pathlib import Path

TABLES = {  # the validator's table names -> the pipeline's
    "Header": "header", "Episodes": "episodes", "Reviews": "reviews", "UASC": "uasc", "OC2": "oc2",
    "OC3": "oc3", "AD1": "ad1", "PlacedAdoption": "placed_for_adoption", "PrevPerm": "previous_permanence",
    "Missing": "missing",
}


def main(folder: str, year: str, ruleset: str, out: str) -> None:
    logging.disable(logging.CRITICAL)
    import pandas as pd
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    start = time.perf_counter()
    files = []
    for p in sorted(Path(folder).glob("*.csv")):
        if p.stem.lower() in TABLES.values():  # the files the pipeline reads (not e.g. *_errors.csv)
            files.append(str(p))
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    v = lac_validator.LacValidator(metadata={"collectionYear": year, "localAuthority": "E09000027"},
                                   files=process_uploaded_files({"This year": files}), registry=registry)
    rows = []
    for table, frame in v.ds_results.items():
        if table not in TABLES:
            continue
        for col in (c for c in frame.columns if str(c).startswith("ERR_")):
            hit = frame[frame[col] == True]  # noqa: E712 (object column of True/NaN)
            for idx, child in zip(hit.index, hit["CHILD"], strict=True):
                rows.append((TABLES[table], int(idx) + 1, child, col[4:]))
    seconds = time.perf_counter() - start
    pd.DataFrame(rows, columns=["table", "row", "CHILD", "dfe_rule"]).to_csv(out, index=False)
    print(f"{seconds:.2f}", file=sys.stderr)
    print(f"failed_to_run={','.join(v.fails)}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
