"""What an assignee's recognised reply changes (R-TRACK): assignment, entry, audit trail.

Statuses only move forward: an assignment goes assigned → in_progress → done, or ends as
returned / reassigned; an entry goes registered → assigned (04) → in_progress (05) →
done (06), or returned. Which reply moves the entry:

* "đã nhận": the assignment is acknowledged; a ``registered`` entry becomes ``assigned``;
* "đang xử lý": the assignment and a ``registered``/``assigned`` entry go ``in_progress``;
* "hoàn thành": the assignment is ``done``; the entry is ``done`` when the replier is the
  lead (chủ trì) — a cooperating unit finishing its part does not finish the document;
* "chuyển <đơn vị>": the assignment is ``reassigned`` and a new one, same role and deadline,
  goes to the named unit (a routed copy is the router's business; see the note);
* "trả lại <lý do>": the assignment is ``returned``; the entry too when the lead returns it;
  the clerk is told either way;
* "đề nghị chuyển [<đơn vị>:] <lý do>": a transfer request is recorded against the
  assignment (which stays open) and the document goes back to the queue of the leader who
  distributed it, or of the clerk (:mod:`registry.tracking.transfer`); one open request
  per assignment.

Every change is an audit event whose actor is the replier's address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailparse.documents.text import fold
from registry.models import AssignmentRecord, AssignmentStatus, EntryStatus, RegisterEntry
from registry.recorder import Recorder
from registry.tracking.assignments import AssignmentDraft, new_assignment
from registry.tracking.distribution import distribution_of
from registry.tracking.transfer import TransferRequest, add_request, open_request
from rules.progress import Intent, ReplyIntent
from rules.routing_types import Role, Unit

TERMINAL = frozenset(
    {AssignmentStatus.DONE, AssignmentStatus.RETURNED, AssignmentStatus.REASSIGNED}
)
_ENTRY_ORDER = (EntryStatus.REGISTERED, EntryStatus.ASSIGNED, EntryStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Applied:
    """What a reply did: a note for the inbound record, the entry's new status if it moved,
    and the assignment a reassignment created."""

    note: str
    entry_status: EntryStatus | None = None
    new_assignment: AssignmentRecord | None = None
    returned_reason: str | None = None
    unknown_unit: bool = False
    transfer_request: TransferRequest | None = None


def find_unit(units: Mapping[str, Unit], name: str) -> Unit | None:
    """A unit by code (any case) or by name (with or without diacritics)."""
    wanted = fold(name).strip()
    for unit in units.values():
        if fold(unit.code) == wanted or fold(unit.name) == wanted:
            return unit
    return None


def apply_intent(
    recorder: Recorder,
    assignment: AssignmentRecord,
    entry: RegisterEntry,
    found: ReplyIntent,
    *,
    actor: str,
    units: Mapping[str, Unit],
) -> Applied:
    """Apply ``found`` in the open transaction (nothing is committed here)."""
    if assignment.status in TERMINAL:
        return Applied(f"no change: assignment already {assignment.status}")
    now = recorder.now
    before = AssignmentStatus(assignment.status)
    lead = assignment.role == Role.LEAD
    entry_to: EntryStatus | None = None
    if found.intent is Intent.ACKNOWLEDGED:
        assignment.acknowledged_at = assignment.acknowledged_at or now
        entry_to = EntryStatus.ASSIGNED
    elif found.intent is Intent.IN_PROGRESS:
        assignment.acknowledged_at = assignment.acknowledged_at or now
        assignment.status = AssignmentStatus.IN_PROGRESS
        entry_to = EntryStatus.IN_PROGRESS
    elif found.intent is Intent.DONE:
        assignment.status = AssignmentStatus.DONE
        assignment.done_at = now
        entry_to = EntryStatus.DONE if lead else None
    elif found.intent is Intent.RETURN:
        assignment.status = AssignmentStatus.RETURNED
        entry_to = EntryStatus.RETURNED if lead else None
    elif found.intent is Intent.TRANSFER_REQUEST:
        return _transfer_request(recorder, assignment, entry, found, actor=actor, units=units)
    else:
        return _reassign(recorder, assignment, entry, found, actor=actor, units=units)
    assignment.updated_at = now
    recorder.audit(
        "assignment." + str(found.intent),
        entry=entry,
        actor=actor,
        assignment=assignment.id,
        unit=assignment.unit_code,
        before=str(before),
        after=str(assignment.status),
        argument=found.argument,
    )
    moved = _move_entry(recorder, entry, entry_to, actor=actor)
    return Applied(
        f"{found.intent} by {assignment.unit_code}",
        entry_status=moved,
        returned_reason=found.argument if found.intent is Intent.RETURN else None,
    )


def _move_entry(
    recorder: Recorder, entry: RegisterEntry, to: EntryStatus | None, *, actor: str
) -> EntryStatus | None:
    """Move the entry forward to ``to``; the new status, or None when it did not move."""
    current = entry.status
    if to is None or current == to:
        return None
    forward = to in (EntryStatus.DONE, EntryStatus.RETURNED) or (
        current in _ENTRY_ORDER
        and _ENTRY_ORDER.index(EntryStatus(current)) < _ENTRY_ORDER.index(to)
    )
    if not forward or current in (EntryStatus.DONE, EntryStatus.RETURNED, EntryStatus.RECALLED):
        return None
    entry.status = to
    recorder.audit("entry.status", entry=entry, actor=actor, before=current, after=str(to))
    return to


def _reassign(
    recorder: Recorder,
    assignment: AssignmentRecord,
    entry: RegisterEntry,
    found: ReplyIntent,
    *,
    actor: str,
    units: Mapping[str, Unit],
) -> Applied:
    unit = find_unit(units, found.argument)
    if unit is None:
        return Applied(f"reassignment to unknown unit {found.argument!r}", unknown_unit=True)
    if unit.code == assignment.unit_code:
        return Applied(f"no change: already assigned to {unit.code}")
    now = recorder.now
    assignment.status = AssignmentStatus.REASSIGNED
    assignment.updated_at = now
    successor = new_assignment(
        entry,
        AssignmentDraft(
            unit.code, unit.name, assignment.role, unit.mailbox, None, assignment.due_at
        ),
        now,
    )
    recorder.session.add(successor)
    recorder.session.flush()
    recorder.audit(
        "assignment.reassigned",
        entry=entry,
        actor=actor,
        assignment=assignment.id,
        unit=assignment.unit_code,
        to_assignment=successor.id,
        to_unit=unit.code,
    )
    return Applied(
        f"reassigned from {assignment.unit_code} to {unit.code}", new_assignment=successor
    )


def split_transfer(argument: str, units: Mapping[str, Unit]) -> tuple[Unit | None, str]:
    """ "Phòng Tư pháp: không thuộc chức năng" → (TP, "không thuộc chức năng"); without a
    unit before a colon, the whole text is the reason."""
    head, colon, rest = argument.partition(":")
    unit = find_unit(units, head) if colon else None
    return (unit, rest.strip()) if unit is not None else (None, argument.strip())


def _transfer_request(
    recorder: Recorder,
    assignment: AssignmentRecord,
    entry: RegisterEntry,
    found: ReplyIntent,
    *,
    actor: str,
    units: Mapping[str, Unit],
) -> Applied:
    if open_request(recorder.session, assignment.id or 0) is not None:
        return Applied("no change: a transfer request is already open")
    unit, reason = split_transfer(found.argument, units)
    if not reason:
        return Applied("transfer request without a reason", unknown_unit=True)
    row = distribution_of(recorder.session, entry.id or 0)
    request = add_request(
        recorder.session,
        assignment,
        reason=reason,
        suggested_unit=unit.code if unit is not None else None,
        requested_by=actor,
        channel="console" if found.line == "console" else "mail",
        leader_code=row.leader_code if row is not None else None,
        now=recorder.now,
    )
    assignment.updated_at = recorder.now
    recorder.audit(
        "assignment.transfer_requested",
        entry=entry,
        actor=actor,
        assignment=assignment.id,
        unit=assignment.unit_code,
        reason=reason,
        suggested_unit=request.suggested_unit,
        to="leader" if row is not None else "clerk",
    )
    return Applied(f"transfer requested by {assignment.unit_code}", transfer_request=request)
