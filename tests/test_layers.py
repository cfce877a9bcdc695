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


# DESIGN §2: the registry owns "queries and search"; gateway modules call its named
# functions (registry.queries, registry.console.*, registry.tracking.*…) and never build
# SQL themselves. Allowed for now, each for a reason:
QUERY_BUILDERS = {"select", "update", "delete", "insert", "exists", "func", "text"}
QUERY_METHODS = {"where", "filter", "filter_by", "exec", "query"}


def query_calls(path: Path) -> list[str]:
    """The SQL a module builds itself: calls to sqlalchemy/sqlmodel's ``select`` (and
    update, delete, exists, func.…) and to ``.where(``/``.filter(``/``session.exec(``/
    ``session.query(``, as ``line: name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported: set[str] = set()  # local names bound to sqlalchemy/sqlmodel builders
    modules: set[str] = set()  # local names of sqlalchemy/sqlmodel modules (sa.select)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in {"sqlalchemy", "sqlmodel"}:
                imported.update(a.asname or a.name for a in node.names if a.name in QUERY_BUILDERS)
        elif isinstance(node, ast.Import):
            modules.update(
                a.asname or a.name
                for a in node.names
                if a.name.split(".")[0] in {"sqlalchemy", "sqlmodel"}
            )
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        call = node.func
        if isinstance(call, ast.Name) and call.id in imported:
            found.append(f"{node.lineno}: {call.id}(")
        elif isinstance(call, ast.Attribute):
            owner = call.value
            if call.attr in QUERY_METHODS:
                found.append(f"{node.lineno}: .{call.attr}(")
            elif isinstance(owner, ast.Name) and owner.id in imported | modules:
                found.append(f"{node.lineno}: {owner.id}.{call.attr}(")
    return sorted(found)


def test_gateway_modules_ask_the_registry_instead_of_building_queries() -> None:
    """GIVEN every gateway module WHEN its calls are read
    THEN none builds a query (select, .where, session.exec…): it calls a named registry
    function (DESIGN §2: the registry owns the queries)."""
    modules = sorted((SRC / "gateway").rglob("*.py"))
    found = {str(m.relative_to(SRC)): query_calls(m) for m in modules}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_query_check_sees_a_hand_built_query(tmp_path: Path) -> None:
    """GIVEN a module selecting rows itself, through every spelling WHEN checked THEN each
    query call is reported, and a module calling a registry function is not."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sqlalchemy as sa\n"
        "from sqlmodel import select as pick, col\n"
        "from sqlalchemy import func\n"
        "rows = session.scalars(pick(Entry).where(col(Entry.year) == 2026))\n"
        "n = session.scalar(sa.select(func.count()))\n"
        "legacy = session.query(Entry).filter_by(year=2026)\n"
        "more = session.exec(stmt)\n"
    )
    assert query_calls(bad) == [
        "4: .where(",
        "4: pick(",
        "5: func.count(",
        "5: sa.select(",
        "6: .filter_by(",
        "6: .query(",
        "7: .exec(",
    ]
    good = tmp_path / "good.py"
    good.write_text("from registry.console.inbound_log import held_messages\nheld_messages(s)\n")
    assert query_calls(good) == []
