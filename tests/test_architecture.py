"""The shape of the code that the layers contract (.importlinter) cannot see: no import cycle
at all, not even between a package and its own modules, and no module a newcomer cannot read."""
from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
# Data tables, not code: the demo's network and the reference tables' loaders may be long.
DATA_MODULES = {"hub/demo/data.py"}


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append([module, *back])
    return cycles


def test_no_import_cycle_anywhere():
    graph = grimp.build_graph("hub", "models", exclude_type_checking_imports=True)
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg")
    graph.add_import(importer="pkg", imported="pkg.a")
    assert import_cycles(graph)


def test_no_module_over_600_lines():
    long = {}
    for path in sorted([*ROOT.glob("hub/**/*.py"), *ROOT.glob("models/**/*.py")]):
        name = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in DATA_MODULES:
            long[name] = lines
    assert long == {}
