"""Run the pipeline's validation and the DfE SSDA903 validator on the same return; compare.

The DfE validator is data-to-insight's ``csc-validator-be-903`` (PyPI, 0.1.17), which needs
Python 3.10: install it in a throw-away environment OUTSIDE the project (it is not a
project dependency), e.g.

    ~/.pyenv/versions/3.10.13/bin/python -m venv /tmp/dfe903
    /tmp/dfe903/bin/pip install csc-validator-be-903==0.1.17

then, for one return held in a flat folder (header.csv, episodes.csv, ...):

    .venv/bin/python scripts/compare_dfe_validator.py FOLDER --year 2017-18 \\
        --dfe-python /tmp/dfe903/bin/python [--ruleset lac2022_23] [--out DIR] [--markdown FILE]

Both run as separate processes, one after the other, and each is timed (wall clock, and the
validation work alone). For every DfE rule either side reports, the rows each flags are
compared (table and data row; the pipeline's ``dfe_rule`` column says which DfE rule each of
its failures implements): ``agree`` (the same rows), ``pipeline stricter``/``DfE stricter``
(one side's rows contain the other's), ``differ``, ``DfE only`` (a DfE rule the pipeline does
not implement) or ``pipeline only``. Writes ``comparison.csv`` and prints a markdown table,
with the reason for each difference where ``WHY`` knows it (docs/validation.md keeps the
table for the d2i fake data).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "scripts" / "dfe903_runner.py"

# Why the two sides differ, by DfE code (read from both implementations and the rows each flags).
WHY = {
    "148": "DfE 148 is both directions (DEC without REC and REC without DEC): the pipeline's EP_REC_WITHOUT_DEC and EP_DEC_WITHOUT_REC together",
    "388": "DfE 388 also flags an X1 episode whose DEC is blank but REC is X1 (case 1 compares a blank DEC with the next DECOM); the pipeline reports those rows under 148 (EP_REC_WITHOUT_DEC) once",
    "432": "the pipeline's EP_CHAIN_BROKEN is one check for DfE 357, 432 and 433 (see 357)",
    "132": "DfE 132 also fails a blank ACTIV (its list check reads a blank as text); the pipeline's code list lets a blank pass and DFE_153 reports partly completed rows",
    "133": "as 132, for ACCOM",
    "357;432;433": "the pipeline's EP_CHAIN_BROKEN is one check for three DfE rules (first episode must be S, continuation after a non-X1 end, continuation not on the same day)",
    "357": "DfE 357 looks only at the child's first episode in the year; the pipeline's EP_CHAIN_BROKEN also covers DfE 432/433",
    "433": "DfE 433 compares with the previous episode's DEC only; the pipeline's EP_CHAIN_BROKEN also needs that episode to end X1",
    "352": "DfE 352 checks only episodes that start a period of care (RNE S); the pipeline refuses any episode starting at 18 or over (EP_AGED_18_AT_DECOM)",
    "408": "DfE 408 needs LS E1 for A5/A6; the pipeline also accepts D1 (freeing order) and checks A3/A4 (V2, E1 or D1)",
    "165": "DfE 165 checks MOTHER against SEX, age and OC3; the pipeline checks only that MOTHER is 0, 1 or blank",
    "501": "DfE 501 compares with the previous row's DEC only when it is filled; the pipeline also flags an episode starting while the previous one is open (DfE 142 reports the open one)",
    "385": "same rule; the pipeline reports DEC after the return's last day",
    "387": "the DfE validator's age test also fails an E5/E6 episode with no DEC (a blank date compares false); the pipeline reports those rows under 148 (EP_REC_WITHOUT_DEC)",
    "389": "as 387: an E7 episode with no DEC fails the DfE age test; the pipeline reports it under 148",
    "431": "DfE 431 also flags an RNE S episode starting before the previous one ended; the pipeline reports those under EP_OVERLAP (501), once",
    "358": "DfE 358 also flags the child's header row; on episodes the two agree",
    "407": "DfE 407 also flags the child's header row",
    "178": "the DfE 2022-23 rule 178 also flags a provider given for a placement that takes none (T0-T4, Z1); the pipeline reports T0-T4 under 213 (DFE_213), once, and does not check Z1 (a code before 2023-24)",
    "376": "run alone (selected_rules=['376']) the validator flags the same rows as the pipeline; in a full run it also flags open T3 episodes: rule 365 runs first and fills every blank DEC with the year's end in the episodes frame the validator shares between rules, so an open T3 episode then looks longer than 21 days",
    "607": "as 376: after rule 365 has filled blank DECs with the year's end in the shared frame, 607 also flags open episodes that carry a REC (the pipeline reports those under 148); the DfE rule also flags the child's header row",
    "383": "until 2024-25 the DfE compares the placement type only; from 2025-26 also PL_POST (the pipeline follows the return's collection year)",
    "393": "DfE 393 flags the header row; so does the pipeline",
    "222": "the DfE list of placements without a URN changes by year; the pipeline follows the return's collection year, the validator the rule set it was run with",
    "168": "the same pattern, except that the pipeline also accepts UN6-UN10",
    "169": "PL_LA comes from the ONS postcode directory, which the pipeline does not hold; not implemented",
    "179": "PL_LOCATION is derived from the postcode directory; not implemented",
    "392a": "placement distance from postcodes: not implemented (no postcode directory)",
    "392c": "home/placement postcodes against the directory: not implemented",
    "1012": "DfE 1012 flags OC3-only children in every other table; not implemented (no figure reads those tables for them)",
}


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_pipeline(folder: Path, year: str, out: Path, python: str) -> tuple[pd.DataFrame, float, float]:
    """The pipeline's failures.csv for the folder (refused or not), the command's wall and CPU time."""
    cmd = [python, "-m", "pipeline", "validate", "--raw", str(folder), "--year", year, "--out", str(out / "validation"),
           "--processed", str(out / "processed"), "--no-docs"]
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode not in (0, 2) or not (out / "validation" / "failures.csv").exists():
        raise SystemExit(f"pipeline validate failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return pd.read_csv(out / "validation" / "failures.csv", dtype=str, keep_default_na=False), seconds, cpu


def run_dfe(folder: Path, year: str, ruleset: str, out: Path, python: str) -> tuple[pd.DataFrame, float, float, float]:
    """The DfE validator's flagged rows, the command's wall and CPU time and its validation time."""
    target = out / "dfe_rows.csv"
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([python, str(RUNNER), str(folder), collection_year(year), ruleset, str(target)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"the DfE validator failed ({done.returncode}):\n{done.stderr[-2000:]}")
    inner = float(done.stderr.strip().splitlines()[-2])
    return pd.read_csv(target, dtype=str, keep_default_na=False), seconds, cpu, inner


def collection_year(year: str) -> str:
    """'2017-18' or '2018' -> '2018' (the year the financial year ends in, as the validator wants)."""
    return str(int(year[:4]) + 1) if "-" in year else year


def flagged_rows(pipeline: pd.DataFrame) -> pd.DataFrame:
    """(dfe_rule, table, row) of every pipeline failure with a DfE code (one line per code)."""
    rows = pipeline[(pipeline["row"] != "") & (pipeline["dfe_rule"] != "")]
    out = rows.assign(dfe_rule=rows["dfe_rule"].str.split(";")).explode("dfe_rule")
    return out[["dfe_rule", "table", "row", "rule"]]


def compare(pipeline: pd.DataFrame, dfe: pd.DataFrame) -> pd.DataFrame:
    """One line per DfE code either side reports: rows each flags, rows both flag, verdict."""
    ours = flagged_rows(pipeline)
    theirs = dfe.rename(columns={"dfe_rule": "code"})
    codes = sorted(set(ours["dfe_rule"]) | set(theirs["code"]), key=lambda c: (len(c), c))
    lines = []
    for code in codes:
        a = set(zip(ours.loc[ours["dfe_rule"] == code, "table"], ours.loc[ours["dfe_rule"] == code, "row"], strict=True))
        b = set(zip(theirs.loc[theirs["code"] == code, "table"], theirs.loc[theirs["code"] == code, "row"], strict=True))
        rules = ", ".join(sorted(set(ours.loc[ours["dfe_rule"] == code, "rule"])))
        checked = {t for t, _ in a}
        other_tables = {x for x in b if x[0] not in checked} if a else set()
        b = b - other_tables  # compared on the tables the pipeline checks for this rule
        if not a:
            verdict = "DfE only (not implemented)"
        elif not b:
            verdict = "pipeline only"
        elif a == b:
            verdict = "agree"
        elif a > b:
            verdict = "pipeline stricter"
        elif a < b:
            verdict = "DfE stricter"
        else:
            verdict = "differ"
        if verdict == "agree" and other_tables:
            verdict = "agree (on the pipeline's tables)"
        lines.append({"dfe_rule": code, "pipeline_rules": rules, "dfe_rows": len(b), "pipeline_rows": len(a),
                      "both": len(a & b), "dfe_other_tables": len(other_tables), "verdict": verdict, "why": "" if verdict == "agree" else WHY.get(code, "")})
    return pd.DataFrame(lines)


def to_markdown(table: pd.DataFrame) -> str:
    cols = ["dfe_rule", "pipeline_rules", "dfe_rows", "pipeline_rows", "both", "dfe_other_tables", "verdict", "why"]
    lines = ["| DfE rule | pipeline rule(s) | DfE rows | pipeline rows | both | DfE rows in other tables | verdict | why |",
             "|---|---|---:|---:|---:|---:|---|---|"]
    for r in table[cols].itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in r) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a flat folder holding one return (header.csv, episodes.csv, ...)")
    parser.add_argument("--year", required=True, help="its collection year, e.g. 2017-18")
    parser.add_argument("--dfe-python", required=True, help="python of the environment with csc-validator-be-903")
    parser.add_argument("--ruleset", help="the validator's rule set (default lac<year>, or lac2022_23 for earlier years)")
    parser.add_argument("--out", type=Path, help="folder for the outputs (default: a temporary folder)")
    parser.add_argument("--markdown", type=Path, help="also write the markdown table here")
    parser.add_argument("--python", default=sys.executable, help="the project's python (default: this one)")
    args = parser.parse_args(argv)
    end = int(collection_year(args.year))
    ruleset = args.ruleset or f"lac{max(end, 2023) - 1}_{max(end, 2023) % 100:02d}"
    out = args.out or Path(tempfile.mkdtemp(prefix="dfe-compare-"))
    out.mkdir(parents=True, exist_ok=True)
    pipeline, t_pipe, c_pipe = run_pipeline(args.folder, args.year, out, args.python)
    dfe, t_dfe, c_dfe, t_dfe_inner = run_dfe(args.folder, args.year, ruleset, out, args.dfe_python)
    table = compare(pipeline, dfe)
    table.to_csv(out / "comparison.csv", index=False)
    text = to_markdown(table)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    print(text)
    rows = pipeline[pipeline["row"] != ""]
    print(f"\npipeline failure rows with a dfe_rule: {(pipeline['dfe_rule'] != '').sum()} of {len(pipeline)} "
          f"({(pipeline['dfe_rule'] != '').mean():.1%}); row-level {len(rows)}")
    counts = table["verdict"].value_counts()
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"time: pipeline validate {t_pipe:.1f} s wall, {c_pipe:.1f} s CPU (command); DfE validator {t_dfe:.1f} s wall, "
          f"{c_dfe:.1f} s CPU (command; {t_dfe_inner:.1f} s wall validating); DfE / pipeline: "
          f"{t_dfe / t_pipe:.1f}x wall, {c_dfe / c_pipe:.1f}x CPU")
    print(f"outputs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
