"""Verify every signature of a PDF with pyHanko (DESIGN §1.4 step 4, §4.5; R-SIGN, R-FORGE).

Pure given a trust store: bytes, a :class:`TrustStore` and the time of receipt go in, a
:class:`PdfSignatures` comes out. Nothing is fetched: revocation data comes from the
document's own /DSS and the trust store's local cache. A verdict is a value; only a
document that cannot be read at all (not a PDF, damaged, encrypted) raises
:class:`UnreadableDocumentError`.

This module runs the steps; each lives in its own module:

- :mod:`mailparse.signatures.fields`: open the PDF and classify every filled signature field
  (pyHanko's ``embedded_signatures`` would drop unknown SubFilters and fail as a whole on
  one broken signature);
- :mod:`mailparse.signatures.tail`: unsigned bytes after the last revision, which pyHanko accepts;
- :mod:`mailparse.signatures.trust`: the offline validation context (roots always as a list,
  revocation data from the /DSS and the cache, key usage);
- :mod:`mailparse.signatures.cache`: certificate paths remembered across documents;
- :mod:`mailparse.signatures.revocation`: what the revocation data says (good, revoked, …);
- :mod:`mailparse.signatures.verdict`: pyHanko's status → findings, worst wins (the verdict table);
- :mod:`mailparse.signatures.report`: the :class:`SignatureReport` with the signer's identity,
  the ETSI indication, coverage, modification level, timestamp and chain.

PAdES-LTA document timestamps (/DocTimeStamp) are not reported: they are nobody's signature.
The validation time is always the time of receipt; the signer's claimed time is reported
(``signed_at``) but never trusted, and embedded timestamp tokens are not used to go back.
``validate_pdf_signature`` calls ``asyncio.run`` and so cannot run inside an event loop:
the async validator is used here, and :func:`verify_pdf` wraps it for worker threads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)

from mailparse.documents.indications import SubIndication
from mailparse.documents.pdftext import check_readable
from mailparse.errors import UnreadableDocumentError
from mailparse.pdferrors import PDF_ERRORS, reading_pdf
from mailparse.signatures.anchor import judge_anchor
from mailparse.signatures.cache import ChainCache
from mailparse.signatures.fields import (
    FieldKind,
    SignatureField,
    filled_signature_fields,
    open_pdf,
)
from mailparse.signatures.presence import may_carry_signature
from mailparse.signatures.report import bare_report, report, report_without_status
from mailparse.signatures.revocation import check_revocation
from mailparse.signatures.tail import ends_cleanly
from mailparse.signatures.trust import (
    Revinfo,
    key_usage,
    merged_revinfo,
    read_revinfo,
    validation_context,
)
from mailparse.signatures.verdict import findings
from mailparse.signatures.verdicts import (
    PdfSignatures,
    SignatureReport,
    SignatureVerdict,
    TrustStore,
)

V = SignatureVerdict
S = SubIndication


def verify_pdf(
    data: bytes, trust: TrustStore, at: datetime, cache: ChainCache | None = None
) -> PdfSignatures:
    """Blocking form of :func:`verify_pdf_async`, for a worker thread or process.

    Uses :func:`asyncio.run`: never call it from inside a running event loop.
    """
    return asyncio.run(verify_pdf_async(data, trust, at, cache))


async def verify_pdf_async(
    data: bytes, trust: TrustStore, at: datetime, cache: ChainCache | None = None
) -> PdfSignatures:
    """Every signature of ``data``, earliest first, judged at ``at`` (time of receipt).

    Offline and CPU-bound: awaiting it does not yield to other tasks for long, so a server
    should still run it off its event loop. ``at`` must be timezone-aware.

    :raises UnreadableDocumentError: not a PDF, damaged beyond reading, or encrypted.
    """
    if at.utcoffset() is None:
        raise ValueError("the validation time must be timezone-aware")
    try:
        reader = open_pdf(data)
    except UnreadableDocumentError:
        if may_carry_signature(data):
            raise  # strict where a signature's integrity depends on it
        # R-REF: a file the strict reader refuses but that carries no signature is unsigned
        # when a lenient reader opens it (as every viewer does); else still unreadable.
        check_readable(data)
        return PdfSignatures(signatures=())
    with reading_pdf("the PDF structure cannot be read"):
        fields = list(filled_signature_fields(reader))
        revinfo = read_revinfo(reader)
        clean_tail = ends_cleanly(data, reader)
    document = _Document(reader, trust, at, merged_revinfo(trust, revinfo), clean_tail, cache)
    ordered: list[tuple[int, SignatureReport]] = []
    for field in fields:
        verified = await _verify_field(document, field)
        if verified is not None:
            ordered.append((field.revision, verified))
    ordered.sort(key=lambda item: item[0])
    return PdfSignatures(signatures=tuple(signature for _, signature in ordered))


@dataclass(frozen=True)
class _Document:
    """What every signature of one document is judged against."""

    reader: PdfFileReader
    trust: TrustStore
    at: datetime
    revinfo: Revinfo  # the /DSS and the trust store's cache together
    clean_tail: bool
    cache: ChainCache | None


async def _verify_field(document: _Document, field: SignatureField) -> SignatureReport | None:
    """The report on one filled signature field.

    ``None`` for a PAdES-LTA document timestamp (/DocTimeStamp): it is nobody's signature,
    and difference analysis still judges the revision it adds.
    """
    match field.kind:
        case FieldKind.DOCUMENT_TIMESTAMP:
            return None
        case FieldKind.MALFORMED:
            return bare_report(
                field.name, V.INVALID, "signature dictionary is malformed", S.FORMAT_FAILURE
            )
        case FieldKind.UNSUPPORTED:
            # pyHanko's embedded_signatures would drop this one silently.
            return bare_report(
                field.name, V.INDETERMINATE, "unsupported signature type", S.FORMAT_FAILURE
            )
        case FieldKind.SIGNATURE:
            try:
                return await _validate(document, field)
            except PDF_ERRORS:  # inside one signature: a verdict, never a crash
                return bare_report(
                    field.name, V.INDETERMINATE, "signature cannot be checked", S.FORMAT_FAILURE
                )


async def _validate(document: _Document, field: SignatureField) -> SignatureReport:
    """Run pyHanko on one signature; its failures become verdicts, not exceptions."""
    name = field.name
    try:
        embedded = EmbeddedPdfSignature(document.reader, field.field, name)
    except PDF_ERRORS:
        return bare_report(name, V.INVALID, "signature data is malformed", S.FORMAT_FAILURE)
    trust, at = document.trust, document.at
    try:
        context = validation_context(trust, document.revinfo, at, document.cache)
        status = await async_validate_pdf_signature(
            embedded, context, key_usage_settings=key_usage(trust)
        )
    except SignatureValidationError as exc:
        failed = isinstance(exc.ades_subindication, AdESFailure)
        sub = S.__members__.get(getattr(exc.ades_subindication, "name", ""), S.GENERIC)
        return report_without_status(
            name,
            embedded,
            V.INVALID if failed else V.INDETERMINATE,
            "signature cannot be checked",
            sub,
        )
    except PDF_ERRORS:
        return report_without_status(
            name,
            embedded,
            V.INDETERMINATE,
            "signature format or algorithm not supported",
            S.FORMAT_FAILURE,
        )
    revinfo = document.revinfo
    checked = check_revocation(status, revinfo.crls, revinfo.ocsps, trust.revocation, at)
    found = findings(
        status,
        at=at,
        clean_tail=document.clean_tail,
        revocation=trust.revocation,
        checked=checked,
    )
    # §4.5: a chain ending at a CA that is not trusted (also a look-alike of a trusted
    # root's name, which pyHanko reports as a general chain failure) is `untrusted`.
    found, anchor = judge_anchor(found, status.signing_cert, embedded.other_embedded_certs, trust)
    made = report(name, status, found, checked)
    if anchor is None:
        return made
    return replace(made, untrusted_ca=anchor.name, chain=anchor.path)
