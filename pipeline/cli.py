"""One entry point: ``python -m pipeline <command>``.

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args, params)``;
modules import heavy libraries (Great Expectations, nbconvert) inside ``run`` so that
``--help`` and the fast commands start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys

from pipeline.config import ConfigError, load_params
from pipeline.errors import EXIT_INTERNAL, EXIT_OS, PipelineError, describe_os_error
from pipeline.imports import skip_unused_imports

# command -> (module, one-line help). Commands whose module is absent are not offered.
COMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("pipeline.synth.cli", "create a synthetic local authority's raw returns"),
    "validate": ("pipeline.validate.cli", "validate raw returns (Great Expectations) and stitch episodes"),
    "process": ("pipeline.process_cli", "build the processed fact tables from validated data"),
    "measures": ("pipeline.measures.cli", "compute every measure, unsuppressed (restricted output)"),
    "candidates": ("pipeline.candidates_cli", "restricted list of children to consider for exit from care"),
    "disclosure": ("pipeline.disclosure.cli", "protect or audit tables (small-number suppression)"),
    "paper": ("pipeline.render.cli_paper", "build a paper's tables and run its notebook"),
    "render": ("pipeline.render.cli", "render executed notebooks to HTML and PDF papers"),
    "check-publication": ("pipeline.render.cli_check", "check public outputs for disclosive content"),
    "trace": ("pipeline.lineage_cli", "trace a published figure to its source rows"),
    "where": ("pipeline.cli_where", "print where the papers for the current period are"),
    "run-all": ("pipeline.run_all", "run the whole chain in one process (optionally for one regional authority)"),
}


def available_commands() -> dict[str, tuple[str, str]]:
    """The commands whose modules exist in this checkout."""
    return {k: v for k, v in COMMANDS.items() if _module_exists(v[0])}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package is absent
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Children's social care reporting pipeline.",
    )
    parser.add_argument("--params", default="params.yaml", help="parameters file (default: params.yaml)")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a parameter, e.g. --set period='2025-26 Q4' (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name, (module_name, help_text) in available_commands().items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip())
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    skip_unused_imports()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 1
    params = None
    try:
        params = load_params(args.params, args.overrides) if getattr(args, "_needs_params", True) else None
        code = int(args._module.run(args, params) or 0)
    except (PipelineError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = getattr(exc, "exit_code", 2)
    except OSError as exc:
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        code = EXIT_OS
    except KeyboardInterrupt:
        print("error: interrupted; nothing was published", file=sys.stderr)
        code = 130
    except Exception as exc:  # a defect: one line, never a traceback (PIPELINE_DEBUG=1 shows it)
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        print(f"error: internal error in `{args.command}`: {type(exc).__name__}: {exc} "
              "(a defect: rerun with PIPELINE_DEBUG=1 for the traceback and report it)", file=sys.stderr)
        code = EXIT_INTERNAL
    if code and params is not None and args.command in STAGES:
        withdraw_stale_papers(params)
    return code


# The commands of the chain: when one fails, the period's published papers are checked.
STAGES = ("validate", "process", "measures", "candidates", "paper", "render", "check-publication", "run-all")


def withdraw_stale_papers(params) -> None:
    """After a failed stage: withdraw the period's papers that no longer match the inputs."""
    try:
        from pipeline.publish import withdraw_if_stale

        moved = withdraw_if_stale(params)
    except Exception as exc:  # never hide the stage's own error behind this one
        print(f"warning: could not check the published papers: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    if moved:
        dest = params.paths.restricted_dir(params.period.slug) / "withdrawn"
        print(f"error: the papers in {params.paths.report_dir(params.period.slug)}/ no longer match the inputs; "
              f"withdrawn to {dest}/ ({len(moved)} file(s)): see `python -m pipeline where`", file=sys.stderr)
