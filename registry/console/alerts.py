"""Alerts an administrator must see: a secret-marked message, malware (R-SECRET, R-VIRUS).

The alert mail (``[alerts] administrator``) reaches nobody while that address is empty
(the default), so every alert is also a row here, written in the same transaction as the
inbound record, and shown on ``/system``, in ``gateway status`` and on an administrator's
dashboard until an administrator acknowledges it. A row names the spool item, the time and
the kind — never the subject, the file names or anything else of the message.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.types import UtcDateTime, utc_field


class AlertKind(StrEnum):
    """What an alert is about (the reason code of the refusal)."""

    SECRET = "secret-document"  # noqa: S105 - a reason code, not a password
    MALWARE = "malware"


class AdminAlert(SQLModel, table=True):
    """One alert for the administrators (migration 0015)."""

    __tablename__ = "admin_alert"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    """``secret-document`` or ``malware`` (:class:`AlertKind`)."""
    spool_id: str = Field(max_length=100, unique=True)
    """The spool item the alert is about: one alert per item, even when reprocessed."""
    created_at: datetime = utc_field()
    """When the message was recorded (UTC)."""
    summary: str
    """Vietnamese, for an administrator; never quotes the message (R-SECRET)."""
    mailed_to: str = Field(default="", max_length=320)
    """The administrator address the alert mail went to; empty: no mail was sent."""
    acknowledged_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True, index=True)
    )
    """When an administrator acknowledged it; None: still shown everywhere."""
    acknowledged_by: str = Field(default="", max_length=100)
    """Who acknowledged it (a console account name or ``cli:USER``)."""


def add_alert(
    session: Session,
    *,
    kind: AlertKind,
    spool_id: str,
    created_at: datetime,
    summary: str,
    mailed_to: str = "",
) -> AdminAlert:
    """Record an alert (in the caller's transaction); the existing one for a spool item."""
    existing = session.scalars(
        select(AdminAlert).where(col(AdminAlert.spool_id) == spool_id)
    ).first()
    if existing is not None:
        return existing
    alert = AdminAlert(
        kind=str(kind),
        spool_id=spool_id,
        created_at=created_at,
        summary=summary,
        mailed_to=mailed_to,
    )
    session.add(alert)
    session.flush()
    return alert


def open_alerts(session: Session, limit: int = 50) -> list[AdminAlert]:
    """Alerts not yet acknowledged, the newest first."""
    return list(
        session.scalars(
            select(AdminAlert)
            .where(col(AdminAlert.acknowledged_at).is_(None))
            .order_by(col(AdminAlert.created_at).desc(), col(AdminAlert.id).desc())
            .limit(limit)
        )
    )


def count_open_alerts(session: Session) -> int:
    """How many alerts wait for an administrator's acknowledgement."""
    query = select(func.count()).where(col(AdminAlert.acknowledged_at).is_(None))
    return int(session.scalar(query.select_from(AdminAlert)) or 0)


def acknowledge(session: Session, alert_id: int, *, by: str, at: datetime) -> bool:
    """Mark one alert acknowledged; False when there is no such open alert."""
    alert = session.get(AdminAlert, alert_id)
    if alert is None or alert.acknowledged_at is not None:
        return False
    alert.acknowledged_at = at
    alert.acknowledged_by = by
    session.add(alert)
    return True
