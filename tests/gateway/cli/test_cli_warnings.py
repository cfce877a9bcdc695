"""Every command speaks only for itself: no third-party deprecation noise on stderr.

cryptography deprecates DSA and pyHanko imports it, so every command printed a
``CryptographyDeprecationWarning`` (three times) that says nothing to an operator. The
package silences that third-party noise where the command line and the service start
(``gateway/__init__.py``); the tests themselves keep warnings as errors.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -W default -m gateway ARGS``: every warning shown, as a user's shell would
    show it with PYTHONWARNINGS=default."""
    return subprocess.run(
        [sys.executable, "-W", "default", "-m", "gateway", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["--help"], ["status"], ["rules", "check"]])
def test_commands_print_no_cryptography_deprecation_warning(
    tmp_path: Path, command: list[str]
) -> None:
    """GIVEN Python showing every warning (``-W default``) and the embedded defaults
    WHEN ``gateway --help``, ``gateway status`` or ``gateway rules check`` runs (each
    imports pyHanko, which imports cryptography's deprecated DSA)
    THEN it exits 0 and its stderr carries no deprecation warning at all."""
    done = _run(tmp_path, *command)

    assert done.returncode == 0, done.stderr
    assert "DeprecationWarning" not in done.stderr, done.stderr
    assert "DSA is deprecated" not in done.stderr
