"""The stdlib's MIME tree of a message and its parts' bytes, within a few times its size.

``email.message_from_bytes`` decodes a whole message into one string and cuts all of it
into lines at once, and ``get_payload(decode=True)`` holds a base64 body's lines, their
join and a padded copy: 7.7 × and 4.5 × a 25 MiB message at their peaks
(docs/decisions/0008-large-messages.md). The readings here give the same results.
"""

from __future__ import annotations

import binascii
import codecs
import email.errors
import re
from email.feedparser import BytesFeedParser
from email.message import Message

from mailparse import policies

# What email.message raises on hostile header values and parameters (its header parser has
# known crash bugs); caught around each such call so one bad part spoils nothing else.
STDLIB_ERRORS = (
    email.errors.MessageError,
    ValueError,
    LookupError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
)

FEED_BYTES = 1 << 20  # the slices of a message the stdlib parser is fed
# Base64 as the stdlib accepts it without a defect: the alphabet in lines, at most two "="
# at the end (the length is checked apart: a multiple of 4 without the line breaks).
_BASE64_BODY = re.compile(r"[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}")
_ASCII_SAFE = frozenset({"ascii", "utf-8"})  # codec names: a byte over 127 never ASCII


def message_tree(raw: bytes) -> Message:
    """The stdlib's parse of ``raw``, fed a slice at a time (the same tree, whatever the
    slices: the parser keeps a line cut between two of them).

    ``email.message_from_bytes`` decodes the whole message into one string and cuts all of
    it into lines at once: 7.7 × the message at its peak (a 25 MiB message, 193 MiB). Fed
    slice by slice, the parser holds only the lines of the part it is reading: 2.8 ×."""
    parser = BytesFeedParser(policy=policies.DEFAULT)
    view = memoryview(raw)
    for start in range(0, len(raw), FEED_BYTES):
        parser.feed(bytes(view[start : start + FEED_BYTES]))
    return parser.close()


def well_formed_base64(part: Message) -> bytes | None:
    """A base64 body decoded straight from the parsed text, when it is well formed: what
    the stdlib would return, without its copies (the body's lines, their join, a padded
    copy: 4.5 × the body at its peak). None: the stdlib decides, with its defects."""
    if part.is_multipart() or str(part.get("Content-Transfer-Encoding", "")).lower() != "base64":
        return None
    # The text is the part's own only when it had no byte over 127, or when its charset
    # turns such a byte into no ASCII character (the stdlib re-decodes it with the charset).
    charset = part.get_param("charset")
    try:
        if charset is not None and codecs.lookup(str(charset)).name not in _ASCII_SAFE:
            return None
        payload = part.get_payload()
    except STDLIB_ERRORS:
        return None
    if not isinstance(payload, str) or not _BASE64_BODY.fullmatch(payload):
        return None
    if (len(payload) - payload.count("\r") - payload.count("\n")) % 4:
        return None
    return binascii.a2b_base64(payload)
