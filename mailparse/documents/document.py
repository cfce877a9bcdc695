"""Typed facts about one official document (NĐ 30/2020 layout), read from its PDF or the mail."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum


class Urgency(StrEnum):
    """Độ khẩn (R-URGENT), in register spelling (DESIGN §4.3)."""

    THUONG = "thuong"
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"
    HOA_TOC_HEN_GIO = "hoa_toc_hen_gio"


class Secrecy(StrEnum):
    """Độ mật (R-SECRET)."""

    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"


@dataclass(frozen=True)
class FieldConflict:
    """Two sources disagree on a field; the register keeps ``document_value`` (R-REG)."""

    field: str
    document_value: str
    other_source: str  # "subject" | "body" | "certificate" | "edxml"
    other_value: str


@dataclass(frozen=True)
class DocumentFacts:
    """What a document says about itself; ``None`` where it does not say it plainly."""

    number: str | None = None
    symbol: str | None = None
    issued_on: date | None = None
    place: str | None = None
    document_type: str | None = None
    summary: str | None = None
    issuer: str | None = None
    signer_name: str | None = None
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    pages: int | None = None
    issuer_parent: str | None = None  # cơ quan chủ quản, the line above the issuing body
    signer_mark: str | None = None  # "TM." | "KT." | "TL." | "TUQ." | "Q."
    signer_position: str | None = None  # e.g. "PHÓ CHỦ TỊCH"
    catalogue_code: str | None = None  # the CV144 annex row; None outside it (R-EXCL)
    conflicts: tuple[FieldConflict, ...] = ()

    @property
    def document_number(self) -> str | None:
        """Số và ký hiệu as written in the register, e.g. ``"54/UBND-VP"``."""
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        return self.number or self.symbol

    def completed_by(self, other: DocumentFacts) -> DocumentFacts:
        """These facts, with the gaps filled from ``other`` (the document's own value wins)."""
        gaps = {
            f.name: getattr(other, f.name)
            for f in fields(self)
            if getattr(self, f.name) is None and getattr(other, f.name) is not None
        }
        return replace(self, **gaps)
