"""Status notices (DESIGN §4.4, R-TRACK): the original sender hears of 04 / 05 / 06.

A notice follows a status change made by an assignee's reply, in the same transaction.
It goes where the receipt went (the receipt's outbox row names the address the sender
gave us); a message that got no receipt — automatic mail, a null sender, an answer held
back against backscatter — gets no notices either (RFC 3834). Each notice has a stable
Message-ID per (entry, status), ``<status.ENTRY-CODE@domain>``, so it is queued at most once
and re-delivery is idempotent. It is threaded to the original message (In-Reply-To and
References) and marked ``Auto-Submitted: auto-replied``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.compose import MailContent, compose_mail
from gateway.outbox.identity import MailKind, message_id
from registry.drafts import OutboxDraft
from registry.mail.outbox_views import first_recipient, outbox_id_of
from registry.models import EntryStatus, InboundMessage, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from templates import urgency_prefix

STATUS_KIND = MailKind.STATUS
RECEIPT_KIND = MailKind.RECEIPT

# QCVN 102 codes of the statuses a reply can reach, and how the notice names them.
STATUS_CODES: Mapping[str, str] = {
    EntryStatus.ASSIGNED: "04",
    EntryStatus.IN_PROGRESS: "05",
    EntryStatus.DONE: "06",
}
STATUS_LABELS: Mapping[str, str] = {
    "04": "Đã phân công xử lý",
    "05": "Đang xử lý",
    "06": "Đã hoàn thành",
}


def status_message_id(entry_id: int, code: str, from_address: str) -> str:
    return message_id(MailKind.STATUS, f"{entry_id}-{code}", from_address)


def notice_subject(incoming: str, code: str, urgency: str | None) -> str:
    """``Thông báo tình trạng xử lý văn bản số 2026/17: Đã hoàn thành`` (no quotation)."""
    subject = f"Thông báo tình trạng xử lý văn bản số {incoming}: {STATUS_LABELS[code]}"
    tag = urgency_prefix(urgency)
    return f"{tag} {subject}" if tag else subject


def queue_status_notice(
    recorder: Recorder,
    *,
    env: jinja2.Environment,
    entry: RegisterEntry,
    status: EntryStatus,
    unit_name: str,
    from_address: str,
    timezone: str,
) -> str | None:
    """Queue the notice of ``status`` for ``entry``; its Message-ID, or None when none goes.

    None when the status has no QCVN code, the original message got no receipt, or this
    notice was queued before.
    """
    code = STATUS_CODES.get(status)
    if code is None or entry.id is None:
        return None
    session = recorder.session
    inbound = session.get_one(InboundMessage, entry.inbound_id)
    recipient = first_recipient(session, inbound.id, RECEIPT_KIND)
    message_id = status_message_id(entry.id, code, from_address)
    queued = outbox_id_of(session, message_id)
    if recipient is None or queued is not None:
        return None
    incoming = register_label(entry.year, entry.incoming_number)
    context = {
        "agency_name": entry.sender_agency_name,
        "incoming": incoming,
        "received_at": entry.received_at,
        "document_number": entry.document_number,
        "summary": entry.summary,
        "status_code": code,
        "status_label": STATUS_LABELS[code],
        "changed_at": recorder.now,
        "unit_name": unit_name,
        "tz": timezone,
    }
    raw = compose_mail(
        MailContent(
            from_address=from_address,
            to_address=recipient,
            subject=notice_subject(incoming, code, entry.urgency),
            message_id=message_id,
            composed_at=_local(recorder.now, timezone),
            text=env.get_template("status_notice.txt.j2").render(context),
            html=env.get_template("status_notice.html.j2").render(context),
            in_reply_to=inbound.message_id,
            headers=(("X-Document-Status", code), ("X-Incoming-Number", incoming)),
            kind=MailKind.STATUS,
            boundary_tag="status",
        )
    )
    recorder.add_outbox(
        inbound,
        OutboxDraft(
            kind=STATUS_KIND,
            message_id=message_id,
            sender=from_address,
            recipient=recipient,
            raw=raw,
        ),
    )
    return message_id


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))
