"""The reference pages in docs/ are generated from the code: they must not drift."""

from __future__ import annotations

from pathlib import Path

from gateway.cli import reference as cli_reference
from gateway.cli.main import build_parser
from gateway.config import reference as config_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_command_line_reference_matches_the_parser() -> None:
    """GIVEN the argparse tree WHEN docs/cli.md is regenerated THEN it equals the committed
    page (run `python scripts/make_docs.py` after adding a command)."""
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference.render(build_parser())


def test_the_configuration_reference_matches_the_settings() -> None:
    """GIVEN the settings models and the sample gateway.toml WHEN docs/configuration.md is
    regenerated THEN it equals the committed page."""
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert page == config_reference.render()


def test_every_setting_is_explained_in_the_sample_file() -> None:
    """GIVEN every key of every section WHEN the reference is rendered THEN none has an empty
    meaning column (the sample gateway.toml explains each key)."""
    bare = [
        line.split("|")[1].strip()
        for line in config_reference.render().splitlines()
        if line.startswith("| `") and line.rstrip().endswith("|  |")
    ]
    assert bare == []


def test_the_cli_reference_lists_a_subcommand(tmp_path: Path) -> None:
    """GIVEN the real parser WHEN rendered THEN nested commands appear with their arguments
    (the walk reaches the leaves)."""
    page = cli_reference.render(build_parser())
    assert "### `gateway register list`" in page
    assert "`--json`" in page


def test_the_readme_stays_short() -> None:
    """GIVEN README.md WHEN measured THEN it is under 10 KB (reference lives in docs/)."""
    assert len(README.read_bytes()) < 10 * 1024
