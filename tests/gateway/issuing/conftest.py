"""A city deployment that issues documents, in process: the sample directory (the 30
units of CV54), the test PKI trusted, ``[outgoing] agency = ["VP"]`` (the city office,
whose certificates name "Ủy ban nhân dân thành phố Rạch Giá", the test PKI's organisation)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gateway.config.deploy import init_deployment
from gateway.config.settings import load
from gateway.issuing.issue import Issuer, issuer_for
from gateway.wiring import Components, build
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

CITY = "vanthu@vp.rachgia.example.gov.vn"
UNIT = "vanthu@qldt.rachgia.example.gov.vn"  # QLDT, Phòng Quản lý đô thị


@pytest.fixture
def city(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[Components]:
    """The city's gateway, built as ``gateway serve`` builds it (no listeners)."""
    root = tmp_path / "city"
    init_deployment(root)
    (root / "trust" / "test-root.pem").write_bytes(pki.root_pem())
    environ = {
        "GATEWAY_GATEWAY__DATABASE_URL": database_url,
        "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
        "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
        "GATEWAY_OUTGOING__FROM_ADDRESS": CITY,
        "GATEWAY_OUTGOING__AGENCY": json.dumps(["VP"]),
        "GATEWAY_SMTP__ADDRESSES": json.dumps([CITY]),
        "GATEWAY_AUTH__RESOLVER": "off",
    }
    components = build(load(root / "gateway.toml", environ=environ))
    yield components
    components.engine.dispose()


@pytest.fixture
def issuer(city: Components) -> Issuer:
    return issuer_for(city)


def city_document(pki: TestPki, number: int, **kwargs: object) -> bytes:
    """A công văn of UBND thành phố Rạch Giá, signed by the person then the agency."""
    fields: dict[str, object] = {
        "number": str(number),
        "symbol": "UBND-VP",
        "issued_on": date(2026, 11, 20),
        "summary": f"triển khai gửi, nhận văn bản điện tử đợt {number}",
    }
    fields.update(kwargs)
    return sign_as_person_then_agency(official_document_pdf(**fields), pki)  # type: ignore[arg-type]


@pytest.fixture
def unit(tmp_path: Path, pki: TestPki) -> Iterator[Components]:
    """Phòng Quản lý đô thị's gateway (QLDT), another deployment of the same gateway."""
    root = tmp_path / "unit"
    init_deployment(root)
    (root / "trust" / "test-root.pem").write_bytes(pki.root_pem())
    environ = {
        "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
        "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
        "GATEWAY_OUTGOING__FROM_ADDRESS": UNIT,
        "GATEWAY_SMTP__ADDRESSES": json.dumps([UNIT]),
        "GATEWAY_AUTH__RESOLVER": "off",
    }
    components = build(load(root / "gateway.toml", environ=environ))
    yield components
    components.engine.dispose()
