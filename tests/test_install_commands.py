"""A newcomer's first minutes (DESIGN §4.9): the README's two commands work on a fresh
Debian 12, whose own ``python3`` refuses ``pip install`` (PEP 668,
"externally-managed-environment"). Neither may install into the system interpreter: every
``pip install`` they run is a virtual environment's pip."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(?:sh|bash|console)?\n(.*?)^```", re.MULTILINE | re.DOTALL)
# pip run from a virtual environment: .venv/bin/pip, "$venv/bin/python" -m pip, /opt/x/bin/pip
VENV_PIP = re.compile(r"""(?:\S*/bin/pip3?|["']?\$\{?\w+\}?/bin/python3?["']?\s+-m\s+pip)\s""")
PIP_INSTALL = re.compile(r"\bpip3?\s+install\b")


def _commands(text: str) -> list[str]:
    """The shell lines of the README's fenced blocks, comments dropped."""
    lines = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def _system_installs(line: str) -> list[str]:
    """The parts of a shell line (split on && ; |) that run pip install outside a venv."""
    return [
        part.strip()
        for part in re.split(r"&&|;|\|", line)
        if PIP_INSTALL.search(part) and not VENV_PIP.search(part + " ")
    ]


def test_the_readme_commands_never_install_into_the_system_python() -> None:
    """GIVEN the README's first command (the one a newcomer types) and ``scripts/test``
    WHEN their shell lines are read THEN the first makes a virtual environment before it
    installs, and no ``pip install`` in either runs outside a virtual environment (the old
    ``python3 -m pip install .`` failed with "externally-managed-environment")."""
    readme = _commands((ROOT / "README.md").read_text(encoding="utf-8"))
    first = readme[0]
    assert first.startswith("python3 -m venv "), first
    assert PIP_INSTALL.search(first) and not _system_installs(first), first
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines()
    run = [line.split("#", 1)[0] for line in script if not line.lstrip().startswith("#")]
    assert any(PIP_INSTALL.search(line) for line in run)
    assert any(re.search(r"python3 -m venv ", line) for line in run)
    offending = [p for line in (*readme, *run) for p in _system_installs(line)]
    assert offending == []


def test_the_check_catches_a_system_install() -> None:
    """GIVEN the command the README used to give WHEN checked THEN it is caught; the venv
    forms are not."""
    assert _system_installs("python3 -m pip install .") == ["python3 -m pip install ."]
    assert _system_installs("pip install -e '.[test]'") == ["pip install -e '.[test]'"]
    assert _system_installs(".venv/bin/pip install -c constraints.txt .") == []
    assert _system_installs('"$venv/bin/python" -m pip install -q -e .') == []
