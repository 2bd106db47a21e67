"""One run at a time: the commands that write to the processed folder or to reports/ hold an
exclusive lock for as long as they run.

The lock is ``fcntl.flock`` on ``<processed>/.pipeline.lock``, taken without waiting: a second
run started meanwhile stops at once with one line naming the run that holds it (its pid, its
command and since when) and exit code :data:`EXIT_LOCKED`. The operating system releases the
lock when its process ends, however it ends (``kill -9`` included), so a lock file left behind
by a dead run never blocks: only the file's text remains, and it is overwritten by the next run.
The lock is re-entrant within one process (a command that runs others, e.g. ``run-all``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import PipelineError

EXIT_LOCKED = 75  # "try again later" (sysexits EX_TEMPFAIL)
LOCK_NAME = ".pipeline.lock"
# The commands that write to the processed folder or to reports/ (`where` only with --withdraw;
# `disclosure` writes only to the folder given with --out).
WRITING_COMMANDS = ("validate", "process", "measures", "candidates", "paper", "render", "check-publication",
                    "withdraw", "run-all")
# Commands whose --out takes every output elsewhere (e.g. an export, a test's folder).
REDIRECTABLE = ("process", "measures", "candidates")


class LockedError(PipelineError):
    """Another run holds the lock: nothing was done."""

    exit_code = EXIT_LOCKED


def needs_lock(command: str | None, withdraw: bool = False) -> bool:
    """Whether `command` writes to the processed folder or reports/ (pure)."""
    return command in WRITING_COMMANDS or (command == "where" and withdraw)


def lock_path(processed: Path) -> Path:
    return Path(processed) / LOCK_NAME


def describe_holder(text: str) -> str:
    """The holder as the lock file's text gives it ("pid N ... since T"); pure."""
    head, _, command = text.strip().partition(" command=")
    fields = dict(part.split("=", 1) for part in head.split() if "=" in part)
    pid, since = fields.get("pid"), fields.get("since")
    if not pid:
        return "another run holds the lock"
    what = f" (`python -m pipeline {command}`)" if command else ""
    return f"another run{what} holds the lock since {since or 'an unknown time'}, pid {pid}"


def format_holder(command: str, pid: int, now: float) -> str:
    """The lock file's text for the run that holds it (pure)."""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    return f"pid={pid} since={since} command={command}\n"


_HELD: dict[str, int] = {}  # lock file -> depth, for this process


@contextmanager
def hold_lock(processed: Path, command: str) -> Iterator[Path]:
    """Hold the exclusive lock on `processed` while the block runs; raise LockedError at once
    (exit 75, one line) if another process holds it."""
    import fcntl

    path = lock_path(processed)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield path
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 400, 0).decode("utf-8", "replace")
            raise LockedError(
                f"{describe_holder(holder)} ({path}): wait for it to finish and rerun; a run that has died "
                "releases the lock itself, so there is nothing to delete") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, format_holder(command, os.getpid(), time.time()).encode(), 0)
        _HELD[key] = 1
        try:
            yield path
        finally:
            _HELD.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def choose_lock_folder(command: str | None, processed: Path, reports: Path, given_processed: str | Path | None = None,
                       out: str | Path | None = None) -> Path | None:
    """The processed folder a run of `command` writes to and so locks: ``--processed`` when
    given (validate), else the parameters' one; None when `command` has all its outputs sent
    with ``--out`` outside the processed folder and reports/ (it writes nothing shared)."""
    if given_processed:
        return Path(given_processed)
    if out is not None and command in REDIRECTABLE:
        target = Path(out).resolve()
        if not any(target.is_relative_to(Path(f).resolve()) for f in (processed, reports)):
            return None
    return Path(processed)


def lock_for(command: str | None, args, params):
    """The lock a command holds while it runs (:func:`hold_lock`), or a no-op when it writes to
    no shared folder (:func:`needs_lock`, :func:`choose_lock_folder`)."""
    from contextlib import nullcontext

    if not needs_lock(command, bool(getattr(args, "withdraw", False))):
        return nullcontext()
    folder = choose_lock_folder(command, params.paths.processed, params.paths.reports,
                                getattr(args, "processed", None), getattr(args, "out", None))
    return hold_lock(folder, command or "") if folder is not None else nullcontext()
