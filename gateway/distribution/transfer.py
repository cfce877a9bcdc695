"""The leader (or the clerk) re-decides a document its unit asked to transfer ("Đơn vị đề
nghị chuyển", R-DISTRIB, R-TRACK; the request itself is
:func:`gateway.tracking.reply_actions.apply_intent` with "đề nghị chuyển", from the
progress page or a reply mail).

A request on a document a leader distributed waits in that leader's ``/distribute``
queue (and their delegate's); one the rules assigned directly waits for the clerk. The
decision, once (:func:`registry.tracking.transfer.claim_resolution`):

* transfer: the assignment is ``reassigned`` and a new one, same role and deadline, goes
  to the unit chosen — the same transition as an officer's "chuyển <đơn vị>" — with a
  routed copy carrying the instruction;
* keep: the unit keeps the document; the instruction is recorded.

Both are audited (``assignment.transfer_decided``) and printed on the slip. When the
request is made, whoever decides is mailed (:func:`queue_request_notice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.distribution.decide import Desk, DistributionError, leader_code_of, resolve_unit
from gateway.distribution.delegation import delegate_mailboxes
from gateway.routing.reassign import queue_routed_copy
from gateway.tracking.followups import FollowUp, FollowUpMail, build_follow_up
from gateway.tracking.reply_actions import TERMINAL, apply_intent
from registry.database import read_session, write_session
from registry.models import AssignmentRecord, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from registry.tracking.distribution import distribution_of
from registry.tracking.transfer import (
    TransferOutcome,
    TransferRequest,
    claim_resolution,
    open_requests,
)
from rules.progress import Intent, ReplyIntent

NOTE_CHARS = 2000


@dataclass(frozen=True)
class Pending:
    """One open transfer request as the queue shows it."""

    request: TransferRequest
    entry: RegisterEntry
    incoming: str
    suggested_name: str
    to_leader: bool  # False: the clerk decides (the rules assigned it directly)


def pending(desk: Desk, *, leader_codes: set[str] | None, clerk: bool) -> list[Pending]:
    """Open requests for these leaders (None: every leader's) and, with ``clerk``, those
    the clerk decides."""
    found: list[Pending] = []
    with read_session(desk.engine) as session:
        for entry, request in open_requests(session):
            row = distribution_of(session, entry.id or 0)
            to_leader = row is not None
            mine = (
                leader_codes is None
                or request.leader_code is None
                or request.leader_code in leader_codes
            )
            if to_leader and not mine:
                continue
            if not to_leader and not clerk:
                continue
            unit = desk.units.get(request.suggested_unit or "")
            found.append(
                Pending(
                    request=request,
                    entry=entry,
                    incoming=register_label(entry.year, entry.incoming_number),
                    suggested_name=unit.name if unit is not None else "",
                    to_leader=to_leader,
                )
            )
    return found


def queue_request_notice(recorder: Recorder, desk: Desk, request: TransferRequest) -> int:
    """Tell whoever decides that a unit asks for a transfer (R-FOLLOW): the document's
    leader and their delegates in force, or — the rules assigned it directly — the clerk.
    In the caller's transaction; how many mails were queued."""
    session = recorder.session
    entry = session.get_one(RegisterEntry, request.entry_id)
    incoming = register_label(entry.year, entry.incoming_number)
    row = distribution_of(session, entry.id or 0)
    to: list[str] = []
    if row is not None:
        code = leader_code_of(desk, row)
        leader = desk.leaders.get(code or "")
        if leader is not None:
            to.append(leader.mailbox.lower())
        day = recorder.now.astimezone(desk.zone).date()
        to += [m for m, _ in delegate_mailboxes(desk, session, code, day)]
    to = list(dict.fromkeys(to)) or [desk.clerk]
    suggested = desk.units.get(request.suggested_unit or "")
    for n, address in enumerate(to):
        recorder.add_outbox(
            None,
            build_follow_up(
                FollowUpMail(
                    kind=FollowUp.RETURNED,
                    key=f"transfer-{request.id}-{n}",
                    to_address=address,
                    addressee="đồng chí" if row is not None else "bộ phận văn thư",
                    subject=f"Đơn vị đề nghị chuyển văn bản đến số {incoming}",
                    paragraphs=(
                        f"{request.unit_name} đề nghị chuyển văn bản đến số {incoming} cho "
                        "đơn vị khác. Trong khi chờ quyết định, đơn vị vẫn giữ văn bản.",
                        "Đề nghị cho ý kiến trên trang “Phân công” của hệ thống (mục “Đơn vị "
                        "đề nghị chuyển”): chuyển cho đơn vị khác hoặc giữ nguyên phân công.",
                    ),
                    facts=(
                        ("Số đến", incoming),
                        ("Trích yếu", entry.summary or "(chưa xác định)"),
                        ("Người đề nghị", request.requested_by),
                        ("Lý do", request.reason),
                        ("Đơn vị được đề nghị", suggested.name if suggested else "(không nêu)"),
                    ),
                ),
                env=desk.templates,
                from_address=desk.from_address,
                now=recorder.now,
                timezone=desk.zone.key,
            ),
        )
    return len(to)


def one(desk: Desk, request_id: int) -> Pending:
    with read_session(desk.engine) as session:
        request = session.get(TransferRequest, request_id)
        if request is None:
            raise DistributionError("Không tìm thấy đề nghị chuyển này.")
        entry = session.get_one(RegisterEntry, request.entry_id)
        row = distribution_of(session, entry.id or 0)
    unit = desk.units.get(request.suggested_unit or "")
    return Pending(
        request=request,
        entry=entry,
        incoming=register_label(entry.year, entry.incoming_number),
        suggested_name=unit.name if unit is not None else "",
        to_leader=row is not None,
    )


def resolve(
    desk: Desk,
    request_id: int,
    *,
    by: str,
    by_name: str,
    unit: str | None,
    note: str = "",
    now: datetime | None = None,
) -> str:
    """Transfer to ``unit`` (None: keep as it is); the register label. DistributionError,
    in Vietnamese, when the request was decided first by someone else."""
    note = " ".join(note.split())[:NOTE_CHARS]
    chosen = resolve_unit(desk.units, unit) if unit else None
    if unit and chosen is None:
        raise DistributionError(f"Không có đơn vị “{unit.strip()}” trong danh sách đơn vị.")
    with write_session(desk.engine) as session:
        recorder = Recorder(session, now=now or datetime.now(UTC))
        request = session.get(TransferRequest, request_id)
        if request is None:
            raise DistributionError("Không tìm thấy đề nghị chuyển này.")
        assignment = session.get_one(AssignmentRecord, request.assignment_id)
        entry = session.get_one(RegisterEntry, request.entry_id)
        if chosen is not None and chosen.code == assignment.unit_code:
            raise DistributionError("Hãy chọn một đơn vị khác đơn vị đang được giao.")
        outcome = TransferOutcome.TRANSFERRED if chosen is not None else TransferOutcome.KEPT
        if not claim_resolution(
            session, request_id, by=by, at=recorder.now, outcome=outcome, note=note
        ):
            session.refresh(request)
            raise DistributionError(
                f"Đề nghị chuyển này đã được giải quyết (người quyết định: {request.resolved_by})."
            )
        successor: AssignmentRecord | None = None
        if chosen is not None:
            if assignment.status in TERMINAL:
                raise DistributionError("Phân công này đã kết thúc, không chuyển được nữa.")
            applied = apply_intent(  # the same transition as the officer's "chuyển <đơn vị>"
                recorder,
                assignment,
                entry,
                ReplyIntent(Intent.REASSIGN, chosen.code, line="console"),
                actor=by,
                units=desk.units,
            )
            successor = applied.new_assignment
            if successor is None:
                raise DistributionError("Không chuyển được văn bản cho đơn vị đã chọn.")
            if (
                queue_routed_copy(
                    recorder,
                    successor,
                    entry,
                    archive=desk.archive,
                    env=desk.templates,
                    from_address=desk.from_address,
                    timezone=desk.zone.key,
                    instruction=note or None,
                    instructed_by=by_name,
                )
                is None
            ):
                raise DistributionError("Không còn bản gốc trong kho lưu trữ để gửi cho đơn vị.")
        recorder.audit(
            "assignment.transfer_decided",
            entry=entry,
            actor=by,
            assignment=assignment.id,
            unit=assignment.unit_code,
            outcome=str(outcome),
            to_unit=chosen.code if chosen is not None else None,
            note=note,
        )
        return register_label(entry.year, entry.incoming_number)
