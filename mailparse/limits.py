"""Resource limits on hostile input (``[limits]``); pure values passed in by the gateway.

A message over a limit is not an error of ours: what was read within the limits is kept
and the overrun is recorded as a defect (``too-many-parts``, ``nesting-too-deep``), or,
when nothing trustworthy can be read (a header section or decoded content too large), the
message is :class:`~mailparse.errors.MalformedMessageError` (reason malformed-message).
"""

from __future__ import annotations

from dataclasses import dataclass

# RFC 5321 §4.5.3.1: a path is at most 256 octets; longer "addresses" are not addresses
# (and validating megabyte-long ones is quadratic in email-validator).
MAX_ADDRESS_CHARS = 320
# An address header longer than this is not read (the stdlib's address parser is slow on
# megabyte-long values); ~800 recipients fit.
MAX_ADDRESS_HEADER_CHARS = 32_768


@dataclass(frozen=True)
class Limits:
    max_parts: int = 1000  # MIME leaves read per message
    max_depth: int = 20  # MIME nesting read
    max_header_bytes: int = 1_048_576  # the top-level header section
    max_decoded_bytes: int = 134_217_728  # decoded attachments per message, in total
    max_pages: int = 5  # pages whose text is analysed per PDF
