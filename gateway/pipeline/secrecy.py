"""R-SECRET: what the gateway keeps, says and tells about a secret-marked message.

QD278-10.1, CV144 and CV54 §2: documents marked Mật, Tối mật or Tuyệt mật never travel
through the system. The decision refuses them (``secret-document``); the raw message goes
only to the restricted store; and from here on nothing of the message is kept or quoted
outside it: :func:`conceal` blanks the subject and body and renames the files before the
register, the trace and the answer see them (the inbound record says "tệp-1.pdf", never
the sender's file name). The administrator is alerted by :func:`secret_alert`, which names
where the message is kept, never what it says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gateway.outbox.alerts import alert_message_id, compose_alert
from gateway.pipeline.analysis import MessageAnalysis
from mailparse.documents.document import Secrecy
from mailparse.message import Attachment
from mailparse.reasons import Reason
from registry.drafts import OutboxDraft
from rules.decision import Decision, DocumentAction, MessageOutcome, TraceStep

_LEVELS = {Secrecy.MAT: "Mật", Secrecy.TOI_MAT: "Tối mật", Secrecy.TUYET_MAT: "Tuyệt mật"}


def refuse_whole(analysis: MessageAnalysis, decision: Decision) -> Decision:
    """R-SECRET: a message carrying any secret-marked document is refused as a whole.

    The other documents of such a message travelled with the secret one: none of them is
    registered, routed or forwarded; the answer (02) refuses the message ``secret-document``
    and quotes nothing; the raw bytes go only to the restricted store.
    """
    if not analysis.secret:
        return decision
    secret = {p.attachment.filename for p in analysis.pdfs if p.facts and p.facts.secrecy}
    why = (
        "thư có văn bản mang dấu độ mật: toàn bộ thư bị từ chối, không văn bản nào"
        " của thư được vào sổ hay chuyển đi (R-SECRET)"
    )
    return replace(
        decision,
        outcome=MessageOutcome.REJECTED,
        reasons=(Reason.SECRET_DOCUMENT,),
        documents=tuple(
            replace(
                d,
                action=DocumentAction.REFUSE,
                reasons=(Reason.SECRET_DOCUMENT,) if d.filename in secret else d.reasons,
                reference_only=False,
            )
            for d in decision.documents
        ),
        needs_review=False,
        trace=(*decision.trace, TraceStep("secret-document", True, why)),
    )


def conceal(analysis: MessageAnalysis, decision: Decision) -> tuple[MessageAnalysis, Decision]:
    """Both without the message's words when it is secret-marked; unchanged otherwise.

    The facts read from the documents stay (they decided, and they are never registered
    for a secret document); what a person could read — subject, body, file names, and the
    file names in the decision's trace — is replaced.
    """
    parsed = analysis.parsed
    if not analysis.secret or parsed is None:
        return analysis, decision
    renamed = {id(a): _anonymous(a, i) for i, a in enumerate(parsed.attachments, start=1)}
    names = {a.filename: renamed[id(a)].filename for a in parsed.attachments}
    concealed = replace(
        analysis,
        parsed=replace(
            parsed,
            subject="",
            body_text="",
            attachments=tuple(renamed[id(a)] for a in parsed.attachments),
        ),
        pdfs=tuple(replace(p, attachment=renamed[id(p.attachment)]) for p in analysis.pdfs),
    )
    return concealed, replace(
        decision,
        documents=tuple(replace(d, filename=names.get(d.filename, "")) for d in decision.documents),
        trace=tuple(replace(s, subject=names.get(s.subject, s.subject)) for s in decision.trace),
    )


def _anonymous(attachment: Attachment, position: int) -> Attachment:
    suffix = ".pdf" if attachment.is_pdf else ""
    return replace(attachment, filename=f"tệp-{position}{suffix}")


def secrecy_level(analysis: MessageAnalysis) -> str:
    """The highest secrecy mark among the documents, in Vietnamese ("Tối mật")."""
    marks = [p.facts.secrecy for p in analysis.pdfs if p.facts and p.facts.secrecy]
    order = list(_LEVELS)
    return _LEVELS[max(marks, key=order.index)] if marks else ""


def secret_alert(
    *,
    from_address: str,
    to_address: str,
    spool_id: str,
    sender: str,
    level: str,
    sha256: str,
    now: datetime,
) -> OutboxDraft:
    """The administrator's alert for a secret-marked message; one per spool item."""
    return compose_alert(
        from_address=from_address,
        to_address=to_address,
        subject=f"[Cảnh báo] Thư có văn bản mật đã bị từ chối ({spool_id})",
        body=(
            "Cổng tiếp nhận văn bản điện tử đã nhận một thư có văn bản mang dấu độ mật "
            f"({level}). Văn bản mật không được gửi, nhận qua hệ thống (QĐ 278, Điều 10), "
            "nên thư đã bị từ chối, không vào sổ và không chuyển cho ai.\n\n"
            f"Mã thư trong hàng đợi: {spool_id}\n"
            f"Địa chỉ gửi: {sender or '(không rõ)'}\n"
            f"Thời điểm: {now.isoformat(timespec='seconds')}\n"
            f"Thư gốc chỉ được lưu trong kho hạn chế (restricted), mã SHA-256: {sha256}\n\n"
            "Thư này không trích dẫn nội dung, tiêu đề hay tên tệp của thư gốc. "
            "Đề nghị quản trị viên xử lý theo quy định về bảo vệ bí mật nhà nước.\n"
        ),
        message_id=alert_message_id("secret", from_address, spool_id),
        now=now,
    )
