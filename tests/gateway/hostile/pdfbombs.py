"""Generated hostile PDFs, written byte by byte (no library would write them this way).

Each is tiny on the wire and costly to whoever reads it naively:
- :func:`huge_blank_scan` — pages of 14 400 × 14 400 pt and no text: a "scan" that OCR
  renders at 300 dpi to 60 000 × 60 000 pixels (FIELD-NOTES: 3.5 GB at once);
- :func:`slow_text_pdf` — a content stream of many positioned text shows that pypdf's text
  extraction reads in time growing faster than its length (tens of seconds from KB);
- :func:`filtered_javascript_pdf` — an /OpenAction JavaScript hidden in an object stream
  encoded with the filter chain [/ASCIIHexDecode /FlateDecode].
"""

from __future__ import annotations

import base64
import io
import zlib


def write_pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF with ``objects`` numbered from 1, a classic xref table and a trailer."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _stream(data: bytes, *, filters: bytes = b"/FlateDecode", extra: bytes = b"") -> bytes:
    return b"<< /Length %d /Filter %s %s>>\nstream\n%s\nendstream" % (
        len(data),
        filters,
        extra,
        data,
    )


def _pages_pdf(contents: list[bytes], size: int) -> bytes:
    """One page per content stream, ``size`` pt square, Helvetica as /F1."""
    count = len(contents)
    font = 3 + 2 * count
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (size, size, font, 4 + 2 * i)
        )
        objects.append(_stream(zlib.compress(content, 9)))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return write_pdf(objects)


def huge_blank_scan(pages: int = 2, size: int = 14_400) -> bytes:
    """``pages`` blank pages of ``size`` pt: no text layer, so a candidate for OCR."""
    return _pages_pdf([b"q Q"] * pages, size)


def slow_text_pdf(shows: int = 60_000, pages: int = 1) -> bytes:
    """Pages of ``shows`` text shows, each with its own text matrix (a few KB each)."""
    content = b"BT /F1 12 Tf " + b"1 0 0 1 10 10 Tm (ab) Tj " * shows + b"ET"
    return _pages_pdf([content] * pages, 612)


def filtered_javascript_pdf(filters: bytes = b"[/ASCIIHexDecode /FlateDecode]") -> bytes:
    """A one-page PDF whose /OpenAction JavaScript sits in an object stream encoded with
    ``filters`` (hex or ASCII85 over Flate): the names appear nowhere in the file's bytes
    nor in any stream that is merely inflated."""
    action = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"5 0 "
    inner = zlib.compress(header + action)
    if b"85" in filters:
        encoded = base64.a85encode(inner) + b"~>"
    else:
        encoded = inner.hex().encode("ascii") + b">"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        _stream(
            encoded,
            filters=filters,
            extra=b"/Type /ObjStm /N 1 /First %d " % len(header),
        ),
    ]
    return _write_with_object_stream(objects, stream_number=4, inside=5)


def _write_with_object_stream(objects: list[bytes], *, stream_number: int, inside: int) -> bytes:
    """Like :func:`write_pdf`, with object ``inside`` stored in object stream
    ``stream_number`` (a cross-reference stream, PDF 1.5, says where)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_number = len(objects) + 2  # after the compressed object
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets]
    rows.append(b"\x02" + stream_number.to_bytes(4, "big") + b"\x00\x00")  # object `inside`
    xref_offset = out.tell()
    rows.append(b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00")
    assert inside == len(objects) + 1
    table = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (xref_number, xref_number + 1, len(table), table)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return out.getvalue()
