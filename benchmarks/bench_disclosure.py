"""Benchmark: disclosure control (protect + audit) on a big table and on a whole paper.

    python benchmarks/bench_disclosure.py [--rows 200 --cols 50] [--seed 1]

1. One 200x50 table with margins, in three mixes: half, a third and an eighth of the inner
   cells below the threshold (the last needs many secondary cells): `protect_paper`
   (secondary suppression, pruning, log intervals) and then an independent `audit_paper`
   of the result. Target: under 5 s.
2. One paper of 15 small tables (children in care by age, placement, legal status, ... each
   by gender, with margins) whose gender margins and grand totals are the same figures
   (equal selections), plus a quarter / year-to-date pair linked to last quarter's published
   figures. Target: under 2 s for protect + audit.

Prints one JSON line per case: wall and CPU seconds, cells, primary and secondary counts,
LP/MILP solves.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from pipeline.config import DisclosureParams
from pipeline.disclosure import audit_paper, protect_paper
from pipeline.tables import Cell, Equation, Paper, PublishedTable, Selection


def big_table(rows: int, cols: int, seed: int, mix=(2, 8, 30)) -> Paper:
    rng = np.random.default_rng(seed)
    inner = rng.poisson(rng.choice(mix, size=(rows, cols)))
    frame = pd.DataFrame(inner, index=[f"r{i}" for i in range(rows)], columns=[f"c{j}" for j in range(cols)])
    frame["Total"] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    return Paper("big", [PublishedTable("B", "big", "row", "col", frame, row_total="Total", col_total="Total")])


DIMENSIONS = {
    "age": ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over"],
    "placement": ["Foster", "Kinship", "Residential", "With parents", "Independent", "Other"],
    "legal": ["Care order", "Interim order", "Section 20", "Placement order"],
    "ethnicity": ["White", "Mixed", "Asian", "Black", "Other"],
    "locality": ["North", "South", "East", "West"],
    "duration": ["Under 1 year", "1 to 2 years", "2 to 5 years", "5 years and over"],
    "distance": ["Under 5 miles", "5 to 20 miles", "Over 20 miles"],
    "placements": ["1", "2", "3 or more"],
    "reason": ["Abuse or neglect", "Disability", "Family dysfunction", "Absent parenting", "Other"],
    "provider": ["Own provision", "Private", "Voluntary", "Other LA"],
    "plan": ["Adoption", "SGO", "Long-term foster", "Return home"],
    "school": ["Primary", "Secondary", "Special", "Not in school"],
    "health": ["Up to date", "Overdue"],
    "la": ["Within LA", "Outside LA"],
}


def paper_of_tables(seed: int) -> Paper:
    rng = np.random.default_rng(seed)
    n = 420
    facts = pd.DataFrame({d: rng.choice(v, size=n, p=_skewed(len(v), rng)) for d, v in DIMENSIONS.items()})
    facts["gender"] = rng.choice(["Male", "Female"], size=n)
    tables = []
    for dim, labels in DIMENSIONS.items():
        frame = pd.DataFrame(0, index=labels + ["Total"], columns=["Male", "Female", "Total"])
        selections = {}
        for r in labels + ["Total"]:
            for g in ["Male", "Female", "Total"]:
                where = {}
                if r != "Total":
                    where[dim] = r
                if g != "Total":
                    where["gender"] = g
                sel = Selection.of("cla", **where)
                frame.loc[r, g] = sel.evaluate(facts)
                selections[(r, g)] = sel
        tables.append(PublishedTable(dim, f"Children in care by {dim}", dim, "gender", frame,
                                     row_total="Total", col_total="Total", selections=selections))
    # quarter and year to date of exits by route, linked to last quarter's published figures
    routes = ["Adoption", "SGO", "Return home", "Turned 18", "Other"]
    q2 = rng.poisson([4, 6, 12, 9, 3])
    q1 = rng.poisson([5, 7, 10, 11, 2])
    frame = pd.DataFrame({"Q2": q2, "Year to date": q1 + q2}, index=routes)
    frame.loc["Total"] = frame.sum(axis=0)
    tables.append(PublishedTable("exits", "Exits", "route", "period", frame, row_total="Total"))
    before = {f"exits_q1|{r}|Year to date": float(v) for r, v in zip(routes + ["Total"], list(q1) + [q1.sum()], strict=True)}
    links = [Equation((Cell("exits", r, "Year to date"),), (Cell("exits_q1", r, "Year to date"), Cell("exits", r, "Q2")),
                      "year to date = last quarter's year to date + this quarter") for r in routes + ["Total"]]
    return Paper("quarterly", tables, links=links, published_before=before)


def _skewed(k: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.dirichlet(np.ones(k) * 0.8)
    return w / w.sum()


def measure(name: str, paper: Paper, params: DisclosureParams, target: float) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    protected = protect_paper(paper, params)
    mid_wall, mid_cpu = time.perf_counter(), time.process_time()
    report = audit_paper(paper, protected.suppressed(), params, exact=False)
    end_wall, end_cpu = time.perf_counter(), time.process_time()
    assert report.passed
    statuses = list(protected.status.values())
    return {
        "case": name, "tables": len(paper.tables), "cells": len(statuses),
        "equations": len(paper.equations()),
        "primary": statuses.count("primary"), "secondary": statuses.count("secondary"),
        "protect_wall_s": round(mid_wall - wall, 2), "protect_cpu_s": round(mid_cpu - cpu, 2),
        "audit_wall_s": round(end_wall - mid_wall, 2), "audit_cpu_s": round(end_cpu - mid_cpu, 2),
        "total_wall_s": round(end_wall - wall, 2), "total_cpu_s": round(end_cpu - cpu, 2),
        "lp_solves_final_audit": protected.audit.lp_solves, "target_s": target,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    params = DisclosureParams()
    protect_paper(big_table(3, 3, 0), params)  # warm up imports (HiGHS, scipy)
    size = f"{args.rows}x{args.cols}"
    print(json.dumps(measure(f"table {size}, half the cells small", big_table(args.rows, args.cols, args.seed),
                             params, 5.0)))
    print(json.dumps(measure(f"table {size}, a third of the cells small",
                             big_table(args.rows, args.cols, args.seed, mix=(4, 20, 40)), params, 5.0)))
    print(json.dumps(measure(f"table {size}, an eighth of the cells small, scattered",
                             big_table(args.rows, args.cols, args.seed, mix=(3, 30, 40, 60, 80, 100, 120, 150)),
                             params, 5.0)))
    print(json.dumps(measure("paper of 15 tables", paper_of_tables(args.seed), params, 2.0)))


if __name__ == "__main__":
    main()
