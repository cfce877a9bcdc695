"""Lets a suspect spool item run alone while the other workers wait.

An item that was in work/ when the process died may be the cause (a poison message that
crashes the interpreter) or an innocent bystander. Processing it alone tells the two apart:
only crashes during a solo run count against the item (see ``spool.ItemState``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Isolation:
    """A readers-writer lock: ordinary items share it, a suspect item holds it alone."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._sharing = 0
        self._alone = False
        self._waiting_alone = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            while self._alone or self._waiting_alone:
                self._condition.wait()
            self._sharing += 1
        try:
            yield
        finally:
            with self._condition:
                self._sharing -= 1
                self._condition.notify_all()

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._condition:
            self._waiting_alone += 1
            while self._alone or self._sharing:
                self._condition.wait()
            self._waiting_alone -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._condition:
                self._alone = False
                self._condition.notify_all()
