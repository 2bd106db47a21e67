"""Offline Data Docs, the summary metric and the refusal message."""

from __future__ import annotations

import pandas as pd

from pipeline.validate.report import make_html_offline, make_html_stable, refusal_message, summarise
from pipeline.validate.rules import failures_frame, file_failure

PAGE = """<html><head><link rel="stylesheet" href="https://cdn.example/bootstrap.css"/>
<script src="https://code.jquery.com/jquery.js"></script><link rel="shortcut icon" href="../static/i.ico"/></head>
<body><img class="x" src="https://s3.example/logo.png" alt="GX"/><table><tr><td>ok</td></tr></table>
<script>$(function(){ run(); });</script></body></html>"""


def test_make_html_offline_drops_every_network_reference_and_keeps_content():
    out = make_html_offline(PAGE)
    assert "http" not in out
    assert "<table><tr><td>ok</td></tr></table>" in out and 'href="../static/i.ico"' in out
    assert "<style>" in out and "$(function" not in out


def failures() -> pd.DataFrame:
    rows = [file_failure("COL_EXTRA", "a.csv", column="LA", table="header", other="header")]
    f = failures_frame(rows)
    err = pd.DataFrame({"file": ["e.csv"] * 5, "row": range(1, 6), "CHILD": list("ABCDE"), "column": "REC", "rule": "EP_REC_WITHOUT_DEC",
                        "value": "X1", "severity": "error", "message": "REC was 'X1' but DEC is blank", "table": "episodes", "return": "2024-25"})
    return pd.concat([f, err], ignore_index=True)


def test_refusal_message_names_rule_count_and_first_rows():
    msg = refusal_message(failures(), "out", first=2)
    assert "EP_REC_WITHOUT_DEC (5 rows)" in msg
    assert "e.csv:1 CHILD A REC 'X1': REC was 'X1' but DEC is blank" in msg and "e.csv:3" not in msg
    assert "... and 3 more" in msg and "1 warning(s)" in msg


def test_summary_reconciles_per_file():
    files = pd.DataFrame({"SOURCE_FILE": ["a.csv", "e.csv"], "rows_read": [3, 5]})
    s = summarise(failures(), files, {"a.csv": 3, "e.csv": 4}, {"e.csv": 1}, layout="flat", returns=["2024-25"])
    assert s["status"] == "refused" and s["errors"] == 5 and s["warnings"] == 1
    assert s["rules_failed"]["EP_REC_WITHOUT_DEC"] == {"severity": "error", "rows": 5}
    assert s["files"]["e.csv"] == {"read": 5, "kept": 4, "excluded": 1} and s["reconciled"]
    s2 = summarise(failures(), files, {"a.csv": 2, "e.csv": 4}, {"e.csv": 1}, layout="flat", returns=[])
    assert not s2["reconciled"]


def test_make_html_stable_numbers_random_ids_in_order_and_fixes_load_times():
    page = ('<a href="#body-7502acb9-1db0-4f8d-b4fa-243bbc2ff107">x</a><div id=body-7502acb9-1db0-4f8d-b4fa-243bbc2ff107>'
            '<a href="#body-49da3cd3-0bae-477c-8ee6-2f0ede15281f"></a><span>20261206T090014.076651Z</span>')
    assert make_html_stable(page) == ('<a href="#body-n1">x</a><div id=body-n1><a href="#body-n2"></a>'
                                      '<span>19800101T000000.000000Z</span>')
    assert make_html_stable("no ids, 2026-12-06") == "no ids, 2026-12-06"
