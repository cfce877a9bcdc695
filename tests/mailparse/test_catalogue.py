"""The CV144 catalogue (R-TYPES) as editable data, and classification by title and symbol."""

from __future__ import annotations

import pytest

from mailparse.documents.catalogue import CatalogueError, default_catalogue, parse_catalogue


def test_r_types_catalogue_has_the_24_rows_of_the_cv144_annex() -> None:
    """GIVEN the packaged catalogue WHEN loaded THEN it holds the annex's 24 rows with their
    row numbers (1, 2, 5–26), normative rows first."""
    catalogue = default_catalogue()
    assert len(catalogue.rows) == 24
    assert [t.code for t in catalogue.rows] == ["1", "2", *map(str, range(5, 27))]
    assert catalogue.rows[0].normative and catalogue.rows[1].normative
    assert {"Công văn", "Tờ trình", "Giấy ủy quyền", "Phiếu báo"} <= set(catalogue.names)


@pytest.mark.parametrize(
    ("title", "name", "code"),
    [
        ("QUYẾT ĐỊNH", "Quyết định", "6"),
        ("Kế hoạch", "Kế hoạch", "14"),
        ("TỜ  TRÌNH", "Tờ trình", "19"),
        ("GIẤY UỶ QUYỀN", "Giấy ủy quyền", "22"),
        ("BIÊN BẢN", "Biên bản", None),  # NĐ 30 type outside CV144 (R-EXCL)
        ("HỢP ĐỒNG", "Hợp đồng", None),
    ],
)
def test_titles_are_classified(title: str, name: str, code: str | None) -> None:
    found = default_catalogue().by_title(title)
    assert found is not None
    assert (found.name, found.code, found.in_catalogue) == (name, code, code is not None)


def test_unknown_titles_are_not_types() -> None:
    assert default_catalogue().by_title("NƠI NHẬN") is None


@pytest.mark.parametrize(
    ("symbol", "name"),
    [
        ("KH-UBND", "Kế hoạch"),
        ("TTr-SNV", "Tờ trình"),
        ("QĐ-UBND", "Quyết định"),
        ("UBND-VP", None),
        ("BB-HĐND", "Biên bản"),
    ],
)
def test_symbol_abbreviations_name_the_type(symbol: str, name: str | None) -> None:
    found = default_catalogue().by_symbol(symbol)
    assert (found.name if found else None) == name


def test_a_year_in_the_symbol_makes_a_decision_normative() -> None:
    """GIVEN a Quyết định numbered 12/2020/QĐ-UBND WHEN refined THEN it is catalogue row 2."""
    catalogue = default_catalogue()
    decision = catalogue.by_title("QUYẾT ĐỊNH")
    assert decision is not None
    assert catalogue.refine(decision, "2020/QĐ-UBND").code == "2"
    assert catalogue.refine(decision, "QĐ-UBND").code == "6"


def test_an_edited_catalogue_is_validated() -> None:
    """GIVEN edited catalogue text WHEN parsed THEN a valid one loads, a broken one raises
    CatalogueError naming the problem."""
    edited = parse_catalogue(
        "catalogue:\n  - {code: '1', name: Công văn}\n  - {code: '2', name: Biên bản, symbol: BB}\n"
    )
    found = edited.by_title("BIÊN BẢN")
    assert found is not None and found.code == "2"
    for broken in ("catalogue: [", "catalogue: []", "catalogue:\n  - {name: X}", "x: 1"):
        with pytest.raises(CatalogueError):
            parse_catalogue(broken)
    with pytest.raises(CatalogueError, match="own code"):
        parse_catalogue("catalogue:\n  - {code: '1', name: A}\n  - {code: '1', name: B}\n")
