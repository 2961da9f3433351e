"""Word (.docx) building blocks in Chinese official style: title, headings, body text, tables
from DataFrames, chart images, and a 样例数据 mark when the data is the sample."""

from __future__ import annotations

import functools
import io
from types import SimpleNamespace

import pandas as pd

BODY_FONT, HEAD_FONT = "仿宋", "黑体"
SAMPLE_MARK = "样例数据（虚构企业，仅供演示）"


@functools.cache
def _docx() -> SimpleNamespace:
    """python-docx, imported when the first document is built rather than on every page load."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    return SimpleNamespace(Document=Document, WD_ORIENT=WD_ORIENT, CENTER=WD_ALIGN_PARAGRAPH.CENTER,
                           RIGHT=WD_ALIGN_PARAGRAPH.RIGHT, qn=qn, Cm=Cm, Pt=Pt, RGBColor=RGBColor)


def _set_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(_docx().qn("w:eastAsia"), name)
    if size:
        run.font.size = _docx().Pt(size)
    if bold is not None:
        run.bold = bold


def new_document(title: str, subtitle: str, sample: bool, landscape: bool = False):
    doc = _docx().Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = _docx().WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, _docx().Cm(2.2))
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(_docx().qn("w:eastAsia"), BODY_FONT)
    normal.font.size = _docx().Pt(12)
    if sample:
        header = section.header.paragraphs[0]
        header.alignment = _docx().RIGHT
        run = header.add_run(SAMPLE_MARK)
        _set_font(run, HEAD_FONT, 10, True)
        run.font.color.rgb = _docx().RGBColor(0xC0, 0x39, 0x2B)
    p = doc.add_paragraph()
    p.alignment = _docx().CENTER
    _set_font(p.add_run(title), "方正小标宋简体", 20, True)
    p = doc.add_paragraph()
    p.alignment = _docx().CENTER
    _set_font(p.add_run(subtitle), "楷体", 12)
    return doc


def heading(doc, text: str, level: int = 1) -> None:
    p = doc.add_paragraph()
    _set_font(p.add_run(text), HEAD_FONT, 15 if level == 1 else 13, True)


def paragraph(doc, text: str, indent: bool = True) -> None:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = _docx().Pt(24)
    p.paragraph_format.line_spacing = 1.4
    _set_font(p.add_run(text), BODY_FONT, 12)


def table(doc, df: pd.DataFrame, font_size: float = 9) -> None:
    """A bordered table with a bold header row; cells as already-formatted text."""
    t = doc.add_table(rows=1, cols=len(df.columns))
    t.style = "Table Grid"
    for cell, col in zip(t.rows[0].cells, df.columns):
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(str(col)), HEAD_FONT, font_size, True)
    for row in df.itertuples(index=False):
        cells = t.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run("" if pd.isna(value) else str(value)),
                      BODY_FONT, font_size)
    doc.add_paragraph()


def image(doc, png: bytes, width_cm: float = 15.0, caption: str | None = None) -> None:
    doc.add_picture(io.BytesIO(png), width=_docx().Cm(width_cm))
    doc.paragraphs[-1].alignment = _docx().CENTER
    if caption:
        p = doc.add_paragraph()
        p.alignment = _docx().CENTER
        _set_font(p.add_run(caption), "楷体", 10)


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def read_back(data: bytes) -> tuple[str, list[pd.DataFrame]]:
    """The text and tables of a .docx, for tests that check what a document says."""
    d = _docx().Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    parts += [p.text for s in d.sections for p in s.header.paragraphs]
    tables = []
    for t in d.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return "\n".join(parts), tables
