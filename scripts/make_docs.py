"""Regenerate docs/cli.md and docs/configuration.md from the code (tests/test_docs.py checks)."""

from __future__ import annotations

from pathlib import Path

from gateway.cli import reference as cli_reference
from gateway.cli.main import build_parser
from gateway.config import reference as config_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    (DOCS / "cli.md").write_text(cli_reference.render(build_parser()), encoding="utf-8")
    (DOCS / "configuration.md").write_text(config_reference.render(), encoding="utf-8")
    print(f"wrote {DOCS / 'cli.md'} and {DOCS / 'configuration.md'}")


if __name__ == "__main__":
    main()
