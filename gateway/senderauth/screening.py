"""Who really sent this, and may we answer: the pipeline's sender checks (R-FORGE, item 5).

:func:`screen` runs after the analysis and before the decision: sender authentication
(DKIM, SPF, DMARC through the configured resolver) and recognition of our own mail coming
back. A From of a directory agency that fails DMARC is not that agency: the analysis
forgets the agency, so the rules see an unknown sender. Inside the registering
transaction, :func:`withheld` says which answers are recorded but not sent and
:func:`record_returned` files a bounce against the outbox row it is about.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gateway.outbox.answers import SMTP_PROTOCOLS
from gateway.pipeline.analysis import MessageAnalysis
from gateway.senderauth.authenticate import SenderAuth, authenticate
from gateway.senderauth.backscatter import Loopback, recognise, withhold_reason
from gateway.senderauth.dns import Resolver
from gateway.spool.envelope import Envelope
from registry.agencies.directory import Directory
from registry.mail.outbox_views import outbox_by_message_id
from registry.tracking.replies import record_bounce, replies_since

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Screening:
    analysis: MessageAnalysis  # the agency removed when the From is forged
    auth: SenderAuth | None  # None: no resolver configured, nothing checked
    loopback: Loopback
    forged_agency: str | None = None  # the code of the directory agency a forged From names
    # A DSN over SMTP comes from the null sender (RFC 5321 §4.5.5); one with a return
    # address is a stranger's forgery: still never answered, but never filed as a bounce.
    bounce_envelope_ok: bool = True

    def facts(self) -> dict[str, Any]:
        """The :class:`rules.decision.MessageFacts` fields this screening decides."""
        return {
            "sender_auth_failed": bool(self.auth and self.auth.failed),
            "sender_auth_checked": self.auth is not None,
            "forged_agency": self.forged_agency,
            "our_mail": "bounce"
            if self.loopback.bounce
            else ("own-answer" if self.loopback.own_answer else ""),
        }

    def record(self) -> dict[str, Any]:
        """``inbound_message.sender_auth``."""
        if self.auth is None:
            return {}
        data = self.auth.to_record()
        if self.forged_agency:
            data["forged_agency"] = self.forged_agency
        return data


def screen(
    raw: bytes,
    analysis: MessageAnalysis,
    envelope: Envelope,
    resolver: Resolver | None,
    *,
    from_address: str,
    log_id: str,
) -> Screening:
    parsed = analysis.parsed
    loopback = recognise(raw, parsed.message_id if parsed else None, from_address)
    null_sender = envelope.protocol not in SMTP_PROTOCOLS or not envelope.mail_from.strip()
    if resolver is None:
        return Screening(analysis, None, loopback, bounce_envelope_ok=null_sender)
    auth = authenticate(raw, parsed, envelope, resolver)
    forged = analysis.agency.code if analysis.agency and auth.dmarc.forged else None
    if forged:
        log.warning("%s: From names agency %s but fails DMARC: unknown sender", log_id, forged)
        analysis = replace(analysis, agency=None)
    return Screening(analysis, auth, loopback, forged, bounce_envelope_ok=null_sender)


def withheld(
    session: Session,
    screening: Screening,
    *,
    recipient: str,
    rejection: bool,
    directory: Directory,
    cap: int,
    now: datetime,
) -> str:
    """Why the answer to ``recipient`` is recorded but not sent; "" when it goes out."""
    if screening.loopback.bounce or screening.loopback.own_answer:
        return screening.loopback.note
    # Decided on the address the answer goes to (the envelope sender), never on the From:
    # a forged agency From must not lift the daily cap on mail to an outsider.
    in_directory = directory.identify(recipient) is not None and screening.forged_agency is None
    return withhold_reason(
        recipient=recipient,
        rejection=rejection,
        in_directory=in_directory,
        auth=screening.auth,
        sent_today=0 if in_directory else replies_since(session, recipient, now - timedelta(1)),
        cap=cap,
    )


def record_returned(session: Session, screening: Screening, now: datetime, log_id: str) -> None:
    """A bounce of one of our mails: bounced_at and bounce_reason on its outbox row."""
    report = screening.loopback.bounce
    if report is None or report.original_message_id is None:
        return
    sent = outbox_by_message_id(session, report.original_message_id)
    # Believed only from the null sender and about the address we mailed: a stranger who
    # learnt a receipt's Message-ID cannot mark it bounced.
    if not screening.bounce_envelope_ok or (
        sent is not None and sent.recipient.lower() != report.recipient.lower()
    ):
        log.warning(
            "%s: a delivery report not believed (not from the null sender or "
            "not about the address we mailed); not recorded",
            log_id,
        )
        return
    row = record_bounce(session, report.original_message_id, now, report.reason)
    log.info(
        "%s: bounce of %s (%s) %s",
        log_id,
        report.original_message_id,
        report.status or "-",
        "recorded" if row is not None else "matches no outbox row",
    )
