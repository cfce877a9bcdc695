"""R-FOLLOW for leaders: a decision late by the R-ASSIGN limit is chased, each step once.

Run by the clock of ``gateway serve`` beside the digests. For a document still
``awaiting_distribution``:

* its ``assign_by`` (same working day, or the next working morning) has passed → one
  reminder to its leader (``distribution-late:<entry>``), and one to each delegate in force
  for that leader (``distribution-late:<entry>:thay:<mailbox>``);
* two working hours later still undecided → the clerk is told
  (``distribution-clerk:<entry>``; ``[alerts] administrator``, else the gateway address),
  to present it again or ask the leader the head named.

Each key is claimed in ``clock_event`` in the transaction that queues the mail, so several
instances send each mail once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from gateway.distribution.decide import Desk, leader_code_of
from gateway.distribution.delegation import delegate_mailboxes
from gateway.tracking.clock import this_instance
from gateway.tracking.followups import FollowUp, FollowUpMail, build_follow_up
from registry.database import read_session, write_session
from registry.models import RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from registry.tracking import distribution as store
from registry.tracking.clock_events import claim, claimed_keys
from registry.tracking.distribution import Distribution
from templates import vn_datetime

log = logging.getLogger(__name__)

CLERK_AFTER_HOURS = 2  # working hours after the leader's reminder


def chase_late(desk: Desk, now: datetime, *, signer: Callable[[bytes], bytes] | None = None) -> int:
    """Queue the reminders and clerk's notices due at ``now``; how many were queued."""
    due: list[tuple[str, int, str]] = []  # key, entry id, addressee kind
    with read_session(desk.engine) as session:
        for entry, row in store.awaiting(session):
            if entry.assign_by is None or entry.assign_by > now or entry.id is None:
                continue
            if row.leader_mailbox:
                due.append((f"distribution-late:{entry.id}", entry.id, "leader"))
            for mailbox in _delegate_mailboxes(desk, session, row, now):
                due.append((f"distribution-late:{entry.id}:thay:{mailbox}", entry.id, mailbox))
            clerk_at = desk.calendar.add_working_hours(entry.assign_by, CLERK_AFTER_HOURS)
            if clerk_at <= now:
                due.append((f"distribution-clerk:{entry.id}", entry.id, "clerk"))
        fired = claimed_keys(session, [key for key, _, _ in due])
    sent = 0
    for key, entry_id, who in due:
        if key not in fired and _fire(
            desk, key, entry_id=entry_id, who=who, now=now, signer=signer
        ):
            sent += 1
    return sent


def _delegate_mailboxes(
    desk: Desk, session: Session, row: Distribution, now: datetime
) -> list[str]:
    """The mailboxes of the delegates in force for the document's leader (R-FOLLOW: the
    reminder goes to whoever decides in the leader's place too)."""
    day = now.astimezone(desk.zone).date()
    return [m for m, _ in delegate_mailboxes(desk, session, leader_code_of(desk, row), day)]


def _fire(
    desk: Desk,
    key: str,
    *,
    entry_id: int,
    who: str,
    now: datetime,
    signer: Callable[[bytes], bytes] | None,
) -> bool:
    with write_session(desk.engine) as session:
        entry = session.get(RegisterEntry, entry_id)
        row = store.distribution_of(session, entry_id)
        if entry is None or row is None or row.decided_at is not None:
            return False
        if not claim(
            session, key, "distribution-late", now=now, instance=this_instance(), entry_id=entry_id
        ):
            return False
        incoming = register_label(entry.year, entry.incoming_number)
        limit = vn_datetime(entry.assign_by, desk.zone.key) if entry.assign_by else ""
        if who != "clerk":
            delegate = who if "@" in who else None
            mail = FollowUpMail(
                kind=FollowUp.REMINDER,
                key=f"distribution-{entry_id}" + (f"-thay-{delegate}" if delegate else ""),
                to_address=delegate or row.leader_mailbox or desk.clerk,
                addressee="đồng chí",
                subject=f"Nhắc cho ý kiến phân công văn bản đến số {incoming} (quá hạn {limit})",
                paragraphs=(
                    f"Văn bản đến số {incoming} đã quá thời hạn cho ý kiến phân công "
                    "(trong ngày làm việc, chậm nhất sáng ngày làm việc tiếp theo).",
                    "Đề nghị đồng chí cho ý kiến trên trang “Phân công” của hệ thống, hoặc trả "
                    "lời thư thông báo văn bản (“Đồng ý” hoặc “Giao <mã đơn vị>”).",
                    *(
                        (f"Đồng chí nhận thư này do được ủy quyền thay {row.leader_name}.",)
                        if delegate
                        else ()
                    ),
                ),
                facts=(("Số đến", incoming), ("Hạn cho ý kiến phân công", limit)),
            )
        else:
            mail = FollowUpMail(
                kind=FollowUp.UNASSIGNED,
                key=f"distribution-{entry_id}",
                to_address=desk.clerk,
                addressee="bộ phận văn thư",
                subject=f"Văn bản đến số {incoming} chưa được lãnh đạo phân công",
                paragraphs=(
                    f"Văn bản đến số {incoming} đã quá thời hạn phân công mà lãnh đạo "
                    f"({row.leader_name or 'chưa xác định'}) chưa cho ý kiến; hệ thống đã nhắc "
                    "lãnh đạo một lần.",
                    "Đề nghị văn thư trình lại hoặc trình người được thủ trưởng giao.",
                ),
                facts=(("Số đến", incoming), ("Hạn phân công", limit)),
            )
        Recorder(session, now=now, sign=signer).add_outbox(
            None,
            build_follow_up(
                mail,
                env=desk.templates,
                from_address=desk.from_address,
                now=now,
                timezone=desk.zone.key,
            ),
        )
    log.info("distribution: %s fired for entry %s", key, entry_id)
    return True
