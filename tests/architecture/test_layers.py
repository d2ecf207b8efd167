"""The house's shape: one package per layer, imports running one way only, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SOURCE = Path(__file__).resolve().parents[2] / "src"

LAYERS = ["base", "rules", "facts", "scoring", "eligibility", "rounds", "planning", "api", "output", "cli"]
"""Lowest first: a module may import its own layer and the layers before it, never one after."""

BASE = {"planner", "planner.errors", "planner.dates", "planner.memo"}
"""The package itself (its version; it re-exports the library API lazily, by name) and shared helpers."""
ENTRY = {"planner.__main__"}
"""``python -m planner`` sits above every layer."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "planner.api":
        return "api"
    return module.split(".")[1]


def imports(path: Path) -> set[str]:
    """Every planner module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planner"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from planner.x import module`
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("planner"))
    return found


def import_graph() -> nx.DiGraph:
    modules = {module_name(p): p for p in SOURCE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in imports(path):
            if target in modules and target != name:
                graph.add_edge(name, target)
    return graph


def test_every_module_belongs_to_a_layer():
    for module in import_graph():
        if module not in ENTRY:
            assert layer(module) in LAYERS, f"{module} is in no layer: add it to a layer package"


def test_no_import_runs_up_a_layer():
    graph = import_graph()
    upward = [
        f"{a} ({layer(a)}) imports {b} ({layer(b)})"
        for a, b in graph.edges
        if a not in ENTRY and LAYERS.index(layer(b)) > LAYERS.index(layer(a))
    ]
    assert upward == []


def test_modules_import_each_other_in_no_cycle():
    graph = import_graph()
    package_inits = {m for m in graph if (SOURCE / m.replace(".", "/") / "__init__.py").exists()}
    # A package's __init__ re-exporting its own modules is not a cycle between modules.
    graph.remove_edges_from([(a, b) for a, b in list(graph.edges) if a in package_inits and b.startswith(a + ".")])
    assert list(nx.simple_cycles(graph)) == []
