"""The newest warnings and errors this process logged, for the console's system page.

An administrator asking "why is nothing arriving?" should not need a shell on the server:
a logging handler keeps the last :data:`CAPACITY` records of level WARNING and above in
memory, and ``/system`` lists them. Only the formatted message is kept, never a traceback
or its locals; log messages never carry document content (STYLE), so nothing sensitive is
shown. Each ``gateway serve`` instance shows its own; a restart starts an empty list (the
journal keeps the full log).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

CAPACITY = 100
MESSAGE_CHARS = 500


@dataclass(frozen=True)
class LoggedProblem:
    at: datetime
    level: str  # WARNING, ERROR, CRITICAL
    source: str  # the logger's name, e.g. gateway.delivery
    message: str


class RecentProblems(logging.Handler):
    """Thread-safe ring of the newest WARNING+ records."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__(logging.WARNING)
        self._records: deque[LoggedProblem] = deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed %-format must not break logging
            message = str(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message} ({record.exc_info[0].__name__})"
        problem = LoggedProblem(
            at=datetime.fromtimestamp(record.created, UTC),
            level=record.levelname,
            source=record.name,
            message=message[:MESSAGE_CHARS],
        )
        with self._guard:
            self._records.append(problem)

    def newest(self) -> list[LoggedProblem]:
        """Newest first."""
        with self._guard:
            return list(reversed(self._records))


RECENT = RecentProblems()
_install_guard = threading.Lock()


def install() -> RecentProblems:
    """The process's handler, attached to the root logger once."""
    root = logging.getLogger()
    with _install_guard:
        if RECENT not in root.handlers:
            root.addHandler(RECENT)
    return RECENT
