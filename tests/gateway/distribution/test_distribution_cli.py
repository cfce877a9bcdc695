"""``gateway distribute`` and ``gateway register slip`` against a real ``gateway serve``
(R-DISTRIB, DESIGN §4.8): SMTP in, a proposal waiting, the shell decides, the routed copy
and the 04 notice come out of the outbox, the slip prints the instruction and the units."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.gateway.distribution.conftest import (
    AGENCY,
    proposing_gateway,
    send,
    signed_mail,
    wait_for,
)
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

NOTE = "Phòng Tư pháp thẩm định, báo cáo Chủ tịch trước ngày 10/12."


@pytest.fixture
def gateway(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    process = proposing_gateway(tmp_path / "deploy", pki)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_r_distrib_gateway_distribute_routes_once_and_the_slip_prints_the_decision(
    gateway: GatewayProcess, pki: TestPki, tmp_path: Path
) -> None:
    """GIVEN a budget document mailed to a gateway whose rule proposes it to PCT
    WHEN ``register show --json`` is read, then ``gateway distribute N --lead TP
    --cooperate KT --note … --by phochutich``, then the same again by another leader,
    then ``gateway register slip N``
    THEN the entry first awaits with the proposal and ``distribution.by`` null; the
    decision routes the document to TP with the instruction, the sender gets 04; the second
    decision exits 1 in Vietnamese and routes nothing; the slip (A4 PDF) shows the
    instruction, who gave it, and the lead and cooperating units."""
    send(gateway, signed_mail(pki, "80", "dự toán ngân sách năm 2027"))
    receipts = wait_for(lambda: [m for m in gateway.outbox() if m["X-Document-Status"] == "03"])
    assert receipts, gateway.log_text()
    [entry] = gateway.cli_json("register", "list")
    number = f"{entry['year']}/{entry['incoming_number']}"
    shown = gateway.cli_json("register", "show", number)
    assert shown["status"] == "awaiting_distribution"
    assert shown["assignments"] == []
    assert shown["distribution"]["by"] is None
    assert [a["unit"] for a in shown["distribution"]["proposed"]["assignments"]] == [
        "TCKH",
        "KT",
        "VP",
    ]

    decided = gateway.cli(
        "distribute", number, "--lead", "TP", "--cooperate", "KT", "--note", NOTE,
        "--by", "phochutich", "--json",
    )  # fmt: skip
    assert decided.returncode == 0, decided.stderr
    copies = wait_for(lambda: [m for m in gateway.outbox(routed=True) if "tuphap@" in str(m["To"])])
    [copy] = copies
    body = copy.get_body(("plain",))
    assert body is not None
    assert NOTE in " ".join(body.get_content().split())
    notices = wait_for(lambda: [m for m in gateway.outbox() if m["X-Document-Status"] == "04"])
    assert [str(n["To"]) for n in notices] == [AGENCY]

    again = gateway.cli("distribute", number, "--lead", "NV", "--by", "lanhdao")
    assert again.returncode == 1
    assert "đã được phân công" in again.stderr
    shown = gateway.cli_json("register", "show", number)
    assert [(a["unit"], a["role"]) for a in shown["assignments"]] == [
        ("TP", "lead"),
        ("KT", "cooperate"),
    ]
    assert shown["distribution"]["by"] == "phochutich"
    assert shown["distribution"]["note"] == NOTE

    output = tmp_path / "phieu.pdf"
    printed = gateway.cli("register", "slip", number, "--output", str(output))
    assert printed.returncode == 0, printed.stderr
    reader = PdfReader(output)
    assert len(reader.pages) == 1
    assert abs(float(reader.pages[0].mediabox.width) - 595.28) < 1  # A4 portrait
    text = " ".join(reader.pages[0].extract_text().split())
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in text
    assert NOTE in text
    assert "Phó Chủ tịch UBND" in text  # who gave the instruction (leaders of rules.yaml)
    assert "Phòng Tư pháp" in text and "Phòng Kinh tế" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(output), str(tmp_path / "phieu")], check=True
        )
        assert (tmp_path / "phieu-1.png").stat().st_size > 0
