"""Build pyHanko's offline validation context from our trust store and the document's /DSS.

One job: trust setup. Nothing is fetched; revocation data comes only from the document's
own /DSS, read once per document. pyHanko traps handled here: ``trust_roots=None``
silently means "the operating system's TLS roots", so roots are always passed as a list,
even an empty one; nonRepudiation is required unless :class:`KeyUsageConstraints` says
otherwise. The validation time is always the time of receipt.
"""

from __future__ import annotations

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

from mailparse.verdicts import RevocationMode, TrustStore

# Vietnamese signer certificates carry digitalSignature, nonRepudiation or both (R-SIGN).
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)
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


def validation_context(trust: TrustStore, revinfo: Revinfo, at: datetime) -> ValidationContext:
    """A fresh offline context: configured roots only, validation time = ``at`` (receipt).

    Build one per signature: pyHanko's context caches what it learns along the way.
    """
    intermediates = [asn1_x509.Certificate.load(der) for der in trust.intermediates]
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der) for der in trust.roots],
        other_certs=[*intermediates, *revinfo.certs],
        moment=at,
        allow_fetching=False,
        # Lists, never None: pyHanko refuses 'require' without any revocation input.
        crls=list(revinfo.crls),
        ocsps=list(revinfo.ocsps),
        revocation_mode=_PYHANKO_REVOCATION[trust.revocation],
    )
