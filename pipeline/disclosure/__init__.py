"""Disclosure control for every published table: primary, secondary, derived, and an LP audit.

Public API (see docs/disclosure.md)::

    protected = protect_paper(paper, params.disclosure)   # ProtectedPaper, or DisclosureError
    protected.shown("T1")          # the table as strings, suppressed cells as the symbol
    protected.tidy()               # table_id,row,column,value for CSV
    protected.describe(cell)       # "8" or "fewer than 10" for narrative text
    protected.log_frame()          # restricted suppression log (true values)
    report = audit_paper(paper, suppressed_cells, params.disclosure)   # AuditReport
"""

from pipeline.disclosure.audit import AuditReport, CellAudit, audit_paper
from pipeline.disclosure.protect import LogEntry, ProtectedPaper, format_derived, protect_paper
from pipeline.disclosure.rules import describe_change, describe_count, format_count, is_sensitive

__all__ = [
    "AuditReport", "CellAudit", "LogEntry", "ProtectedPaper", "audit_paper", "describe_change",
    "describe_count", "format_count", "format_derived", "is_sensitive", "protect_paper",
]
