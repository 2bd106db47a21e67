"""One module per command of ``python -m pipeline``: its argument parsing (``add_arguments``)
and the call into its stage (``run``), nothing else.

pipeline/cli.py registers them by name without importing them; no other module imports this
package, and no command calls another (``run-all`` calls the stages' functions).
"""
