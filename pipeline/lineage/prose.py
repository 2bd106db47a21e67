"""The papers' appendix on tracing a figure (prose shown in the notebooks)."""

from __future__ import annotations


def explain_tracing(period_label: str, example: str = "Q02_dfe_exits|Adoption|Year to date") -> str:
    """The paper's appendix "How to trace a figure", as markdown (for the notebooks);
    `example` is a figure id of the paper."""
    return f"""### How to trace a figure

Every number in this paper has an identifier of the form `table|row|column` (for example
`{example}`). In the HTML edition, hover over a number to see it. A number in the text
carries the identifier of the table cell it repeats; a chart plots figures of a table in
the paper, and the identifiers of its points, in the order plotted, are listed under the
chart ("Figures plotted", HTML edition only).

An authorised analyst can trace any figure back to the records it counts:

```
python -m pipeline trace 'TABLE|ROW|COLUMN' --period '{period_label}'
```

prints the figure, how it was computed (the paper builder and its parameters, and the
rows selected, in words), the versions (sha256) of the input files, and the contributing
source rows themselves, read back from the returns. Adding `--recount` recomputes the
figure from those rows alone, confirms it matches, and checks that the input files have not
changed since publication. A figure another body published (the DfE's figures for England,
the region and similar authorities) traces instead to the line and column of the published
file it was read from, with that file's sha256, and `--recount` reads it back from the file.
`python -m pipeline trace --list --period '{period_label}'` lists every figure of the
period's papers.

The record of each figure's sources (the lineage store) names children and holds true,
unsuppressed values: it is kept with the restricted outputs and never published.

Figures published in earlier papers are recomputed from the current data whenever a new
paper is produced; any that have changed are listed in the table "Revisions to previously
reported figures", with the reason where it can be told (a late-recorded event, a corrected
record or a new return).
"""
