"""Cross-checking what the document says with the other sources of the same facts.

The document's own text wins (R-REG: the register records the document as issued); a value
another source states differently is kept as a :class:`FieldConflict` on the facts, for the
clerk to see; a field the document does not state is filled from the first source that
does (edXML before the mail subject: it is machine-written by the sending system).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from mailparse.documents.document import DocumentFacts, FieldConflict
from mailparse.documents.text import fold, squash

# Fields compared; the rest (place, issuer spelling, positions) vary too much in form.
COMPARED = ("number", "symbol", "issued_on", "document_type", "urgency", "pages", "summary")
_PUNCT = re.compile(r"[\s.,;:!?()\"'“”/-]+")
_ABOUT = re.compile(r"^(?:v v|ve viec) ")


def cross_check(
    document: DocumentFacts,
    others: Sequence[tuple[str, DocumentFacts]],
    *,
    signer_names: Sequence[str] = (),
) -> DocumentFacts:
    """``document`` with its gaps filled from ``others`` (source name, facts) and every
    disagreement recorded; ``signer_names`` are the signers named by the certificates."""
    conflicts = list(document.conflicts)
    for source, other in others:
        for name in COMPARED:
            mine, theirs = getattr(document, name), getattr(other, name)
            if mine is None or theirs is None or _same(name, mine, theirs):
                continue
            conflicts.append(FieldConflict(name, _show(mine), source, _show(theirs)))
    signer = document.signer_name
    if signer and signer_names and not any(_same("signer_name", signer, n) for n in signer_names):
        conflicts.append(FieldConflict("signer_name", signer, "certificate", signer_names[0]))
    filled = document
    for _, other in others:
        filled = filled.completed_by(other)
    return replace(filled, conflicts=_unique(conflicts))


def _same(name: str, a: object, b: object) -> bool:
    if isinstance(a, (date, int)):
        return a == b
    x, y = _norm(str(a)), _norm(str(b))
    if name == "summary":  # a subject often shortens the trích yếu, or adds "V/v"
        x, y = _ABOUT.sub("", x), _ABOUT.sub("", y)
        return x in y or y in x
    if name == "signer_name":  # a certificate CN may add a title or the body's name
        return x in y or y in x
    return x == y


def _norm(text: str) -> str:
    return _PUNCT.sub(" ", fold(squash(text))).strip()


def _show(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _unique(conflicts: list[FieldConflict]) -> tuple[FieldConflict, ...]:
    return tuple(dict.fromkeys(conflicts))
