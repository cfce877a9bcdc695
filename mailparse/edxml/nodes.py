"""Finding elements of an edXML package by local name (with or without the ``edXML:``
prefix, in or out of the QCVN 102 namespace, as real implementations write them)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from mailparse.documents.text import nfc, squash


def local_name(tag: object) -> str:
    return str(tag).rpartition("}")[2].rpartition(":")[2]


def first(parent: Element, name: str) -> Element | None:
    """The first element named ``name`` anywhere under ``parent`` (itself included)."""
    return next((e for e in parent.iter() if local_name(e.tag) == name), None)


def child(parent: Element | None, name: str) -> Element | None:
    """The first direct child named ``name``."""
    if parent is None:
        return None
    return next((c for c in parent if local_name(c.tag) == name), None)


def node_text(node: Element | None) -> str | None:
    """The element's text, NFC, spaces squashed; None when empty."""
    if node is None or node.text is None:
        return None
    return squash(nfc(node.text)) or None
