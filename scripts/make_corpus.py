#!/usr/bin/env python3
"""Write the corpus of official documents (tests/support/corpus.py) to a folder.

``python scripts/make_corpus.py [DIR] [-n 60] [--scans 2]``

For each document: ``docNNN.pdf`` (text layer, DejaVu) and ``docNNN.json`` (the ground
truth); for the first ``--scans`` documents also ``docNNN.scan.pdf`` (image only, for OCR).
Deterministic: the same seed writes the same documents. The tests generate the full corpus
into a temporary folder; ``tests/data/corpus`` holds a small committed sample
(``-n 6 --scans 2``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.corpus import make_corpus, render, scan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "tests/data/corpus")
    parser.add_argument("-n", type=int, default=60, help="documents (default 60)")
    parser.add_argument("--scans", type=int, default=0, help="scanned copies of the first N")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(make_corpus(args.n)):
        pdf = render(doc)
        (args.folder / f"{doc.name}.pdf").write_bytes(pdf)
        truth = json.dumps(doc.truth_dict(), ensure_ascii=False, indent=2) + "\n"
        (args.folder / f"{doc.name}.json").write_text(truth, encoding="utf-8")
        if i < args.scans:
            (args.folder / f"{doc.name}.scan.pdf").write_bytes(scan(pdf, dpi=150))
    print(f"{args.n} documents ({args.scans} scanned) in {args.folder}")


if __name__ == "__main__":
    main()
