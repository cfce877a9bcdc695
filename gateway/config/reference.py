"""``docs/configuration.md``, generated from the settings models and the sample file.

Every key of every section (DESIGN §4.2) with its type and default comes from the pydantic
models in :mod:`gateway.config.sections`; what it means comes from the comment beside it
in ``gateway/data/gateway.toml`` (the file ``gateway init`` writes). A test regenerates the
page and fails when the committed page differs, so neither can drift.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from gateway.config.settings import Settings

_SECTION = re.compile(r"^\s*#?\s*\[\[?([a-z_]+)\]\]?")
_KEY = re.compile(r"^\s*#?\s*([a-z_]+)\s*=\s*[^#]*?(?:#\s?(.*))?$")
_MORE = re.compile(r"^\s{8,}#\s?(.*)$")  # a comment continued under the one above


def sample_comments(text: str) -> dict[tuple[str, str], str]:
    """(section, key) → the comment written beside the key in the sample file."""
    found: dict[tuple[str, str], list[str]] = {}
    section, last = "", None
    for line in text.splitlines():
        if header := _SECTION.match(line):
            section, last = header.group(1), None
            continue
        if (more := _MORE.match(line)) and last is not None:
            found[last].append(more.group(1).strip())
            continue
        if key := _KEY.match(line):
            last = (section, key.group(1))
            if not found.get(last):  # the first line that explains the key wins
                found[last] = [key.group(2).strip()] if key.group(2) else []
            continue
        last = None
    return {k: " ".join(v).strip() for k, v in found.items()}


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("NoneType", "None")


def _default(field: Any) -> str:
    if field.default is PydanticUndefined:
        value = field.default_factory() if field.default_factory else "(required)"
    else:
        value = field.default
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (tuple, list)):
        return f"`{list(value)}`" if value else "`[]`"
    return f"`{value}`"


def _section_rows(name: str, model: type[BaseModel], comments: dict[tuple[str, str], str]) -> str:
    rows = [f"## [{name}]", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    for key, field in model.model_fields.items():
        meaning = comments.get((name, key), "").replace("|", "\\|")
        rows.append(f"| `{key}` | {_type_name(field.annotation)} | {_default(field)} | {meaning} |")
    return "\n".join(rows)


def render() -> str:
    """The whole page, as committed in ``docs/configuration.md``."""
    sample = resources.files("gateway").joinpath("data/gateway.toml").read_text("utf-8")
    comments = sample_comments(sample)
    parts = [
        "# Configuration reference (`gateway.toml`)",
        "",
        "Generated from the settings models by `python scripts/make_docs.py`; a test fails",
        "when this page and the code differ. Every key can be overridden by an environment",
        "variable `GATEWAY_SECTION__KEY` (lists as JSON); paths are relative to the config",
        "file's folder; an unknown key is an error naming the file, the line and the key.",
        "`gateway init DIR` writes a commented `gateway.toml` with these keys.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        model = field.annotation
        if name == "imap":
            from gateway.config.sections import ImapAccount

            parts += [
                _section_rows("imap", ImapAccount, comments).replace(
                    "## [imap]", "## [[imap]] (zero or more accounts)"
                ),
                "",
            ]
            continue
        assert isinstance(model, type) and issubclass(model, BaseModel), name
        parts += [_section_rows(name, model, comments), ""]
    return "\n".join(parts).rstrip() + "\n"
