"""Benchmark: record-set identities, secondary suppression and audit of both demo papers.

    python benchmarks/bench_identities.py [--params params.yaml]

Builds the quarterly and sufficiency papers from the processed facts (run `make report`
first) as `python -m pipeline paper` does, then times, per paper: deriving the record-set
identities, and `protect_paper` with them and with every other published edition of the
paper found on disk (line rules, audit loop, pruning, final audit), as the paper stage does.
Target (issue 13): both papers together under 10 s. Prints one JSON line per paper and one
for the total: wall and CPU seconds, identities, cells hidden and published.
"""

from __future__ import annotations

import argparse
import json
import time

from pipeline.config import load_params
from pipeline.disclosure import protect_paper
from pipeline.disclosure.identities import derive_identities
from pipeline.disclosure.protect import information_loss
from pipeline.disclosure.publications import load_editions
from pipeline.papers.assemble import (
    COMPARABLE_COLUMNS,
    PAPER_KINDS,
    add_tables,
    build_dq_table,
    resolve_builder,
)
from pipeline.render.locations import folders
from pipeline.render.paper import build_candidates, read_warnings, rule_descriptions
from pipeline.store import read_facts


def build(name: str, facts: dict, params):
    paper = resolve_builder(PAPER_KINDS[name])(facts, params)
    extra = [build_dq_table(read_warnings(folders(params, name)["warnings"]), rule_descriptions())]
    if name == "quarterly":
        extra.append(build_candidates(facts, params))
    return add_tables(paper, extra)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", default="params.yaml")
    args = ap.parse_args()
    params = load_params(args.params)
    facts = read_facts(params.paths.processed / "facts")
    papers = {name: build(name, facts, params) for name in ("quarterly", "sufficiency")}
    wall = cpu = 0.0
    for name, paper in papers.items():
        w0, c0 = time.perf_counter(), time.process_time()
        identities = derive_identities(paper, facts)
        w1, c1 = time.perf_counter(), time.process_time()
        editions, _ = load_editions(params, name)  # other published editions on disk (none after one make report)
        protected = protect_paper(paper, params.disclosure, identities=[i.equation() for i in identities],
                                  editions=editions, comparable=COMPARABLE_COLUMNS[name], period=params.period.slug)
        w2, c2 = time.perf_counter(), time.process_time()
        wall, cpu = wall + w2 - w0, cpu + c2 - c0
        print(json.dumps({"paper": name, "editions": len(editions), "identities": len(identities),
                          "derive_wall_s": round(w1 - w0, 2),
                          "derive_cpu_s": round(c1 - c0, 2), "protect_wall_s": round(w2 - w1, 2),
                          "protect_cpu_s": round(c2 - c1, 2), **information_loss(protected),
                          "audit_passed": protected.audit.passed}))
    print(json.dumps({"total_wall_s": round(wall, 2), "total_cpu_s": round(cpu, 2), "target_s": 10}))


if __name__ == "__main__":
    main()
