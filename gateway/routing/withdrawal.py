"""The withdrawal notice: a unit taken off a document by a reassignment hears of it
(R-LEAD, R-FOLLOW). Without it the unit keeps working on — and is chased for — a document
that is no longer theirs.

Queued in the transaction that records the reassignment, threaded to the routed copy the
unit received (In-Reply-To), ``Auto-Submitted: auto-generated``, with a stable Message-ID
per withdrawn assignment, so it is queued at most once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.compose import MailContent, compose_mail
from gateway.outbox.identity import MailKind, message_id
from registry.drafts import OutboxDraft
from registry.models import AssignmentRecord, InboundMessage, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from templates import urgency_prefix

WITHDRAWAL_KIND = MailKind.WITHDRAWAL


def queue_withdrawal(
    recorder: Recorder,
    *,
    env: jinja2.Environment,
    entry: RegisterEntry,
    withdrawn: AssignmentRecord,
    successor_name: str,
    from_address: str,
    timezone: str,
) -> str:
    """Queue the notice to ``withdrawn``'s mailbox; its Message-ID."""
    if withdrawn.id is None:
        raise ValueError("a flushed assignment is required")
    inbound = recorder.session.get_one(InboundMessage, entry.inbound_id)
    incoming = register_label(entry.year, entry.incoming_number)
    context = {
        "unit_name": withdrawn.unit_name or withdrawn.unit_code,
        "incoming": incoming,
        "document_number": entry.document_number,
        "summary": entry.summary,
        "successor_name": successor_name,
        "withdrawn_at": recorder.now,
        "tz": timezone,
    }
    subject = f"Thu hồi phân công xử lý văn bản đến số {incoming}"
    tag = urgency_prefix(entry.urgency)
    mail_id = message_id(WITHDRAWAL_KIND, str(withdrawn.id), from_address)
    raw = compose_mail(
        MailContent(
            from_address=from_address,
            to_address=withdrawn.mailbox,
            subject=f"{tag} {subject}" if tag else subject,
            message_id=mail_id,
            composed_at=recorder.now.astimezone(ZoneInfo(timezone)),
            text=env.get_template("withdrawal.txt.j2").render(context),
            html=env.get_template("withdrawal.html.j2").render(context),
            in_reply_to=withdrawn.routed_message_id,
            kind=MailKind.WITHDRAWAL,
            headers=(("X-Incoming-Number", incoming),),
            boundary_tag="withdrawal",
        )
    )
    recorder.add_outbox(
        inbound,
        OutboxDraft(
            kind=WITHDRAWAL_KIND,
            message_id=mail_id,
            sender=from_address,
            recipient=withdrawn.mailbox,
            raw=raw,
        ),
    )
    return mail_id
