"""Holding a value read from the database for the length of a block, per thread.

The directory and the rules in force are read again whenever their table changed (DESIGN
§3: a change on one instance reaches every instance at its next message). Within one
message they are held as first read: the message sees one version of each, even when
another thread (the console) reads a newer one meanwhile, and its stages do not ask the
database for the version at every look.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Holding(Generic[T]):
    """This thread's held value while a block is open (a nested block keeps the outer's)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def value(self) -> T | None:
        held: T | None = getattr(self._local, "value", None)
        return held

    @contextmanager
    def block(self, read: Callable[[], T]) -> Iterator[T]:
        """Hold what ``read`` returns now until the block ends."""
        held = self.value
        if held is not None:
            yield held
            return
        self._local.value = read()
        try:
            yield self._local.value
        finally:
            self._local.value = None
