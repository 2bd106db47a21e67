"""Print where the papers for the configured period are."""

from __future__ import annotations

import argparse

from pipeline.config import Params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace, params: Params) -> int:
    out = params.paths.report_dir(params.period.slug)
    papers = sorted(out.glob("*.html")) + sorted(out.glob("*.pdf")) if out.exists() else []
    if not papers:
        print(f"No papers yet in {out.relative_to(params.paths.root)}/ (run: make report)")
        return 1
    print(f"Papers for {params.la.name}, {params.period.label}:")
    for p in papers:
        print(f"  {p.relative_to(params.paths.root)}")
    return 0
