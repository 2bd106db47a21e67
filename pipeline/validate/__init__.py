"""Validation of raw returns: rules, Great Expectations suites, and the row-level failure table.

Modules:
- ``rules``: the registry of every rule (id, table, severity, description, message).
- ``codes``: code lists for columns that ``pipeline.schema`` documents only in words.
- ``checks``: pure pandas functions: typed parsing and per-row flags for cross-row rules.
- ``suites/``: the GX 1.x expectations, one module per table group, as reviewable code.
- ``run``: prepares each file's frame, runs the suites and builds the failure table.
- ``report``: summaries, the readable refusal message, offline Data Docs.
- ``cli``: ``python -m pipeline validate``.
"""
