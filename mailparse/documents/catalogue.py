"""The CV144 catalogue of document types (R-TYPES, R-EXCL), kept as editable YAML data.

``data/catalogue.yaml`` holds the 24 rows of the annex of Công văn 144/UBND-HCTC and the
other types of NĐ 30/2020 that are *outside* it. :func:`parse_catalogue` validates a text
purely; :func:`default_catalogue` reads the packaged file (package data, not the disk of
the deployment). A document's type is classified by its title line, else by the
abbreviation in its ký hiệu (``QĐ-UBND`` → Quyết định).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mailparse.documents.text import fold, nfc
from mailparse.errors import MailparseError


class CatalogueError(MailparseError):
    """The catalogue data is not valid YAML of the expected shape."""


class DocumentType(BaseModel):
    """One type of document; ``code`` is its CV144 annex row, ``None`` outside the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: str | None = None
    symbol: str | None = None
    normative: bool = False
    titles: tuple[str, ...] = ()

    @property
    def in_catalogue(self) -> bool:
        return self.code is not None


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    catalogue: tuple[DocumentType, ...] = Field(min_length=1)
    outside: tuple[DocumentType, ...] = ()


class Catalogue:
    """Lookup of document types by title, by name and by ký hiệu abbreviation."""

    def __init__(self, rows: tuple[DocumentType, ...], outside: tuple[DocumentType, ...]):
        self.rows = rows
        self.outside = tuple(t.model_copy(update={"code": None}) for t in outside)
        self._by_title: dict[str, DocumentType] = {}
        self._by_symbol: dict[str, DocumentType] = {}
        for t in (*self.rows, *self.outside):
            if t.normative:
                continue  # a normative row is told apart by its ký hiệu, never by its title
            for title in (t.name, *t.titles):
                self._by_title.setdefault(fold(title), t)
            if t.symbol:
                self._by_symbol.setdefault(t.symbol, t)
        self._normative = {fold(t.name.split(" (")[0]): t for t in rows if t.normative}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.rows)

    @property
    def title_words(self) -> tuple[str, ...]:
        """Folded titles, longest first (for matching in a subject line)."""
        return tuple(sorted(self._by_title, key=len, reverse=True))

    def by_title(self, title: str) -> DocumentType | None:
        """The type a title line names (``QUYẾT ĐỊNH`` → Quyết định), any case or diacritics."""
        return self._by_title.get(fold(" ".join(title.split())))

    def by_name(self, name: str) -> DocumentType | None:
        folded = fold(name)
        for t in (*self.rows, *self.outside):
            if fold(t.name) == folded:
                return t
        return self.by_title(name)

    def by_symbol(self, symbol: str) -> DocumentType | None:
        """The type named by an abbreviation of the ký hiệu (``KH-UBND`` → Kế hoạch)."""
        for token in re.split(r"[-/.]", symbol):
            if token in self._by_symbol:
                return self._by_symbol[token]
        return None

    def refine(self, found: DocumentType, symbol: str | None) -> DocumentType:
        """A Nghị quyết / Quyết định whose ký hiệu carries a year is the normative row."""
        if symbol and re.match(r"\d{4}/", symbol):
            return self._normative.get(fold(found.name), found)
        return found


def parse_catalogue(text: str) -> Catalogue:
    """The catalogue in ``text`` (YAML); raises :class:`CatalogueError` naming the fault."""
    try:
        data = yaml.safe_load(nfc(text))
        parsed = _CatalogueFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"catalogue is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogueError(f"catalogue: {first['loc']}: {first['msg']}") from exc
    codes = [t.code for t in parsed.catalogue]
    if None in codes or len(set(codes)) != len(codes):
        raise CatalogueError("catalogue: every row needs its own code")
    return Catalogue(parsed.catalogue, parsed.outside)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged CV144 catalogue (``mailparse/data/catalogue.yaml``)."""
    return parse_catalogue(files("mailparse").joinpath("data/catalogue.yaml").read_text("utf-8"))
