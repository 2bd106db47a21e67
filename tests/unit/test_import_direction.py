"""Import direction: each stage of pipeline/ imports only earlier stages, and no import cycle.

The import graph is read from the source with `ast`: module-level imports and the lazy ones
inside functions alike (a lazy import still ties the two modules together: editing the
imported one reruns the importing stage, and a cycle is only hidden until someone moves the
import). docs/architecture.md draws the same order.

Layers, earliest first (a module may import modules of its own layer and of earlier ones):

  leaf        config, errors, periods, schema, tables, labels, safe_text, store, freshness ...
  rules       the validation rule registry and pure row checks (validate.rules/codes/checks/local_rules)
  readers     readers, stitch, coverage, comparators (reading raw returns and published figures)
  validate    the rest of pipeline/validate (GX suites, runner, assembly, exceptions, reports)
  process     pipeline/process (fact tables, exit candidates, the cost arithmetic of savings)
  measures    pipeline/measures
  papers      pipeline/papers (paper tables, the projection table)
  publish     publish, disclosure.publications, where (the register of published editions,
              withdrawal, the copy into reports/: the paper, render and check stages call it)
  render      pipeline/render (stories, charts, documents; the paper, render and check stages)
  commands    pipeline/commands, cli, __main__, chain (run-all: stage functions loaded by name)

Beside the order: disclosure and lineage are libraries that import only leaf modules (any
later layer may use them); synth is a separate tool that imports only leaf modules, and only
commands import it. Nothing imports pipeline/commands (cli.py loads them by name).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ORDER = ("leaf", "rules", "readers", "validate", "process", "measures", "papers", "publish", "render", "commands")
LIBRARIES = ("disclosure", "lineage")  # import only leaf; usable by every ordered layer but leaf
TOOLS = ("synth",)  # import only leaf; used only by commands

# module or package (its submodules included) -> layer; the longest matching name wins.
LAYER_OF: dict[str, str] = {
    "pipeline": "leaf",  # the package's __init__ only (a bare root never matches submodules)
    "pipeline.config": "leaf",
    "pipeline.errors": "leaf",
    "pipeline.freshness": "leaf",
    "pipeline.imports": "leaf",
    "pipeline.labels": "leaf",
    "pipeline.lock": "leaf",
    "pipeline.periods": "leaf",
    "pipeline.safe_text": "leaf",
    "pipeline.schema": "leaf",
    "pipeline.store": "leaf",
    "pipeline.tables": "leaf",
    "pipeline.validate.checks": "rules",
    "pipeline.validate.codes": "rules",
    "pipeline.validate.local_rules": "rules",
    "pipeline.validate.rules": "rules",
    "pipeline.comparators": "readers",
    "pipeline.coverage": "readers",
    "pipeline.readers": "readers",
    "pipeline.stitch": "readers",
    "pipeline.validate": "validate",
    "pipeline.process": "process",
    "pipeline.measures": "measures",
    "pipeline.papers": "papers",
    "pipeline.render": "render",
    "pipeline.publish": "publish",
    "pipeline.disclosure.publications": "publish",
    "pipeline.where": "publish",
    "pipeline.disclosure": "disclosure",
    "pipeline.lineage": "lineage",
    "pipeline.synth": "synth",
    "pipeline.commands": "commands",
    "pipeline.cli": "commands",
    "pipeline.__main__": "commands",
    "pipeline.chain": "commands",
}
NOT_IMPORTED = ("pipeline.commands",)  # packages no module may import


def allowed_layers(layer: str) -> set[str]:
    """The layers a module of `layer` may import."""
    if layer in LIBRARIES or layer in TOOLS:
        return {"leaf", layer}
    if layer == "commands":
        return set(ORDER) | set(LIBRARIES) | set(TOOLS)
    earlier = set(ORDER[: ORDER.index(layer) + 1])
    return earlier | (set(LIBRARIES) if layer != "leaf" else set())


# --- reading the graph -----------------------------------------------------------------------


def list_modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under `root`/`package`."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module `name` names, or the longest existing module it lies in (a name imported from it)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def read_imports(module: str, path: Path, modules: Mapping[str, Path], package: str) -> list[tuple[str, int]]:
    """(imported module of `package`, line) for every import in the file, lazy ones included."""
    is_init = path.name == "__init__.py"
    here = module if is_init else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for name in names:
            if name == package or name.startswith(package + "."):
                target = _resolve(name, modules)
                if target and target != module:
                    found.append((target, node.lineno))
    return found


def read_graph(root: Path, package: str) -> dict[str, list[tuple[str, int]]]:
    """Module -> the package's modules it imports (with the line of each import)."""
    modules = list_modules(root, package)
    return {m: read_imports(m, p, modules, package) for m, p in modules.items()}


# --- the rules ---------------------------------------------------------------------------------


def layer_of(module: str, layers: Mapping[str, str]) -> str | None:
    hits = [name for name in layers if module == name or ("." in name and module.startswith(name + "."))]
    return layers[max(hits, key=len)] if hits else None


def find_unclassified(graph: Mapping[str, object], layers: Mapping[str, str]) -> list[str]:
    return sorted(m for m in graph if layer_of(m, layers) is None)


def find_backward_imports(graph: Mapping[str, list[tuple[str, int]]], layers: Mapping[str, str],
                          allowed=allowed_layers, not_imported: Iterable[str] = NOT_IMPORTED) -> list[str]:
    """One line per import that points to a layer its module may not import."""
    bad = []
    for module, imports in sorted(graph.items()):
        mine = layer_of(module, layers)
        for target, line in imports:
            theirs = layer_of(target, layers)
            if any(target == p or target.startswith(p + ".") for p in not_imported):
                bad.append(f"{module}:{line} imports {target}, which nothing may import")
            elif mine and theirs and theirs not in allowed(mine):
                bad.append(f"{module}:{line} ({mine}) imports {target} ({theirs})")
    return bad


def find_cycles(graph: Mapping[str, list[tuple[str, int]]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w, _ in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(cycles)


# --- the tests -----------------------------------------------------------------------------------

GRAPH = read_graph(ROOT, "pipeline")


def test_every_module_of_pipeline_has_a_layer():
    assert find_unclassified(GRAPH, LAYER_OF) == [], "add the new module to LAYER_OF (and docs/architecture.md)"


def test_no_module_imports_a_later_layer():
    assert find_backward_imports(GRAPH, LAYER_OF) == []


def test_there_is_no_import_cycle():
    assert find_cycles(GRAPH) == []


def test_the_layer_order_is_as_documented():
    assert allowed_layers("measures") == {"leaf", "rules", "readers", "validate", "process", "measures",
                                          "disclosure", "lineage"}
    assert allowed_layers("lineage") == allowed_layers("disclosure") - {"disclosure"} | {"lineage"} == {"leaf", "lineage"}
    assert "synth" not in allowed_layers("render") and "synth" in allowed_layers("commands")
    assert allowed_layers("leaf") == {"leaf"}


# --- the checker catches what it should (a tiny package written here) ----------------------------


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


FAKE_LAYERS = {"fake": "leaf", "fake.low": "leaf", "fake.stage": "process", "fake.late": "papers",
               "fake.commands": "commands", "fake.lib": "lineage"}


def test_a_planted_lazy_backward_import_and_its_cycle_are_found(tmp_path):
    _write(tmp_path, {
        "fake/__init__.py": "",
        "fake/low.py": "def f():\n    from fake.stage import g\n    return g\n",  # leaf -> process, lazily
        "fake/stage/__init__.py": "from fake import low\n\ndef g():\n    return low\n",
        "fake/late.py": "from fake.stage import g\n",
    })
    graph = read_graph(tmp_path, "fake")
    assert graph["fake.low"] == [("fake.stage", 2)]
    assert find_backward_imports(graph, FAKE_LAYERS) == ["fake.low:2 (leaf) imports fake.stage (process)"]
    assert find_cycles(graph) == [["fake.low", "fake.stage"]]


def test_relative_imports_commands_libraries_and_unclassified_modules(tmp_path):
    _write(tmp_path, {
        "fake/__init__.py": "",
        "fake/low.py": "X = 1\n",
        "fake/stage/__init__.py": "from .. import low\nfrom ..late import Y\n",  # process -> papers
        "fake/late.py": "Y = 2\nfrom fake.commands import run\n",  # nothing may import commands
        "fake/commands/__init__.py": "def run():\n    import fake.late\n",
        "fake/lib.py": "from fake.low import X\nfrom fake import stage\n",  # a library beyond leaf
        "fake/stray.py": "",
    })
    graph = read_graph(tmp_path, "fake")
    assert sorted(graph["fake.stage"]) == [("fake.late", 2), ("fake.low", 1)]
    assert find_backward_imports(graph, FAKE_LAYERS, not_imported=("fake.commands",)) == [
        "fake.late:2 imports fake.commands, which nothing may import",
        "fake.lib:2 (lineage) imports fake.stage (process)",
        "fake.stage:2 (process) imports fake.late (papers)",
    ]
    assert find_unclassified(graph, FAKE_LAYERS) == ["fake.stray"]
    assert find_cycles(graph) == [["fake.commands", "fake.late"]]
