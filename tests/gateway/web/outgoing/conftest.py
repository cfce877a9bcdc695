"""A city deployment with its console, in process, that issues documents: the sample
directory (the 30 units of CV54), the test PKI trusted, ``[outgoing] agency = ["VP"]``
(the test PKI's organisation is "Ủy ban nhân dân thành phố Rạch Giá", one of VP's
signer organisations), outgoing mail into the maildir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gateway.clerk.accounts import Accounts
from registry.console.accounts import Role
from tests.gateway.web.inprocess import PASSWORD, InProcessConsole, make_console
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

CITY = "vanthu@vp.rachgia.example.gov.vn"


@pytest.fixture
def city(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    console = make_console(
        tmp_path / "city",
        pki,
        database_url,
        GATEWAY_GATEWAY__VERIFY_PROCESSES="0",
        GATEWAY_GATEWAY__PIPELINE_PROCESSES="0",
        GATEWAY_OUTGOING__FROM_ADDRESS=CITY,
        GATEWAY_OUTGOING__AGENCY=json.dumps(["VP"]),
        GATEWAY_SMTP__ADDRESSES=json.dumps([CITY]),
        GATEWAY_AUTH__RESOLVER="off",
    )
    Accounts(console.components.engine).add("lanhdao", Role.LEADER, PASSWORD, actor="test")
    try:
        yield console
    finally:
        console.close()


def city_document(pki: TestPki, number: int, **fields: object) -> bytes:
    """A công văn of UBND thành phố Rạch Giá, signed by the person then the agency."""
    values: dict[str, object] = {
        "number": str(number),
        "symbol": "UBND-VP",
        "issued_on": date(2026, 11, 20),
        "summary": f"triển khai gửi, nhận văn bản điện tử đợt {number}",
    }
    values.update(fields)
    return sign_as_person_then_agency(official_document_pdf(**values), pki)  # type: ignore[arg-type]
