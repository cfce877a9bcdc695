"""Limits per client IP address: open connections, messages per minute, recipients.

A flood from one address must not starve the others (R-CHANNEL). The counters live in one
:class:`ClientLimits` shared by every SMTP listener of the process; all calls come from the
event loop's thread, so no lock is needed. Loopback clients are exempt unless
``[limits] limit_loopback`` is set: a local MTA hands mail over on loopback (DESIGN §4.4).
The clock is passed in, so tests need not sleep.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from gateway.config.sections import LimitsSection, is_loopback

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """The configured limits; see ``[limits]`` in gateway.toml."""

    max_connections_per_ip: int = 20
    messages_per_minute_per_ip: int = 60
    recipients_per_message: int = 50
    limit_loopback: bool = False

    @classmethod
    def from_settings(cls, section: LimitsSection) -> Limits:
        return cls(
            max_connections_per_ip=section.max_connections_per_ip,
            messages_per_minute_per_ip=section.messages_per_minute_per_ip,
            recipients_per_message=section.recipients_per_message,
            limit_loopback=section.limit_loopback,
        )


class ClientLimits:
    """Counts connections and messages per client IP and says whether one more is allowed."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._connections: dict[str, int] = {}
        self._messages: dict[str, deque[float]] = {}

    def exempt(self, ip: str) -> bool:
        """Whether this client is not limited at all (loopback, unless configured)."""
        return not self.limits.limit_loopback and is_loopback(ip)

    def open_connection(self, ip: str) -> bool:
        """Count a new connection; False (and not counted) when the client has too many."""
        if self.exempt(ip):
            return True
        current = self._connections.get(ip, 0)
        if current >= self.limits.max_connections_per_ip:
            return False
        self._connections[ip] = current + 1
        return True

    def close_connection(self, ip: str) -> None:
        """Forget one connection counted by :meth:`open_connection`."""
        current = self._connections.get(ip, 0)
        if current <= 1:
            self._connections.pop(ip, None)
        else:
            self._connections[ip] = current - 1

    def admit_message(self, ip: str) -> bool:
        """Count one more message (MAIL FROM) in the last minute; False when over the rate."""
        if self.exempt(ip):
            return True
        now = self._clock()
        recent = self._messages.setdefault(ip, deque())
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        if len(recent) >= self.limits.messages_per_minute_per_ip:
            return False
        recent.append(now)
        self._prune(now)
        return True

    def admit_recipient(self, ip: str, already: int) -> bool:
        """Whether one more recipient fits in a message that has ``already`` recipients."""
        return self.exempt(ip) or already < self.limits.recipients_per_message

    def connections(self, ip: str) -> int:
        return self._connections.get(ip, 0)

    def _prune(self, now: float) -> None:
        """Drop the message history of clients quiet for a minute (bounded memory)."""
        if len(self._messages) < 1024:
            return
        stale = [
            ip
            for ip, times in self._messages.items()
            if not times or times[-1] <= now - WINDOW_SECONDS
        ]
        for ip in stale:
            del self._messages[ip]


def peer_ip(peer: object) -> str:
    """The IP address of an asyncio peername (``(host, port, …)``), else its text."""
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "")
