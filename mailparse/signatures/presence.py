"""Whether a PDF could carry a signature at all, told from its bytes (R-SIGN, R-REF).

A signature dictionary holds ``/ByteRange``: the signed ranges of the file around its
``/Contents``. It cannot sit in a compressed object stream (the byte range would then
cover compressed bytes, not the dictionary), so a file whose bytes never spell the name
carries no signature that could be verified. The strict reader is needed only where a
signature's integrity depends on it; a file without one is read leniently for its text.
"""

from __future__ import annotations

import re

# "/ByteRange", also with #xx escapes in the name (PDF 32000 §7.3.5).
_BYTE_RANGE = re.compile(
    rb"/(?:B|#42)(?:y|#79)(?:t|#74)(?:e|#65)(?:R|#52)(?:a|#61)(?:n|#6e|#6E)(?:g|#67)(?:e|#65)"
)


def may_carry_signature(data: bytes) -> bool:
    """True when ``data`` spells a signature dictionary's ``/ByteRange`` anywhere."""
    return _BYTE_RANGE.search(data) is not None
