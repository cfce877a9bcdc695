"""Documents already in the register, in the registering transaction (NĐ 30/2020 Phụ lục
VI; QCVN 102:2016; DESIGN §4.4).

* A duplicate by law — the same edXML DocumentId, or the same issuing body, number/symbol
  and issue date — gets no new number: the message is linked to the existing entry, its
  receipt points there ("đã được vào sổ số 2026/17 ngày …", ``X-Incoming-Number`` = that
  entry), and when every document of the message was such a copy its outcome is
  ``duplicate``.
* An edXML recall, update or replacement (TraceHeaderList business type) of an entry is
  not registered as new either: it is linked to that entry, a recall marks the entry
  ``recalled``, and the receipt says what was done. When the earlier document is not in
  the register, the message is registered as any other.

A re-delivery of the very same message is another matter, settled earlier by
``Recorder.find_redelivery`` (nothing new at all).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from gateway.outbox.compose import RegisteredDocument
from mailparse.edxml.envelope import BusinessType, EdxmlDocument
from registry.drafts import EntryDraft
from registry.links import (
    LinkKind,
    add_link,
    document_key,
    find_by_edxml_id,
    find_by_number,
    find_registered,
    first_linked_entry,
    lock_register,
)
from registry.models import EntryStatus, InboundMessage, Outcome, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """A draft with its lawful keys, and the entry it refers to (None: a new document)."""

    draft: EntryDraft
    earlier: RegisterEntry | None = None
    kind: LinkKind = LinkKind.DUPLICATE


def match_registered(recorder: Recorder, draft: EntryDraft, edxml: EdxmlDocument | None) -> Match:
    """What ``draft`` is to the register: new, a copy of an entry, or (edXML) a recall,
    update or replacement of one.

    Looked up after :func:`registry.links.lock_register`, so that two copies processed at
    once by two workers cannot both miss each other.
    """
    key = document_key(draft.document_number, draft.issuer_name, draft.issued_on)
    document_id = draft.edxml.document_id if draft.edxml else None
    draft = replace(draft, document_key=key, edxml_document_id=document_id)
    linked = edxml is not None and edxml.business is not BusinessType.NEW
    if key is None and document_id is None and not linked:
        return Match(draft)
    session = recorder.session
    lock_register(session, draft.year)
    if edxml is not None and linked:
        earlier = _referenced(recorder, edxml, draft.sender_agency_code)
        if earlier is not None:
            return Match(draft, earlier, LinkKind(edxml.business.value))
    earlier = find_by_edxml_id(session, document_id) or find_registered(session, key)
    return Match(draft, earlier)


def _referenced(
    recorder: Recorder, edxml: EdxmlDocument, sender_agency_code: str | None
) -> RegisterEntry | None:
    """The entry an edXML recall/update/replacement names (by DocumentId, else by number)."""
    for ref in edxml.references:
        found = find_by_edxml_id(recorder.session, ref.document_id)
        if found is None and ref.document_number:
            found = find_by_number(recorder.session, ref.document_number, sender_agency_code)
        if found is not None:
            return found
    return None


def refer_to(
    recorder: Recorder,
    inbound: InboundMessage,
    match: Match,
    *,
    zone: ZoneInfo,
    secret: bool,
) -> RegisteredDocument:
    """Link ``inbound`` to the entry it refers to (a recall marks it recalled); the
    receipt line that points there."""
    earlier = match.earlier
    if inbound.id is None or earlier is None:
        raise ValueError("a flushed inbound record and an earlier entry are required")
    add_link(
        recorder.session, inbound_id=inbound.id, entry=earlier, kind=match.kind, now=recorder.now
    )
    if match.kind is LinkKind.RECALL:
        earlier.status = EntryStatus.RECALLED
    number = register_label(earlier.year, earlier.incoming_number)
    recorder.audit(f"entry.{match.kind}", inbound=inbound, entry=earlier, number=number)
    log.info("%s: %s of entry %s", inbound.spool_id, match.kind, number)
    return RegisteredDocument(
        incoming=number,
        document_number=earlier.document_number,
        issued_on=earlier.issued_on,
        document_type=earlier.document_type,
        summary=None if secret else earlier.summary,
        reference_only=earlier.reference_only,
        paper_required=earlier.paper_required,
        paper_reason=earlier.paper_reason,
        registered_on=earlier.received_at.astimezone(zone).date(),
        link_kind=str(match.kind),
    )


def settle_outcome(
    recorder: Recorder, inbound: InboundMessage, registered: list[RegisteredDocument]
) -> Outcome:
    """``duplicate`` (pointing at the first copied entry's message) when every document
    of ``inbound`` was already registered; else its outcome as decided."""
    if not registered or any(d.link_kind != LinkKind.DUPLICATE for d in registered):
        return Outcome(inbound.outcome)
    first = first_linked_entry(recorder.session, inbound.id or 0)
    inbound.outcome = Outcome.DUPLICATE
    inbound.duplicate_of = first.inbound_id if first is not None else None
    note = "duplicate by law of a registered document (NĐ 30 Phụ lục VI); no new number"
    inbound.note = f"{inbound.note}; {note}" if inbound.note else note
    recorder.audit("inbound.duplicate", inbound=inbound)
    return Outcome.DUPLICATE
