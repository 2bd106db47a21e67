"""Each paper's tables as a pipeline.tables.Paper (true counts, selections, derived figures, links)."""
