"""Two deployments of the gateway talk to each other (DESIGN §4.7, R-DELIVERY: "an outgoing
document of one agency is an incoming document of another").

The city (VP) issues a signed công văn with ``gateway issue`` to QLDT, KT and a phường
whose mailbox does not exist. Real SMTP on loopback: the city's outbox relays through
the mail system between them (:mod:`tests.gateway.issuing.forwarding_relay`), which hands
QLDT's copy to QLDT's own gateway, flips a byte of KT's copy on the way to KT's gateway,
and refuses the phường's address. QLDT's gateway verifies, registers and answers; KT's
refuses the tampered copy; both answers travel back over SMTP to the city, whose outgoing
register then shows, recipient by recipient, received with QLDT's incoming number, refused
with KT's reasons, and bounced.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.issuing.conftest import CITY, UNIT, city_document
from tests.gateway.issuing.forwarding_relay import ForwardingRelay, Route
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki

KT = "vanthu@kinhte.rachgia.example.gov.vn"
ANHOA = "vanthu@anhoa.rachgia.example.gov.vn"  # no such mailbox in this mail system


def _deployment(root: Path, pki: TestPki, address: str, **env: str) -> GatewayProcess:
    return GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_OUTGOING__FROM_ADDRESS": address,
            "GATEWAY_SMTP__ADDRESSES": json.dumps([address]),
            "GATEWAY_GATEWAY__CLOCK_INTERVAL_SECONDS": "1",
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",  # three gateways on a shared machine
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            **env,
        },
    )


@pytest.fixture
def deployments(tmp_path: Path, pki: TestPki) -> Iterator[dict[str, GatewayProcess]]:
    city = _deployment(tmp_path / "city", pki, CITY, GATEWAY_OUTGOING__AGENCY='["VP"]')
    qldt = _deployment(tmp_path / "qldt", pki, UNIT)
    kt = _deployment(tmp_path / "kt", pki, KT)
    relay = ForwardingRelay({UNIT: Route(qldt.port), KT: Route(kt.port, tamper=True)}).start()
    city.env["GATEWAY_OUTGOING__RELAY"] = relay.url
    for unit in (qldt, kt):  # the units answer straight to the city's gateway
        unit.env["GATEWAY_OUTGOING__RELAY"] = f"smtp://127.0.0.1:{city.port}"
    try:
        for process in (city, qldt, kt):
            process.start(timeout=120)
        yield {"city": city, "qldt": qldt, "kt": kt}
    finally:
        for process in (city, qldt, kt):
            process.stop()
        relay.stop()


def _states(city: GatewayProcess) -> dict[str, dict[str, Any]]:
    listing = city.cli_json("outgoing", "list")
    return {r["code"]: r for r in listing[0]["recipients"]}


def test_the_city_issues_and_sees_each_units_answer(
    deployments: dict[str, GatewayProcess], tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN three running gateways (the city, QLDT, KT) and the mail system between them
    WHEN the city's clerk runs ``gateway issue cv.pdf --to QLDT,KT --to P-ANHOA``
    THEN within seconds the city's ``outgoing list --json`` shows QLDT ``received`` with
    the incoming number QLDT's own register gave the document, KT ``refused`` with its
    reason codes (the copy it got was altered after signing), P-ANHOA ``bounced``; QLDT's
    register holds the document with our số/ký hiệu, and no answer was registered at the
    city as an incoming document."""
    city, qldt = deployments["city"], deployments["qldt"]
    pdf = tmp_path / "cv-32.pdf"
    pdf.write_bytes(city_document(pki, 32))

    issued = city.cli("issue", str(pdf), "--to", "QLDT,KT", "--to", "P-ANHOA", "--json")
    assert issued.returncode == 0, issued.stderr
    document = json.loads(issued.stdout)
    assert document["document_number"] == "32/UBND-VP"

    deadline = time.monotonic() + 90
    states = _states(city)
    while time.monotonic() < deadline:
        states = _states(city)
        if all(states[c]["status"] not in {"queued", "sent"} for c in ("QLDT", "KT", "P-ANHOA")):
            break
        time.sleep(0.5)
    theirs = qldt.cli_json("register", "list")
    assert [e["document_number"] for e in theirs] == ["32/UBND-VP"]
    assert states["QLDT"]["status"] == "received", (states, city.log_text()[-3000:])
    assert states["QLDT"]["their_number"] == f"{theirs[0]['year']}/{theirs[0]['incoming_number']}"
    assert states["KT"]["status"] == "refused"
    assert "signature-invalid" in states["KT"]["reasons"] or any(
        r.startswith("signature-") for r in states["KT"]["reasons"]
    )
    assert states["P-ANHOA"]["status"] == "bounced"
    assert "5.1.1" in states["P-ANHOA"]["reasons"][0]
    assert city.cli_json("register", "list") == []  # the answers were not registered
    inbound = city.cli_json("inbound", "list")
    assert len(inbound) == 2 and all(i["entries"] == [] for i in inbound)
