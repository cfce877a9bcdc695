"""Were our documents issued in time (R-ISSUE, QD278-3.3)?

An outgoing document is to be registered and issued on the network the day it is dated,
at the latest the next working morning; an urgent one at once after signing. For the
monthly report, a document issued in the month is *in time* when its issue time is at or
before its limit:

- ordinary: the end of the morning session of the first working day after its date;
- urgent (Khẩn, Thượng khẩn, Hỏa tốc…): the end of the working day it is dated (the
  signing time is not stored; the date on the document is what the report can judge by).

A document whose date could not be read is counted apart (``undated``). The limits need
the working-hours calendar (``rules``, out of the registry's reach, DESIGN §2): the
gateway passes ``limit``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from registry.outgoing.queries import issued_between
from registry.reports.limits import is_urgent
from registry.reports.values import IssueTimeliness, LateIssue

IssueLimit = Callable[[date, bool], datetime]  # (the document's date, urgent) → issue by


def issue_timeliness(
    session: Session, start: datetime, end: datetime, limit: IssueLimit
) -> IssueTimeliness:
    """The documents issued in [start, end), judged against their limit."""
    documents = issued_between(session, start, end)
    in_time, undated = 0, 0
    late: list[LateIssue] = []
    for document in documents:
        if document.issued_on is None:
            undated += 1
            continue
        due = limit(document.issued_on, is_urgent(document.urgency))
        if document.issued_at <= due:
            in_time += 1
        else:
            late.append(
                LateIssue(document.document_number, document.issued_on, document.issued_at, due)
            )
    return IssueTimeliness(len(documents), in_time, tuple(late), undated)
