"""End-to-end ingest benchmark: SMTP in → receipt at a sink relay, against its baselines.

``python bench/ingest.py [-n 300] [--size-kb N] [--json] [--no-parallel] [--keep]
[-e GATEWAY_SECTION__KEY=VALUE …]``

One run, on the same N messages (each a distinct công văn, numbered 1..N, signed by a person
then sealed by the agency with the test PKI, its own Message-ID and subject):

1. end to end: a fresh ``gateway serve`` deployment (the test root trusted, receipts sent
   to a sink relay), the N messages over one SMTP connection, from the first MAIL FROM to
   the moment the sink holds all N receipts; every receipt must say ``X-Document-Status:
   03`` and the incoming numbers must be exactly YEAR/1..YEAR/N, else the run fails loudly
   (exit 1). The same again on another fresh deployment over two parallel connections
   (skip with ``--no-parallel``);
2. a bare aiosmtpd sink (``SinkRelay``) taking the same N messages over one connection;
3. ``mailparse.signatures.verify_pdf`` alone, one fresh call per document, in this process;
4. the ratios end-to-end / bare sink and end-to-end / validation alone;
5. SMTP-accept latency p50/p99 over run 1: from the end of DATA (the final ``.``) to the
   250 reply, and the whole MAIL FROM → 250 exchange per message;
6. peak RSS (VmHWM) of the gateway process (and of its children, the verifier processes)
   and of this process; also the CPU time the gateway and its children used per document.

A benchmark, not a test: nothing asserts on times. Preparing the documents (fpdf2 + two
pyHanko signatures each) runs in a process pool before any timing starts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402
from pyhanko_certvalidator.util import get_pyca_cryptography_hash  # noqa: E402
from tests.support.gateway_process import GatewayProcess  # noqa: E402
from tests.support.messages import DEFAULT_BODY, official_mail  # noqa: E402
from tests.support.pdfs import official_document_pdf  # noqa: E402
from tests.support.pki import TestPki, make_pki  # noqa: E402
from tests.support.signing import AGENCY_FIELD, PERSON_FIELD, _sign_async  # noqa: E402
from tests.support.sink import HOST, ReceivedMessage, SinkRelay  # noqa: E402

from mailparse.signatures import verify_pdf  # noqa: E402
from mailparse.verdicts import SignatureVerdict  # noqa: E402

SENDER = "vanthu@vp.rachgia.example.gov.vn"  # VP in the sample directory of `gateway init`
GATEWAY_ADDRESS = "vanthu@example.gov.vn"
GATEWAY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the timezone `gateway init` writes
HELO = "bench.vp.rachgia.example.gov.vn"
PERSON_SIGNED_AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
DEFAULT_N = 300
SMTP_TIMEOUT = 120.0


class BenchmarkError(Exception):
    """The run did not do what it measures (wrong receipts, refused mail): exit 1."""


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Document:
    number: int
    message_id: str
    pdf: bytes
    raw: bytes


# Per worker process: the signers, built once (see _KeyedSigner).
_SIGNERS: dict[str, signers.PdfSigner] = {}


class _KeyedSigner(signers.SimpleSigner):
    """``SimpleSigner`` that keeps its RSA key loaded.

    pyHanko's ``SimpleSigner.sign_raw`` re-parses the PKCS#8 key on every call (~36 ms,
    twice per signature); the signatures it makes are the same.
    """

    def __init__(self, key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._loaded_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _pdf_signer(key_der: bytes, chain_der: Sequence[bytes], field_name: str) -> signers.PdfSigner:
    key = serialization.load_der_private_key(key_der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    cert, *chain = (asn1_x509.Certificate.load(der) for der in chain_der)
    signer = _KeyedSigner(
        key,
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    return signers.PdfSigner(signers.PdfSignatureMetadata(field_name=field_name), signer)


def _credential_der(pki: TestPki) -> dict[str, tuple[bytes, list[bytes]]]:
    """Key and certificate chain (signer first) of the person and the agency, as DER."""

    def der(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.DER)

    found = {}
    for field_name, credential in ((PERSON_FIELD, pki.person), (AGENCY_FIELD, pki.agency)):
        key = credential.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        found[field_name] = (key, [der(credential.cert), *(der(c) for c in credential.chain)])
    return found


def _init_worker(credentials: dict[str, tuple[bytes, list[bytes]]]) -> None:
    for field_name, (key, chain) in credentials.items():
        _SIGNERS[field_name] = _pdf_signer(key, chain, field_name)


def _padded_mail(number: int, message_id: str, pdf: bytes, size_kb: int) -> bytes:
    subject = f"Công văn số {number}/UBND-VP V/v thử nghiệm hiệu năng tiếp nhận số {number}"
    attachments = [(f"{number}-UBND-VP.pdf", pdf, "application/pdf")]

    def build(filler_lines: int) -> bytes:
        filler = "Nội dung bổ sung để đạt kích thước thư thử nghiệm.\n" * filler_lines
        return official_mail(
            sender=SENDER,
            to=GATEWAY_ADDRESS,
            subject=subject,
            attachments=attachments,
            body=DEFAULT_BODY + filler,
            message_id=message_id,
        )

    raw = build(0)
    target = size_kb * 1024
    if len(raw) >= target:
        return raw
    per_line = len(build(100)) - len(raw)  # bytes per 100 lines, after transfer encoding
    return build(max(1, (target - len(raw)) * 100 // max(1, per_line) + 1))


def _make_document(number: int, run_tag: str, size_kb: int) -> Document:
    pdf = official_document_pdf(
        number=str(number),
        symbol="UBND-VP",
        issued_on=date(2026, 11, 20),
        summary=f"thử nghiệm hiệu năng tiếp nhận văn bản điện tử, văn bản số {number}",
    )
    signed_at = PERSON_SIGNED_AT
    for field_name in (PERSON_FIELD, AGENCY_FIELD):
        pdf = asyncio.run(_sign_async(pdf, _SIGNERS[field_name], signed_at))
        signed_at += timedelta(minutes=20)
    message_id = f"<bench-{run_tag}-{number}@vp.rachgia.example.gov.vn>"
    return Document(number, message_id, pdf, _padded_mail(number, message_id, pdf, size_kb))


def prepare_documents(pki: TestPki, count: int, size_kb: int) -> list[Document]:
    run_tag = f"{os.getpid()}-{time.time_ns()}"
    workers = max(1, min(os.cpu_count() or 1, count))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(_credential_der(pki),)
    ) as pool:
        numbers = range(1, count + 1)
        return list(
            pool.map(_make_document, numbers, [run_tag] * count, [size_kb] * count, chunksize=8)
        )


# --------------------------------------------------------------------------- SMTP client


def _dot_stuffed(raw: bytes) -> bytes:
    """What smtplib's ``data()`` puts on the wire for ``raw`` (CRLF already)."""
    payload = re.sub(rb"(?m)^\.", b"..", raw)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    return payload + b".\r\n"


@dataclass
class SendTimes:
    """Per message: end of DATA → 250, and MAIL FROM → 250 (seconds)."""

    accept: list[float] = field(default_factory=list)
    transaction: list[float] = field(default_factory=list)
    first_mail: float = 0.0
    last_reply: float = 0.0


def _expect(code: int, reply: bytes, wanted: int, what: str) -> None:
    if code != wanted:
        raise BenchmarkError(f"{what}: expected {wanted}, got {code} {reply!r}")


def _send_one(client: smtplib.SMTP, raw: bytes, times: SendTimes) -> None:
    started = time.perf_counter()
    _expect(*client.mail(SENDER), 250, "MAIL FROM")
    _expect(*client.rcpt(GATEWAY_ADDRESS), 250, "RCPT TO")
    client.putcmd("data")
    _expect(*client.getreply(), 354, "DATA")
    client.send(_dot_stuffed(raw))
    data_end = time.perf_counter()
    _expect(*client.getreply(), 250, "end of DATA")
    done = time.perf_counter()
    times.accept.append(done - data_end)
    times.transaction.append(done - started)
    times.last_reply = done


def send_messages(port: int, messages: Sequence[bytes], connections: int = 1) -> SendTimes:
    """Send ``messages`` (round-robin over ``connections``), all starting together."""
    shares = [list(messages[i::connections]) for i in range(connections)]
    per_connection = [SendTimes() for _ in shares]
    ready = threading.Barrier(connections + 1)
    go = threading.Event()
    errors: list[BaseException] = []

    def run(share: list[bytes], times: SendTimes) -> None:
        try:
            with smtplib.SMTP(HOST, port, timeout=SMTP_TIMEOUT) as client:
                client.ehlo(HELO)
                ready.wait()
                go.wait()
                for raw in share:
                    _send_one(client, raw, times)
        except BaseException as exc:
            errors.append(exc)
            ready.abort()

    threads = [
        threading.Thread(target=run, args=(share, times), daemon=True)
        for share, times in zip(shares, per_connection, strict=True)
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    first_mail = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchmarkError(f"sending failed: {errors[0]!r}") from errors[0]
    merged = SendTimes(first_mail=first_mail)
    for times in per_connection:
        merged.accept += times.accept
        merged.transaction += times.transaction
        merged.last_reply = max(merged.last_reply, times.last_reply)
    return merged


# --------------------------------------------------------------------------- sinks


class TimedSink(SinkRelay):
    """A ``SinkRelay`` that notes when each message arrived (``time.perf_counter``)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def _store(self, message: ReceivedMessage) -> None:
        self.arrivals.append(time.perf_counter())
        super()._store(message)


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (the gateway's verifier processes, for one)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text(encoding="ascii").split()]
            except OSError:
                continue
            found += kids
            pending += kids
    return found


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by ``pid`` and each of its live descendants."""
    usage = {p: cpu_seconds(p) for p in (pid, *descendants(pid))}
    return {p: seconds for p, seconds in usage.items() if seconds is not None}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far; None when unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"; utime, stime are 14, 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_kib(pid: int | str = "self") -> int | None:
    """Peak resident set size (VmHWM) of a process, in KiB; None when unreadable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- runs


@dataclass
class EndToEnd:
    connections: int
    documents: int
    seconds: float
    documents_per_second: float
    intake_seconds: float
    intake_messages_per_second: float
    first_receipt_seconds: float
    accept_p50_ms: float
    accept_p99_ms: float
    transaction_p50_ms: float
    transaction_p99_ms: float
    gateway_cpu_seconds: float
    gateway_main_cpu_seconds: float
    gateway_children: int
    gateway_peak_rss_kib: int | None
    gateway_children_peak_rss_kib: int
    duplicate_receipts: int
    log_warnings: int
    log_errors: int
    deployment: str


def _percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def check_receipts(received: Sequence[ReceivedMessage], documents: Sequence[Document]) -> int:
    """Raise unless there is one 03 receipt per document, numbered YEAR/1..YEAR/N.

    Returns how many extra copies (same Message-ID) arrived: relay delivery is at least once.
    """
    answers: dict[str, EmailMessage] = {}
    for message in received:
        parsed = BytesParser(policy=policy.default).parsebytes(message.raw)
        assert isinstance(parsed, EmailMessage)
        answers.setdefault(str(parsed["Message-ID"]), parsed)
    problems: list[str] = []
    statuses = sorted({str(a["X-Document-Status"]) for a in answers.values()})
    if statuses != ["03"]:
        reasons = sorted({str(a["X-Reject-Reasons"]) for a in answers.values()})
        problems.append(f"X-Document-Status values {statuses} (reject reasons: {reasons})")
    numbers: list[str] = []
    for answer in answers.values():
        numbers += [n.strip() for n in str(answer["X-Incoming-Number"] or "").split(",")]
    year = datetime.now(GATEWAY_ZONE).year
    expected = [f"{year}/{n}" for n in range(1, len(documents) + 1)]
    if sorted(numbers) != sorted(expected):
        missing = sorted(set(expected) - set(numbers))[:10]
        extra = sorted(set(numbers) - set(expected))[:10]
        problems.append(
            f"X-Incoming-Number: {len(numbers)} numbers, {len(set(numbers))} distinct; "
            f"missing {missing}, unexpected {extra}"
        )
    replied_to = sorted(str(a["In-Reply-To"]) for a in answers.values())
    if replied_to != sorted(d.message_id for d in documents):
        problems.append("In-Reply-To values are not exactly the Message-IDs sent")
    if problems:
        raise BenchmarkError("receipts are wrong:\n  " + "\n  ".join(problems))
    return len(received) - len(answers)


def _log_counts(text: str) -> tuple[int, int]:
    warnings = len(re.findall(r"\bWARNING\b", text))
    errors = len(re.findall(r"\b(?:ERROR|CRITICAL)\b", text))
    return warnings, errors


def run_end_to_end(
    workdir: Path,
    pki: TestPki,
    documents: Sequence[Document],
    connections: int,
    extra_env: dict[str, str] | None = None,
) -> EndToEnd:
    count = len(documents)
    sink = TimedSink()
    sink.start()
    gateway = GatewayProcess(
        workdir / f"deploy-{connections}conn",
        pki.root_pem(),
        env={**(extra_env or {}), "GATEWAY_OUTGOING__RELAY": sink.url},
    )
    try:
        gateway.start()
        assert gateway.process is not None
        pid = gateway.process.pid
        cpu_before = tree_cpu(pid)
        times = send_messages(gateway.port, [d.raw for d in documents], connections)
        try:
            received = sink.wait_for(count, timeout=120.0 + 2.0 * count)
        except TimeoutError as exc:
            tail = "\n".join(gateway.log_text().splitlines()[-30:])
            raise BenchmarkError(f"{exc}; gateway log ends with:\n{tail}") from exc
        last_receipt = sink.arrivals[count - 1]
        first_receipt = sink.arrivals[0]
        cpu_after = tree_cpu(gateway.process.pid)
        peak = vm_hwm_kib(gateway.process.pid)
        children = descendants(gateway.process.pid)
        children_peak = sum(vm_hwm_kib(child) or 0 for child in children)
    finally:
        gateway.stop()
        sink.stop()
    duplicates = check_receipts(received, documents)
    warnings, errors = _log_counts(gateway.log_text())
    seconds = last_receipt - times.first_mail
    intake = times.last_reply - times.first_mail
    return EndToEnd(
        connections=connections,
        documents=count,
        seconds=seconds,
        documents_per_second=count / seconds,
        intake_seconds=intake,
        intake_messages_per_second=count / intake,
        first_receipt_seconds=first_receipt - times.first_mail,
        accept_p50_ms=1000 * _percentile(times.accept, 0.50),
        accept_p99_ms=1000 * _percentile(times.accept, 0.99),
        transaction_p50_ms=1000 * _percentile(times.transaction, 0.50),
        transaction_p99_ms=1000 * _percentile(times.transaction, 0.99),
        gateway_cpu_seconds=sum(cpu - cpu_before.get(p, 0.0) for p, cpu in cpu_after.items()),
        gateway_main_cpu_seconds=cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0),
        gateway_children=len(children),
        gateway_peak_rss_kib=peak,
        gateway_children_peak_rss_kib=children_peak,
        duplicate_receipts=duplicates,
        log_warnings=warnings,
        log_errors=errors,
        deployment=str(gateway.root),
    )


@dataclass
class Baseline:
    count: int
    seconds: float
    per_second: float


def run_bare_sink(documents: Sequence[Document]) -> Baseline:
    with SinkRelay() as sink:
        times = send_messages(sink.port, [d.raw for d in documents])
        received = sink.wait_for(len(documents), timeout=60.0)
    if [m.raw for m in received] != [d.raw for d in documents]:
        raise BenchmarkError("the bare sink did not receive the messages as sent")
    seconds = times.last_reply - times.first_mail
    return Baseline(len(documents), seconds, len(documents) / seconds)


def run_validation(pki: TestPki, documents: Sequence[Document]) -> Baseline:
    trust = pki.trust_store()
    started = time.perf_counter()
    verdicts = [verify_pdf(d.pdf, trust, datetime.now(UTC)) for d in documents]
    seconds = time.perf_counter() - started
    for document, result in zip(documents, verdicts, strict=True):
        found = [s.verdict for s in result.signatures]
        if found != [SignatureVerdict.VALID, SignatureVerdict.VALID]:
            raise BenchmarkError(f"document {document.number}: signatures {found}")
    return Baseline(len(documents), seconds, len(documents) / seconds)


# --------------------------------------------------------------------------- report


def _rss(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def print_table(report: dict[str, Any]) -> None:
    runs: list[dict[str, Any]] = report["end_to_end"]
    sink, validation = report["bare_sink"], report["validation_alone"]
    setup = report["setup"]
    print(
        f"ingest benchmark: {setup['documents']} documents, mean message "
        f"{setup['mean_message_kib']:.1f} KiB (PDF {setup['mean_pdf_kib']:.1f} KiB), "
        f"{setup['cpus']} CPUs; preparing them took {setup['prepare_seconds']:.1f} s"
    )
    print()
    print(f"{'measurement':<46}{'rate':>14}{'time':>10}")
    for run in runs:
        label = f"end to end, {run['connections']} connection(s), SMTP → receipt"
        print(f"{label:<46}{run['documents_per_second']:>9.1f} doc/s{run['seconds']:>9.2f}s")
        label = f"  of which SMTP intake ({run['connections']} conn.)"
        print(
            f"{label:<46}{run['intake_messages_per_second']:>9.1f} msg/s"
            f"{run['intake_seconds']:>9.2f}s"
        )
        cpu = run["gateway_cpu_seconds"]
        main_cpu = run["gateway_main_cpu_seconds"]
        print(
            f"  gateway CPU {cpu:.1f} s ({1000 * cpu / run['documents']:.0f} ms/doc, "
            f"{cpu / run['seconds']:.2f} cores busy): main process "
            f"{1000 * main_cpu / run['documents']:.0f} ms/doc, "
            f"{run['gateway_children']} child processes "
            f"{1000 * (cpu - main_cpu) / run['documents']:.0f} ms/doc"
        )
    print(
        f"{'bare aiosmtpd sink, 1 connection':<46}{sink['per_second']:>9.1f} msg/s"
        f"{sink['seconds']:>9.2f}s"
    )
    print(
        f"{'pyHanko verify_pdf alone, 1 process':<46}{validation['per_second']:>9.1f} doc/s"
        f"{validation['seconds']:>9.2f}s"
    )
    print()
    ratios = report["ratios"]
    print(f"end to end / bare sink          {ratios['end_to_end_per_bare_sink']:.3f}")
    print(f"end to end / validation alone   {ratios['end_to_end_per_validation']:.3f}")
    if "two_connections_per_one" in ratios:
        print(f"2 connections / 1 connection    {ratios['two_connections_per_one']:.3f}")
    print()
    first = runs[0]
    print(
        "SMTP accept latency, run 1 (end of DATA → 250):   "
        f"p50 {first['accept_p50_ms']:.2f} ms, p99 {first['accept_p99_ms']:.2f} ms"
    )
    print(
        "SMTP transaction, run 1 (MAIL FROM → 250):        "
        f"p50 {first['transaction_p50_ms']:.2f} ms, p99 {first['transaction_p99_ms']:.2f} ms"
    )
    print(
        f"first receipt after                               {first['first_receipt_seconds']:.2f} s"
    )
    print()
    for run in runs:
        print(
            f"peak RSS gateway ({run['connections']} conn.): {_rss(run['gateway_peak_rss_kib'])}"
            f" (+ {_rss(run['gateway_children_peak_rss_kib'])} in its children); "
            f"log: {run['log_warnings']} warnings, {run['log_errors']} errors; "
            f"{run['duplicate_receipts']} duplicate receipts"
        )
    print(f"peak RSS benchmark process: {_rss(report['benchmark_peak_rss_kib'])}")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=DEFAULT_N, help="documents (default %(default)s)")
    parser.add_argument(
        "--size-kb",
        type=int,
        default=0,
        help="pad each message's text body up to this size (default: no padding)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument(
        "--no-parallel", action="store_true", help="skip the 2-connection end-to-end run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the deployment directories")
    parser.add_argument(
        "-e",
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the gateway, e.g. GATEWAY_GATEWAY__VERIFY_PROCESSES=0",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("-n must be at least 1")
    if any("=" not in item for item in args.gateway_env):
        parser.error("--gateway-env takes KEY=VALUE")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    pki = make_pki()
    started = time.perf_counter()
    documents = prepare_documents(pki, args.n, args.size_kb)
    prepare_seconds = time.perf_counter() - started
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    runs: list[EndToEnd] = []
    gateway_env = dict(item.split("=", 1) for item in args.gateway_env)
    try:
        for connections in (1,) if args.no_parallel else (1, 2):
            runs.append(run_end_to_end(workdir, pki, documents, connections, gateway_env))
    except BenchmarkError as exc:
        raise BenchmarkError(f"{exc}\n(deployments and their serve.log kept in {workdir})") from exc
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    sink = run_bare_sink(documents)
    validation = run_validation(pki, documents)
    one = runs[0].documents_per_second
    ratios = {
        "end_to_end_per_bare_sink": one / sink.per_second,
        "end_to_end_per_validation": one / validation.per_second,
    }
    if len(runs) > 1:
        ratios["two_connections_per_one"] = runs[1].documents_per_second / one
    return {
        "setup": {
            "documents": args.n,
            "size_kb": args.size_kb,
            "mean_message_kib": statistics.fmean(len(d.raw) for d in documents) / 1024,
            "mean_pdf_kib": statistics.fmean(len(d.pdf) for d in documents) / 1024,
            "cpus": os.cpu_count(),
            "prepare_seconds": prepare_seconds,
            "workdir": str(workdir) if args.keep else None,
            "gateway_env": gateway_env,
        },
        "end_to_end": [asdict(r) for r in runs],
        "bare_sink": asdict(sink),
        "validation_alone": asdict(validation),
        "ratios": ratios,
        "benchmark_peak_rss_kib": vm_hwm_kib(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = run(args)
    except BenchmarkError as exc:
        print("\n" + "!" * 72, file=sys.stderr)
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
