"""`gateway register list --search` over ingested documents (R-REG, DESIGN §4.3): the full-text
index through the command line, with or without diacritics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.cli.main import main
from gateway.config.settings import load
from gateway.wiring import open_database
from registry.database import read_session
from registry.models import RegisterEntry
from registry.search import entry_search_text
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
DAT_DAI = "thu hồi đất đai để thực hiện dự án đường Lâm Quang Ky"


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    return tmp_path / "d" / "gateway.toml"


def search(deployment: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    assert main(["register", "list", "--search", text, "--json", "-c", str(deployment)]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_register_list_search_finds_documents_without_diacritics(
    deployment: Path,
    tmp_path: Path,
    pki: TestPki,
    signed_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN two signed documents ingested: 54/UBND-VP "chấn chỉnh …" and 12/QĐ-UBND "… đất
    đai …" WHEN the register is searched as a clerk types, without diacritics, by a
    number/symbol fragment, by the signer or by the incoming number
    THEN exactly the right document is listed each time, and an unrelated word lists none."""
    land = official_document_pdf(
        number="12", symbol="QĐ-UBND", issued_on=date(2026, 11, 21), summary=DAT_DAI
    )
    files = []
    for name, pdf in (("cv.pdf", signed_pdf), ("qd.pdf", sign_as_person_then_agency(land, pki))):
        path = tmp_path / f"{name}.eml"
        attachment = (name, pdf, "application/pdf")
        path.write_bytes(official_mail(sender=AGENCY, attachments=[attachment]))
        files.append(str(path))
    assert main(["ingest", "-c", str(deployment), *files]) == 0
    capsys.readouterr()

    [hit] = search(deployment, "chan chinh", capsys)
    assert hit["document_number"] == "54/UBND-VP"
    assert "chấn chỉnh" in hit["summary"]
    [hit] = search(deployment, "Đất Đai", capsys)
    assert hit["document_number"] == "12/QĐ-UBND"
    assert [e["document_number"] for e in search(deployment, "UBND-VP", capsys)] == ["54/UBND-VP"]
    assert [e["document_number"] for e in search(deployment, "12/qd", capsys)] == ["12/QĐ-UBND"]
    assert len(search(deployment, "bui trung thuc", capsys)) == 2  # the signer
    number = f"{hit['year']}/{hit['incoming_number']}"
    assert [e["document_number"] for e in search(deployment, number, capsys)] == ["12/QĐ-UBND"]
    assert search(deployment, "ngan sach", capsys) == []
    assert search(deployment, 'NEAR("chan" OR *', capsys) == []


def test_the_pipeline_writes_the_search_text_a_correction_recomputes(
    deployment: Path, tmp_path: Path, signed_pdf: bytes
) -> None:
    """GIVEN a signed document ingested through the pipeline WHEN its search text is
    recomputed from the entry's fields (as after a clerk's correction) THEN it is the text the
    pipeline wrote: number, type, summary, issuer, agency, signer, sender, file, number."""
    mail = tmp_path / "cv.eml"
    attachment = ("cv.pdf", signed_pdf, "application/pdf")
    mail.write_bytes(official_mail(sender=AGENCY, attachments=[attachment]))
    assert main(["ingest", "-c", str(deployment), str(mail)]) == 0
    engine = open_database(load(deployment))
    try:
        with read_session(engine) as session:
            entry = session.scalars(select(RegisterEntry)).one()
            assert entry.search_text == entry_search_text(entry)
            assert "bui trung thuc" in entry.search_text
            assert entry.search_text.endswith(f" {entry.year}/{entry.incoming_number}")
    finally:
        engine.dispose()
