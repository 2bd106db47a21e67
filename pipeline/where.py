"""`python -m pipeline where`: print where the papers for the current period are, and whether
they are current.

Exit 0 when reports/<period>/ holds papers published by a passed publication check that still
match the files published and the inputs (raw files, validated data, fact tables and
parameters); exit 1 when there are no papers (none yet, or withdrawn, with the reason) or when
one paper is current and the other was taken down (both listed, with the reason); exit 5,
saying why, when the papers there no longer match the inputs (--withdraw moves them to
data/processed/restricted/<period>/stale/, their tables stay in the register of published editions; a failing stage does that itself).
"""

from __future__ import annotations

import json

from pipeline.config import Params
from pipeline.errors import EXIT_NO_PAPERS, EXIT_STALE
from pipeline.store import Layout


def run_where(params: Params, *, withdraw_stale: bool = False) -> int:
    """Print where the period's papers are; the exit code says whether they are current (and
    with `withdraw_stale`, withdraw them when they are not)."""
    from pipeline.publish import PAPERS, published_problems, withdraw

    root = params.paths.root
    where = Layout(params.paths)
    out = where.reports(params.period.slug)
    shown = out.relative_to(root) if out.is_relative_to(root) else out
    present, stale = published_problems(params)
    problems = list(dict.fromkeys(r for rs in stale.values() for r in rs))
    if problems:
        print(f"The papers in {shown}/ are OUT OF DATE and must not be used:")
        for p in problems:
            print(f"  - {p}")
        if withdraw_stale:
            moved = withdraw(params, sorted(stale), "; ".join(problems))
            dest = where.stale(params.period.slug)
            print(f"They were withdrawn to {dest.relative_to(root) if dest.is_relative_to(root) else dest}/ "
                  f"({len(moved)} file(s)). Fix the cause and run: make report")
        else:
            print("Fix the cause and run: make report (or withdraw them: python -m pipeline where --withdraw)")
        return EXIT_STALE
    papers = sorted(out.glob("*.html")) + sorted(out.glob("*.pdf")) if present else []
    interrupted = out.with_name(f".{out.name}.old")
    if not out.exists() and interrupted.exists():
        print(f"No papers in {shown}/: a publication was interrupted between its two renames; the previous "
              f"papers are in {interrupted} (rerun: make report)")
        return EXIT_NO_PAPERS
    if not papers:
        reason = where.stale(params.period.slug) / "reason.json"
        why = ""
        if reason.exists():
            why = f" (papers were withdrawn: {json.loads(reason.read_text()).get('reason', '')})"
        print(f"No papers yet in {shown}/{why} (run: make report)")
        return EXIT_NO_PAPERS
    print(f"Papers for {params.la.name}, {params.period.label}:")
    for p in papers:
        print(f"  {p.relative_to(root) if p.is_relative_to(root) else p}")
    reason = where.stale(params.period.slug) / "reason.json"
    gone = [p for p in PAPERS if p not in present]
    if gone and reason.exists():
        # one paper current, the other taken down: say so, and do not exit as if all were well
        why = json.loads(reason.read_text()).get("reason", "")
        print(f"The {' and '.join(gone)} paper was taken down and is not in {shown}/: {why} (run: make report)")
        return EXIT_NO_PAPERS
    return 0
