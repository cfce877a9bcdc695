"""Check that nothing unsigned trails a PDF's last revision (R-FORGE).

One job: pyHanko reads a file with bytes appended after the last ``%%EOF`` and still calls
the last signature untouched "apart from the end of the file"; :func:`ends_cleanly` says
whether the bytes after the last xref section are only its trailer and end marker.
Whitespace after ``%%EOF`` carries nothing and is tolerated.
"""

from __future__ import annotations

import re

from pyhanko.pdf_utils.reader import PdfFileReader

# After the last revision's xref section only its trailer and end marker may follow.
_FILE_TAIL = re.compile(rb"(?:(?!%%EOF).)*?startxref\s+(\d+)\s+%%EOF\s*\Z", re.DOTALL)


def ends_cleanly(data: bytes, reader: PdfFileReader) -> bool:
    """Whether nothing but the last revision's trailer follows its xref section.

    ``reader`` must have been opened over ``data``.
    """
    last = reader.xrefs.get_xref_container_info(reader.xrefs.total_revisions - 1)
    match = _FILE_TAIL.match(data, last.end_location)
    return match is not None and int(match.group(1)) == last.declared_startxref
