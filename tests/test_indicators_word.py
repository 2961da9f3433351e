"""Every Word document has the page of GB/T 9704-2012 (A4; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm; body 仿宋 as the East Asian font; page numbers as a PAGE field in the
footer), through the one set-up in components/word.page_setup. The documents the pages offer are
checked again, as built, by tests/test_indicators_sweep.py (`check_layout`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from components import word

ROOT = Path(__file__).resolve().parents[1]
MARGINS = {"top_mm": 37, "bottom_mm": 35, "left_mm": 28, "right_mm": 26}
BODY_FONTS = ("仿宋", "仿宋_GB2312", "FangSong")


def layout_problems(data: bytes) -> list[str]:
    """What in a .docx's page differs from GB/T 9704-2012 (±1 mm)."""
    got = word.layout(data)
    bad = []
    if sorted((got["width_mm"], got["height_mm"])) != [210, 297]:
        bad.append(f"page {got['width_mm']}×{got['height_mm']} mm, not A4")
    bad += [f"{k} {got[k]} mm, not {v}" for k, v in MARGINS.items() if abs(got[k] - v) > 1]
    if got["body_font"] not in BODY_FONTS:
        bad.append(f"body font {got['body_font']}, not 仿宋")
    if not got["page_numbers"]:
        bad.append("no page numbers in the footer")
    return bad


@pytest.mark.parametrize("landscape", [False, True])
def test_a_report_has_the_official_page(landscape):
    doc = word.new_document("标题", "副标题", sample=True, landscape=landscape)
    word.paragraph(doc, "正文")
    data = word.to_bytes(doc)
    assert layout_problems(data) == []
    got = word.layout(data)
    assert (got["width_mm"] > got["height_mm"]) is landscape


def test_an_official_document_has_the_official_page():
    doc = word.official_document(office="江苏省生态环境厅", doc_no="苏环督〔2026〕1号",
                                 title="关于督办的通知", addressee="苏州市生态环境局",
                                 paragraphs=["正文。"], signature="江苏省生态环境厅",
                                 date_text="2026年12月1日",
                                 table_df=pd.DataFrame({"企业": ["甲"]}))
    assert layout_problems(word.to_bytes(doc)) == []


def test_a_plain_document_fails_the_check():
    """The check itself: python-docx's blank document (Letter, 1 inch, no numbers) fails."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("x")
    problems = layout_problems(word.to_bytes(doc))
    assert any("A4" in p for p in problems) and any("page numbers" in p for p in problems)
    assert any("仿宋" in p for p in problems)


def test_every_document_is_built_through_the_one_page_setup():
    """No builder makes a Document of its own: each goes through word.new_document or
    word.official_document, which both call word.page_setup."""
    own = []
    for path in [*(ROOT / "components").glob("*.py"), *(ROOT / "pages").glob("*.py"),
                 *(ROOT / "queries").glob("*.py")]:
        if path.name == "word.py":
            continue
        if re.search(r"\bDocument\(\)|from docx import", path.read_text(encoding="utf-8")):
            own.append(path.name)
    assert own == []
