"""The synth stage (`python -m pipeline synth`): a synthetic local authority's raw returns
written as CSV files in the layout pipeline/schema.py documents."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.periods import PeriodError, parse_quarter
from pipeline.synth.settings import SynthSettings, name_key


def make_settings(params, *, seed: int = 1, scale: float = 1.0, la: str | None = None, until: str | None = None,
                  id_style: str = "alphanumeric") -> SynthSettings:
    """Settings from the command's options, defaulting to params.yaml's LA and period."""
    if scale <= 0 or scale > 1000:
        raise PipelineError(f"--scale must be between 0 and 1000, not {scale}")
    try:
        last = parse_quarter(until) if until else params.period
    except PeriodError as exc:
        raise PipelineError(str(exc)) from None
    if la is None or la.strip() == params.la.name:
        name, code = params.la.name, params.la.code
    else:
        name, code = la.strip(), f"{800 + name_key(la) % 190:03d}"
    if not name:
        raise PipelineError("--la must not be empty")
    return SynthSettings(seed=seed, scale=scale, la_name=name, la_code=code, until=last, id_style=id_style)


def write_files(files: dict, out: Path) -> None:
    """Write each frame as CSV (UTF-8, '\\n' line ends) under `out`."""
    for rel, df in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, lineterminator="\n")


def run_synth(settings: SynthSettings, out: Path) -> int:
    """Generate the returns for `settings` and write them under `out`."""
    from pipeline.synth.generate import generate

    if out.exists() and not out.is_dir():
        raise PipelineError(f"--out {out} exists and is not a folder")
    files = generate(settings)
    write_files(files, out)
    n_rows = sum(len(df) for df in files.values())
    print(f"synth: {settings.la_name} ({settings.la_code}), {settings.id_style} CHILD ids, {len(settings.returns)} returns to "
          f"{settings.until.label}, {len(files)} files, {n_rows} rows -> {out}")
    return 0
