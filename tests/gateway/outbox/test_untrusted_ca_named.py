"""DESIGN §4.5: a signature whose chain ends at a certificate authority that is not
trusted is refused ``signature-untrusted``, and the answer says plainly where the chain
ends, naming that authority — the sender learns which certificate to replace.
In process with a self-signed look-alike of the trusted root (chain embedded)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.gateway.pipeline.test_pdf_intake import _look_alike_of, _mail
from tests.gateway.pipeline.test_pipeline import envelope, make_pipeline, outbox
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_with

NAMED = "Chuỗi chứng thư của chữ ký kết thúc ở tổ chức cấp chứng thư “Test Root CA Chính phủ”"


def _text(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def test_signature_untrusted_answer_names_the_ca_the_chain_ends_at(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a document signed under a look-alike of the trusted root (same name, another
    key) WHEN processed THEN the rejection (02, ``signature-untrusted``) says, for that
    file, in text and HTML, that the chain ends at “Test Root CA Chính phủ”, which is not
    a trusted authority."""
    pdf = sign_with(official_document_pdf(number="78"), _look_alike_of(pki), "ChuKy")

    make_pipeline(engine, tmp_path, pki).process("fake", _mail(pdf), envelope())

    [answer] = outbox(engine)
    assert answer["X-Reject-Reasons"] == "signature-untrusted"
    text = _text(answer, "plain")
    assert f"{NAMED}, không phải tổ chức được tin cậy." in text
    assert text.index("cv.pdf") < text.index(NAMED)
    assert "Test Root CA Chính phủ" in _text(answer, "html")
