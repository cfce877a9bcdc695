"""Loops, floods and backscatter: which automatic answers we must not send (R-CHANNEL).

Besides RFC 3834 (:func:`gateway.outbox.answers.answer_recipient`), the gateway never answers:
- its own answers coming back (forwarded, or returned by a careless auto-responder):
  a Message-ID of our pattern (``<receipt.…@our-domain>``) or ``X-Document-Status`` with
  our From address;
- delivery status notifications (RFC 3464) of its own answers: they are recorded against
  the outbox row instead;
- an address that already got ``[limits] auto_replies_per_day`` mails in 24 hours
  (agencies of the directory are never limited);
- a sender outside the directory with a rejection, unless the sender's domain
  authenticated the message (aligned DKIM pass or SPF pass): otherwise the rejection
  would go to whoever was forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.outbox.identity import LABELS
from gateway.senderauth.authenticate import SenderAuth
from mailparse.dsn import DeliveryReport, header_values, parse_report


def our_message_id(message_id: str | None, from_address: str) -> bool:
    """``<receipt.ID@domain>`` and the other kinds of mail we send, for our domain."""
    domain = re.escape(from_address.rpartition("@")[2].lower() or "localhost")
    kinds = "|".join(sorted(LABELS))
    return bool(
        message_id and re.fullmatch(rf"<(?:{kinds})\.[^<>@\s]+@{domain}>", message_id.lower())
    )


@dataclass(frozen=True)
class Loopback:
    """What the message is to us: one of our answers, a bounce of one, or neither."""

    own_answer: bool = False
    bounce: DeliveryReport | None = None

    @property
    def note(self) -> str:
        if self.bounce is not None:
            return (
                "delivery status notification (RFC 3464) of our answer "
                f"{self.bounce.original_message_id}: {self.bounce.reason}; "
                "recorded against it, not registered, not answered"
            )
        if self.own_answer:
            return "one of our own answers came back; not answered (mail loop)"
        return ""


def recognise(raw: bytes, message_id: str | None, from_address: str) -> Loopback:
    """Is ``raw`` our own answer returning, or a bounce of one of our answers?"""
    report = parse_report(raw)
    if report is not None and our_message_id(report.original_message_id, from_address):
        return Loopback(bounce=report)
    if our_message_id(message_id, from_address):
        return Loopback(own_answer=True)
    headers = header_values(raw, "X-Document-Status", "From")
    sender = headers.get("from", "").lower()
    ours = from_address.lower()
    own = "x-document-status" in headers and (sender == ours or f"<{ours}>" in sender)
    return Loopback(own_answer=own)


def withhold_reason(
    *,
    recipient: str,
    rejection: bool,
    in_directory: bool,
    auth: SenderAuth | None,
    sent_today: int,
    cap: int,
) -> str:
    """Why the answer to ``recipient`` is recorded but not sent; "" to send it."""
    if in_directory:
        return ""
    if rejection and (auth is None or not auth.vouches_for(recipient)):
        return (
            "rejection not sent: the sender is outside the directory and its domain did not "
            "authenticate the message (no aligned DKIM or SPF pass) — no backscatter"
        )
    if cap and sent_today >= cap:
        return f"not answered: {recipient} already got {sent_today} automatic mails in 24 h"
    return ""
