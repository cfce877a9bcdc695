"""``/rules`` for administrators: the rules in force with hit counts, a dry run of the
current or an edited file against a registered document or an uploaded .eml, the replay of
recent documents, saving into force, and the change history (DESIGN §4.6).

One form posts the edited text with an ``action``: ``dry-run``, ``replay`` or ``save``.
The analysis and the replay are those of ``gateway rules test`` (:mod:`gateway.cli.admin.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.cli.admin.rules import OUTCOME_NAMES, explain, replay
from gateway.config.settings import Deployment
from gateway.routing.console import (
    RulesChange,
    RuleStat,
    current_text,
    history,
    router_with,
    rule_stats,
    save_rules,
    validate,
)
from gateway.routing.in_force import Router
from gateway.routing.views import routing_text
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from registry.console.accounts import Role
from registry.console.documents import recent_entries
from registry.database import read_session
from registry.models import RegisterEntry
from rules.routing_types import RoutingFacts
from rules.rulesfile import RulesError, RuleSet

RECENT = 20  # documents offered for the dry run, and replayed
MAX_RULES_CHARS = 200_000
MAX_EML_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class Explanation:
    """One document routed by the dry run, as plain text (routing decision and trace)."""

    title: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """What the posted form produced, shown above the editor."""

    errors: tuple[str, ...] = ()
    saved: str = ""
    heading: str = ""
    explanations: tuple[Explanation, ...] = ()
    replayed: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulesView:
    stats: list[RuleStat]
    version: str
    recent: list[tuple[int, str]]  # entry id, "số 12/2026 — trích yếu"
    changes: list[RulesChange]


def _router(request: Request) -> Router:
    """The service's router; a console without the service keeps one of its own (the
    rules in force are in the database either way)."""
    components = request.app.state.components
    if components is not None and components.router is not None:
        router: Router = components.router
        return router
    own: Router | None = getattr(request.app.state, "own_router", None)
    if own is None:
        own = Router(_deployment(request), request.app.state.engine)
        request.app.state.own_router = own
    return own


def _view(request: Request, rules: RuleSet) -> RulesView:
    with read_session(request.app.state.engine) as session:
        entries = recent_entries(session, RECENT)
        recent = [
            (e.id or 0, f"Số {e.incoming_number}/{e.year} — {(e.summary or '')[:80]}")
            for e in entries
        ]
        return RulesView(rule_stats(session, rules), rules.version, recent, history(session))


def _rules_in_force(request: Request) -> RuleSet:
    return _router(request).rules


def _deployment(request: Request) -> Deployment:
    deployment: Deployment = request.app.state.deployment
    return deployment


async def _page(request: Request, text: str, outcome: Outcome, status: int = 200) -> Response:
    view = await run_in_threadpool(lambda: _view(request, _rules_in_force(request)))
    return render(
        request, "rules_console.html", status, view=view, rules_text=text, outcome=outcome
    )


@signed_in(roles={Role.ADMIN})
async def rules_page(request: Request, person: Person) -> Response:
    text = await run_in_threadpool(lambda: current_text(_deployment(request), _router(request)))
    return await _page(request, text, Outcome())


@signed_in(roles={Role.ADMIN})
async def rules_post(request: Request, person: Person) -> Response:
    form = await request.form()
    text = str(form.get("rules_text", ""))[:MAX_RULES_CHARS].replace("\r\n", "\n")
    action = str(form.get("action", ""))
    try:
        rules = validate(text)
    except RulesError as exc:  # never put into force; every problem with its line
        return await _page(request, text, Outcome(errors=tuple(str(exc).splitlines())), 422)
    if action == "save":
        saved = await run_in_threadpool(lambda: save_rules(_router(request), text, person.username))
        return await _page(request, text, Outcome(saved=saved.version))
    if action == "replay":
        return await _page(request, text, await run_in_threadpool(_replay, request, rules))
    outcome = await _dry_run(request, form, rules)
    return await _page(request, text, outcome)


def _replay(request: Request, rules: RuleSet) -> Outcome:
    routing = router_with(rules, _router(request).calendar)
    with read_session(request.app.state.engine) as session:
        rows = replay(session, routing, RECENT)
    return Outcome(heading=f"Xét lại {len(rows)} văn bản gần nhất", replayed=tuple(rows))


async def _dry_run(request: Request, form: FormData, rules: RuleSet) -> Outcome:
    deployment = _deployment(request)
    routing = router_with(rules, _router(request).calendar)
    upload = form.get("eml")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            raw = await upload.read(MAX_EML_BYTES)
        finally:
            await upload.close()
        name = upload.filename
        decision, documents = await run_in_threadpool(explain, deployment, raw, routing, name)
        result = OUTCOME_NAMES.get(str(decision.outcome), str(decision.outcome))
        notes = [f"Kết quả tiếp nhận: {result}."]
        if not documents:
            reasons = ", ".join(str(r) for r in decision.reasons) or "—"
            notes.append(f"Không có văn bản nào được vào sổ (lý do: {reasons}).")
        return Outcome(
            heading=f"Chạy thử với thư {name}",
            notes=tuple(notes),
            explanations=tuple(
                Explanation(f"Văn bản {f}", routing_text(r, rules.units_by_code, deployment.zone))
                for f, _facts, r in documents
            ),
        )
    entry_id = str(form.get("entry", ""))
    if not entry_id.isdigit():
        return Outcome(errors=("Hãy chọn một văn bản đã vào sổ hoặc tải lên một tệp .eml.",))

    def stored() -> RegisterEntry | None:
        with read_session(request.app.state.engine) as session:
            return session.get(RegisterEntry, int(entry_id))

    entry = await run_in_threadpool(stored)
    if entry is None or not entry.routing_facts:
        return Outcome(errors=("Văn bản này không có dữ kiện phân phối đã lưu để chạy thử.",))
    decided = routing(RoutingFacts.from_json(entry.routing_facts), datetime.now(UTC))
    title = f"Văn bản đến số {entry.incoming_number}/{entry.year}"
    return Outcome(
        heading=f"Chạy thử với văn bản đến số {entry.incoming_number}/{entry.year}",
        explanations=(
            Explanation(title, routing_text(decided, rules.units_by_code, deployment.zone)),
        ),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/rules", rules_page, methods=["GET"]),
        Route("/rules", rules_post, methods=["POST"]),
    ]
