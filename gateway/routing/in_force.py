"""The routing rules in force in a running gateway, and the facts they are given.

:class:`Router` holds the rules in force and the working-hours calendar (``[office_hours]``,
``[gateway] timezone``). Where the rules come from:

- With the database (``gateway serve``, the console): the newest row of ``rules_version``
  (:mod:`registry.rules_versions`), shared by every instance (DESIGN §3). Before each
  routing the router asks for the newest row's id (one small query) and loads it when it
  moved, so rules saved on one instance are in force on all of them at their next
  document. An instance's rules file (``[rules] file``) becomes a new row when it changed
  *on that instance* since the instance last read it (at start, and on SIGHUP): a marker
  in the data folder keeps the version last read, so an instance whose file is older than
  the rules saved in the console never puts that old file back into force.
  (docs/decisions/0005-rules-in-the-database.md)
- Without it (``gateway rules check/test``): the rules file, to try before loading it.

An invalid file is refused with a logged reason and the last good rules stay in force.
Without a rules file and without a saved row the shipped sample ``data/rules.yaml`` is
used: everything routed to its default unit (Văn phòng), urgent documents first.

:func:`routing_facts` turns one analysed, about-to-be-registered document into
:class:`~rules.routing_types.RoutingFacts` (the pipeline calls it per entry draft).
"""

from __future__ import annotations

import difflib
import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.config.settings import Deployment
from gateway.errors import ConfigError
from gateway.pipeline.analysis import MessageAnalysis, PdfAnalysis
from gateway.storage.durable import replace_file
from registry.database import read_session, write_session
from registry.drafts import EntryDraft
from registry.holding import Holding
from registry.recorder import Recorder
from registry.rules_versions import (
    newest_rules_id,
    rules_in_force,
    save_rules_version,
    version_saved,
)
from rules.calendar import WorkingCalendar, parse_sessions
from rules.routing import route
from rules.routing_types import BODY_CHARS, Routing, RoutingFacts, Unit
from rules.rulesfile import RulesError, RuleSet, load_rules

log = logging.getLogger(__name__)

SAMPLE_SOURCE = "embedded sample rules.yaml"
SAVE_ACTION = "rules.save"
DIFF_CHARS = 20_000
# In the data folder: the version of the rules file this instance last read.
FILE_MARKER = "rules-file-read"


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


@dataclass(frozen=True)
class RulesText:
    """Rules with the text they were read from and where from."""

    rules: RuleSet
    text: str
    source: str  # a file's path, SAMPLE_SOURCE, or "rules version VERSION" for a row


def read_rules_text(deployment: Deployment) -> RulesText:
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


def read_rules(deployment: Deployment) -> RuleSet:
    """The configured rules file's rules (see :func:`read_rules_text`)."""
    return read_rules_text(deployment).rules


def _load(text: str, source: str) -> RulesText:
    try:
        return RulesText(load_rules(text, source), text, source)
    except RulesError as exc:
        raise ConfigError(str(exc)) from exc


def put_in_force(engine: Engine, text: str, rules: RuleSet, source: str, actor: str) -> None:
    """Store ``text`` as the newest rules (in force on every instance) and audit the change
    with its diff against the rules it replaces (R-ACCOUNT). The first rules stored from
    a file (an installation's first start) replace nothing and are not a change."""
    with write_session(engine) as session:
        before = rules_in_force(session)
        save_rules_version(session, text=text, version=rules.version, source=source, saved_by=actor)
        if before is None and source != "console":
            return
        old_text = before.text if before is not None else ""
        diff = "".join(
            difflib.unified_diff(
                old_text.splitlines(keepends=True), text.splitlines(keepends=True), "trước", "sau"
            )
        )
        Recorder(session).audit(
            SAVE_ACTION,
            actor=actor,
            old_version=before.version if before is not None else "",
            new_version=rules.version,
            source=source,
            diff=diff[:DIFF_CHARS],
        )


class Router:
    """The rules in force and the calendar; thread-safe swaps."""

    def __init__(self, deployment: Deployment, engine: Engine | None = None) -> None:
        self._deployment = deployment
        self._engine = engine
        self.calendar = calendar_for(deployment)
        self._lock = threading.Lock()
        self._holding: Holding[RulesText] = Holding()
        read = read_rules_text(deployment)  # an invalid file at start-up is a config error
        self._in_force = read
        self._row_id: int | None = None
        if engine is not None:
            self._adopt_file(read)
            self.refresh()

    @property
    def rules(self) -> RuleSet:
        return self.refresh().rules

    @property
    def text(self) -> str:
        """The YAML text of the rules in force."""
        return self.refresh().text

    @property
    def units(self) -> dict[str, Unit]:
        return self.rules.units_by_code

    def held(self) -> AbstractContextManager[RulesText]:
        """Read once, then held for this thread until the block ends: one message is routed
        by one version of the rules, asked of the database once."""
        return self._holding.block(self.refresh)

    def refresh(self) -> RulesText:
        """The rules in force now: the newest saved row, loaded when it changed."""
        held = self._holding.value
        if held is not None:
            return held
        with self._lock:
            current = self._in_force
        if self._engine is None:
            return current
        try:
            with read_session(self._engine) as session:
                newest = newest_rules_id(session)
                if newest is None or newest == self._row_id:
                    return current
                row = rules_in_force(session)
        except SQLAlchemyError as exc:
            log.warning("saved rules unreadable, the rules in force stay: %s", exc)
            return current
        if row is None or row.id is None:
            return current
        try:
            fresh = _load(row.text, f"rules version {row.version}")
        except ConfigError as exc:  # validated when saved; a hand-edited row, say
            old = current.rules.version
            log.error("saved rules %s refused, rules %s stay: %s", row.id, old, exc)  # noqa: TRY400
            fresh = current
        with self._lock:
            self._row_id, self._in_force = row.id, fresh
        if fresh is not current:
            new, old = fresh.rules.version, current.rules.version
            log.info("rules in force: version %s (was %s)", new, old)
        return fresh

    def reload(self) -> bool:
        """Re-read the rules file (SIGHUP); False (logged, old rules kept) when invalid."""
        try:
            fresh = read_rules_text(self._deployment)
        except ConfigError as exc:
            log.error(  # noqa: TRY400 - the reason is the message, no traceback
                "rules file refused, rules %s stay in force: %s", self.rules.version, exc
            )
            return False
        with self._lock:
            previous = self._in_force
        if self._engine is not None:
            self._adopt_file(fresh)
            fresh = self.refresh()
        else:
            with self._lock:
                self._in_force = fresh
        log.info("rules reloaded: version %s (was %s)", fresh.rules.version, previous.rules.version)
        return True

    def save(self, text: str, rules: RuleSet, actor: str) -> None:
        """Put rules edited in the console into force on every instance, and write them to
        this instance's rules file too (marked as read, so it is not taken as a change)."""
        if self._engine is None:
            raise ConfigError("rules can be saved only with the database")
        put_in_force(self._engine, text, rules, "console", actor)
        path = rules_path(self._deployment)
        replace_file(path, text.encode("utf-8"))
        self._mark_file_read(rules.version)
        self.refresh()

    def route(self, facts: RoutingFacts, now: datetime) -> Routing:
        propose_all = self._deployment.settings.routing.mode == "propose"  # R-DISTRIB
        return route(facts, self.rules, self.calendar, now, propose_all=propose_all)

    def _adopt_file(self, read: RulesText) -> None:
        """Put this instance's rules file into force when it changed here since this
        instance last read it; a file never read here is taken only when its text was never
        in force (a new instance with the shipped file does not undo the console's rules)."""
        if read.source == SAMPLE_SOURCE or self._engine is None:
            return
        version = read.rules.version
        marker = self._deployment.data_dir / FILE_MARKER
        last_read = marker.read_text(encoding="ascii").strip() if marker.is_file() else None
        with read_session(self._engine) as session:
            newest = rules_in_force(session)
            unchanged = newest is not None and newest.version == version
            if last_read is None:
                unchanged = unchanged or version_saved(session, version)
            else:
                unchanged = unchanged or last_read == version
        if not unchanged:
            put_in_force(self._engine, read.text, read.rules, f"file:{read.source}", "system")
            log.info("rules file %s put into force: version %s", read.source, version)
        self._mark_file_read(version)

    def _mark_file_read(self, version: str) -> None:
        self._deployment.data_dir.mkdir(parents=True, exist_ok=True)
        replace_file(self._deployment.data_dir / FILE_MARKER, version.encode("ascii"))


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
        body=parsed.body_text[:BODY_CHARS] if parsed else "",
        attachment_names=tuple(a.filename for a in parsed.attachments) if parsed else (),
        due_date=analysis.edxml.document.due_on if analysis.edxml.document else None,
    )
