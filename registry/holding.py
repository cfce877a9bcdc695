"""Holding a value read from the database for the length of a block, per thread.

The directory and the rules in force are read again whenever their table changed (DESIGN
§3: a change on one instance reaches every instance at its next message). Within one
message they are held as first read: the message sees one version of each, and its stages
do not ask the database for the version at every look.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Holding:
    """Whether this thread is inside a block that holds the value as read."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def active(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    @contextmanager
    def block(self) -> Iterator[None]:
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield
        finally:
            self._local.depth -= 1
