"""pipeline/commands/: one module per command, only argument parsing and the call into its
stage; registered in pipeline/cli.py without being imported; imported by nothing else."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.cli import COMMANDS, main
from pipeline.errors import EXIT_INTERNAL

ROOT = Path(__file__).resolve().parents[2]
COMMANDS_DIR = ROOT / "pipeline" / "commands"
# trace moves into pipeline/commands/ with the lineage package (issue 16, the layers step)
NOT_YET_MOVED = set() if (COMMANDS_DIR / "trace.py").exists() else {"trace"}


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside a function (absolute names;
    ``from pipeline import commands`` counts as pipeline.commands)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def imports_commands(path: Path) -> bool:
    return any(m == "pipeline.commands" or m.startswith("pipeline.commands.") for m in imported_modules(path))


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NOT_YET_MOVED))
def test_each_command_module_lives_in_commands_and_has_the_interface(name):
    module_name = COMMANDS[name][0]
    assert module_name == f"pipeline.commands.{name.replace('-', '_')}"
    assert (COMMANDS_DIR / f"{name.replace('-', '_')}.py").is_file()
    module = importlib.import_module(module_name)
    assert callable(module.add_arguments) and callable(module.run)


def test_every_module_in_commands_is_a_registered_command():
    registered = {m for m, _ in COMMANDS.values()}
    modules = {f"pipeline.commands.{p.stem}" for p in COMMANDS_DIR.glob("*.py") if p.stem != "__init__"}
    assert modules <= registered


def test_a_command_module_calls_no_other_command():
    for path in sorted(COMMANDS_DIR.glob("*.py")):
        others = {m for m in imported_modules(path) if m.startswith("pipeline.commands")}
        assert others == set(), f"{path.name} imports {sorted(others)}"


# argument parsing helpers a command may hold besides add_arguments and run
PARSING_HELPERS = {"validate.py": {"parse_as_of"}}


def test_a_command_module_holds_only_argument_parsing_and_the_call_into_its_stage():
    for path in sorted(COMMANDS_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert defined - {"more_overrides"} == {"add_arguments", "run"} | PARSING_HELPERS.get(path.name, set()), path.name
        top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        top |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
        assert top <= {"__future__", "argparse", "dataclasses", "datetime", "pathlib", "pipeline"}, path.name


def test_nothing_outside_commands_and_cli_imports_commands():
    outside = [p for p in sorted((ROOT / "pipeline").rglob("*.py"))
               if COMMANDS_DIR not in p.parents and p != ROOT / "pipeline" / "cli.py"]
    assert len(outside) > 20
    offenders = [str(p.relative_to(ROOT)) for p in outside if imports_commands(p)]
    assert offenders == []


def test_the_import_reader_sees_lazy_and_package_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from pipeline.commands.paper import run\n")
    assert imports_commands(source)
    source.write_text("from pipeline import commands\n")
    assert imports_commands(source)
    source.write_text("import importlib\nimportlib.import_module('pipeline.commands.where')\n")
    assert imports_commands(source)
    source.write_text("from pipeline.commandsx import y\nimport pipeline.store\n")
    assert not imports_commands(source)


def test_a_command_whose_module_fails_to_import_ends_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(COMMANDS, "where", ("pipeline.commands.no_such_module", "broken"))
    assert main(["where"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "pipeline.commands.no_such_module" in err and "ModuleNotFoundError" in err and "`where`" in err


def test_a_broken_command_module_is_not_dropped_from_help(monkeypatch, capsys):
    # only the named command's module is imported: the others stay listed, the broken one too
    monkeypatch.setitem(COMMANDS, "where", ("pipeline.commands.no_such_module", "broken"))
    assert "where" in cli.build_parser("synth").format_help()
    assert "where" in cli.build_parser(None).format_help()


def test_pipeline_debug_shows_the_import_error_itself(monkeypatch):
    monkeypatch.setitem(COMMANDS, "where", ("pipeline.commands.no_such_module", "broken"))
    monkeypatch.setenv("PIPELINE_DEBUG", "1")
    with pytest.raises(ModuleNotFoundError):
        main(["where"])


def test_a_module_raising_on_import_names_its_error(monkeypatch, tmp_path, capsys):
    (tmp_path / "broken_command_mod.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(COMMANDS, "where", ("broken_command_mod", "broken"))
    assert main(["where"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [err.strip()]
    assert "broken_command_mod" in err and "no_such_dependency_xyz" in err


def test_the_broken_import_exits_70_in_a_real_process():
    code = ("import sys; from pipeline import cli; "
            "cli.COMMANDS['where'] = ('pipeline.commands.no_such_module', 'x'); sys.exit(cli.main(['where']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == EXIT_INTERNAL
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
