"""Attachment file names made safe once, at intake; the name as sent is kept beside it.

A name comes from a stranger: it may carry control characters (``van%1Cban.pdf`` breaks
every mail we compose with it), path parts (``../../etc/passwd`` reaches staff verbatim),
or bidirectional overrides that make ``gpj.exe`` look like ``exe.jpg``. :func:`safe_filename`
returns what the gateway shows, stores and forwards; :func:`sanitised` says whether it
differs from the original, which the register then keeps as ``original_filename``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 180  # room for a header line once encoded
# Bidirectional controls (embeddings, overrides, isolates, marks) and other invisibles.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]")
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")


def safe_filename(name: str) -> str:
    """``name`` without control characters, invisible direction marks and path parts; NFC;
    at most :data:`MAX_NAME_CHARS` characters (the extension kept); "" when nothing is left."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]  # the last path part only
    text = _RESERVED.sub("_", text)
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip()
    if len(text) > MAX_NAME_CHARS:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip() + "." + extension
        else:
            text = text[:MAX_NAME_CHARS].rstrip()
    return text


def sanitised(name: str) -> tuple[str, str | None]:
    """(the safe name, the original when it differed, else None)."""
    safe = safe_filename(name)
    return safe, (name if safe != name else None)
