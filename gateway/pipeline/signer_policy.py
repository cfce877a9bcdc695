"""Document-level signature policy facts (R-FORGE, NĐ 30/2020).

One job: compare a document's signatures with the sending agency, for the pure rules.

- The **agency signature** is the document's last signature (NĐ 30: the person signs, then
  the agency's văn thư seals with the organisation's certificate). It must carry one of
  the agency's ``signer_organizations`` as its organisation (O) or its certificate name
  (CN), compared after NFC normalisation and casefolding (UTF8String and BMPString names
  decode to the same text). An agency without ``signer_organizations`` is not checked.
- The **two-signature practice** holds when at least two signatures are present, the last
  is the agency's and an earlier one is a person's (a certificate of another name).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from mailparse.signatures.verdicts import PdfSignatures, SignatureReport
from registry.agencies.directory import Agency


def name_key(value: str) -> str:
    """A name as compared: NFC, casefolded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def _matches(signature: SignatureReport, names: Iterable[str]) -> bool:
    keys = {name_key(n) for n in names}
    own = (signature.organization, signature.signer)
    return any(value is not None and name_key(value) in keys for value in own)


def agency_signature_matches(agency: Agency | None, signatures: PdfSignatures) -> bool | None:
    """Whether the agency signature belongs to the sending agency; None when unchecked
    (unknown sender, no names configured, or no signature)."""
    if agency is None or not agency.signer_organizations or not signatures.signatures:
        return None
    return _matches(signatures.signatures[-1], agency.signer_organizations)


def two_signature_practice(agency: Agency | None, signatures: PdfSignatures) -> bool:
    """Person first, then the agency (NĐ 30 practice); noted, never a reason to refuse."""
    found = signatures.signatures
    if len(found) < 2:
        return False
    last = found[-1]
    if (
        agency is not None
        and agency.signer_organizations
        and not _matches(last, agency.signer_organizations)
    ):
        return False
    people = [s for s in found[:-1] if s.signer and last.signer]
    return any(name_key(s.signer or "") != name_key(last.signer or "") for s in people)
