"""The entry point: commands are found without importing other commands' modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.cli import COMMANDS, find_command, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "--raw", "x"], "validate"),
        (["--set", "period=2026-27 Q3", "measures"], "measures"),
        (["--params", "synth", "where"], "where"),          # an option's value is not the command
        (["--set", "trace", "check-publication"], "check-publication"),
        (["-v", "paper", "quarterly"], "paper"),
        (["--version"], None),
        (["nonsense", "validate"], None),                   # the first word decides
        ([], None),
    ],
)
def test_find_command(argv: list[str], expected: str | None) -> None:
    assert find_command(argv) == expected


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; from pipeline.cli import build_parser, COMMANDS; build_parser(None); "
        "print(','.join(m for m, _ in COMMANDS.values() if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_the_named_command_is_imported() -> None:
    code = (
        "import sys; from pipeline.cli import build_parser; build_parser('where'); "
        "print(sorted(m for m in sys.modules if m.startswith(('pipeline.commands.', 'pipeline.where'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['pipeline.commands.where']"


def test_every_command_module_imports_and_has_the_interface() -> None:
    import importlib

    for module_name, _ in COMMANDS.values():
        module = importlib.import_module(module_name)
        assert callable(module.add_arguments) and callable(module.run), module_name


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("python -m pipeline ")


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 1
    assert "<command>" in capsys.readouterr().out


def test_unknown_command_is_an_argparse_error() -> None:
    with pytest.raises(SystemExit) as stop:
        main(["frobnicate"])
    assert stop.value.code == 2
