"""The ``email`` policies the gateway parses and writes mail with: the stdlib's own
``policy.default`` and ``policy.SMTP``, each making every kind of header class once.

The stdlib's :class:`~email.headerregistry.HeaderRegistry` makes a new class for every
header it makes (``type(...)`` per ``msg[name]`` and per header parsed): a routed copy
makes ~45, a receipt ~30, every parsed message its own. Classes live in reference cycles,
so each one also brings the cyclic garbage collector round sooner, over a heap that holds
the pipeline's libraries. Measured (``bench/stages.py``): composing a routed copy took
~4.2 ms, 2.5 ms with the classes kept. The headers themselves are made and folded exactly
as before: the class of a header is the one the stdlib would make, made once.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry


class HeaderClasses(HeaderRegistry):
    """:class:`HeaderRegistry` that makes each header class once: per kind of header, not
    per name (every unknown name shares the unstructured kind), so a message with
    thousands of made-up header names adds nothing here."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = self.registry.get(name.lower(), self.default_class)
        made = self._made.get(kind)
        if made is None:
            made = self._made.setdefault(kind, super().__getitem__(name))
        return made


# Parsing (mailparse.tree) and composing (the outbox, routed copies, issuing).
DEFAULT = policy.default.clone(header_factory=HeaderClasses())
SMTP = policy.SMTP.clone(header_factory=HeaderClasses())
