"""One entry point: ``python -m pipeline <command>``.

Each command lives in its own module, pipeline/commands/<command>.py, with
``add_arguments(parser)`` and ``run(args, params)``; the stage's work is in the stage's
package. Only the module of the command being run is imported (``--help`` imports none of
them), so a command starts without paying for every other command's libraries, and a module
that fails to import fails loudly when its command is used: one line naming the module and
the error, exit 70.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from contextlib import ExitStack

from pipeline import __version__
from pipeline.config import ConfigError, load_params
from pipeline.errors import EXIT_INTERNAL, EXIT_OS, PipelineError, describe_os_error
from pipeline.imports import skip_unused_imports
from pipeline.lock import EXIT_LOCKED, lock_for

# command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("pipeline.commands.synth", "create a synthetic local authority's raw returns"),
    "validate": ("pipeline.commands.validate", "validate raw returns (Great Expectations) and stitch episodes"),
    "process": ("pipeline.commands.process", "build the processed fact tables from validated data"),
    "measures": ("pipeline.commands.measures", "compute every measure, unsuppressed (restricted output)"),
    "candidates": ("pipeline.commands.candidates", "restricted list of children to consider for exit from care"),
    "disclosure": ("pipeline.commands.disclosure", "protect or audit tables (small-number suppression)"),
    "paper": ("pipeline.commands.paper", "build a paper's tables and run its notebook"),
    "render": ("pipeline.commands.render", "render executed notebooks to HTML and PDF papers"),
    "check-publication": ("pipeline.commands.check_publication", "check public outputs for disclosive content"),
    "withdraw": ("pipeline.commands.withdraw", "withdraw a published paper before publishing its period again"),
    "trace": ("pipeline.commands.trace", "trace a published figure to its source rows"),
    "where": ("pipeline.commands.where", "print where the papers for the current period are"),
    "run-all": ("pipeline.commands.run_all", "run the whole chain in one process (optionally for one regional authority)"),
}

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; only ``command``'s module is imported to add its arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Children's social care reporting pipeline.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--params", default="params.yaml", help="parameters file (default: params.yaml)")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a parameter, e.g. --set period='2025-26 Q4' (repeatable)",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", help="log progress and details (DEBUG)")
    noise.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name, (module_name, help_text) in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=help_text, add_help=False)
            continue
        module = import_command(name, module_name)
        p = sub.add_parser(
            name, help=help_text, description=(module.__doc__ or help_text).strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


class CommandUnavailable(PipelineError):
    """A command's module failed to import (a defect or a broken installation)."""

    exit_code = EXIT_INTERNAL


def import_command(name: str, module_name: str):
    """The module of command `name`; CommandUnavailable (one line: the module and the error)
    when it fails to import (PIPELINE_DEBUG=1 shows the traceback)."""
    try:
        return importlib.import_module(module_name)
    except Exception as exc:
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        raise CommandUnavailable(
            f"the `{name}` command cannot start: its module {module_name} failed to import: "
            f"{type(exc).__name__}: {exc} (a defect or a broken installation: rerun with PIPELINE_DEBUG=1 "
            "for the traceback and report it)") from None


TAKES_VALUE = ("--params", "--set")


def find_command(argv: list[str]) -> str | None:
    """The command named in ``argv``: its first word that is not an option or an option's value."""
    words = iter(argv)
    for word in words:
        if word in TAKES_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def configure_logging(verbose: bool, quiet: bool) -> None:
    """Log to stderr: WARNING by default, DEBUG with --verbose, ERROR with --quiet."""
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    skip_unused_imports()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser(find_command(argv))
    except CommandUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 1
    configure_logging(args.verbose, args.quiet)
    params = None
    held = ExitStack()  # failclosed: the run's lock (pipeline.lock), released after the take-down below
    try:
        params = load_params(args.params, args.overrides) if getattr(args, "_needs_params", True) else None
        more = getattr(args._module, "more_overrides", None)
        if params is not None and more is not None and (extra := more(args, params)):
            # e.g. run-all --authority: lock, run and take down in that authority's folders
            args.overrides = [*args.overrides, *extra]
            params = load_params(args.params, args.overrides)
        if params is not None:
            held.enter_context(lock_for(args.command, args, params))
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
    with held:  # failclosed: a failed stage takes down the papers it leaves stale (pipeline.publish)
        if code and code != EXIT_LOCKED and params is not None and args.command in STAGES:
            withdraw_stale_papers(params, args.params, args.overrides)
    return code


# The commands of the chain: when one fails, the period's published papers are checked.
STAGES = ("validate", "process", "measures", "candidates", "paper", "render", "check-publication", "run-all")


def withdraw_stale_papers(params, params_file: str, overrides: list[str]) -> None:
    """After a failed stage: take down the papers that no longer match the inputs, in the run's
    period and, after a `--set` run, in params.yaml's (pipeline.publish.take_down_after_failure)."""
    try:
        from pipeline.publish import take_down_after_failure

        done = take_down_after_failure(params, params_file, overrides)
    except Exception as exc:  # never hide the stage's own error behind this one
        print(f"warning: could not check the published papers: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    for checked, moved in done:
        if moved:
            dest = checked.paths.restricted_dir(checked.period.slug) / "stale"
            print(f"error: the papers in {checked.paths.report_dir(checked.period.slug)}/ no longer match the inputs; "
                  f"taken down to {dest}/ ({len(moved)} file(s)): see `python -m pipeline where`", file=sys.stderr)
