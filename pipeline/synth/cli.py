"""Create a synthetic local authority's raw returns: SSDA903 annual returns and in-year
extracts, and the team's local files, in the layout pipeline/schema.py documents."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.periods import PeriodError, parse_quarter
from pipeline.synth.settings import SynthSettings, name_key


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write into (e.g. data/raw)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size relative to a county LA of ~150,000 under-18s (100 ~ England)")
    parser.add_argument("--la", default=None, help="LA name (default: params la.name)")
    parser.add_argument("--until", default=None, help="last quarter covered, e.g. '2026-27 Q2' (default: params period)")
    parser.add_argument("--id-style", default="alphanumeric", choices=("alphanumeric", "numeric"),
                        help="CHILD ids: alphanumeric (prefix + serial, 5D940000673; the default) or numeric "
                             "(6 digits, some with a leading zero: 041051, as many councils' systems issue them)")


def make_settings(args: argparse.Namespace, params) -> SynthSettings:
    """Settings from the arguments, defaulting to params.yaml's LA and period."""
    if args.scale <= 0 or args.scale > 1000:
        raise PipelineError(f"--scale must be between 0 and 1000, not {args.scale}")
    try:
        until = parse_quarter(args.until) if args.until else params.period
    except PeriodError as exc:
        raise PipelineError(str(exc)) from None
    if args.la is None or args.la.strip() == params.la.name:
        name, code = params.la.name, params.la.code
    else:
        name, code = args.la.strip(), f"{800 + name_key(args.la) % 190:03d}"
    if not name:
        raise PipelineError("--la must not be empty")
    return SynthSettings(seed=args.seed, scale=args.scale, la_name=name, la_code=code, until=until,
                         id_style=getattr(args, "id_style", "alphanumeric"))


def write_files(files: dict, out: Path) -> None:
    """Write each frame as CSV (UTF-8, '\\n' line ends) under `out`."""
    for rel, df in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, lineterminator="\n")


def run(args: argparse.Namespace, params) -> int:
    from pipeline.synth.generate import generate

    settings = make_settings(args, params)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise PipelineError(f"--out {out} exists and is not a folder")
    files = generate(settings)
    write_files(files, out)
    n_rows = sum(len(df) for df in files.values())
    print(f"synth: {settings.la_name} ({settings.la_code}), {settings.id_style} CHILD ids, {len(settings.returns)} returns to "
          f"{settings.until.label}, {len(files)} files, {n_rows} rows -> {out}")
    return 0
