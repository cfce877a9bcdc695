"""Official-document facts from a document's text (NĐ 30/2020 layout, R-REG, R-FORMAT).

The head part (:mod:`mailparse.head`) gives the issuing body, number and symbol, place and
date, type and summary; stamps (:mod:`mailparse.documents.stamps`) give urgency (R-URGENT) and
secrecy (R-SECRET); the signature block (:mod:`mailparse.signatures.signer`) gives the signer.
The type is classified into the CV144 catalogue (:mod:`mailparse.documents.catalogue`,
R-TYPES / R-EXCL).
"""

from __future__ import annotations

from mailparse.documents.catalogue import Catalogue, default_catalogue
from mailparse.documents.document import DocumentFacts
from mailparse.documents.lines import clean_lines, fold_line
from mailparse.documents.pdftext import DEFAULT_MAX_PAGES, read_pdf
from mailparse.documents.stamps import find_secrecy, find_urgency
from mailparse.head import (
    head_end,
    read_issuer,
    read_number,
    read_place_and_date,
    read_type_and_summary,
    split_place_date,
)
from mailparse.signatures.signer import read_signer
from mailparse.subject import facts_from_subject

__all__ = ["DOCUMENT_TYPES", "analyse_pdf", "facts_from_subject", "facts_from_text"]

# The names of the 24 CV144 rows, the normative two first (R-TYPES).
DOCUMENT_TYPES: tuple[str, ...] = default_catalogue().names


def facts_from_text(
    text: str, pages: int | None, catalogue: Catalogue | None = None
) -> DocumentFacts:
    """The facts page one of a document states, from its text layer (or OCR text)."""
    catalogue = catalogue or default_catalogue()
    lines = split_place_date(clean_lines(text))
    folded = [fold_line(line) for line in lines]
    end = head_end(folded)
    number, symbol, number_at = read_number(lines, folded, end)
    place, issued_on, date_at = read_place_and_date(lines, folded, end, number_at)
    found, summary = read_type_and_summary(lines, folded, end, number_at, catalogue)
    if found is None and symbol:
        found = catalogue.by_symbol(symbol)
    if found is not None:
        found = catalogue.refine(found, symbol)
    issuer_end = min(i for i in (number_at, date_at, end) if i is not None)
    parent, issuer = read_issuer(lines, folded, issuer_end)
    signer = read_signer(lines, folded, end)
    return DocumentFacts(
        number=number,
        symbol=symbol,
        issued_on=issued_on,
        place=place,
        document_type=found.name if found else None,
        catalogue_code=found.code if found else None,
        summary=summary,
        issuer=issuer,
        issuer_parent=parent,
        signer_name=signer.name,
        signer_mark=signer.mark,
        signer_position=signer.position,
        urgency=find_urgency(lines, folded, end),
        secrecy=find_secrecy(lines, end),
        pages=pages,
    )


def analyse_pdf(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> DocumentFacts:
    """:func:`read_pdf` then :func:`facts_from_text`; raises ``UnreadableDocumentError``."""
    pdf = read_pdf(data, max_pages=max_pages)
    return facts_from_text(pdf.text, pdf.pages)
