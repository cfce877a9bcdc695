"""``gateway register document YEAR/NUMBER`` and ``gateway register paper YEAR/NUMBER``.

``document`` shows what was read from the document beyond the register fields: number and
symbol apart, place, parent body, signer's mark and position, CV144 row, why a paper copy
is required (R-PAPER / R-EXCL), text layer or OCR, conflicts with the mail/edXML/certificate.
``paper`` lets a clerk correct the paper flag (``--required`` / ``--not-required``) with a
note; the change is audited.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.cli.numbers import incoming_number
from gateway.config.settings import load
from gateway.wiring import open_database
from registry.database import read_session, write_session
from registry.document_fields import DocumentDetails, correct_paper, document_details
from registry.queries import get_entry

LABELS = {
    "incoming": "Số đến",
    "document_number": "Số, ký hiệu",
    "place": "Địa danh",
    "issuer_parent": "Cơ quan chủ quản",
    "issuer": "Cơ quan ban hành",
    "signer_mark": "Thẩm quyền ký",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Người ký",
    "document_type": "Loại văn bản",
    "catalogue_code": "Mục trong danh mục CV144",
    "paper_reason": "Lý do cần bản giấy",
    "text_source": "Nguồn nội dung",
}


def add_parsers(register: Any, command: Callable[..., Any]) -> None:
    about = "fields read from the document"
    shown = command(register, "document", cmd_document, about, json_flag=True)
    shown.add_argument("number", metavar="YEAR/NUMBER")
    paper = command(register, "paper", cmd_paper, "correct the paper-copy flag (R-PAPER)")
    paper.add_argument("number", metavar="YEAR/NUMBER")
    flag = paper.add_mutually_exclusive_group(required=True)
    flag.add_argument("--required", dest="required", action="store_true")
    flag.add_argument("--not-required", dest="required", action="store_false")
    paper.add_argument("--note", default="", help="why (kept in the register and audit trail)")


def cmd_document(args: argparse.Namespace) -> int:
    year, number = incoming_number(args.number)
    with read_session(open_database(load(args.config))) as session:
        details = document_details(get_entry(session, year, number))
    if args.json:
        print(json.dumps(details.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(details))
    return 0


def cmd_paper(args: argparse.Namespace) -> int:
    year, number = incoming_number(args.number)
    with write_session(open_database(load(args.config))) as session:
        entry = correct_paper(
            session,
            year,
            number,
            required=args.required,
            note=args.note,
            actor=getpass.getuser(),
            now=datetime.now(UTC),
        )
        details = document_details(entry)
    state = "cần bản giấy" if details.paper_required else "không cần bản giấy"
    print(f"Văn bản {details.incoming}: đã ghi {state}.")
    return 0


def render(details: DocumentDetails) -> str:
    """The details as lines for a clerk, in Vietnamese."""
    data = details.as_json()
    lines = [f"{label}: {data[key]}" for key, label in LABELS.items() if data[key]]
    lines.append(f"Cần bản giấy: {'có' if details.paper_required else 'không'}")
    lines.append(f"Cần xem lại: {'có' if details.needs_review else 'không'}")
    for c in details.conflicts:
        lines.append(
            f"Khác biệt ({c['field']}): văn bản ghi {c['document_value']!r}, "
            f"{c['other_source']} ghi {c['other_value']!r}"
        )
    if details.edxml:
        lines.append(f"edXML: {details.edxml.get('business')} {details.edxml.get('document_id')}")
    return "\n".join(lines)
