"""Signature verification benchmark: documents/s for two-signature PDFs, in one run.

``python bench/verify.py [-n 60] [--pages 1 50] [--processes 2] [--json] [--smoke]
[--figures FILE]``

For each size (1-page and 50-page công văn, signed by a person then sealed by the agency
with the test PKI; N distinct documents each, made before any timing starts):

1. **pyHanko plain**: one fresh process of its own (pyHanko as shipped, without the
   gateway's :mod:`mailparse.signatures.speedups`), ``async_validate_pdf_signature`` on
   every embedded signature with a fresh offline ``ValidationContext`` (roots +
   intermediates, soft-fail) per signature — what a straightforward integration does (the baseline);
2. **verifier, 1 process**: ``mailparse.signatures.verify.verify_pdf`` (every check of the
   gateway: field enumeration, tail check, /DSS, revocation outcome, report), no cache;
3. **verifier, 1 process + chain cache**: the same with a warm ``ChainCache`` (the cache's
   gain is 3 vs 2);
4. **pool**: ``gateway.trust.verifier.ProcessVerifier`` with ``--processes`` processes (each with
   its chain cache), fed by as many threads as processes × 2, like the gateway's workers.

Ratios are against (1). Every run must report the expected verdicts (valid, valid), else
the benchmark fails loudly. A benchmark, not a test: nothing asserts on times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from bench.support import figures
from gateway.trust.verifier import LocalVerifier, ProcessVerifier
from mailparse.signatures.verdicts import SignatureVerdict, TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.support.pdfs import official_document_pdf
from tests.support.pki import make_pki
from tests.support.signing import sign_as_person_then_agency

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


def _make(args: tuple[int, int]) -> bytes:
    number, pages = args
    pki = make_pki()
    pdf = official_document_pdf(number=str(number), issued_on=date(2026, 11, 20), pages=pages)
    return sign_as_person_then_agency(pdf, pki)


def documents(n: int, pages: int) -> list[bytes]:
    with ProcessPoolExecutor() as pool:
        return list(pool.map(_make, [(i + 1, pages) for i in range(n)]))


def plain_pyhanko(data: bytes, trust: TrustStore, at: datetime = AT) -> int:
    """The baseline: pyHanko's own loop; returns the number of valid signatures."""

    async def run() -> int:
        reader = PdfFileReader(BytesIO(data))
        valid = 0
        for embedded in reader.embedded_signatures:
            context = ValidationContext(
                trust_roots=[asn1_x509.Certificate.load(d) for d in trust.roots],
                other_certs=[asn1_x509.Certificate.load(d) for d in trust.intermediates],
                moment=at,
                allow_fetching=False,
                revocation_mode="soft-fail",
            )
            status = await async_validate_pdf_signature(
                embedded, context, key_usage_settings=KEY_USAGE
            )
            valid += bool(status.bottom_line)
        return valid

    return asyncio.run(run())


def _pyhanko_in_this_process(
    docs: list[bytes], trust: TrustStore, at: datetime
) -> tuple[float, float]:
    """Seconds and CPU seconds for :func:`plain_pyhanko` over ``docs`` (after one warm-up
    document)."""
    if generic.read_hex_string_from_stream.__module__ != generic.__name__:
        raise SystemExit("pyHanko alone must run without mailparse.signatures.speedups")
    plain_pyhanko(docs[0], trust, at)
    start, cpu = time.perf_counter(), time.process_time()
    valid = [plain_pyhanko(d, trust, at) for d in docs]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    for result in valid:
        _check(result)
    return elapsed, cpu


def pyhanko_alone_timed(
    docs: list[bytes], trust: TrustStore, at: datetime = AT
) -> tuple[float, float]:
    """Seconds and CPU seconds of plain pyHanko over ``docs``, one process of its own.

    A fresh (spawned) process: the gateway's verifier speeds pyHanko up in the process it
    runs in (mailparse.signatures.speedups), and the baseline must be pyHanko as shipped.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_pyhanko_in_this_process, docs, trust, at).result()


def pyhanko_alone(docs: list[bytes], trust: TrustStore, at: datetime = AT) -> float:
    """Documents per second of plain pyHanko, one process of its own."""
    seconds, _cpu = pyhanko_alone_timed(docs, trust, at)
    return len(docs) / seconds


def _check(result: object) -> None:
    if isinstance(result, int):
        ok = result == 2
    else:
        ok = [s.verdict for s in result.signatures] == [SignatureVerdict.VALID] * 2  # type: ignore[attr-defined]
    if not ok:
        raise SystemExit(f"unexpected verification result: {result!r}")


def timed(docs: list[bytes], call: Callable[[bytes], object], threads: int = 1) -> float:
    """Documents per second of ``call`` over ``docs``."""
    start = time.perf_counter()
    if threads == 1:
        results = [call(d) for d in docs]
    else:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(call, docs))
    elapsed = time.perf_counter() - start
    for result in results:
        _check(result)
    return len(docs) / elapsed


def bench(n: int, pages: int, processes: int, trust: TrustStore) -> dict[str, float]:
    docs = documents(n, pages)
    # Warm-up (imports, first-use parsing) outside the timings.
    rates = {"pyhanko_plain": pyhanko_alone(docs, trust)}
    verify_pdf(docs[0], trust, AT)
    local = LocalVerifier()
    local(docs[0], trust, AT)
    rates |= {
        "verifier_1_process": timed(docs, lambda d: verify_pdf(d, trust, AT)),
        "verifier_1_process_cached": timed(docs, lambda d: local(d, trust, AT)),
    }
    pool = ProcessVerifier(processes)
    try:
        pool.warm_up()
        for d in docs[: processes * 2]:  # warm each process's cache
            pool(d, trust, AT)
        rates[f"pool_{processes}_processes"] = timed(
            docs, lambda d: pool(d, trust, AT), threads=processes * 2
        )
    finally:
        pool.close()
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=60, help="documents per size (default 60)")
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    figures.add_arguments(parser)
    args = parser.parse_args()
    if args.smoke:  # CI: two documents, one page, one verifier process
        args.n, args.pages, args.processes = 2, [1], 1
    logging.disable(logging.ERROR)
    pki = make_pki()
    trust = pki.trust_store()
    results: dict[str, dict[str, float]] = {}
    for pages in args.pages:
        n = args.n if pages < 10 or args.smoke else max(10, args.n // 3)
        results[f"{pages}_page"] = bench(n, pages, args.processes, trust)
    figures.write(
        args.figures,
        {
            f"{size.replace('_', '-')} {name.replace('_', ' ')}": (round(rate, 1), "doc/s")
            for size, rates in results.items()
            for name, rate in rates.items()
        },
    )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for size, rates in results.items():
        base = rates["pyhanko_plain"]
        print(f"{size.replace('_', '-')} two-signature PDFs:")
        for name, rate in rates.items():
            print(f"  {name:<28} {rate:8.1f} documents/s   {rate / base:5.2f}x pyHanko plain")
        cached = rates["verifier_1_process_cached"] / rates["verifier_1_process"]
        print(f"  chain cache gain (1 process): {cached:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
