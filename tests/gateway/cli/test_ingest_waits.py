"""``gateway ingest`` waits until what it queued is delivered or scheduled for retry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.support.documents import numbered_document_pdf
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import free_port

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
FILES = 23  # more than the outbox sender's batch of 20


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    return tmp_path / "d" / "gateway.toml"


def _files(tmp_path: Path) -> list[str]:
    paths = []
    for n in range(1, FILES + 1):
        path = tmp_path / f"m{n}.eml"
        path.write_bytes(
            official_mail(
                sender=AGENCY,
                subject=f"Công văn số {100 + n}/UBND-VP",
                message_id=f"<m{n}@vp.rachgia.example.gov.vn>",
                attachments=[("cv.pdf", numbered_document_pdf(100 + n), "application/pdf")],
            )
        )
        paths.append(str(path))
    return paths


def _outbox(deployment: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["outbox", "list", "--json", "-c", str(deployment)]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def test_ingest_waits_until_every_answer_it_queued_is_delivered(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN more messages than one outbox batch WHEN ingested (maildir delivery)
    THEN every answer is delivered before the command exits, and it says so."""
    assert main(["ingest", "-c", str(deployment), *_files(tmp_path)]) == 0
    out = capsys.readouterr().out

    rows = _outbox(deployment, capsys)
    receipts = [r for r in rows if r["kind"] == "receipt"]
    assert len(receipts) == FILES
    assert {r["status"] for r in rows} == {"sent"}
    assert f"Thư đi: đã gửi {len(rows)} thư." in out


def test_ingest_hands_undeliverable_answers_to_the_retry_schedule_and_says_so(
    deployment: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a relay that refuses connections WHEN files are ingested
    THEN each answer was attempted once and scheduled for a retry (none left untried),
    and the command says they will be sent again, with the next time in dd/mm/yyyy HH:MM."""
    monkeypatch.setenv("GATEWAY_OUTGOING__RELAY", f"smtp://127.0.0.1:{free_port()}")
    assert main(["ingest", "-c", str(deployment), *_files(tmp_path)]) == 0
    out = capsys.readouterr().out

    rows = _outbox(deployment, capsys)
    assert len(rows) >= FILES
    assert all(r["attempts"] == 1 and r["status"] == "pending" for r in rows), rows[:2]
    assert f"đã gửi 0 thư; {len(rows)} thư chưa gửi được, sẽ tự gửi lại (lần tới lúc " in out
