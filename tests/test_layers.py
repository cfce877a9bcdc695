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
