"""Reading a directory file to import (``gateway directory import``, DESIGN §4.9).

Two shapes: YAML shaped like ``agencies.yaml`` (``agencies:`` a list of agencies) and CSV
with a header row naming the columns ``code, name, parent, group, addresses, domains,
signer_organizations`` (only ``code`` and ``name`` required; lists separated by ``;``).
Every problem names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from registry.agencies.directory import Agency, DirectoryError

COLUMNS = ("code", "name", "parent", "group", "addresses", "domains", "signer_organizations")
_LISTS = ("addresses", "domains", "signer_organizations")


class DirectoryImportError(DirectoryError):
    """The file cannot be imported; ``problems`` lists each ``file:line: field: what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_agencies(path: Path) -> list[Agency]:
    """The agencies of a ``.csv`` or ``.yaml``/``.yml`` file; DirectoryImportError else."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryImportError([f"{path}: không đọc được tệp: {exc}"]) from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(text, str(path))
    elif suffix in {".yaml", ".yml"}:
        rows = _yaml_rows(text, str(path))
    else:
        raise DirectoryImportError([f"{path}: cần tệp .csv hoặc .yaml"])
    return _agencies(rows, str(path))


def _csv_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in ("code", "name") if c not in header]
    if unknown or missing:
        problems = [f"{source}:1: cột {h}: không có trong {', '.join(COLUMNS)}" for h in unknown]
        problems += [f"{source}:1: cột {c}: thiếu (bắt buộc)" for c in missing]
        raise DirectoryImportError(problems)
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for row in reader:
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if not any(values.values()):
                continue
            for name in _LISTS:
                values[name] = [p.strip() for p in values.get(name, "").split(";") if p.strip()]
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise DirectoryImportError([f"{source}:{reader.line_num}: {exc}"]) from exc
    return rows


def _yaml_rows(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = yaml.safe_load(text) or {}
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise DirectoryImportError([f"{source}: không phải YAML hợp lệ: {exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        raise DirectoryImportError([f"{source}:1: agencies: cần một danh sách cơ quan"])
    lines = _item_lines(node)
    rows = []
    for index, item in enumerate(data["agencies"]):
        line = lines[index] if index < len(lines) else 0
        if not isinstance(item, dict):
            raise DirectoryImportError([f"{source}:{line}: agencies[{index}]: cần các trường"])
        rows.append((line, item))
    return rows


def _item_lines(node: yaml.Node | None) -> list[int]:
    """The 1-based line of each item of the top-level ``agencies`` list."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "agencies" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _agencies(rows: list[tuple[int, dict[str, Any]]], source: str) -> list[Agency]:
    agencies: list[Agency] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for line, values in rows:
        try:
            agency = Agency.model_validate(values)
        except ValidationError as exc:
            problems += [
                f"{source}:{line}: {'.'.join(str(p) for p in e['loc']) or 'agency'}: {e['msg']}"
                for e in exc.errors()
            ]
            continue
        problems += [
            f"{source}:{line}: addresses: {a!r} không phải địa chỉ thư"
            for a in agency.addresses
            if "@" not in a.strip("@")
        ]
        if agency.code in first_line:
            problems.append(
                f"{source}:{line}: code: {agency.code} đã có ở dòng {first_line[agency.code]}"
            )
        first_line.setdefault(agency.code, line)
        agencies.append(agency)
    if problems:
        raise DirectoryImportError(problems)
    return agencies
