"""Shared fixtures: the test PKI, signed documents, databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from registry.database import make_engine, upgrade
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki, make_pki
from tests.support.scratch_database import scratch_database
from tests.support.signing import sign_as_person_then_agency


def pytest_configure(config: pytest.Config) -> None:
    """No real DNS from the test suite: every gateway it starts, in process or as a child
    process, runs with ``[auth] resolver = "off"``; DKIM/SPF/DMARC are tested with the
    in-process fake resolver behind the same interface (tests/support/fakedns.py)."""
    os.environ["GATEWAY_AUTH__RESOLVER"] = "off"


POSTGRES_URL_VARIABLE = "GATEWAY_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "GATEWAY_TEST_REQUIRE_POSTGRES"


@pytest.fixture(scope="session")
def pki() -> TestPki:
    """Root → intermediate → person and agency certificates, Vietnamese names."""
    return make_pki()


@pytest.fixture(scope="session")
def signed_pdf(pki: TestPki) -> bytes:
    """A công văn signed by a person, then sealed by the agency (incremental update)."""
    return sign_as_person_then_agency(
        official_document_pdf(
            number="54",
            symbol="UBND-VP",
            issued_on=date(2026, 11, 20),
            summary="chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
        ),
        pki,
    )


def _postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if url:
        return url
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE):
        pytest.fail(f"{REQUIRE_POSTGRES_VARIABLE} is set but {POSTGRES_URL_VARIABLE} is empty")
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database: SQLite always, PostgreSQL when GATEWAY_TEST_POSTGRES_URL is set.

    The PostgreSQL case makes a new database per test on the server named by the variable
    and drops it afterwards.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'gateway.db'}"
        return
    server = _postgres_url()
    if server is None:
        pytest.skip(f"PostgreSQL register tests need {POSTGRES_URL_VARIABLE}")
    with scratch_database(server, "gw_test") as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with every migration applied."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
