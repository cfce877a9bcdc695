"""What a person reads on a page: the text between the tags (no attribute values, no
scripts or styles), to check that a clerk meets no code, English word or ISO date."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "title"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "title"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def codes_in(html: str, codes: tuple[str, ...]) -> list[str]:
    """The ``codes`` that a reader of ``html`` would see, as whole words."""
    text = visible_text(html)
    return [c for c in codes if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w-])", text)]
