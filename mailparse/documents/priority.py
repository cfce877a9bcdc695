"""How urgent a waiting message is, read from its header block alone (R-URGENT queue order).

QD278-3.3: urgent documents are handled first. The worker orders the spool by
:func:`queue_rank` of each item's first bytes — a bounded read of the header block, the
Subject decoded (RFC 2047, any charset) and its urgency words read as the register reads
them (:func:`mailparse.documents.facts.facts_from_subject`). Nothing of the body is parsed: the
stamps inside the PDF still set the register's urgency later; this is only the order of work.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesHeaderParser

from mailparse.documents.document import Urgency
from mailparse.documents.facts import facts_from_subject
from mailparse.documents.text import decode_header_text

HEAD_BYTES = 16 * 1024  # the most read of a message to rank it
NORMAL_RANK = 9

# Lower is sooner; FIFO within one rank.
_RANKS: dict[Urgency, int] = {
    Urgency.HOA_TOC_HEN_GIO: 0,
    Urgency.HOA_TOC: 1,
    Urgency.THUONG_KHAN: 2,
    Urgency.KHAN: 3,
    Urgency.THUONG: NORMAL_RANK,
}
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")


def header_block(head: bytes) -> bytes:
    """The header lines of ``head`` (the first bytes of a message), without the body."""
    end = _END_OF_HEADERS.search(head)
    return head[: end.start()] if end else head


def urgency_of_head(head: bytes) -> Urgency | None:
    """The urgency the Subject of a message's first bytes states, or None."""
    parsed = BytesHeaderParser(policy=policy.compat32).parsebytes(header_block(head[:HEAD_BYTES]))
    for key, value in parsed.raw_items():
        if key.lower() == "subject" and isinstance(value, str):
            return facts_from_subject(decode_header_text(value)).urgency
    return None


def rank_of_urgency(urgency: Urgency | None) -> int:
    """The queue rank of an urgency: hỏa tốc first, then thượng khẩn, khẩn, the rest."""
    return _RANKS[urgency] if urgency is not None else NORMAL_RANK


def queue_rank(head: bytes) -> int:
    """The queue rank of a message from its first bytes (:data:`HEAD_BYTES` at most)."""
    return rank_of_urgency(urgency_of_head(head))
