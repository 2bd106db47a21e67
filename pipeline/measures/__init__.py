"""Measures: pure functions from fact tables and a period to figures (tidy, unsuppressed)."""
