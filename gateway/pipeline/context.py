"""What every intake stage may use: the read-only view of the wiring (DESIGN §1, §2).

The stages that claim a message before the document path does (an answer to our issued
mail, a leader's reply, an assignee's reply: :data:`gateway.pipeline.flow.INTAKE_STAGES`)
need the database, the archive, the templates and a few settings — not the pipeline that
runs them. They import this protocol instead of :class:`gateway.pipeline.flow.Pipeline`,
so no stage imports the module that imports it (no cycle), and a test can hand a stage any
object with these attributes. Each stage receives the message as :class:`IncomingMail`,
whose parse the stages and the analysis share: a message is parsed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import jinja2
    from sqlalchemy.engine import Engine

    from gateway.routing.step import Router
    from gateway.scan.stage import Scanner
    from gateway.senderauth.dns import Resolver
    from gateway.spool.envelope import Envelope
    from gateway.storage.archive import ByteStore
    from mailparse.limits import Limits
    from mailparse.message import ParsedMessage
    from registry.agencies.directory import Directory


class PipelineContext(Protocol):
    """The wiring a stage reads (all built once by :mod:`gateway.wiring`)."""

    @property
    def engine(self) -> Engine: ...
    @property
    def archive(self) -> ByteStore: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def templates(self) -> jinja2.Environment: ...
    @property
    def from_address(self) -> str: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def scanner(self) -> Scanner | None: ...
    @property
    def administrator(self) -> str: ...
    @property
    def limits(self) -> Limits: ...
    @property
    def resolver(self) -> Resolver | None: ...
    @property
    def signer(self) -> Callable[[bytes], bytes] | None: ...
    @property
    def router(self) -> Router | None: ...


@dataclass(frozen=True)
class IncomingMail:
    """One spooled message as every intake stage and the analysis see it: its bytes, its
    envelope, and its parse — made once, on first use, and shared (:func:`parse_once`)."""

    spool_id: str
    raw: bytes
    envelope: Envelope
    parsed: Callable[[], ParsedMessage]  # raises MailparseError when it cannot be read


@dataclass(frozen=True)
class StageOutcome:
    """A stage claimed the message: recorded as ``outcome`` with ``note``; ``answered``
    when something went back to the sender (help for a reply we did not understand)."""

    outcome: str  # an :class:`registry.models.Outcome` value
    note: str  # why, for the inbound list (developers' English, DESIGN §4.1)
    answered: bool = False  # False: recorded and never answered (RFC 3834, DESIGN §4.4)


class IntakeStage(Protocol):
    """One stage: claims the message (an outcome) or lets the next one try (None)."""

    def __call__(self, context: PipelineContext, mail: IncomingMail, /) -> StageOutcome | None: ...
