"""Following issued documents on the working-hours clock (DESIGN §4.7, R-DELIVERY).

Each round, :meth:`IssueClock.run_once`:

1. records what the outbox did with the issue mails: handed over → ``sent``, refused for
   good by the relay → ``bounced`` (:func:`registry.outgoing.writer.settle_relay`);
2. **reminder** (``issue-reminder:<delivery>``): a recipient that has not answered by its
   ``confirm_by`` (``[outgoing] confirm_within`` working hours after issuing) gets ONE
   reminder, threaded to the issue mail (``In-Reply-To``), so that its answer — or the
   reply "đã nhận" of a person — still finds the document;
3. **overdue** (``issue-overdue:<delivery>``): still no answer ``confirm_within`` working
   hours after the reminder was due → the delivery is flagged ``overdue`` and the issuing
   clerk told (``[alerts] administrator``, else the gateway's own mailbox, as for the
   other escalations of :mod:`gateway.tracking.clock`).

What is due is a pure function (:func:`due_now`); each event is claimed with its mail in
ONE transaction through the ``clock_event`` key, so several instances fire it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import jinja2
from sqlalchemy.engine import Engine

from gateway.tracking.clock import this_instance
from gateway.tracking.followups import FollowUp, FollowUpMail, build_follow_up
from registry.database import read_session, write_session
from registry.outgoing.queries import WaitingDelivery, waiting_deliveries
from registry.outgoing.writer import mark_overdue, mark_reminded, settle_relay
from registry.recorder import Recorder
from registry.tracking.clock_events import claim, claimed_keys
from rules.calendar import WorkingCalendar
from templates import vn_datetime

if TYPE_CHECKING:
    from gateway.wiring import Components

log = logging.getLogger(__name__)


class IssueEvent(StrEnum):
    REMINDER = "issue-reminder"
    OVERDUE = "issue-overdue"


@dataclass(frozen=True)
class IssueDue:
    kind: IssueEvent
    delivery: WaitingDelivery

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.delivery.id}"


def due_now(
    waiting: Iterable[WaitingDelivery],
    *,
    calendar: WorkingCalendar,
    confirm_within: float,
    now: datetime,
) -> list[IssueDue]:
    """The events due at ``now`` (pure: the caller drops those fired already)."""
    due: list[IssueDue] = []
    for delivery in waiting:
        if delivery.confirm_by > now:
            continue
        if delivery.reminded_at is None:
            due.append(IssueDue(IssueEvent.REMINDER, delivery))
        elif calendar.add_working_hours(delivery.confirm_by, confirm_within) <= now:
            due.append(IssueDue(IssueEvent.OVERDUE, delivery))
    return due


@dataclass(frozen=True)
class IssueClock:
    """Fires what :func:`due_now` says, once across every instance sharing the database."""

    engine: Engine
    calendar: WorkingCalendar
    templates: jinja2.Environment
    from_address: str
    confirm_within: float = 4.0
    administrator: str = ""
    agency_name: str = ""
    signer: Callable[[bytes], bytes] | None = None

    def run_once(self, now: datetime) -> int:
        """One round at ``now``; how many reminders and overdue flags this instance fired."""
        with write_session(self.engine) as session:
            settle_relay(session, now)
        with read_session(self.engine) as session:
            due = due_now(
                waiting_deliveries(session, now),
                calendar=self.calendar,
                confirm_within=self.confirm_within,
                now=now,
            )
            fired_before = claimed_keys(session, [event.key for event in due])
        return sum(1 for event in due if event.key not in fired_before and self._fire(event, now))

    def _fire(self, event: IssueDue, now: datetime) -> bool:
        delivery = event.delivery
        with write_session(self.engine) as session:
            if not claim(session, event.key, str(event.kind), now=now, instance=this_instance()):
                return False
            if event.kind is IssueEvent.REMINDER:
                mark_reminded(session, delivery.id, now)
                mail = self._reminder(delivery)
            else:
                if not mark_overdue(session, delivery.id, now):
                    return False  # answered in the meantime: the claim stays, nothing sent
                mail = self._overdue(delivery)
            recorder = Recorder(session, now=now, sign=self.signer)
            recorder.add_outbox(
                None,
                build_follow_up(
                    mail,
                    env=self.templates,
                    from_address=self.from_address,
                    now=now,
                    timezone=self.calendar.zone.key,
                ),
            )
            recorder.audit(f"clock.{event.kind}", key=event.key, recipients=[mail.to_address])
        log.info("issue clock: %s fired", event.key)
        return True

    def _reminder(self, d: WaitingDelivery) -> FollowUpMail:
        return FollowUpMail(
            kind=FollowUp.REMINDER,
            key=f"issue-{d.id}",
            to_address=d.address,
            addressee=d.name,
            subject=f"Đề nghị xác nhận đã nhận văn bản số {d.document_number}",
            paragraphs=(
                f"{self.agency_name or 'Cơ quan chúng tôi'} đã gửi văn bản số "
                f"{d.document_number} nhưng chưa nhận được xác nhận của quý cơ quan.",
                "Đề nghị quý cơ quan kiểm tra và xác nhận đã nhận văn bản: hệ thống quản lý văn "
                "bản gửi biên nhận, hoặc trả lời thư này với nội dung “đã nhận”.",
            ),
            facts=(
                ("Số, ký hiệu", d.document_number),
                ("Hạn xác nhận", vn_datetime(d.confirm_by, self.calendar.zone.key)),
            ),
            in_reply_to=d.message_id,
        )

    def _overdue(self, d: WaitingDelivery) -> FollowUpMail:
        return FollowUpMail(
            kind=FollowUp.ESCALATION,
            key=f"issue-{d.id}",
            to_address=self.administrator or self.from_address,
            addressee="văn thư",
            subject=f"Văn bản đi số {d.document_number}: {d.name} chưa xác nhận đã nhận",
            paragraphs=(
                f"Văn bản đi số {d.document_number} (số thứ tự {d.year}/{d.outgoing_number}) "
                f"gửi {d.name} đã được nhắc nhưng đến nay vẫn chưa có xác nhận đã nhận.",
                "Đề nghị đồng chí liên hệ đơn vị nhận để kiểm tra, gửi lại nếu cần.",
            ),
            facts=(
                ("Nơi nhận", f"{d.name} <{d.address}>"),
                ("Hạn xác nhận", vn_datetime(d.confirm_by, self.calendar.zone.key)),
                ("Người phát hành", d.issued_by),
            ),
        )


def issue_clock_for(components: Components) -> IssueClock:
    """The issue clock of ``gateway serve``: the same calendar as the routing clock."""
    from gateway.issuing.checks import own_agency
    from gateway.routing.in_force import calendar_for

    pipeline = components.pipeline
    settings = components.deployment.settings
    router = components.router
    agency = own_agency(pipeline.directory, settings.outgoing.agency)
    return IssueClock(
        engine=components.engine,
        calendar=router.calendar if router is not None else calendar_for(components.deployment),
        templates=pipeline.templates,
        from_address=pipeline.from_address,
        confirm_within=settings.outgoing.confirm_within,
        administrator=pipeline.administrator,
        agency_name=agency.agency.name if agency.agency else (agency.names or ("",))[0],
        signer=pipeline.signer,
    )
