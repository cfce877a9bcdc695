"""Headline figures of one benchmark run, handed to ``bench/all.py`` as a JSON file.

Every bench accepts ``--smoke`` (a tiny size: seconds, for CI — it must still exit 0 and
pass its own checks) and ``--figures FILE`` (write the run's headline figures there, for
``bench/all.py``'s table). Figures are ``{label: [value, unit]}`` in the order measured.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

Figures = dict[str, tuple[float | int | str, str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--smoke`` and ``--figures FILE`` (every bench has both)."""
    parser.add_argument("--smoke", action="store_true", help="a tiny run (seconds), as CI runs it")
    parser.add_argument(
        "--figures", type=Path, metavar="FILE", help="write the headline figures as JSON"
    )


def write(path: Path | None, figures: Figures) -> None:
    """Write ``figures`` to ``path`` (nothing when no ``--figures`` was given)."""
    if path is None:
        return
    path.write_text(
        json.dumps({label: list(value) for label, value in figures.items()}, ensure_ascii=False),
        encoding="utf-8",
    )


def read(path: Path) -> Figures:
    """The figures a bench wrote (empty when it wrote none)."""
    if not path.exists() or not path.stat().st_size:
        return {}
    found = json.loads(path.read_text(encoding="utf-8"))
    return {label: (value, unit) for label, (value, unit) in found.items()}
