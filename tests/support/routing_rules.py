"""A test deployment's rules: ten units of a city office and a dozen routing rules; and
:class:`RulesRouter`, the routing engine over a fixed rules text, as a pipeline's router."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from rules.calendar import WorkingCalendar
from rules.routing import route
from rules.routing_types import Routing, RoutingFacts, Unit
from rules.rulesfile import RuleSet


@dataclass(frozen=True)
class RulesRouter:
    """The routing engine over a rules text and a calendar (what the running Router holds)."""

    rules: RuleSet
    calendar: WorkingCalendar

    @property
    def units(self) -> dict[str, Unit]:
        return self.rules.units_by_code

    def route(self, facts: RoutingFacts, now: datetime) -> Routing:
        return route(facts, self.rules, self.calendar, now)

    def held(self) -> AbstractContextManager[object]:
        return nullcontext()  # a fixed rules text never changes


TEN_UNITS = """\
units:
  - {code: VP, name: "Văn phòng", mailbox: vanphong@example.gov.vn, leader: cvp@example.gov.vn}
  - {code: TCKH, name: "Phòng Tài chính – Kế hoạch", mailbox: tckh@example.gov.vn}
  - {code: NV, name: "Phòng Nội vụ", mailbox: noivu@example.gov.vn}
  - {code: TNMT, name: "Phòng Tài nguyên và Môi trường", mailbox: tnmt@example.gov.vn}
  - {code: TP, name: "Phòng Tư pháp", mailbox: tuphap@example.gov.vn}
  - {code: GDDT, name: "Phòng Giáo dục và Đào tạo", mailbox: gddt@example.gov.vn}
  - {code: YT, name: "Phòng Y tế", mailbox: yte@example.gov.vn}
  - {code: QLDT, name: "Phòng Quản lý đô thị", mailbox: qldt@example.gov.vn}
  - {code: KT, name: "Phòng Kinh tế", mailbox: kinhte@example.gov.vn}
  - {code: TTR, name: "Thanh tra thành phố", mailbox: thanhtra@example.gov.vn}
deadline: "3 working days"
rules:
  - name: hoa-toc
    when: {urgency: [hoa_toc, hoa_toc_hen_gio]}
    then: {lead: VP, deadline: "2h", priority: 90}
  - name: chu-ky-chua-ro
    when: {signature: indeterminate}
    then: {hold: "Chữ ký chưa xác định được", lead: VP}
  - name: khong-ky-tu-ngoai
    when: {signature: unsigned, not: {agency_group: [phong-ban, phuong-xa]}}
    then: {reject: {reason: unsigned, text: "Văn bản không có chữ ký số"}}
  - name: ngoai-gio-de-biet
    when: {office_hours: false}
    then: {inform: [VP], tags: [ngoai-gio]}
    stop: false
  - name: tai-chinh
    when: {words: ["ngân sách", "dự toán"], look_in: [summary, subject]}
    then:
      lead: {unit: TCKH, person: "truongphong.tckh@example.gov.vn"}
      cooperate: [{unit: KT, deadline: "5 working days"}]
      deadline: due_date
      deadline_fallback: "4 working hours"
  - name: dat-dai
    when: {any: [{words: ["đất đai"]}, {regex: "quy hoach .* 20[0-9]{2}"}]}
    then: {lead: TNMT, cooperate: [QLDT, TP], inform: [VP], deadline: "by next working morning"}
  - name: can-bo
    when: {document_type: ["Tờ trình", "Quyết định"], words: ["cán bộ", "công chức"]}
    then: {lead: NV, deadline: "same day"}
  - name: ban-do
    when: {attachment: ["*.dwg", "ban-do*"]}
    then: {lead: QLDT, tags: [ban-ve]}
  - name: truong-hoc
    when: {sender_domain: [gddt.example.gov.vn]}
    then: {lead: GDDT}
  - name: thanh-tra
    when: {agency_code: [TTR-TINH], paper_required: true}
    then: {lead: TTR, deadline: "2026-12-31", priority: 20}
  - name: tham-khao
    enabled: false
    when: {reference_only: true}
    then: {lead: YT}
  - name: mac-dinh
    default: true
    then: {lead: VP}
"""
