"""Build pyHanko's offline validation context from our trust store and the document's /DSS.

One job: trust setup. Nothing is fetched; revocation data comes from the document's own
/DSS (read once per document) and the trust store's local CRL/OCSP cache. pyHanko traps
handled here: ``trust_roots=None`` silently means "the operating system's TLS roots", so
roots are always passed as a list, even an empty one; nonRepudiation is required unless
:class:`KeyUsageConstraints` says otherwise (the accepted usages come from the store).
The validation time is always the time of receipt.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from mailparse.signatures.cache import CachingPathBuilder, ChainCache
from mailparse.signatures.verdicts import RevocationMode, TrustStore

_PYHANKO_REVOCATION = {
    RevocationMode.OFF: "none",
    RevocationMode.SOFT_FAIL: "soft-fail",
    RevocationMode.HARD_FAIL: "hard-fail",
    RevocationMode.REQUIRE: "require",
}


@dataclass(frozen=True)
class Revinfo:
    """Certificates, CRLs and OCSP responses embedded in the document's /DSS."""

    certs: tuple[asn1_x509.Certificate, ...] = ()
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    ocsps: tuple[asn1_ocsp.OCSPResponse, ...] = ()


def read_revinfo(reader: PdfFileReader) -> Revinfo:
    """Parse the /DSS once per document (pyHanko ignores it unless told)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return Revinfo()
    return Revinfo(
        certs=tuple(dss.load_certs()),
        crls=tuple(
            asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
            for ref in dss.crls
        ),
        ocsps=tuple(
            asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            for ref in dss.ocsps
        ),
    )


def key_usage(trust: TrustStore) -> KeyUsageConstraints:
    """Vietnamese signer certificates carry digitalSignature, nonRepudiation or both
    (R-SIGN): by default any one of the configured usages suffices."""
    return KeyUsageConstraints(key_usage=set(trust.key_usage), match_all_key_usages=False)


@functools.lru_cache(maxsize=8)
def stored_revinfo(trust: TrustStore) -> Revinfo:
    """The trust store's parsed certificates and cached CRLs / OCSP responses."""
    return Revinfo(
        certs=tuple(asn1_x509.Certificate.load(der) for der in trust.intermediates),
        crls=tuple(asn1_crl.CertificateList.load(der) for der in trust.crls),
        ocsps=tuple(asn1_ocsp.OCSPResponse.load(der) for der in trust.ocsps),
    )


@functools.lru_cache(maxsize=8)
def _roots(trust: TrustStore) -> tuple[asn1_x509.Certificate, ...]:
    return tuple(asn1_x509.Certificate.load(der) for der in trust.roots)


def merged_revinfo(trust: TrustStore, revinfo: Revinfo) -> Revinfo:
    """The document's /DSS data together with the trust store's."""
    stored = stored_revinfo(trust)
    return Revinfo(
        certs=(*stored.certs, *revinfo.certs),
        crls=(*stored.crls, *revinfo.crls),
        ocsps=(*stored.ocsps, *revinfo.ocsps),
    )


def validation_context(
    trust: TrustStore, revinfo: Revinfo, at: datetime, cache: ChainCache | None = None
) -> ValidationContext:
    """A fresh offline context: configured roots only, validation time = ``at`` (receipt).

    ``revinfo`` is :func:`merged_revinfo`. Build one per signature: pyHanko's context
    caches what it learns along the way. With a ``cache``, certificate paths already
    built for this trust-store version are tried first (see :mod:`mailparse.signatures.cache`).
    """
    context = ValidationContext(
        trust_roots=list(_roots(trust)),
        other_certs=list(revinfo.certs),
        moment=at,
        allow_fetching=False,
        # Lists, never None: pyHanko refuses 'require' without any revocation input.
        crls=list(revinfo.crls),
        ocsps=list(revinfo.ocsps),
        revocation_mode=_PYHANKO_REVOCATION[trust.revocation],
    )
    if cache is not None:
        context.path_builder = CachingPathBuilder(context.path_builder, cache, trust.version)
    return context
