"""Reproducible reporting for children's social care: SSDA903 returns in, committee papers out."""

__version__ = "0.1.0"
