"""Cancelling a paper entry entered by mistake (NĐ 30/2020 Điều 22: incoming numbers are
consecutive, so a number once given is never taken back nor given again).

The entry keeps its number and its fields; ONE transaction writes the cancellation row
(:class:`registry.cancellations.EntryCancellation`: who, when, why), releases the
document key (so the document, entered again correctly, is not refused as a duplicate)
and the audit event ``entry.paper_cancelled`` with the clerk's user name (R-ACCOUNT).
Only paper entries can be cancelled: an electronic document was answered to its sender
and is corrected, never cancelled.
"""

from __future__ import annotations

from gateway.clerk.actions import ActionError
from gateway.clerk.paper import PROTOCOL
from gateway.wiring import Components
from registry.cancellations import EntryCancellation, cancellations_of
from registry.console.todo import open_assignments_of_entry
from registry.database import write_session
from registry.models import InboundMessage
from registry.numbering import register_label
from registry.queries import get_entry
from registry.recorder import Recorder

REASON_CHARS = 1000


def cancel_paper(
    components: Components, year: int, number: int, reason: str, actor: str
) -> EntryCancellation:
    """Mark paper entry YEAR/NUMBER cancelled for ``reason``; ActionError (Vietnamese)
    when it is not a paper entry, is already cancelled, is being handled, or no reason."""
    reason = reason.strip()[:REASON_CHARS]
    if not reason:
        raise ActionError("Hãy ghi lý do hủy (ví dụ: vào sổ nhầm, trùng với số đến khác).")
    with write_session(components.engine) as session:
        entry = get_entry(session, year, number)
        assert entry.id is not None
        inbound = session.get_one(InboundMessage, entry.inbound_id)
        if inbound.protocol != PROTOCOL:
            raise ActionError("Chỉ hủy được văn bản giấy vào sổ nhầm; văn bản điện tử thì sửa.")
        if entry.id in cancellations_of(session, [entry.id]):
            raise ActionError("Văn bản này đã được hủy trước đây.")
        if open_assignments_of_entry(session, entry.id):
            raise ActionError(
                "Văn bản đang được đơn vị xử lý: hãy báo đơn vị và ghi chú trước, "
                "không hủy văn bản đã phân công."
            )
        recorder = Recorder(session)
        cancellation = EntryCancellation(
            entry_id=entry.id, cancelled_at=recorder.now, actor=actor, reason=reason
        )
        session.add(cancellation)
        key, entry.document_key = entry.document_key, None
        session.add(entry)
        recorder.audit(
            "entry.paper_cancelled",
            entry=entry,
            actor=actor,
            number=register_label(year, number),
            reason=reason,
            document_key=key,
        )
        session.flush()
        session.expunge(cancellation)
    return cancellation
