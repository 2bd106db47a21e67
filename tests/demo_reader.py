"""The identities a domain reader adds to the demo papers' published tables from their
captions (issue 13), kept only where the restricted true values confirm them (a reader
confirms such a relation in the periods where both sides are shown). Used by the attacker
tests; independent of pipeline.disclosure."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

YTD = "Year to date"
OPEN = "Open at quarter end"


def _ids(frame: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    out = {}
    for t, r, c, v in frame[["table_id", "row", "column", "value"]].astype(str).itertuples(index=False):
        try:
            out[(t, r, c)] = float(v)
        except ValueError:
            continue
    return out


def caption_identities(true_values: pd.DataFrame, prefix: str = "") -> list[tuple[list[str], list[str]]]:
    """Candidate identities from the captions, kept when the true values satisfy them."""
    truth = _ids(true_values)
    cells = set(truth)
    by_table: dict[str, set[tuple[str, str]]] = {}
    for t, r, c in cells:
        by_table.setdefault(t, set()).add((r, c))
    cand: list[tuple[list[tuple], list[tuple]]] = []
    # year to date = sum of the quarters, in every quarterly table
    for t, rc in by_table.items():
        cols = {c for _, c in rc}
        q = sorted(c for c in cols if re.fullmatch(r"Q[1-4]", c))
        if YTD in cols and q:
            for r in {r for r, _ in rc}:
                if all((r, c) in rc for c in [*q, YTD]):
                    cand.append(([(t, r, YTD)], [(t, r, c) for c in q]))
    # the same row label in two tables over the same columns (e.g. routes out of care)
    rows: dict[str, list[tuple[str, str]]] = {}
    for t, rc in by_table.items():
        for r in {r for r, _ in rc}:
            rows.setdefault(r, []).append((t, r))
    for label, places in rows.items():
        for i, (t1, _) in enumerate(places):
            for t2, _ in places[i + 1:]:
                shared = {c for r, c in by_table[t1] if r == label} & {c for r, c in by_table[t2] if r == label}
                cand += [([(t1, label, c)], [(t2, label, c)]) for c in shared]
    # named relations from the captions
    years = {c for t, r, c in cells if t == "S02_cla_by_placement"}
    cand += [([("S02_cla_by_placement", "Placed with parents", y)], [("S03_cla_by_provider", "Not applicable", y)])
             for y in years]
    for c in ("Q1", "Q2", "Q3", "Q4", YTD):
        cand.append(([("Q01_team_exits", "Special guardianship order: former foster carer", c),
                      ("Q01_team_exits", "Special guardianship order: other carer", c)],
                     [("Q04_sgo", "Special guardianship orders granted", c)]))
        cand.append(([("Q01_team_exits", "Placed with parents", c)],
                     [("Q05_pwp", "Placed with parent(s) under a care order", c)]))
    cand.append(([("Q12_timeliness", "Special guardianship: referral to order", YTD)],
                 [("Q04_sgo", "Special guardianship orders granted", YTD)]))
    stage_tables = ["Q04_sgo", "Q05_pwp", "Q06_cp", "Q07_adoption"]
    open_cells = [(t, r, OPEN) for t in stage_tables for r, c in by_table.get(t, ()) if c == OPEN]
    totals = [(t, r, c) for t, r, c in cells if t == "Q09_caseloads" and r.endswith("total") and c == "Case responsibility"]
    cand.append((open_cells, totals))
    cand.append(([("Q08_waiting", "All children waiting", "Children")],
                 [(t, r, c) for t, r, c in open_cells if t == "Q07_adoption"]))
    out = []
    for lhs, rhs in cand:
        if not lhs or not rhs or not all(x in truth for x in [*lhs, *rhs]):
            continue
        if abs(sum(truth[x] for x in lhs) - sum(truth[x] for x in rhs)) < 1e-9:
            out.append(([prefix + "|".join(x) for x in lhs], [prefix + "|".join(x) for x in rhs]))
    return out


def true_values_of(restricted: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(list(restricted.values()), ignore_index=True)
