"""``gateway register list`` and ``gateway inbound list`` for a person: dates written
dd/mm/yyyy as ``register show`` writes them; ``--json`` stays the DESIGN §4.3 contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DAY_FIRST = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki, signed_pdf: bytes) -> Path:
    """The sample deployment trusting the test root, one signed document ingested."""
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    config = tmp_path / "d" / "gateway.toml"
    eml = tmp_path / "cv.eml"
    eml.write_bytes(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    assert main(["ingest", "-c", str(config), str(eml)]) == 0
    return config


@pytest.mark.parametrize("listing", ["register", "inbound"])
def test_lists_write_dates_day_first_and_json_keeps_iso(
    deployment: Path, capsys: pytest.CaptureFixture[str], listing: str
) -> None:
    """GIVEN one registered document WHEN ``gateway register list`` / ``gateway inbound
    list`` prints its table THEN the time of arrival reads dd/mm/yyyy HH:MM and no date
    is ISO (the document's date 2026-11-20 reads 20/11/2026); ``--json`` still prints ISO
    8601 (the contract)."""
    capsys.readouterr()

    assert main([listing, "list", "-c", str(deployment)]) == 0
    table = capsys.readouterr().out
    assert DAY_FIRST.search(table), table
    assert not ISO_DAY.search(table), table
    if listing == "register":
        assert "20/11/2026" in table

    assert main([listing, "list", "--json", "-c", str(deployment)]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", row["received_at"]), row
