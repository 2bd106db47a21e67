"""Committee papers: tables, narrative, charts, notebooks to HTML and PDF, publication check."""
