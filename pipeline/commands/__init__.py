"""One module per command of ``python -m pipeline``: argument parsing and the call into its stage."""
