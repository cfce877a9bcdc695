"""Jinja2 for the console's pages: autoescaped HTML, Vietnamese labels and dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.clerk.accounts import Person
from registry.accounts import Role
from templates import URGENCY_LABELS, reason_text, role_label
from templates.signatures import (
    COVERAGE,
    INDICATIONS,
    MODIFICATIONS,
    REVOCATION,
    SUB_INDICATIONS,
    VERDICTS,
    explain,
)

ROLE_NAMES = {
    Role.CLERK: "Văn thư",
    Role.OFFICER: "Chuyên viên",
    Role.LEADER: "Lãnh đạo",
    Role.ADMIN: "Quản trị",
}

STATUS_LABELS = {
    "registered": "Đã vào sổ",
    "assigned": "Đã chuyển xử lý",
    "in_progress": "Đang xử lý",
    "done": "Đã giải quyết",
    "returned": "Bị trả lại",
    "recalled": "Đã thu hồi",
}

ACTION_LABELS = {
    "inbound.accepted": "Tiếp nhận thư",
    "inbound.rejected": "Từ chối tiếp nhận",
    "inbound.held": "Tạm giữ chờ văn thư quyết định",
    "inbound.quarantined": "Cách ly chờ quản trị xem xét",
    "inbound.duplicate": "Nhận trùng văn bản đã vào sổ",
    "entry.registered": "Vào sổ văn bản đến",
    "entry.held": "Tạm giữ chờ văn thư quyết định",
    "outbox.queued": "Chuẩn bị thư gửi đi",
    "assignment.assigned": "Phân công xử lý",
    "assignment.reassigned": "Chuyển đơn vị xử lý",
    "entry.status": "Cập nhật tình trạng",
    "entry.corrected": "Sửa thông tin vào sổ",
    "entry.note": "Ghi chú",
}

ASSIGNMENT_STATUS_LABELS = {
    "assigned": "Đã giao",
    "in_progress": "Đang xử lý",
    "done": "Đã xong",
    "returned": "Trả lại văn thư",
    "reassigned": "Đã chuyển đơn vị khác",
}

SIGNATURE_TABLES = {
    "verdict": VERDICTS,
    "indication": INDICATIONS,
    "sub_indication": SUB_INDICATIONS,
    "revocation": REVOCATION,
    "coverage": COVERAGE,
    "modification_level": MODIFICATIONS,
}


def template_environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        urgency_label=lambda key: URGENCY_LABELS.get(key or "", key or ""),
        status_label=lambda key: STATUS_LABELS.get(key or "", key or ""),
        role_label=role_label,
        reason=reason_text,
        signature_text=lambda table, key: explain(SIGNATURE_TABLES[table], key),
        assignment_status=lambda key: ASSIGNMENT_STATUS_LABELS.get(key, key),
        action_label=lambda key: ACTION_LABELS.get(key, key),
        role_name=lambda role: ROLE_NAMES.get(Role(role), role),
        URGENCY_LABELS=URGENCY_LABELS,
        STATUS_LABELS=STATUS_LABELS,
    )
    return env


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``name`` with the person and their CSRF token (when signed in)."""
    env: jinja2.Environment = request.app.state.templates
    zone = request.app.state.deployment.zone

    def local(value: datetime | date | None, with_time: bool = True) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            moment = value.astimezone(zone)
            return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
        return value.strftime("%d/%m/%Y")

    person: Person | None = getattr(request.state, "person", None)
    html = env.get_template(name).render(
        person=person,
        csrf=getattr(request.state, "csrf", ""),
        local=local,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)
