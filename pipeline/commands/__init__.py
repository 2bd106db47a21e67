"""One module per command of ``python -m pipeline``: its argument parsing (``add_arguments``)
and the call into its stage (``run``), nothing else; optionally ``more_overrides(args, params)``,
the ``--set`` overrides its arguments stand for (``run-all --authority``), which pipeline/cli.py
applies before it takes the run's lock.

pipeline/cli.py registers them by name without importing them; no other module imports this
package, and no command calls another (``run-all`` calls the stages' functions).
"""
