"""A deterministic corpus of official documents (NĐ 30/2020 layouts) with ground truth.

Each :class:`CorpusDocument` is drawn from a seeded random generator: type, issuing body on
one or two lines (with or without a parent body), ``Số:`` written with and without spaces,
wrapped trích yếu, signer blocks with TM./KT./TL./TUQ./Q., urgency and secrecy stamps, one
to three pages, and the head emitted column by column or row by row (the two orders word
processors produce). :func:`render` draws it with fpdf2 and DejaVu; :func:`scan` turns a
PDF into an image-only "scanned" PDF for OCR. ``scripts/make_corpus.py`` writes a set to
disk; the tests generate theirs into a temporary folder.
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import asdict, dataclass
from datetime import date

from fpdf import FPDF

from tests.support.corpus_data import BODIES, BODY, NAMES, SECRECIES, SIGNERS, TYPES, URGENCIES
from tests.support.pdfs import BOLD, CREATED, REGULAR

LINE = 6.0


@dataclass(frozen=True)
class Truth:
    """What a reader must find; field names as in ``mailparse.documents.document.DocumentFacts``."""

    number: str
    symbol: str
    issued_on: str  # ISO date
    place: str
    document_type: str
    catalogue_code: str | None
    summary: str
    issuer: str
    issuer_parent: str | None
    signer_name: str
    signer_mark: str | None
    signer_position: str
    urgency: str | None
    secrecy: str | None
    pages: int


@dataclass(frozen=True)
class CorpusDocument:
    name: str
    truth: Truth
    body_lines: tuple[str, ...]  # the issuing body as drawn (one or two lines)
    parent_line: str | None
    title: str | None  # None: a công văn, "V/v" under the number
    summary_width: int
    signer_lines: tuple[str, ...]
    urgency_stamp: str | None
    secrecy_stamp: str | None
    number_text: str  # "Số: 54 /UBND-VP" as drawn
    row_order: bool
    padded_date: bool = True  # "ngày 05 tháng 03" or "ngày 5 tháng 3"

    def truth_dict(self) -> dict[str, object]:
        return asdict(self.truth)


def make_corpus(count: int = 60, seed: int = 20200218) -> tuple[CorpusDocument, ...]:
    """``count`` documents, the same for the same seed; every type appears."""
    rng = random.Random(seed)
    return tuple(_document(rng, i) for i in range(count))


def _document(rng: random.Random, i: int) -> CorpusDocument:
    parent, body_lines, issuer, org, place = rng.choice(BODIES)
    title, abbr, code, summaries = TYPES[i % len(TYPES)]
    summary = rng.choice(summaries)
    number = str(rng.randint(1, 2999))
    normative = title in ("QUYẾT ĐỊNH", "NGHỊ QUYẾT") and rng.random() < 0.3
    symbol = f"{abbr}-{org}" if abbr else f"{org}-{rng.choice(('VP', 'NS', 'TH', 'HCTC'))}"
    if normative:
        symbol = f"2026/{symbol}"
        code = "2" if title == "QUYẾT ĐỊNH" else "1"
    spacing = rng.choice(("Số: {n} /{s}", "Số: {n}/{s}", "Số:{n}/ {s}", "Số: {n} / {s}"))
    urgency_stamp, urgency = rng.choice(URGENCIES) if rng.random() < 0.4 else (None, None)
    secrecy_stamp, secrecy = rng.choice(SECRECIES) if rng.random() < 0.15 else (None, None)
    signer_lines, mark, position = rng.choice(SIGNERS)
    issued = date(2026, rng.randint(1, 12), rng.randint(1, 28))
    doc_type = _type_name(title, normative)
    truth = Truth(
        number=number,
        symbol=symbol,
        issued_on=issued.isoformat(),
        place=place,
        document_type=doc_type,
        catalogue_code=code,
        summary=summary,
        issuer=issuer,
        issuer_parent=parent,
        signer_name=rng.choice(NAMES),
        signer_mark=mark,
        signer_position=position,
        urgency=urgency,
        secrecy=secrecy,
        pages=rng.choice((1, 1, 1, 2, 3)),
    )
    return CorpusDocument(
        name=f"doc{i:03d}",
        truth=truth,
        body_lines=body_lines,
        parent_line=parent,
        title=title,
        summary_width=rng.choice((28, 34, 40)) if title is None else rng.choice((45, 60, 90)),
        signer_lines=signer_lines,
        urgency_stamp=urgency_stamp,
        secrecy_stamp=secrecy_stamp,
        number_text=spacing.format(n=number, s=symbol),
        row_order=rng.random() < 0.4,
        padded_date=rng.random() < 0.7,
    )


def _type_name(title: str | None, normative: bool) -> str:
    if title is None:
        return "Công văn"
    name = title.capitalize()  # "QUYẾT ĐỊNH" → "Quyết định"
    return f"{name} (quy phạm pháp luật)" if normative else name


def render(doc: CorpusDocument) -> bytes:
    """The document as a PDF with a text layer (DejaVu, embedded subset)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(CREATED)
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.add_page()
    t = doc.truth
    left: list[tuple[str, bool]] = []
    if doc.parent_line:
        left.append((doc.parent_line, False))
    left += [(line, True) for line in doc.body_lines]
    left.append((doc.number_text, False))
    if doc.title is None:
        left += [(line, False) for line in textwrap.wrap(f"V/v {t.summary}", doc.summary_width)]
    for stamp in (doc.urgency_stamp, doc.secrecy_stamp):
        if stamp:
            left.append((stamp, True))
    issued = date.fromisoformat(t.issued_on)
    day, month = (f"{issued.day:02d}", f"{issued.month:02d}") if doc.padded_date else (
        str(issued.day), str(issued.month))  # fmt: skip
    when = f"{t.place}, ngày {day} tháng {month} năm {issued.year}"
    right = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)]
    right.append(("", False))
    right.append((when, False))
    y = _head(pdf, left, right, doc.row_order)
    if doc.title is not None:
        _centre(pdf, 15, 180, y, doc.title, bold=True)
        y += LINE + 1
        for line in textwrap.wrap(t.summary, doc.summary_width):
            _centre(pdf, 15, 180, y, line, bold=True)
            y += LINE
        y += 4
    else:
        _centre(pdf, 15, 180, y + 2, "Kính gửi: Các cơ quan, đơn vị có liên quan.")
        y += LINE + 6
    y = _paragraphs(pdf, y, BODY)
    for page in range(2, t.pages + 1):
        pdf.add_page()
        y = _paragraphs(pdf, 20, [f"Nội dung trang {page} của văn bản."])
    _signature(pdf, y + 6, doc.signer_lines, t.signer_name)
    return bytes(pdf.output())


def _head(
    pdf: FPDF, left: list[tuple[str, bool]], right: list[tuple[str, bool]], rows: bool
) -> float:
    cells = [(12.0, 80.0, 18 + i * LINE, text, bold) for i, (text, bold) in enumerate(left)]
    right_cells = [(92.0, 110.0, 18 + i * LINE, text, bold) for i, (text, bold) in enumerate(right)]
    if rows:
        order = sorted([*cells, *right_cells], key=lambda c: (c[2], c[0]))
    else:
        order = [*cells, *right_cells]
    for x, w, y, text, bold in order:
        if text:
            _centre(pdf, x, w, y, text, bold=bold)
    return 18 + max(len(left), len(right)) * LINE + 6


def _centre(pdf: FPDF, x: float, width: float, y: float, text: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 12 if width > 90 else 11)
    pdf.text(x + max(0.0, (width - pdf.get_string_width(text)) / 2), y, text)


def _paragraphs(pdf: FPDF, y: float, paragraphs: tuple[str, ...] | list[str]) -> float:
    pdf.set_font("DejaVu", "", 12)
    for paragraph in paragraphs:
        pdf.set_xy(15, y)
        pdf.multi_cell(180, LINE, "    " + paragraph)
        y = pdf.get_y() + 2
    return y


def _signature(pdf: FPDF, y: float, lines: tuple[str, ...], name: str) -> None:
    pdf.set_font("DejaVu", "B", 11)
    pdf.text(15, y, "Nơi nhận:")
    pdf.set_font("DejaVu", "", 10)
    for i, line in enumerate(("- Như trên;", "- Lưu: VT.")):
        pdf.text(15, y + (i + 1) * 5, line)
    for i, line in enumerate(lines):
        _centre(pdf, 100, 95, y + i * LINE, line, bold=True)
    _centre(pdf, 100, 95, y + (len(lines) + 4) * LINE, name, bold=True)


def scan(data: bytes, *, dpi: int = 200) -> bytes:
    """An image-only PDF of ``data``'s pages, as a scanner would make it (no text layer)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    out = FPDF(format="A4", unit="mm")
    out.set_creation_date(CREATED)
    try:
        for page in document:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            out.add_page()
            out.image(buffer, x=0, y=0, w=210, h=297)
    finally:
        document.close()
    return bytes(out.output())
