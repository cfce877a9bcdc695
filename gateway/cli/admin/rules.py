"""``gateway rules check`` / ``gateway rules test FILE.eml`` / ``gateway rules test --replay N``.

``check`` validates the rules file (errors name file, line, rule and field; exit 2).
``test FILE.eml`` analyses a message exactly as the pipeline would — signatures included —
but registers nothing, sends nothing and writes nothing; then prints, for each document the
gateway would register, the routing decision and the trace. ``--replay N`` re-decides the
last N register entries from their stored facts with the current rules file and prints
what would change against their stored assignments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.config.settings import Deployment, load
from gateway.errors import ConfigError
from gateway.pipeline.analysis import analyse, decision_facts
from gateway.pipeline.entries import entry_draft
from gateway.routing.in_force import SAMPLE_SOURCE, Router, routing_facts, rules_path
from gateway.routing.views import assignment_keys, changes, routing_json, routing_text
from gateway.spool.envelope import Envelope
from gateway.trust.store import load_trust
from gateway.wiring import load_directory, open_database
from mailparse.signatures.verify import verify_pdf
from registry.console.documents import recent_entries
from registry.database import read_session
from registry.numbering import register_label
from registry.tracking.assignments import assignments_of
from rules.acceptance import decide
from rules.decision import Decision, Policy
from rules.routing_types import Routing, RoutingFacts

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
OUTCOME_NAMES = {"accepted": "tiếp nhận", "rejected": "từ chối", "held": "giữ lại chờ văn thư"}


def cmd_rules(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    router = Router(deployment)  # ConfigError (exit 2) names file, line, rule and field
    if args.rules_command == "check":
        return _check(deployment, router)
    if args.replay is not None:
        return _replay(args, deployment, router)
    if args.file is None:
        raise ConfigError("rules test: give FILE.eml or --replay N")
    return _test(args, deployment, router)


def _check(deployment: Deployment, router: Router) -> int:
    path = rules_path(deployment)
    rules = router.rules
    enabled = sum(r.enabled for r in rules.rules)
    print(
        f"Tệp quy tắc hợp lệ: {path if path.is_file() else SAMPLE_SOURCE} "
        f"(phiên bản {rules.version}): {len(rules.units)} đơn vị, {len(rules.rules)} quy tắc "
        f"({enabled} đang bật), quy tắc mặc định: “{rules.rules[-1].name}”."
    )
    return EXIT_OK


def _test(args: argparse.Namespace, deployment: Deployment, router: Router) -> int:
    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"{args.file}: không đọc được tệp: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILURE
    decision, documents = explain(deployment, raw, router.route, Path(args.file).name)
    if args.json:
        print(
            json.dumps(_test_json(str(decision.outcome), documents), ensure_ascii=False, indent=2)
        )
        return EXIT_OK
    outcome = OUTCOME_NAMES.get(str(decision.outcome), str(decision.outcome))
    print(f"{args.file}: kết quả tiếp nhận: {outcome}")
    if not documents:
        reasons = ", ".join(str(r) for r in decision.reasons) or "—"
        print(f"Không có văn bản nào được vào sổ, nên không phân phối (lý do: {reasons}).")
    for filename, _facts, routing in documents:
        print(f"Văn bản {filename}:")
        print(routing_text(routing, router.units, deployment.zone))
    return EXIT_OK


Explained = list[tuple[str, RoutingFacts, Routing]]


def explain(
    deployment: Deployment,
    raw: bytes,
    route: Callable[[RoutingFacts, datetime], Routing],
    log_id: str,
) -> tuple[Decision, Explained]:
    """Analyse ``raw`` as the pipeline would (writing nothing) and route each document the
    gateway would register with ``route``; also the console's dry run (gateway.web)."""
    now = datetime.now(UTC)
    analysis = analyse(
        raw,
        directory=load_directory(deployment),
        trust=load_trust(deployment),
        received_at=now,
        verify=verify_pdf,
        log_id=log_id,
    )
    policy = deployment.settings.policy
    decision = decide(
        decision_facts(analysis),
        Policy(
            unsigned=policy.unsigned,
            unknown_sender=policy.unknown_sender,
            administrative_domains=policy.administrative_domains,
            indeterminate=policy.indeterminate,
            active_content=policy.active_content,
        ),
    )
    envelope = Envelope(received_at=now, protocol="file", mail_from="", rcpt_tos=())
    documents = []
    for document in decision.registered:
        pdf = next(p for p in analysis.pdfs if p.attachment.filename == document.filename)
        draft = entry_draft(
            pdf=pdf,
            analysis=analysis,
            envelope=envelope,
            year=now.astimezone(deployment.zone).year,
            sha256="",
            reference_only=document.reference_only,
            needs_review=decision.needs_review,
            attachments=(),
        )
        facts = routing_facts(analysis, pdf, draft)
        documents.append((document.filename, facts, route(facts, now)))
    return decision, documents


def _test_json(outcome: str, documents: list[tuple[str, RoutingFacts, Any]]) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "documents": [
            {"filename": name, "facts": facts.as_json(), "routing": routing_json(routing)}
            for name, facts, routing in documents
        ],
    }


def _replay(args: argparse.Namespace, deployment: Deployment, router: Router) -> int:
    engine = open_database(deployment)
    with read_session(engine) as session:
        results = replay(session, router.route, args.replay)
    engine.dispose()
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row in results:
        if not row["replayed"]:
            print(f"{row['entry']}: không có dữ kiện phân phối đã lưu, bỏ qua")
        elif row["changes"]:
            print(f"{row['entry']}: sẽ thay đổi: {'; '.join(row['changes'])}")
        else:
            print(f"{row['entry']}: không thay đổi ({', '.join(row['matched_rules'])})")
    changed = sum(bool(r["changes"]) for r in results)
    print(f"Đã xét lại {len(results)} văn bản; {changed} văn bản sẽ được phân phối khác.")
    return EXIT_OK


def replay(
    session: Any, route: Callable[[RoutingFacts, datetime], Routing], limit: int
) -> list[dict[str, Any]]:
    """Re-decide the last ``limit`` entries from their stored facts with ``route``: what
    would change against their stored assignments (also the console's replay)."""
    now = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    entries = recent_entries(session, limit)
    stored = assignments_of(session, entries)
    for entry in reversed(entries):
        number = register_label(entry.year, entry.incoming_number)
        if not entry.routing_facts:
            results.append({"entry": number, "replayed": False, "changes": []})
            continue
        routing = route(RoutingFacts.from_json(entry.routing_facts), now)
        before = assignment_keys((a.unit_code, a.role) for a in stored.get(entry.id or 0, []))
        after = assignment_keys((a.unit, a.role) for a in routing.assignments)
        results.append(
            {
                "entry": number,
                "replayed": True,
                "stored_rules_version": entry.rules_version,
                "rules_version": routing.rules_version,
                "matched_rules": list(routing.matched_rules),
                "changes": changes(before, after),
            }
        )
    return results


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway rules …`` wired into the main parser."""
    rules = commands.add_parser("rules", help="routing rules").add_subparsers(
        dest="rules_command", required=True, metavar="ACTION"
    )
    command(rules, "check", cmd_rules, "validate the rules file")
    test = command(rules, "test", cmd_rules, "explain the routing of a message", json_flag=True)
    test.add_argument("file", nargs="?", type=Path, metavar="FILE.eml")
    test.add_argument("--replay", type=int, metavar="N", help="re-decide the last N entries")
