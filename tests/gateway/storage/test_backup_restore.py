"""``gateway backup`` of a serving deployment under load, ``backup verify``, and ``gateway
restore`` elsewhere (DESIGN §4.9): the same register, the same raw messages byte for
byte, the same answers — on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from registry.database import make_engine
from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess, run_cli
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.scratch_database import scratch_database

pytestmark = pytest.mark.slow

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
MESSAGES = 12
POSTGRES = os.environ.get("GATEWAY_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Extra environment for the gateway: none (SQLite) or a scratch PostgreSQL database."""
    if request.param == "sqlite":
        yield {}
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL backup tests need GATEWAY_TEST_POSTGRES_URL")
    with scratch_database(POSTGRES, "backup_src") as url:
        yield {"GATEWAY_GATEWAY__DATABASE_URL": url}


def mails(pki: TestPki) -> list[bytes]:
    return [
        official_mail(
            sender=AGENCY,
            message_id=f"<cv{n}@vp.rachgia.example.gov.vn>",
            attachments=[(f"{n}.pdf", numbered_signed_pdf(n, pki), "application/pdf")],
        )
        for n in range(1, MESSAGES + 1)
    ]


def send_all(port: int, raws: list[bytes]) -> None:
    for raw in raws:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail(AGENCY, ["vanthu@example.gov.vn"], raw)


def listed(config: Path, what: str, env: dict[str, str]) -> Any:
    """``gateway register list --json`` / ``outbox list --json`` of a restored deployment."""
    result = run_cli(what, "list", "--json", "-c", str(config), cwd=config.parent, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def archived(data_dir: Path, env: dict[str, str]) -> dict[str, bytes]:
    """Raw messages by sha256: the filesystem archive, or the database's stored bytes
    when the deployment keeps them there (PostgreSQL, DESIGN §3)."""
    found = {p.stem: p.read_bytes() for p in (data_dir / "archive").rglob("*.eml")}
    url = env.get("GATEWAY_GATEWAY__DATABASE_URL")
    if url:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                names = inspect(connection).get_table_names()
                if "stored_blob" in names:
                    rows = connection.execute(
                        text("SELECT sha256, data FROM stored_blob WHERE NOT restricted")
                    )
                    found.update({row[0]: bytes(row[1]) for row in rows})
        finally:
            engine.dispose()
    return found


def test_backup_under_load_restores_the_same_register_and_raw_messages(
    tmp_path: Path, pki: TestPki, database: dict[str, str]
) -> None:
    """GIVEN a serving gateway receiving 12 signed documents over SMTP
    WHEN `gateway backup` runs in the middle of it THEN the backup verifies, and restored
    elsewhere it is consistent: numbers 1..k without gaps, each entry equal to the
    original's entry of that number, each raw message byte for byte what was sent;
    WHEN backed up again after the load THEN the restored register, raw messages and
    answers equal the original's exactly;
    AND a tampered backup fails verification, a non-empty target is refused without --force."""
    gateway = GatewayProcess(tmp_path / "deploy", pki.root_pem(), env=database).start(timeout=120)
    raws = mails(pki)
    sent = {hashlib.sha256(r).hexdigest(): r for r in raws}
    try:
        sender = threading.Thread(target=send_all, args=(gateway.port, raws))
        sender.start()
        while len(gateway.outbox()) < 3 and sender.is_alive():
            time.sleep(0.05)
        during = gateway.cli("backup", str(tmp_path / "during"))
        sender.join(timeout=120)
        gateway.wait_for_outbox(MESSAGES, timeout=120.0)
        original = gateway.cli_json("register", "list")
        answers = gateway.cli_json("outbox", "list")
        after = gateway.cli("backup", str(tmp_path / "after"))
    finally:
        gateway.stop()
    assert during.returncode == 0, during.stderr
    assert after.returncode == 0, after.stderr
    assert len(original) == MESSAGES
    assert run_cli("backup", "verify", str(tmp_path / "during"), cwd=tmp_path).returncode == 0

    with restored(tmp_path / "during", tmp_path / "r1", database) as (config, env):
        partial = listed(config, "register", env)
        numbers = [e["incoming_number"] for e in partial]
        assert sorted(numbers) == list(range(1, len(partial) + 1))  # no gap
        by_number = {e["incoming_number"]: e for e in original}
        assert all(e == by_number[e["incoming_number"]] for e in partial)
        restored_raw = archived(tmp_path / "r1" / "var", env)
        assert all(e["sha256"] in restored_raw for e in partial)
        assert all(sent[d] == raw for d, raw in restored_raw.items())  # byte for byte

    with restored(tmp_path / "after", tmp_path / "r2", database) as (config, env):
        assert listed(config, "register", env) == original
        assert archived(tmp_path / "r2" / "var", env) == sent
        assert listed(config, "outbox", env) == answers  # the same answers, same ids

    victim = tmp_path / "after" / "config" / "agencies.yaml"
    victim.write_bytes(victim.read_bytes() + b"\n")
    broken = run_cli("backup", "verify", str(tmp_path / "after"), cwd=tmp_path)
    assert broken.returncode == 1
    assert "sai tổng kiểm SHA-256" in broken.stderr
    refused = run_cli(
        "restore", str(tmp_path / "during"), "--into", str(tmp_path / "r1"), cwd=tmp_path
    )
    assert refused.returncode == 1 and "--force" in refused.stderr


@contextmanager
def restored(
    backup: Path, into: Path, database: dict[str, str]
) -> Iterator[tuple[Path, dict[str, str]]]:
    """Restore ``backup`` into ``into`` (into a scratch PostgreSQL database when the source
    was PostgreSQL); yields the restored config and the environment to read it with."""
    args = ["restore", str(backup), "--into", str(into)]
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if database:
            url = stack.enter_context(scratch_database(POSTGRES, "backup_dst"))
            args += ["--database-url", url]
            env = {"GATEWAY_GATEWAY__DATABASE_URL": url}
        result = run_cli(*args, cwd=into.parent)
        assert result.returncode == 0, result.stderr
        if not database:
            db = sqlite3.connect(into / "var" / "gateway.db")
            try:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            finally:
                db.close()
        yield into / "gateway.toml", env
