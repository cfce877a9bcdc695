"""The envelope stored beside each spooled message: how and when it reached us."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Envelope:
    """SMTP/LMTP session facts, or the file/IMAP source, for one received message.

    ``received_at`` is the moment the gateway took responsibility (aware, UTC); it decides
    the register year and the deadline clock (R-DEADLINE).
    """

    received_at: datetime
    protocol: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    peer: str = ""
    helo: str = ""
    tls: bool = False
    auth_user: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    # The person who released this message after it was held (a re-spooled held item).
    released_by: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Envelope:
        data = json.loads(text)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        data["rcpt_tos"] = tuple(data["rcpt_tos"])
        return cls(**data)
