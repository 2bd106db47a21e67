"""What the validate stage tells people: the summary metric, the refusal message, offline Data Docs."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd

from pipeline.validate.gx import DETAIL_SUFFIX
from pipeline.validate.rules import ERROR, RULES, WARNING

FIRST_ROWS = 3  # offending rows shown per rule in the refusal message


def count_by_file(frame: pd.DataFrame) -> dict[str, int]:
    if frame is None or frame.empty:
        return {}
    return {str(k): int(v) for k, v in frame.groupby("SOURCE_FILE").size().items()}


def summarise(failures: pd.DataFrame, files: pd.DataFrame, kept: dict[str, int] | None,
              excluded: dict[str, int] | None, *, layout: str, returns: list[str]) -> dict:
    """The small summary JSON (a DVC metric): counts per severity, rules failed, rows per file.

    ``kept``/``excluded`` are None when the data was refused (nothing is kept).
    """
    if "accepted" in failures:
        failures = failures[failures["accepted"].isna()]  # accepted errors are summarised by the caller
    counts = failures.groupby("severity").size()
    rules = failures.groupby(["rule", "severity"]).size().reset_index(name="rows")
    per_file = {}
    for row in files.itertuples(index=False):
        entry = {"read": int(row.rows_read)}
        if kept is not None:
            entry["kept"] = int(kept.get(row.SOURCE_FILE, 0))
            entry["excluded"] = int((excluded or {}).get(row.SOURCE_FILE, 0))
        per_file[row.SOURCE_FILE] = entry
    n_errors = int(counts.get(ERROR, 0))
    out = {
        "status": "refused" if n_errors else "passed",
        "layout": layout,
        "returns": returns,
        "errors": n_errors,
        "warnings": int(counts.get(WARNING, 0)),
        "rules_failed": {r.rule: {"severity": r.severity, "rows": int(r.rows)} for r in rules.itertuples(index=False)},
        "rows": {"read": int(files["rows_read"].sum())},
        "files": per_file,
    }
    if kept is not None:
        out["rows"]["kept"] = int(sum(kept.values()))
        out["rows"]["excluded"] = int(sum((excluded or {}).values()))
        out["reconciled"] = all(e["read"] == e["kept"] + e["excluded"] for e in per_file.values())
    return out


def _cell(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def refusal_message(failures: pd.DataFrame, out_dir: str, first: int = FIRST_ROWS) -> str:
    """A short readable summary of every failed error rule, with its first offending rows."""
    errors = failures[failures["severity"] == ERROR]
    if "accepted" in errors:
        errors = errors[errors["accepted"].isna()]
    lines = [f"the raw data was refused: {len(errors)} error(s) under {errors['rule'].nunique()} rule(s). Nothing was written for later stages."]
    for rule_id, g in errors.groupby("rule", sort=False):
        lines.append(f"  {rule_id} ({len(g)} row{'s' if len(g) != 1 else ''}): {RULES[rule_id].description}")
        for r in g.head(first).itertuples(index=False):
            where = f"{r.file}:{_cell(r.row)}" if _cell(r.row) else r.file
            child = f" CHILD {_cell(r.CHILD)}" if _cell(r.CHILD) else ""
            col = f" {_cell(r.column)}" if _cell(r.column) else ""
            val = f" '{_cell(r.value)}'" if _cell(r.value) else ""
            lines.append(f"      {where}{child}{col}{val}: {r.message}")
        if len(g) > first:
            lines.append(f"      ... and {len(g) - first} more")
    n_warn = int((failures["severity"] == WARNING).sum())
    lines.append(f"Every row is in {out_dir}/failures.csv ({n_warn} warning(s) too); the GX report is {out_dir}/data_docs/index.html.")
    n_acc = int(failures["accepted"].notna().sum()) if "accepted" in failures else 0
    lines.append((f"{n_acc} error(s) were accepted by the exceptions file. " if n_acc else "")
                 + "Errors reviewed and accepted can be listed in <raw>/accepted_exceptions.csv or --accept FILE "
                 "(see docs/validation.md, 'Accepted exceptions').")
    return "\n".join(lines)


# --- offline Data Docs -----------------------------------------------------------------------

_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_EXTERNAL_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.I)
_EXTERNAL_IMG = re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.I | re.S)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>", re.I | re.S)
_UP_LINKS = re.compile(r"(href|src)=\"(?:\.\./)+(static|expectations|validations|index\.html)")

OFFLINE_CSS = """<style>
body{font-family:system-ui,Arial,sans-serif;margin:1.5rem;color:#222;max-width:75rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
.collapse{display:block}.d-none{display:none}nav,.navbar,.sticky,.sidebar,#ge-cta-footer{display:none}
code,pre{background:#f4f4f4}.text-danger{color:#b00}.text-success{color:#070}
.failed td:first-child{color:#b00}footer{display:none}
.fa-check-circle::before{content:"\\2714";color:#070}.fa-times::before{content:"\\2718";color:#b00}
</style>"""


def make_html_offline(text: str) -> str:
    """Drop CDN scripts, styles and images and inline scripts (they need jQuery); add a local style."""
    text = _EXTERNAL_SCRIPT.sub("", text)
    text = _EXTERNAL_LINK.sub("", text)
    text = _EXTERNAL_IMG.sub("", text)
    text = _INLINE_SCRIPT.sub("", text)
    return text.replace("</head>", OFFLINE_CSS + "</head>", 1)


def _flatten_links(text: str) -> str:
    """Relative links from a page one folder below the docs root."""
    return _UP_LINKS.sub(lambda m: f'{m.group(1)}="../{m.group(2)}', text)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LOAD_TIME = re.compile(r"\b\d{8}T\d{6}\.\d{6}Z\b")


def make_html_stable(text: str, load_time: str = "19800101T000000.000000Z") -> str:
    """GX's random ids (collapsible sections' anchors) numbered in order of first appearance,
    and batch load times set to ``load_time``: the same results give the same page."""
    seen: dict[str, str] = {}
    text = _UUID.sub(lambda m: seen.setdefault(m.group(0), f"n{len(seen) + 1}"), text)
    return _LOAD_TIME.sub(load_time, text)


def _offline_page(page: Path) -> str:
    return make_html_stable(_flatten_links(make_html_offline(page.read_text(encoding="utf-8"))))


def make_docs_offline(src: Path, dest: Path, jobs_status: list[tuple[str, str, bool]]) -> list[Path]:
    """Copy GX Data Docs from `src` to `dest` at stable paths, readable with no network.

    Validation pages (``validations/<suite>.html``: a batch's suite is named after it, its
    failed expectations' second pass after it with ``__failed``) and suite pages
    (``expectations/<suite>.html``) keep their names (pipeline.validate.gx.write_docs_pages);
    ``index.html`` is written here (GX's own index needs JavaScript from a CDN).
    ``jobs_status`` lists (job, file, success).
    """
    src, dest = Path(src), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "validations").mkdir(parents=True)
    (dest / "expectations").mkdir()
    written = []
    for folder in ("validations", "expectations"):
        for page in sorted((src / folder).glob("*.html")):
            out = dest / folder / page.name
            out.write_text(_offline_page(page), encoding="utf-8")
            written.append(out)
    details = {p.stem.removesuffix(DETAIL_SUFFIX) for p in (dest / "validations").glob(f"*{DETAIL_SUFFIX}.html")}

    def detail_link(job: str) -> str:
        if job not in details:
            return ""
        return f' (<a href="validations/{html.escape(job + DETAIL_SUFFIX)}.html">the failed expectations in detail; failures.csv lists every row</a>)'

    rows = "\n".join(
        f'<tr class="{"passed" if ok else "failed"}"><td>{"passed" if ok else "FAILED"}</td>'
        f'<td><a href="validations/{html.escape(job)}.html">{html.escape(file)}</a>{"" if ok else detail_link(job)}</td></tr>'
        for job, file, ok in jobs_status
    )
    suites = "\n".join(f'<li><a href="expectations/{html.escape(p.name)}">{html.escape(p.stem)}</a></li>'
                       for p in sorted((dest / "expectations").glob("*.html")))
    index = (f"<!doctype html><html><head><meta charset='utf-8'><title>Validation results</title>{OFFLINE_CSS}</head><body>"
             f"<h1>Validation results (Great Expectations)</h1><table><tr><th>result</th><th>file</th></tr>{rows}</table>"
             f"<h2>Expectation suites</h2><ul>{suites}</ul></body></html>")
    (dest / "index.html").write_text(index, encoding="utf-8")
    return [dest / "index.html", *written]
