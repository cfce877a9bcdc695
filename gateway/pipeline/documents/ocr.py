"""OCR of scanned documents (no text layer) with Tesseract and its Vietnamese data.

The first pages (and the last, where the signature block is) are rendered with pypdfium2
and read by ``tesseract … -l vie tsv`` in a subprocess, each under what is left of one time
limit for the document. The TSV output gives the words, their lines and a confidence; the
text goes to the same field extraction as a text layer (:func:`mailparse.documents.facts.
facts_from_text`). OCR is *unsure* when the mean word confidence is low; the caller then
registers with the fields of the mail and edXML and marks the entry for review.

Debian: ``tesseract-ocr tesseract-ocr-vie`` (scripts/test installs them).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import shutil
import subprocess
import time
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)

MIN_TEXT_LETTERS = 40  # fewer letters in the text layer: a scan, read it with OCR
SURE_CONFIDENCE = 70.0  # mean Tesseract word confidence (0–100) below this: unsure
# Pixels of one rendered page. A3 at 300 dpi is 17.4 M; a larger page box is rendered at a
# lower resolution, decided from the box BEFORE rendering (FIELD-NOTES: a blank 14 400-pt
# page at 300 dpi is 60 000 × 60 000 pixels, 3.5 GB allocated at once).
MAX_PAGE_PIXELS = 24_000_000
# Tesseract page segmentation modes: a page read top to bottom; text found anywhere.
SINGLE_COLUMN, SPARSE_TEXT = "4", "11"


class OcrStatus(StrEnum):
    READ = "read"
    UNSURE = "unsure"  # read, but the confidence is low
    UNAVAILABLE = "unavailable"  # no tesseract or no Vietnamese data
    FAILED = "failed"  # rendering or tesseract failed, or the time limit passed


@dataclass(frozen=True)
class OcrResult:
    status: OcrStatus
    text: str = ""
    confidence: float | None = None  # mean word confidence, 0–100
    pages_read: int = 0

    @property
    def usable(self) -> bool:
        return self.status in (OcrStatus.READ, OcrStatus.UNSURE) and bool(self.text.strip())


@dataclass(frozen=True)
class OcrReader:
    """Reads scans; built once by the wiring (``tesseract`` found on PATH)."""

    tesseract: str
    language: str = "vie"
    max_pages: int = 2  # first pages read, plus the last page
    dpi: int = 300
    time_limit: float = 60.0  # seconds for one document, all pages together
    max_pixels: int = MAX_PAGE_PIXELS  # per rendered page (see render_scale)

    def read(self, data: bytes) -> OcrResult:
        deadline = time.monotonic() + self.time_limit
        try:
            images = _render(data, self.max_pages, self.dpi, self.max_pixels)
        except Exception:  # pdfium raises its own errors and OS errors: a value here
            log.info("OCR: the PDF could not be rendered")
            return OcrResult(OcrStatus.FAILED)
        texts: list[str] = []
        confidences: list[float] = []
        for image in images:
            left = deadline - time.monotonic()
            if left <= 0:
                return OcrResult(OcrStatus.FAILED)
            page = self._tesseract(image, left)
            if page is None:
                return OcrResult(OcrStatus.FAILED)
            texts.append(page[0])
            confidences += page[1]
        mean = sum(confidences) / len(confidences) if confidences else 0.0
        status = OcrStatus.READ if mean >= SURE_CONFIDENCE else OcrStatus.UNSURE
        return OcrResult(status, "\n".join(texts), round(mean, 1), len(images))

    def read_image(self, png: bytes, timeout: float) -> list[str]:
        """The lines of text in one small image (a stamp), found anywhere in it; no lines
        when tesseract fails or overruns ``timeout``."""
        page = self._tesseract(png, timeout, SPARSE_TEXT)
        return page[0].splitlines() if page is not None else []

    def _tesseract(
        self, png: bytes, timeout: float, layout: str = SINGLE_COLUMN
    ) -> tuple[str, list[float]] | None:
        command = [self.tesseract, "stdin", "stdout", "-l", self.language, "--psm", layout, "tsv"]
        try:
            done = subprocess.run(  # fixed argv, no shell
                command, input=png, capture_output=True, timeout=timeout, check=False
            )
        except (subprocess.TimeoutExpired, OSError) as exc:
            log.info("OCR: tesseract did not finish: %s", type(exc).__name__)
            return None
        if done.returncode != 0:
            log.info("OCR: tesseract exited with %s", done.returncode)
            return None
        return _lines_from_tsv(done.stdout.decode("utf-8", "replace"))


def ocr_reader(language: str = "vie", time_limit: float = 60.0) -> OcrReader | None:
    """An :class:`OcrReader` when tesseract and its ``language`` data are installed."""
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        listed = subprocess.run(  # fixed argv
            [path, "--list-langs"], capture_output=True, timeout=10, check=False
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    languages = listed.stdout.decode("utf-8", "replace").split()
    return OcrReader(path, language, time_limit=time_limit) if language in languages else None


def render_scale(width: float, height: float, dpi: int, max_pixels: int) -> float:
    """Pixels per point for a ``width`` × ``height`` pt page: ``dpi``, or less so that the
    image stays within ``max_pixels``."""
    scale = dpi / 72
    area = max(width, 1.0) * max(height, 1.0)
    if area * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / area)
    return scale


def _render(data: bytes, max_pages: int, dpi: int, max_pixels: int) -> list[bytes]:
    """PNG images of the first ``max_pages`` pages and of the last page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        count = len(document)
        indexes = sorted({*range(min(count, max_pages)), count - 1} - {-1})
        images = []
        for i in indexes:
            page = document[i]
            width, height = page.get_size()
            scale = render_scale(width, height, dpi, max_pixels)
            bitmap = page.render(scale=scale, grayscale=True)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            images.append(buffer.getvalue())
        return images
    finally:
        document.close()


def _lines_from_tsv(tsv: str) -> tuple[str, list[float]]:
    """Tesseract TSV → the page's text, one line per line, and the words' confidences."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(word)
        try:
            confidences.append(float(row["conf"]))
        except (KeyError, ValueError):
            continue
    text = "\n".join(" ".join(words) for words in lines.values())
    return _fix_letters(text), confidences


# Tesseract's Vietnamese model reads "Đ" as "ĐÐ" or as the Icelandic eth "Ð" at times.
_LETTER_FIXES = (("ĐÐ", "Đ"), ("ÐĐ", "Đ"), ("Ð", "Đ"), ("ð", "đ"))


def _fix_letters(text: str) -> str:
    for wrong, right in _LETTER_FIXES:
        text = text.replace(wrong, right)
    return text
