"""Generated PDFs of the kinds public test corpora hold and the gateway once crashed on.

Each builder writes a small PDF by hand, object by object, so that exactly one thing is
wrong with it (or odd about it): a malformed encryption dictionary, a truncated compressed
cross-reference stream, a JBIG2 image (pypdf needs the ``jbig2dec`` program to decode it),
an "illegal generation" number, a wrong xref ``/Size``, and an encryption with an owner
password only. The text is ASCII in a core font, so any reader
that opens the file reads it back.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

TEXT = (
    "UY BAN NHAN DAN THANH PHO RACH GIA",
    "So: 77/UBND-VP",
    "Rach Gia, ngay 20 thang 11 nam 2026",
    "CONG VAN",
    "V/v kiem tra van ban doc duoc nhung khong chuan",
    "Kinh gui: Van thu co quan. Noi dung van ban thu nghiem.",
)


def _content(lines: Sequence[str] = TEXT) -> bytes:
    rows = [b"BT /F1 12 Tf 14 TL 50 780 Td"]
    for line in lines:
        rows.append(b"(" + line.encode("latin-1") + b") Tj T*")
    rows.append(b"ET")
    return b"\n".join(rows)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def assemble(
    objects: Sequence[bytes],
    *,
    trailer: bytes = b"/Root 1 0 R",
    size: int | None = None,
    generations: dict[int, int] | None = None,
    header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
) -> bytes:
    """A PDF of ``objects`` (object 1 first) with a classic xref table and trailer.

    ``size`` overrides the trailer's /Size; ``generations`` gives some objects another
    generation number in their header (and in the xref table).
    """
    generations = generations or {}
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d %d obj\n" % (number, generations.get(number, 0)) + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number, offset in enumerate(offsets, start=1):
        out += b"%010d %05d n \n" % (offset, generations.get(number, 0))
    out += b"trailer\n<< /Size %d " % (size if size is not None else len(objects) + 1)
    out += trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def _page_objects(extra_resources: bytes = b"", extra_content: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> " + extra_resources + b" >> >>",
        _stream(b"", _content() + extra_content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def readable_pdf() -> bytes:
    """A well-formed one-page unsigned công văn (the baseline the others deviate from)."""
    return assemble(_page_objects())


def malformed_encryption_pdf() -> bytes:
    """An /Encrypt dictionary that names no usable handler (no /O, /U; /V 99)."""
    objects = [*_page_objects(), b"<< /Filter /Standard /V 99 /R 99 /Length 4096 >>"]
    return assemble(objects, trailer=b"/Root 1 0 R /Encrypt 6 0 R /ID [<00> <00>]")


def truncated_xref_stream_pdf() -> bytes:
    """A cross-reference *stream* (Flate-compressed) cut short: zlib's "truncated stream"."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(_page_objects(), start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    rows = b"\x00\x00\x00\xff" + b"".join(b"\x01" + offset.to_bytes(4, "big") for offset in offsets)
    rows += b"\x01" + xref_at.to_bytes(4, "big")
    packed = zlib.compress(rows)
    truncated = packed[: len(packed) // 2]
    count = len(offsets) + 2
    out += b"%d 0 obj\n" % count + _stream(
        b"/Type /XRef /Size %d /W [1 4 0] /Root 1 0 R /Filter /FlateDecode" % count, truncated
    )
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def jbig2_image_pdf() -> bytes:
    """A page drawing a JBIG2-encoded image (decoded by pypdf only through ``jbig2dec``)."""
    objects = _page_objects(b"/XObject << /Im1 6 0 R >>", b"\nq 100 0 0 100 50 500 cm /Im1 Do Q")
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /BitsPerComponent 1 "
        b"/ColorSpace /DeviceGray /Filter /JBIG2Decode",
        b"\x97JB2\r\n\x1a\n" + bytes(32),
    )
    # The same image as the page's content stream filter: text extraction decodes it.
    objects[3] = _stream(b"/Filter /JBIG2Decode", b"\x97JB2\r\n\x1a\n" + bytes(32))
    objects.append(image)
    return assemble(objects)


def illegal_generation_pdf() -> bytes:
    """The page's content stream has generation 70000 (over 65535): "illegal generation"."""
    objects = _page_objects()
    objects[2] = objects[2].replace(b"/Contents 4 0 R", b"/Contents 4 70000 R")
    return assemble(objects, generations={4: 70000})


def xref_size_mismatch_pdf() -> bytes:
    """A trailer /Size that disagrees with the xref table."""
    return assemble(_page_objects(), size=3)


def owner_password_only_pdf() -> bytes:
    """Encrypted (RC4-128) against editing with an owner password; empty user password."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(readable_pdf())))
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def user_password_pdf() -> bytes:
    """Encrypted with a user password: nobody can read it without the password."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(readable_pdf())))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
