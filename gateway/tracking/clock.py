"""The working-hours clock (R-TRACK): reminders and escalations, each fired once.

What is due is a pure function of the candidates, the calendar and ``now``
(:func:`due_now`); :class:`Clock` reads the candidates and, for each due event, claims its
key and queues its mail in ONE transaction (:func:`registry.tracking.clock_events.claim`): several
gateway instances on one database fire each event exactly once.

* **reminder** (``reminder:<assignment>``) to the assignee (the named officer, else the
  unit's mailbox) once the deadline is no more than ``[gateway]
  remind_before_working_hours`` working hours away (default 1), with ``Reply-To`` its
  plus address so that answering reports progress;
* **overdue** (``overdue:<assignment>``): the deadline has passed and the assignment is
  still assigned / in progress → the unit's leader and supervisor (``units`` of
  rules.yaml), or the administrator when the unit names neither;
* **unassigned** (``unassigned:<entry>``): an entry still ``registered`` (held, or routed
  to nobody) past its ``assign_by`` (R-ASSIGN) → the administrator, else the gateway's
  own address (the clerk's mailbox).

Units "for information" (để biết) owe nothing: they get no reminders or escalations. An
event that is overdue already when first seen gets the escalation, not a reminder.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import jinja2
from sqlalchemy.engine import Engine

from gateway.outbox.identity import reply_address
from gateway.tracking.followups import (
    FollowUpMail,
    build_follow_up,
    escalation_mail,
    reminder_mail,
    unassigned_mail,
)
from registry.database import read_session, write_session
from registry.numbering import register_label
from registry.recorder import Recorder
from registry.tracking.clock_events import (
    OpenAssignment,
    UnassignedEntry,
    claim,
    claimed_keys,
    open_assignments,
    unassigned_entries,
)
from rules.calendar import WorkingCalendar
from rules.routing_types import Role, Unit
from templates import role_label, vn_datetime

if TYPE_CHECKING:
    from gateway.wiring import Components

log = logging.getLogger(__name__)


class ClockKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Due:
    """One event that should fire now; ``key`` is its once-claim."""

    kind: ClockKind
    key: str
    assignment: OpenAssignment | None = None
    entry: UnassignedEntry | None = None


def due_now(
    assignments: Iterable[OpenAssignment],
    unassigned: Iterable[UnassignedEntry],
    *,
    calendar: WorkingCalendar,
    now: datetime,
    remind_before_hours: float,
) -> list[Due]:
    """The events due at ``now`` (pure: the caller filters those fired already)."""
    horizon = calendar.add_working_hours(now, remind_before_hours)
    due: list[Due] = []
    for a in assignments:
        if a.role == Role.INFORM:
            continue
        if a.due_at <= now:
            due.append(Due(ClockKind.OVERDUE, f"overdue:{a.id}", assignment=a))
        elif a.due_at <= horizon:
            due.append(Due(ClockKind.REMINDER, f"reminder:{a.id}", assignment=a))
    due.extend(Due(ClockKind.UNASSIGNED, f"unassigned:{e.id}", entry=e) for e in unassigned)
    return due


def this_instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Clock:
    """Fires what :func:`due_now` says, once across every instance sharing the database."""

    engine: Engine
    calendar: WorkingCalendar
    templates: jinja2.Environment
    from_address: str
    administrator: str = ""
    units: Callable[[], Mapping[str, Unit]] = dict
    remind_before_hours: float = 1.0
    signer: Callable[[bytes], bytes] | None = None
    instance: str = ""

    def run_once(self, now: datetime) -> int:
        """Fire every event due at ``now``; how many this instance fired."""
        horizon = self.calendar.add_working_hours(now, self.remind_before_hours)
        with read_session(self.engine) as session:
            due = due_now(
                open_assignments(session, due_before=horizon),
                unassigned_entries(session, now),
                calendar=self.calendar,
                now=now,
                remind_before_hours=self.remind_before_hours,
            )
            fired_before = claimed_keys(session, [event.key for event in due])
        fired = 0
        for event in due:
            if event.key not in fired_before and self._fire(event, now):
                fired += 1
        return fired

    def _fire(self, event: Due, now: datetime) -> bool:
        with write_session(self.engine) as session:
            recorder = Recorder(session, now=now, sign=self.signer)
            a, e = event.assignment, event.entry
            won = claim(
                session,
                event.key,
                event.kind.value,
                now=now,
                instance=self.instance or this_instance(),
                entry_id=a.entry_id if a else (e.id if e else None),
                assignment_id=a.id if a else None,
            )
            if not won:
                return False  # another instance fired it
            mails = self._mails(event)
            for mail in mails:
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
            recorder.audit(
                f"clock.{event.kind}",
                key=event.key,
                recipients=[m.to_address for m in mails],
            )
        log.info("clock: %s fired (%d mail(s))", event.key, len(mails))
        return True

    def _mails(self, event: Due) -> list[FollowUpMail]:
        clerk = self.administrator or self.from_address
        tz = self.calendar.zone.key
        if event.entry is not None:
            e = event.entry
            return [
                unassigned_mail(
                    to_address=clerk,
                    entry_id=e.id,
                    incoming=register_label(e.year, e.incoming_number),
                    assign_by=vn_datetime(e.assign_by, tz),
                )
            ]
        a = event.assignment
        if a is None:
            return []
        incoming = register_label(a.year, a.incoming_number)
        unit_name = a.unit_name or a.unit_code
        due_at = vn_datetime(a.due_at, tz)
        if event.kind is ClockKind.REMINDER:
            return [
                reminder_mail(
                    to_address=a.mailbox,
                    assignment_id=a.id,
                    incoming=incoming,
                    unit=unit_name,
                    role=role_label(a.role),
                    due_at=due_at,
                    reply_to=reply_address(self.from_address, a.token),
                )
            ]
        unit = self.units().get(a.unit_code)
        chain = [m for m in (unit.leader, unit.supervisor) if m] if unit else []
        recipients = list(dict.fromkeys(chain)) or [clerk]
        return [
            escalation_mail(
                to_address=recipient,
                key=f"{a.id}-{number}",
                incoming=incoming,
                unit=unit_name,
                role=role_label(a.role),
                due_at=due_at,
                assignee=a.mailbox,
            )
            for number, recipient in enumerate(recipients, start=1)
        ]


def clock_for(components: Components) -> Clock:
    """The clock of ``gateway serve``: the router's calendar and units, or a default
    calendar in the configured zone when nothing is routed."""
    settings = components.deployment.settings
    router = components.router
    pipeline = components.pipeline
    return Clock(
        engine=components.engine,
        calendar=router.calendar if router is not None else WorkingCalendar(zone=pipeline.zone),
        templates=pipeline.templates,
        from_address=pipeline.from_address,
        administrator=pipeline.administrator,
        units=(lambda: router.units) if router is not None else dict,
        remind_before_hours=settings.gateway.remind_before_working_hours,
        signer=pipeline.signer,
    )
