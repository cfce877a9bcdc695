"""Active content in a PDF: JavaScript, launch actions, embedded files, rich media,
automatic actions (R-VIRUS: "files must not carry embedded malicious code").

Pure and byte-level, so a damaged file is still looked at: the PDF names are read from
the file itself and from its Flate-compressed streams (object streams hide dictionaries
there), with ``#xx`` escapes decoded (``/J#61vaScript`` is ``/JavaScript``). Bounded:
at most ``max_streams`` streams and ``max_inflated`` bytes are decompressed, so a
compression bomb costs little. Never raises.
"""

from __future__ import annotations

import re
import zlib
from enum import StrEnum


class ActiveContent(StrEnum):
    """A flag on a register entry (``register_entry.flags``)."""

    JAVASCRIPT = "javascript"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded-file"
    RICH_MEDIA = "rich-media"
    AUTO_ACTION = "auto-action"


_NAMES: dict[bytes, ActiveContent] = {
    b"JavaScript": ActiveContent.JAVASCRIPT,
    b"JS": ActiveContent.JAVASCRIPT,
    b"Launch": ActiveContent.LAUNCH,
    b"EmbeddedFile": ActiveContent.EMBEDDED_FILE,
    b"EmbeddedFiles": ActiveContent.EMBEDDED_FILE,
    b"RichMedia": ActiveContent.RICH_MEDIA,
    b"AA": ActiveContent.AUTO_ACTION,
}
# A PDF name: "/" then regular characters (PDF 32000 §7.3.5); delimiters end it.
_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]{1,64})")
_STREAM = re.compile(rb"stream\r?\n")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

MAX_STREAMS = 2000
MAX_INFLATED = 32 * 1024 * 1024


def active_content(
    data: bytes, *, max_streams: int = MAX_STREAMS, max_inflated: int = MAX_INFLATED
) -> tuple[ActiveContent, ...]:
    """The kinds of active content ``data`` carries, in a stable order; () for none."""
    found = _names_in(data)
    budget = max_inflated
    for count, match in enumerate(_STREAM.finditer(data)):
        if count >= max_streams or budget <= 0:
            break
        inflated = _inflate(data, match.end(), budget)
        budget -= len(inflated)
        if inflated:
            found |= _names_in(inflated)
    return tuple(kind for kind in ActiveContent if kind in found)


def _names_in(data: bytes) -> set[ActiveContent]:
    found: set[ActiveContent] = set()
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        kind = _NAMES.get(name)
        if kind is not None:
            found.add(kind)
    return found


def _inflate(data: bytes, start: int, budget: int) -> bytes:
    """Decompress what starts at ``start`` as zlib, at most ``budget`` bytes; b"" if not."""
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(data[start : start + budget], budget)
    except zlib.error:
        return b""
