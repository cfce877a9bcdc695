"""R-COUNT: the documents and pages a message carries against what it declares.

QD278-6.1: on receipt, check the number of documents and of pages and report errors to
the sender; QD278-3.8 (R-REFUSE): such a message is returned, saying why. Pure.

Declarations are read loosely (a body saying "gồm 03 trang" may mean the main document or
everything attached), so a page count matches when it equals either one PDF's pages or the
total; a file count matches the attachments or the PDFs among them (an edXML file
travels beside its PDF). Only a count that matches nothing is a mismatch.
"""

from __future__ import annotations

from typing import Literal

from rules.decision import CountMismatch, MessageFacts

_Source = Literal["edxml", "body"]


def count_mismatch(facts: MessageFacts) -> CountMismatch | None:
    """The first declared count the message contradicts, or None."""
    pages = [p.pages for p in facts.pdfs if p.pages is not None]
    if pages and all(p.readable for p in facts.pdfs):  # unreadable files have their own rule
        total = sum(pages)
        sources: tuple[tuple[_Source, int | None], ...] = (
            ("edxml", facts.edxml_pages),
            ("body", facts.declared_pages),
        )
        for source, declared in sources:
            if declared is not None and declared != total and declared not in pages:
                return CountMismatch("pages", declared, total, source)
    files = facts.declared_files
    if files is not None and files not in {facts.attachments, len(facts.pdfs)}:
        return CountMismatch("files", files, facts.attachments, "body")
    return None
