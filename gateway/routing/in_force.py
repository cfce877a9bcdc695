"""The routing rules in force in a running gateway, and the facts they are given.

:class:`Router` reads ``[rules] file`` and builds the working-hours calendar from
``[office_hours]`` and ``[gateway] timezone``. It keeps the last good rules: :meth:`reload`
(SIGHUP in ``gateway serve``) re-reads the file and swaps the rules only when the new file
is valid; an invalid one is refused with a logged reason. Without a rules file (embedded
defaults, or a deployment that has none yet) the shipped sample ``data/rules.yaml`` is used:
everything routed to its default unit (Văn phòng), urgent documents first.

:func:`routing_facts` turns one analysed, about-to-be-registered document into
:class:`~rules.routing_types.RoutingFacts` (the pipeline calls it per entry draft).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from importlib import resources
from pathlib import Path

from gateway.config.settings import Deployment
from gateway.errors import ConfigError
from gateway.pipeline.analysis import MessageAnalysis, PdfAnalysis
from registry.drafts import EntryDraft
from rules.calendar import WorkingCalendar, parse_sessions
from rules.routing import route
from rules.routing_types import Routing, RoutingFacts, Unit
from rules.rulesfile import RulesError, RuleSet, load_rules

log = logging.getLogger(__name__)

SAMPLE_SOURCE = "embedded sample rules.yaml"


def sample_rules_text() -> str:
    return resources.files("gateway").joinpath("data/rules.yaml").read_text(encoding="utf-8")


def calendar_for(deployment: Deployment) -> WorkingCalendar:
    """The ``[office_hours]`` calendar in the ``[gateway] timezone``."""
    hours = deployment.settings.office_hours
    return WorkingCalendar(
        zone=deployment.zone,
        sessions=parse_sessions(hours.sessions),
        weekdays=frozenset(d - 1 for d in hours.weekdays),
        extra_days_off=frozenset(hours.extra_days_off),
        makeup_working_days=frozenset(hours.makeup_working_days),
    )


def rules_path(deployment: Deployment) -> Path:
    return deployment.path(deployment.settings.rules.file)


def read_rules(deployment: Deployment) -> RuleSet:
    """The configured rules file, validated; the shipped sample when there is none.

    Raises ConfigError naming file, line, rule and field.
    """
    path = rules_path(deployment)
    if not path.is_file():
        if deployment.config_file is not None:
            log.warning("rules file %s not found: using the embedded sample rules", path)
        return _load(sample_rules_text(), SAMPLE_SOURCE)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the rules file: {exc}") from exc
    return _load(text, str(path))


def _load(text: str, source: str) -> RuleSet:
    try:
        return load_rules(text, source)
    except RulesError as exc:
        raise ConfigError(str(exc)) from exc


class Router:
    """The rules in force and the calendar; thread-safe swaps on :meth:`reload`."""

    def __init__(self, deployment: Deployment) -> None:
        self._deployment = deployment
        self.calendar = calendar_for(deployment)
        self._rules = read_rules(deployment)  # an invalid file at start-up is a config error
        self._lock = threading.Lock()

    @property
    def rules(self) -> RuleSet:
        with self._lock:
            return self._rules

    @property
    def units(self) -> dict[str, Unit]:
        return self.rules.units_by_code

    def reload(self) -> bool:
        """Re-read the rules file; False (logged, old rules kept) when it is invalid."""
        try:
            fresh = read_rules(self._deployment)
        except ConfigError as exc:
            log.error(  # noqa: TRY400 - the reason is the message, no traceback
                "rules file refused, rules %s stay in force: %s", self.rules.version, exc
            )
            return False
        with self._lock:
            previous, self._rules = self._rules, fresh
        log.info("rules reloaded: version %s (was %s)", fresh.version, previous.version)
        return True

    def route(self, facts: RoutingFacts, now: datetime) -> Routing:
        propose_all = self._deployment.settings.routing.mode == "propose"  # R-DISTRIB
        return route(facts, self.rules, self.calendar, now, propose_all=propose_all)


def routing_facts(
    analysis: MessageAnalysis,
    pdf: PdfAnalysis,
    draft: EntryDraft,
) -> RoutingFacts:
    """What the routing rules see of one document about to be registered.

    ``draft`` is the entry :func:`gateway.pipeline.entries.entry_draft` made for ``pdf`` (register
    fields: type, number, summary, urgency, reference-only, paper-required); the message
    gives subject, body and attachment names; the directory agency its group; the edXML
    envelope (QCVN 102:2016), when the message carries one, the document's own ``DueDate``.
    """
    parsed = analysis.parsed
    sender = draft.sender_address
    signatures = pdf.signatures
    return RoutingFacts(
        received_at=draft.received_at,
        sender_address=sender,
        sender_domain=sender.rpartition("@")[2].lower() if sender else None,
        sender_agency_code=draft.sender_agency_code,
        sender_agency_group=(analysis.agency.group or None) if analysis.agency else None,
        document_type=draft.document_type,
        document_number=draft.document_number,
        urgency=draft.urgency,
        secrecy=str(pdf.facts.secrecy) if pdf.facts and pdf.facts.secrecy else None,
        signature_verdict=str(signatures.worst) if signatures and signatures.signed else None,
        reference_only=draft.reference_only,
        paper_required=draft.paper_required,
        summary=draft.summary or "",
        subject=parsed.subject if parsed else "",
        body=parsed.body_text if parsed else "",
        attachment_names=tuple(a.filename for a in parsed.attachments) if parsed else (),
        due_date=analysis.edxml.document.due_on if analysis.edxml.document else None,
    )
