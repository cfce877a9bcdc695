"""Files carried inside an edXML package (QCVN 102:2016, as other systems write it): a
mail whose document travels only inside the package is read as if the document were a
part of the mail; a file that is both is read once; a broken package carries nothing."""

from __future__ import annotations

from mailparse.edxml.files import embedded_files
from mailparse.mime import parse
from tests.support.edxml_packages import vendor_package
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf

PDF = official_document_pdf(number="2491", symbol="STC-BCTC")
DOC = b"\xd0\xcf\x11\xe0 a .doc zipped by the sender"


def _mail(package: bytes, *more: tuple[str, bytes, str]) -> bytes:
    return official_mail(attachments=[("goi-tin.edxml", package, "application/xml"), *more])


def test_a_document_only_inside_the_package_is_an_attachment_of_the_mail() -> None:
    """GIVEN a mail whose only file part is an edXML package holding the PDF and a .doc
    (sent as application/zip) WHEN parsed THEN the message has the package, the PDF (by
    its AttachmentName, recognised as a PDF, the very bytes) and the .doc."""
    package = vendor_package(
        [("2491-STC-BCTC.pdf", "application/pdf", PDF), ("phu luc.doc", "application/zip", DOC)]
    )
    parsed = parse(_mail(package))
    names = [a.filename for a in parsed.attachments]
    assert names == ["goi-tin.edxml", "2491-STC-BCTC.pdf", "phu luc.doc"]
    pdf = parsed.attachments[1]
    assert pdf.is_pdf and pdf.data == PDF and pdf.size == len(PDF)
    assert parsed.attachments[2].content_type == "application/zip"


def test_a_mail_with_files_of_its_own_is_read_from_them_alone() -> None:
    """GIVEN the PDF as a part of the mail and inside the package (as our own gateway
    issues), or a part that differs from the package's copy (altered on the way)
    WHEN parsed THEN the mail's own part is the one document."""
    package = vendor_package([("2491-STC-BCTC.pdf", "application/pdf", PDF)])
    parsed = parse(_mail(package, ("2491.pdf", PDF, "application/pdf")))
    assert [a.filename for a in parsed.attachments] == ["goi-tin.edxml", "2491.pdf"]
    altered = PDF.replace(b"2491", b"2492", 1)
    parsed = parse(_mail(package, ("2491.pdf", altered, "application/pdf")))
    assert [(a.filename, a.data) for a in parsed.attachments[1:]] == [("2491.pdf", altered)]


def test_a_broken_package_carries_nothing_and_raises_nothing() -> None:
    """GIVEN packages with a file that is not base64, with a DTD (entity expansion), and
    not XML at all WHEN read THEN no file comes out of them and parsing the mail works."""
    bad_base64 = vendor_package([("x.pdf", "application/pdf", PDF)], encoded="@@not base64@@")
    assert embedded_files(bad_base64) == ()
    dtd = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        + vendor_package([("x.pdf", "application/pdf", PDF)]).split(b"?>", 1)[1]
    )
    assert embedded_files(dtd) == ()
    assert embedded_files(b"edxml, but not XML <") == ()
    for package in (bad_base64, dtd):
        assert [a.filename for a in parse(_mail(package)).attachments] == ["goi-tin.edxml"]
