"""One run at a time (issue 17): a second process that writes is refused at once, in one line,
exit 75; a lock left by a killed run never blocks; reading commands are not held up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.lock import (
    EXIT_LOCKED,
    LockedError,
    choose_lock_folder,
    describe_holder,
    format_holder,
    hold_lock,
    lock_path,
    needs_lock,
)

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from pathlib import Path
from pipeline.lock import hold_lock
with hold_lock(Path(sys.argv[1]), "paper quarterly"):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    return tmp_path


def start_holder(processed: Path) -> subprocess.Popen:
    """Another process holding the lock (as a `paper quarterly` run would) until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(processed)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def run(project: Path, capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(["--params", str(project / "params.yaml"), *argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def test_a_second_run_is_refused_at_once_naming_the_first(project, capsys):
    holder = start_holder(project / "data" / "processed")
    try:
        start = time.perf_counter()
        code, text = run(project, capsys, "process")
        assert time.perf_counter() - start < 10  # does not wait
        assert code == EXIT_LOCKED == 75
        assert text.startswith("error: another run (`python -m pipeline paper quarterly`) holds the lock since 20")
        assert f", pid {holder.pid} (" in text and "wait for it to finish and rerun" in text
        assert len(text.strip().splitlines()) == 1
        assert not (project / "data" / "processed" / "facts").exists()  # nothing was done
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_run_never_blocks(project, capsys):
    processed = project / "data" / "processed"
    holder = start_holder(processed)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert f"pid={holder.pid}" in lock_path(processed).read_text()  # the file stays behind ...
    with hold_lock(processed, "validate"):  # ... and does not block
        assert f"pid={os.getpid()} " in lock_path(processed).read_text()


def test_reading_commands_run_beside_a_writing_one(project, capsys):
    holder = start_holder(project / "data" / "processed")
    try:
        code, text = run(project, capsys, "where")
        assert code == 1 and "No papers yet" in text
        code, text = run(project, capsys, "where", "--withdraw")  # --withdraw writes: refused
        assert code == EXIT_LOCKED
    finally:
        holder.kill()
        holder.wait()


def test_a_refused_run_takes_nothing_down(project, capsys, monkeypatch):
    called = []
    monkeypatch.setattr(cli, "withdraw_stale_papers", lambda *a: called.append(a))
    holder = start_holder(project / "data" / "processed")
    try:
        assert run(project, capsys, "paper", "quarterly")[0] == EXIT_LOCKED
    finally:
        holder.kill()
        holder.wait()
    assert called == []  # the other run's papers are its business


def test_the_lock_is_reentrant_within_a_process_and_released_after(tmp_path):
    with hold_lock(tmp_path, "run-all"):
        with hold_lock(tmp_path, "validate"):
            pass
        probe = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(60)", "pass"), str(tmp_path)],
                               cwd=ROOT, capture_output=True, text=True)
        assert probe.returncode != 0 and "LockedError" in probe.stderr  # still held by the outer block
    probe = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(60)", "pass"), str(tmp_path)],
                           cwd=ROOT, capture_output=True, text=True)
    assert probe.returncode == 0 and probe.stdout.strip() == "held"


def test_which_commands_take_the_lock():
    for command in ("validate", "process", "measures", "candidates", "paper", "render", "check-publication",
                    "withdraw", "run-all"):
        assert needs_lock(command)
    for command in ("where", "trace", "synth", "disclosure", None):
        assert not needs_lock(command)
    assert needs_lock("where", withdraw=True)


def test_which_folder_is_locked(tmp_path):
    processed, reports = tmp_path / "data" / "processed", tmp_path / "reports"
    assert choose_lock_folder("paper", processed, reports) == processed
    assert choose_lock_folder("validate", processed, reports, given_processed=tmp_path / "p2") == tmp_path / "p2"
    assert choose_lock_folder("validate", processed, reports, out=tmp_path / "elsewhere") == processed  # reports only
    assert choose_lock_folder("process", processed, reports, out=tmp_path / "elsewhere") is None  # writes nothing shared
    assert choose_lock_folder("measures", processed, reports, out=processed / "measures" / "x") == processed


def test_a_run_writing_elsewhere_is_not_held_up(project, capsys):
    holder = start_holder(project / "data" / "processed")
    try:
        code, text = run(project, capsys, "measures", "--validated", str(project / "none"), "--out", str(project / "x"))
        assert code != EXIT_LOCKED and "holds the lock" not in text
    finally:
        holder.kill()
        holder.wait()


def test_the_holder_line():
    text = format_holder("paper quarterly", 4242, 0.0)
    assert text == "pid=4242 since=1970-01-01T00:00:00Z command=paper quarterly\n"
    assert describe_holder(text) == ("another run (`python -m pipeline paper quarterly`) holds the lock since "
                                     "1970-01-01T00:00:00Z, pid 4242")
    assert describe_holder("") == "another run holds the lock"
    assert issubclass(LockedError, Exception) and LockedError.exit_code == 75


def test_run_all_for_an_authority_locks_that_authoritys_folder_not_the_demos(project, capsys):
    holder = start_holder(project / "data" / "regional" / "eastvale" / "processed")
    try:
        code, text = run(project, capsys, "run-all", "--authority", "eastvale")
        assert code == EXIT_LOCKED and "holds the lock" in text
    finally:
        holder.kill()
        holder.wait()
    holder = start_holder(project / "data" / "processed")  # the demo authority's run does not hold it up
    try:
        code, text = run(project, capsys, "run-all", "--authority", "eastvale")
        assert code != EXIT_LOCKED and "holds the lock" not in text
        assert "Eastvale" in text  # it ran (and stopped at its missing raw folder)
    finally:
        holder.kill()
        holder.wait()
