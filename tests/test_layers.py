"""DESIGN §2: who may import whom. Nothing imports gateway; rules and registry never each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1]
OURS = {"gateway", "mailparse", "registry", "rules", "templates"}
ALLOWED = {
    "gateway": {"gateway", "mailparse", "registry", "rules", "templates"},
    "rules": {"rules", "mailparse"},
    "registry": {"registry", "mailparse"},
    "mailparse": {"mailparse"},
    "templates": {"templates"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level packages of ours that a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_the_design_allows(package: str) -> None:
    """GIVEN every module of a package WHEN its imports are read
    THEN none reaches a package the layering forbids."""
    modules = sorted((SRC / package).rglob("*.py"))
    assert modules, f"no modules found for {package}"
    violations = {
        str(m.relative_to(SRC)): sorted(imported_packages(m) - ALLOWED[package]) for m in modules
    }
    assert {k: v for k, v in violations.items() if v} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """GIVEN a module importing upward WHEN checked THEN the checker reports it."""
    module = tmp_path / "bad.py"
    module.write_text("from gateway.settings import load\nimport registry.models\n")
    assert imported_packages(module) == {"gateway", "registry"}


# Inside gateway/ (DESIGN §2): rooms by stage. The intake rooms hand bytes to the spool and
# know nothing of what follows; the command line and the console sit on top of everything.
INTAKE_ROOMS = ("gateway.smtp", "gateway.imap", "gateway.spool")
BEHIND_INTAKE = ("gateway.pipeline", "gateway.outbox")
TOP = ("gateway.cli", "gateway.web", "gateway.service", "gateway.__main__")


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def module_graph() -> dict[str, set[str]]:
    """Every module of ours → the modules of ours it imports (any import, also inside
    functions and under TYPE_CHECKING: a cycle held together by either is still a cycle)."""
    paths = {module_name(p): p for package in OURS for p in (SRC / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    found.add(child if child in paths else node.module)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_cycle_anywhere() -> None:
    """GIVEN every module of every package WHEN their imports form a graph THEN it has no
    cycle (not even one closed only under TYPE_CHECKING)."""
    assert cycles(module_graph()) == []


def test_intake_never_imports_the_pipeline_or_the_outbox() -> None:
    """GIVEN the intake rooms (smtp, imap, spool) WHEN their imports are read THEN none
    reaches the pipeline or the outbox: intake only makes a message durable."""
    graph = module_graph()
    bad = {
        module: sorted(d for d in deps if _within(d, BEHIND_INTAKE))
        for module, deps in graph.items()
        if _within(module, INTAKE_ROOMS)
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_nothing_imports_the_command_line_or_the_console() -> None:
    """GIVEN every module below the top (cli, web, service) WHEN its imports are read
    THEN none reaches the top."""
    graph = module_graph()
    bad = {
        module: sorted(d for d in deps if _within(d, TOP))
        for module, deps in graph.items()
        if not _within(module, TOP)
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    """GIVEN a made-up graph with a cycle and an intake module importing the outbox
    WHEN checked THEN both are found."""
    graph = {
        "gateway.a": {"gateway.b"},
        "gateway.b": {"gateway.a"},
        "gateway.smtp.listener": {"gateway.outbox.sender"},
        "gateway.outbox.sender": set(),
    }
    assert cycles(graph) == [["gateway.a", "gateway.b"]]
    assert _within("gateway.outbox.sender", BEHIND_INTAKE)
    assert not _within("gateway.outboxes", BEHIND_INTAKE)
