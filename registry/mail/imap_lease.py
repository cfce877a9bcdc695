"""One poller per watched folder across instances: a lease in the database (DESIGN §3).

Several instances may list the same ``[[imap]]`` account; only the holder of a folder's
lease reads it. The holder renews the lease while it works; when it dies the lease runs
out and another instance takes the folder over. The ledger (account, folder, UIDVALIDITY,
UID) stays the guarantee that a message is taken in once; the lease keeps two instances
from fetching the same mail in parallel at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col

from registry.database import write_session
from registry.types import utc_field


class ImapLease(SQLModel, table=True):
    """Who reads one folder of one account, until when."""

    __tablename__ = "imap_lease"

    account: str = Field(primary_key=True, max_length=200)
    folder: str = Field(primary_key=True, max_length=500)
    holder: str = Field(max_length=200)  # the instance's name (heartbeat)
    expires_at: datetime = utc_field()


def hold(
    engine: Engine, account: str, folder: str, holder: str, *, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease for ``holder``; False while another holder's lease runs."""
    until = now + ttl
    with write_session(engine) as session:
        taken = session.execute(
            update(ImapLease)
            .where(col(ImapLease.account) == account, col(ImapLease.folder) == folder)
            .where(or_(col(ImapLease.holder) == holder, col(ImapLease.expires_at) < now))
            .values(holder=holder, expires_at=until)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            return True
    try:
        with write_session(engine) as session:
            if session.get(ImapLease, (account, folder)) is not None:
                return False  # someone else holds it
            session.add(ImapLease(account=account, folder=folder, holder=holder, expires_at=until))
    except IntegrityError:  # another instance created it at the same moment
        return False
    return True


def release(engine: Engine, account: str, folder: str, holder: str, *, now: datetime) -> None:
    """Give the lease up at a clean stop, so another instance takes over at once."""
    with write_session(engine) as session:
        session.execute(
            update(ImapLease)
            .where(col(ImapLease.account) == account, col(ImapLease.folder) == folder)
            .where(col(ImapLease.holder) == holder)
            .values(expires_at=now)
        )
