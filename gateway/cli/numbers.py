"""A register number typed on the command line: ``YEAR/NUMBER`` (DESIGN §4.1, §4.3)."""

from __future__ import annotations

from gateway.errors import ConfigError
from registry.numbering import parse_register_label


def incoming_number(text: str) -> tuple[int, int]:
    """``(2026, 17)`` for ``2026/17``; a usage error (exit 2) naming the value otherwise."""
    parsed = parse_register_label(text)
    if parsed is None:
        raise ConfigError(f"số đến phải có dạng NĂM/SỐ, ví dụ 2026/17 (nhận được {text!r})")
    return parsed
