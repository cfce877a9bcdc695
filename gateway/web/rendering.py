"""Jinja2 for the console's pages: autoescaped HTML, Vietnamese labels and dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.clerk.accounts import Person
from templates import URGENCY_LABELS, labels, reason_text, role_label, wording
from templates.signatures import (
    COVERAGE,
    INDICATIONS,
    MODIFICATIONS,
    REVOCATION,
    SUB_INDICATIONS,
    VERDICTS,
    explain,
)

STATUS_LABELS = labels.STATUS_LABELS

SIGNATURE_TABLES = {
    "verdict": VERDICTS,
    "indication": INDICATIONS,
    "sub_indication": SUB_INDICATIONS,
    "revocation": REVOCATION,
    "coverage": COVERAGE,
    "modification_level": MODIFICATIONS,
}


def history_value(field: str, value: Any) -> str:
    """A corrected field's stored value as a person reads it: dates as dd/mm/yyyy, the
    urgency by its name (the audit trail keeps ISO dates and codes)."""
    if value is None:
        return ""
    text = str(value)
    if field == "issued_on":
        try:
            return date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if field == "urgency":
        return URGENCY_LABELS.get(text, text)
    return text


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
        assignment_status=lambda key: labels.label(labels.ASSIGNMENT_STATUS_LABELS, key),
        action_label=labels.action,
        field_label=labels.field,
        group_label=labels.group,
        history_value=history_value,
        problem_text=wording.problem_text,
        rules_error_text=wording.rules_error_text,
        note_text=wording.note_text,
        trace_rule=labels.trace_rule,
        outcome_label=lambda key: labels.label(labels.OUTCOME_LABELS, key),
        secrecy_label=lambda key: labels.label(labels.SECRECY_LABELS, key or ""),
        role_name=lambda role: labels.account_role(str(role)),
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
