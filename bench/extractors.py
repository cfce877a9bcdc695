"""Which PDF text extractor reads Vietnamese official documents best: pypdf, pdfminer.six,
pypdfium2, on the generated corpus (tests/support/corpus.py).

``python bench/extractors.py [-n 60] [--smoke] [--figures FILE]``

For each extractor: the time to extract the text of every document (first five pages),
the ratio to pypdf (the baseline, measured in the same run), the share of documents whose
text holds the trích yếu's words exactly (NFC, diacritics intact), and the per-field
accuracy of ``mailparse.documents.facts.facts_from_text`` over that text. pdfminer.six is optional
(``pip install pdfminer.six``); a missing extractor is reported, not fatal.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import figures
from bench.support.figures import Figures
from mailparse.documents.facts import facts_from_text
from mailparse.documents.pdftext import read_pdf
from mailparse.documents.text import nfc, squash
from tests.support.corpus import CorpusDocument, make_corpus, render

Extractor = Callable[[bytes], tuple[str, int]]


def _pypdf(data: bytes) -> tuple[str, int]:
    pdf = read_pdf(data)
    return pdf.text, pdf.pages


def _pdfminer(data: bytes) -> tuple[str, int]:
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    return nfc(extract_text(io.BytesIO(data), maxpages=5)), len(PdfReader(io.BytesIO(data)).pages)


def _pdfium(data: bytes) -> tuple[str, int]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        texts = [doc[i].get_textpage().get_text_range() for i in range(min(len(doc), 5))]
        return nfc("\n".join(texts)), len(doc)
    finally:
        doc.close()


def _score(
    name: str, extract: Extractor, docs: list[tuple[CorpusDocument, bytes]], found: Figures
) -> float:
    hits: dict[str, int] = {}
    exact = 0
    start = time.perf_counter()
    texts = [extract(pdf) for _, pdf in docs]
    elapsed = time.perf_counter() - start
    for (doc, _), (text, pages) in zip(docs, texts, strict=True):
        exact += all(w in squash(text) for w in doc.truth.summary.split())
        facts = facts_from_text(text, pages)
        for field, want in doc.truth_dict().items():
            got = getattr(facts, field)
            got = got.isoformat() if hasattr(got, "isoformat") else got
            hits[field] = hits.get(field, 0) + (str(got) == str(want))
    n = len(docs)
    worst = min(hits, key=lambda f: hits[f])
    print(
        f"{name:10s} {elapsed:7.2f} s  words intact {exact}/{n}  "
        f"fields right {sum(hits.values())}/{n * len(hits)}  worst {worst} {hits[worst]}/{n}"
    )
    found[f"{name} time per document"] = (round(1000 * elapsed / n, 1), "ms")
    found[f"{name} fields right"] = (round(100 * sum(hits.values()) / (n * len(hits)), 1), "%")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=60)
    figures.add_arguments(parser)
    args = parser.parse_args()
    if args.smoke:  # CI: three documents
        args.n = 3
    docs = [(d, render(d)) for d in make_corpus(args.n)]
    found: Figures = {}
    baseline = _score("pypdf", _pypdf, docs, found)
    for name, extract in (("pdfminer", _pdfminer), ("pypdfium2", _pdfium)):
        try:
            elapsed = _score(name, extract, docs, found)
        except ImportError as exc:
            print(f"{name:10s} not installed ({exc.name})")
            continue
        print(f"{'':10s} ratio to pypdf: {elapsed / baseline:.2f}")
    figures.write(args.figures, found)


if __name__ == "__main__":
    main()
