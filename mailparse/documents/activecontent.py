"""Active content in a PDF: JavaScript, launch actions, embedded files, rich media,
automatic actions (R-VIRUS: "files must not carry embedded malicious code").

Pure and byte-level, so a damaged file is still looked at: the PDF names are read from
the file itself and from its streams (object streams hide dictionaries there), decoded
through the filter chain their dictionary names (``[/ASCIIHexDecode /FlateDecode]``,
ASCII85, run-length, Flate, in any order; a stream that names none is still tried as
Flate), with ``#xx`` escapes decoded (``/J#61vaScript`` is ``/JavaScript``). Bounded:
at most ``max_streams`` streams and ``max_inflated`` bytes are decoded, so a compression
bomb costs little. Never raises.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Callable
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
# The /Filter entry of the dictionary just before "stream": one name or an array of them.
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]{0,512}\]|/[A-Za-z0-9]{1,32})")
_DICTIONARY_LOOKBACK = 4096  # bytes before "stream" searched for its dictionary

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
        filters = _filters_before(data, match.start())
        decoded = _decode(data, match.end(), filters, budget)
        budget -= max(len(decoded), 1)
        if decoded:
            found |= _names_in(decoded)
    return tuple(kind for kind in ActiveContent if kind in found)


def _filters_before(data: bytes, stream_at: int) -> tuple[bytes, ...]:
    """The filter names of the stream whose keyword is at ``stream_at`` (first applied
    first when decoding); () when its dictionary names none."""
    head = data[max(0, stream_at - _DICTIONARY_LOOKBACK) : stream_at]
    head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
    found = list(_FILTER.finditer(head))
    if not found:
        return ()
    names = re.findall(rb"/([A-Za-z0-9]+)", found[-1].group(1))
    return tuple(names)


def _decode(data: bytes, start: int, filters: tuple[bytes, ...], budget: int) -> bytes:
    """The stream at ``start`` decoded through ``filters`` (at most ``budget`` bytes)."""
    if not filters:  # none named, or named indirectly (``/Filter 7 0 R``): the usual ones
        return _inflate(data, start, budget) or b"".join(
            _decode(data, start, chain, budget) for chain in _GUESSED_CHAINS
        )
    end = data.find(b"endstream", start)
    chunk = data[start : end if end >= 0 else start + budget]
    for name in filters:
        decoder = _DECODERS.get(name)
        if decoder is None:
            return b""  # an image or unknown filter: no dictionaries in there
        chunk = decoder(chunk, budget)
        if not chunk:
            return b""
    return chunk


def _inflate_chunk(chunk: bytes, budget: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(chunk, budget)
    except zlib.error:
        return b""


def _ascii_hex(chunk: bytes, budget: int) -> bytes:
    text = re.sub(rb"\s", b"", chunk.partition(b">")[0])[: 2 * budget]
    if len(text) % 2:
        text += b"0"  # PDF 32000 §7.4.2: a final odd digit is followed by 0
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return b""


def _ascii85(chunk: bytes, budget: int) -> bytes:
    text = re.sub(rb"\s", b"", chunk.partition(b"~>")[0])
    text = text.removeprefix(b"<~")
    try:
        return base64.a85decode(text[: budget * 5 // 4 + 5])[:budget]
    except ValueError:
        return b""


def _run_length(chunk: bytes, budget: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(chunk) and len(out) < budget:
        length = chunk[i]
        if length == 128:  # end of data
            break
        if length < 128:
            out += chunk[i + 1 : i + 2 + length]
            i += 2 + length
        else:
            out += chunk[i + 1 : i + 2] * (257 - length)
            i += 2
    return bytes(out[:budget])


_GUESSED_CHAINS = ((b"ASCIIHexDecode", b"FlateDecode"), (b"ASCII85Decode", b"FlateDecode"))

_DECODERS: dict[bytes, Callable[[bytes, int], bytes]] = {
    b"FlateDecode": _inflate_chunk,
    b"Fl": _inflate_chunk,
    b"ASCIIHexDecode": _ascii_hex,
    b"AHx": _ascii_hex,
    b"ASCII85Decode": _ascii85,
    b"A85": _ascii85,
    b"RunLengthDecode": _run_length,
    b"RL": _run_length,
}


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
