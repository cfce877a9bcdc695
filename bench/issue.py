"""Issuing: how fast the city's documents reach their recipients and come back confirmed.

``python bench/issue.py [--recipients R] [--documents N] [--smoke] [--figures FILE]
[--json]``

Two real ``gateway serve`` on loopback (R-ISSUE, R-DELIVERY, DESIGN §4.7): the city
(``[outgoing] agency = ["VP"]``) and one gateway standing for its units — it takes every
unit's address. The city's outbox relays through the mail system between them
(``tests/gateway/issuing/forwarding_relay.py``), which notes when each copy was handed on
to the units' gateway; that gateway verifies each copy, registers it (the first copy of a
document; the others are the same document by law and are answered with its number,
DESIGN §4.4) and answers ``03``. Its answers reach the city's SMTP port through a relay
that gives each the address of the unit it answers for (one gateway stands for 30: the
city accepts an answer only from the recipient), and the city's intake records the
confirmation. Two runs, one after the other on the same pair:

1. one document to R recipients (``gateway issue cv.pdf --to CODE,…``);
2. N documents to R recipients, issued one after the other.

Measured for each: the ``gateway issue`` command per document; *handed* — from the first
issue until the relay has every copy (deliveries per second); *confirmed* — until every
delivery is ``received`` in the city's outgoing register. The baseline, in the same run,
is the incoming pipeline: the units' gateway takes each copy in as any incoming document
(verify, read, register, answer), and its throughput is the copies over the time from the
first copy handed to the last confirmation. The ratio is handed per second ÷ incoming per
second: above 1, issuing outruns the receiving side, as it should.

Full size (on demand): R = every unit of the sample directory but the city's office (29),
N = 100 — 2 900 copies the units' gateway reads: an hour on this machine; ``--documents
10`` gives the figures in minutes. ``--smoke`` (CI): R = 3, N = 2. Exit 1 when a delivery
is not confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import smtplib
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.support import figures  # noqa: E402
from tests.gateway.issuing.conftest import CITY, city_document  # noqa: E402
from tests.gateway.issuing.forwarding_relay import ForwardingRelay, Route  # noqa: E402
from tests.support.gateway_process import GatewayProcess  # noqa: E402
from tests.support.pki import TestPki, make_pki  # noqa: E402
from tests.support.sink import HOST, free_port  # noqa: E402

UPPER = "cap-tren"  # the directory group of the bodies above the city (not its units)
CONFIRM_TIMEOUT = 1800.0


@dataclass
class RunResult:
    documents: int
    recipients: int
    issue_seconds_per_document: float
    handed_seconds: float  # first issue → the relay has every copy
    handed_per_second: float
    confirmed_seconds: float | None  # first issue → every delivery received; None: not all
    incoming_per_second: float | None  # the units' gateway's throughput on the copies
    ratio: float | None  # handed per second ÷ incoming per second


class HandOvers:
    """When the relay handed each copy on (monotonic seconds), and to which unit each
    copy (by its Message-ID) went."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.recipient_of: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, recipient: str, raw: bytes) -> None:
        headers = BytesParser(policy=policy.SMTP).parsebytes(raw, headersonly=True)
        message_id = str(headers["Message-ID"])
        with self._lock:
            self.times.append(time.monotonic())
            self.recipient_of[message_id] = recipient

    def count_since(self, start: float) -> list[float]:
        with self._lock:
            return [t for t in self.times if t >= start]


class _AnswerHandler:
    """Gives each answer of the units' gateway the address of the unit it answers for (the
    copy's recipient, found by In-Reply-To), as that unit's own gateway would send it."""

    def __init__(self, hand_overs: HandOvers, city_port: int) -> None:
        self._hand_overs = hand_overs
        self._city_port = city_port

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.SMTP).parsebytes(bytes(envelope.original_content))
        unit = self._hand_overs.recipient_of.get(str(message["In-Reply-To"]))
        sender = str(envelope.mail_from)
        if unit is not None:
            del message["From"]
            message["From"] = unit
            sender = unit
        raw = message.as_bytes(policy=policy.SMTP)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, _send, self._city_port, sender, envelope.rcpt_tos, raw)
        except (OSError, smtplib.SMTPException):
            return "451 4.4.1 Next hop not reachable, try later"
        return "250 2.0.0 OK"


def _send(port: int, sender: str, recipients: list[str], raw: bytes) -> None:
    with smtplib.SMTP(HOST, port, timeout=30) as client:
        client.sendmail(sender, recipients, raw)


def _gateway(root: Path, pki: TestPki, address: str | list[str], **env: str) -> GatewayProcess:
    addresses = address if isinstance(address, list) else [address]
    return GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_OUTGOING__FROM_ADDRESS": addresses[0],
            "GATEWAY_SMTP__ADDRESSES": json.dumps(addresses),
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            **env,
        },
    )


def _units(city: GatewayProcess, count: int) -> list[dict[str, Any]]:
    """The first ``count`` units (0: all) of the city's directory that have a mailbox,
    but for the city's office itself (VP, the sender)."""
    agencies = city.cli_json("directory", "list")
    units = [a for a in agencies if a["group"] != UPPER and a["addresses"] and a["code"] != "VP"]
    if len(units) < count:
        raise SystemExit(f"the sample directory has only {len(units)} units with a mailbox")
    return units[:count] if count else units


def _received(city: GatewayProcess, numbers: set[str]) -> tuple[int, int]:
    """(deliveries received, deliveries in all) of the documents ``numbers``."""
    listing = city.cli_json("outgoing", "list")
    mine = [d for d in listing if d["document_number"] in numbers]
    deliveries = [r for d in mine for r in d["recipients"]]
    return sum(r["status"] == "received" for r in deliveries), len(deliveries)


def issue_run(
    city: GatewayProcess,
    hand_overs: HandOvers,
    pki: TestPki,
    *,
    codes: list[str],
    numbers: range,
    scratch: Path,
) -> RunResult:
    pdfs = []
    for number in numbers:
        path = scratch / f"cv-{number}.pdf"
        path.write_bytes(city_document(pki, number))
        pdfs.append(path)
    expected = len(pdfs) * len(codes)
    started = time.monotonic()
    for path in pdfs:
        done = city.cli("issue", str(path), "--to", ",".join(codes), "--json")
        if done.returncode != 0:
            raise SystemExit(f"gateway issue failed: {done.stderr}")
    issue_seconds = (time.monotonic() - started) / len(pdfs)
    while len(hand_overs.count_since(started)) < expected:
        if time.monotonic() - started > CONFIRM_TIMEOUT:
            raise SystemExit("the relay did not get every copy")
        time.sleep(0.05)
    handed_at = hand_overs.count_since(started)
    handed = max(handed_at) - started
    wanted = {f"{number}/UBND-VP" for number in numbers}
    confirmed: float | None = None
    while time.monotonic() - started < CONFIRM_TIMEOUT:
        received, total = _received(city, wanted)
        if total == expected and received == expected:
            confirmed = time.monotonic() - started
            break
        time.sleep(0.5)
    incoming = None
    if confirmed is not None:
        incoming = expected / max(confirmed - (min(handed_at) - started), 1e-6)
    handed_rate = expected / max(handed, 1e-6)
    return RunResult(
        documents=len(pdfs),
        recipients=len(codes),
        issue_seconds_per_document=round(issue_seconds, 2),
        handed_seconds=round(handed, 2),
        handed_per_second=round(handed_rate, 1),
        confirmed_seconds=None if confirmed is None else round(confirmed, 1),
        incoming_per_second=None if incoming is None else round(incoming, 2),
        ratio=None if incoming is None else round(handed_rate / incoming, 2),
    )


def run(recipients: int, documents: int) -> list[RunResult]:
    pki = make_pki()
    hand_overs = HandOvers()
    routes: dict[str, Route] = {}  # filled once the units' gateway listens
    relay = ForwardingRelay(routes, hand_overs).start()
    answers: Controller | None = None
    with tempfile.TemporaryDirectory(prefix="bench-issue-") as scratch:
        root = Path(scratch)
        city = _gateway(
            root / "city",
            pki,
            CITY,
            GATEWAY_OUTGOING__AGENCY='["VP"]',
            GATEWAY_OUTGOING__RELAY=relay.url,
        )
        units_gateway: GatewayProcess | None = None
        try:
            city.start(timeout=120)
            units = _units(city, recipients)
            addresses = [u["addresses"][0] for u in units]
            answers_port = free_port()
            answers = Controller(
                _AnswerHandler(hand_overs, city.port), hostname=HOST, port=answers_port
            )
            answers.start()
            units_gateway = _gateway(
                root / "units",
                pki,
                addresses,
                GATEWAY_OUTGOING__RELAY=f"smtp://{HOST}:{answers_port}",
                GATEWAY_GATEWAY__WORKERS="2",
            )
            units_gateway.start(timeout=120)
            routes.update({a.lower(): Route(units_gateway.port) for a in addresses})
            codes = [u["code"] for u in units]
            one = issue_run(city, hand_overs, pki, codes=codes, numbers=range(1, 2), scratch=root)
            numbers = range(101, 101 + documents)
            many = issue_run(city, hand_overs, pki, codes=codes, numbers=numbers, scratch=root)
            return [one, many]
        finally:
            city.stop()
            if units_gateway is not None:
                units_gateway.stop()
            if answers is not None:
                answers.stop()
            relay.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--recipients", type=int, default=0, help="units each document goes to (0: all 29)"
    )
    parser.add_argument("--documents", type=int, default=100, help="documents of the second run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    figures.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.recipients, args.documents = 3, 2
    results = run(args.recipients, args.documents)
    if args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            confirmed = "NOT ALL" if r.confirmed_seconds is None else f"{r.confirmed_seconds} s"
            print(
                f"{r.documents} document(s) × {r.recipients} recipients: "
                f"issue {r.issue_seconds_per_document} s/document; "
                f"handed to the relay in {r.handed_seconds} s ({r.handed_per_second}/s); "
                f"all confirmed after {confirmed}; "
                f"incoming baseline {r.incoming_per_second}/s; ratio {r.ratio}"
            )
    one, many = results
    figures.write(
        args.figures,
        {
            "issue command": (one.issue_seconds_per_document, "s/document"),
            f"1×{one.recipients} handed": (one.handed_seconds, "s"),
            f"1×{one.recipients} confirmed": (one.confirmed_seconds or -1, "s"),
            f"{many.documents}×{many.recipients} handed": (many.handed_per_second, "copies/s"),
            f"{many.documents}×{many.recipients} confirmed": (many.confirmed_seconds or -1, "s"),
            "handed ÷ incoming": (many.ratio or -1, "×"),
        },
    )
    return 0 if all(r.confirmed_seconds is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
