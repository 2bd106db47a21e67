"""Processing: validated tables -> fact tables (one row per thing counted)."""
