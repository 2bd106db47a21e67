"""Lineage of published figures: where every number of a paper comes from, and its recount.

Every count cell of a :class:`pipeline.tables.Paper` declares a :class:`Selection` over one
fact table, so its lineage is the selection, the fact table's content hash and the keys of
the rows selected. A lineage store (restricted output, never published) holds, per paper:

- ``figures``: one row per figure (:data:`FIGURE_COLUMNS`): id ``table|row|column``, value,
  the paper builder and its parameters, the selection (JSON and in words), the fact
  table's content hash, and for derived figures the ids of the counts they use;
- ``contributions``: one row per (figure, contributing fact row) with the row's position
  in the fact table and its source keys (:data:`KEY_COLUMNS`);
- ``inputs``: the raw files behind the validated data, and the files another body published
  that figures are read from, with sha256 (and DVC md5).

A figure another body published (the DfE's comparators, kind ``published_elsewhere``) or a
derived figure computed partly from such figures names each value it uses in ``sources``:
the file, the line, the column, the text there and the file's sha256.

Modules (this package imports only :mod:`pipeline.tables` and the leaf modules config,
errors, periods and safe_text; ``tests/unit/test_import_direction.py`` checks it):

- ``records``: the store's columns and kinds, content hashing, selections as JSON, look-ups;
- ``build``: a paper's store from the paper and its fact tables (pure);
- ``recount``: recounting figures from a store alone (pure);
- ``store``: writing and reading stores on disk, and the files a trace reads back;
- ``show``: what ``python -m pipeline trace`` prints (:mod:`pipeline.commands.trace`);
- ``prose``: the papers' appendix "How to trace a figure".

The pure API is re-exported here (``from pipeline import lineage; lineage.build_lineage``).
"""

from pipeline.lineage.build import (
    build_lineage,
    describe_derivation,
    list_published_files,
    select_contributions,
    select_keys,
    summarise_inputs,
)
from pipeline.lineage.prose import explain_tracing
from pipeline.lineage.records import (
    CONTRIBUTION_COLUMNS,
    COUNT,
    DERIVED,
    FIGURE_COLUMNS,
    INPUT_COLUMNS,
    KEY_COLUMNS,
    PUBLISHED_BEFORE,
    PUBLISHED_ELSEWHERE,
    UNDECLARED,
    Lineage,
    contributions_of,
    decode_selection,
    decode_sources,
    describe_parameters,
    encode_selection,
    encode_sources,
    find_figure,
    hash_frame,
    raw_sources,
    suggest_figure_ids,
)
from pipeline.lineage.recount import (
    FactView,
    Recount,
    check_derived,
    check_published_before,
    check_published_elsewhere,
    check_raw_rows,
    compare_input_hashes,
    compare_published_values,
    find_parameter,
    listed_key_text,
    match_percentage,
    parse_raw_date,
    recount_all,
    recount_count,
    recount_figure,
)

__all__ = [
    "CONTRIBUTION_COLUMNS", "COUNT", "DERIVED", "FIGURE_COLUMNS", "INPUT_COLUMNS", "KEY_COLUMNS",
    "PUBLISHED_BEFORE", "PUBLISHED_ELSEWHERE", "UNDECLARED", "FactView", "Lineage", "Recount", "build_lineage",
    "check_derived", "check_published_before", "check_published_elsewhere", "check_raw_rows",
    "compare_input_hashes", "compare_published_values", "contributions_of", "decode_selection",
    "decode_sources", "describe_derivation", "describe_parameters", "encode_selection", "encode_sources",
    "explain_tracing", "find_figure", "find_parameter", "hash_frame", "list_published_files", "listed_key_text",
    "match_percentage", "parse_raw_date", "raw_sources", "recount_all", "recount_count", "recount_figure", "select_contributions", "select_keys",
    "suggest_figure_ids", "summarise_inputs",
]
