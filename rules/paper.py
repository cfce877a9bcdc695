"""R-PAPER and R-EXCL: does a document still need its paper copy?

CV144 (2020, superseding the narrower list of QD278-5.2) sends the 24 catalogue types
electronically only, except documents on planning, finance (state budget, public assets),
organisation and apparatus, personnel, civil-servant policy, and documents hard to
digitise. The topic is read from the type and the trích yếu with the keywords of
``data/paper_topics.yaml`` (editable; :func:`parse_topics`). A type outside the catalogue,
or no recognisable type at all, is never treated as complete: ``paper_required`` and
``needs_review`` (R-EXCL). Pure: the caller passes the facts and the topics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mailparse.documents.text import fold, squash


class PaperTopic(StrEnum):
    PLANNING = "planning"
    FINANCE = "finance"
    ORGANISATION = "organisation"
    PERSONNEL = "personnel"
    CIVIL_SERVICE_POLICY = "civil_service_policy"
    HARD_TO_DIGITISE = "hard_to_digitise"
    OUTSIDE_CATALOGUE = "outside_catalogue"  # R-EXCL
    UNKNOWN_TYPE = "unknown_type"  # R-EXCL: no type could be read


class TopicRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: PaperTopic
    label: str
    keywords: tuple[str, ...] = Field(min_length=1)


class PaperTopics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topics: tuple[TopicRule, ...]


class PaperTopicsError(ValueError):
    """The topics data is not valid."""


@dataclass(frozen=True)
class PaperReason:
    """Why a paper copy is required: the topic, and the keyword or type that showed it."""

    topic: PaperTopic
    label: str
    matched: str  # the keyword as written in the data, or the document type

    def __str__(self) -> str:
        return f"{self.label}: {self.matched}"


@dataclass(frozen=True)
class PaperVerdict:
    paper_required: bool
    needs_review: bool
    reasons: tuple[PaperReason, ...] = ()

    @property
    def reason(self) -> str | None:
        """The first reason, as shown in the register and to the clerk."""
        return str(self.reasons[0]) if self.reasons else None


def parse_topics(text: str) -> PaperTopics:
    try:
        return PaperTopics.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise PaperTopicsError(f"paper topics: {exc}") from exc


@lru_cache(maxsize=1)
def default_topics() -> PaperTopics:
    """The packaged topics of CV144 (``rules/data/paper_topics.yaml``)."""
    return parse_topics(files("rules").joinpath("data/paper_topics.yaml").read_text("utf-8"))


def classify_paper(
    *,
    document_type: str | None,
    in_catalogue: bool,
    summary: str | None,
    topics: PaperTopics | None = None,
) -> PaperVerdict:
    """Whether the document also needs its paper copy, and why (R-PAPER, R-EXCL)."""
    topics = topics or default_topics()
    if document_type is None:
        reason = PaperReason(PaperTopic.UNKNOWN_TYPE, "không xác định được loại văn bản", "—")
        return PaperVerdict(True, True, (reason,))
    reasons: list[PaperReason] = []
    if not in_catalogue:
        label = "loại văn bản ngoài danh mục CV144"
        reasons.append(PaperReason(PaperTopic.OUTSIDE_CATALOGUE, label, document_type))
    text = f" {_words(document_type)} {_words(summary or '')} "
    for rule in topics.topics:
        hit = next((k for k in rule.keywords if f" {_words(k)} " in text), None)
        if hit is not None:
            reasons.append(PaperReason(rule.topic, rule.label, hit))
    return PaperVerdict(bool(reasons), not in_catalogue, tuple(reasons))


def _words(text: str) -> str:
    return squash(re.sub(r"[^\w]+", " ", fold(text)))
