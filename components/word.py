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
    from docx.shared import Cm, Mm, Pt, RGBColor

    return SimpleNamespace(Document=Document, WD_ORIENT=WD_ORIENT, CENTER=WD_ALIGN_PARAGRAPH.CENTER,
                           RIGHT=WD_ALIGN_PARAGRAPH.RIGHT, qn=qn, Cm=Cm, Mm=Mm, Pt=Pt,
                           RGBColor=RGBColor)


def _set_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(_docx().qn("w:eastAsia"), name)
    if size:
        run.font.size = _docx().Pt(size)
    if bold is not None:
        run.bold = bold


def page_setup(doc, *, body_font: str, body_pt: float, landscape: bool = False):
    """The one page set-up of every Word document the app makes (GB/T 9704-2012): A4, margins
    top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (landscape: the same margins, the long
    side across), the body font as the East Asian font of the Normal style, "— 1 —" page
    numbers at the foot. Returns the section."""
    d = _docx()
    section = doc.sections[0]
    width, height = d.Mm(210), d.Mm(297)
    if landscape:
        section.orientation = d.WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = d.Mm(37), d.Mm(35)
    section.left_margin, section.right_margin = d.Mm(28), d.Mm(26)
    section.footer_distance = d.Mm(28 if not landscape else 15)
    normal = doc.styles["Normal"]
    normal.font.name = body_font
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(d.qn("w:eastAsia"), body_font)
    normal.font.size = d.Pt(body_pt)
    _page_number_footer(section)
    return section


def new_document(title: str, subtitle: str, sample: bool, landscape: bool = False):
    doc = _docx().Document()
    section = page_setup(doc, body_font=BODY_FONT, body_pt=12, landscape=landscape)
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


# --------------------------------------------------------------------------------------------
# Official documents (公文), GB/T 9704-2012: A4; top margin 37 mm, left 28 mm, text block
# 156 × 225 mm; body 3号仿宋 (16 pt), 22 lines of 28 characters; title 2号小标宋 (22 pt);
# 文号 under the issuing office's mark; page numbers 4号 (14 pt) as "— 1 —" at the foot.
# --------------------------------------------------------------------------------------------

OFFICIAL_BODY = "仿宋_GB2312"  # falls back to 仿宋 where the GB2312 cut is not installed
OFFICIAL_TITLE = "方正小标宋简体"
BODY_PT, TITLE_PT, PAGE_NO_PT = 16, 22, 14
LINE_PT = 28.95  # 225 mm / 22 lines


def _official_font(run, name: str, size: float, bold: bool = False) -> None:
    _set_font(run, name, size, bold)
    # 仿宋_GB2312 first, 仿宋 as the Latin/alt name: Word and WPS pick the one installed.
    if name == OFFICIAL_BODY:
        run._element.get_or_add_rPr().get_or_add_rFonts().set(_docx().qn("w:ascii"), "仿宋")


def _page_number_footer(section) -> None:
    """"— PAGE —" centred at the foot, 4号 宋体 (a PAGE field: Word fills in the number)."""
    from docx.oxml import OxmlElement

    p = section.footer.paragraphs[0]
    p.alignment = _docx().CENTER

    def field_char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(_docx().qn("w:fldCharType"), kind)
        return el

    _set_font(p.add_run("— "), "宋体", PAGE_NO_PT)
    run = p.add_run()
    _set_font(run, "宋体", PAGE_NO_PT)
    instr = OxmlElement("w:instrText")
    instr.set(_docx().qn("xml:space"), "preserve")
    instr.text = " PAGE "
    for el in (field_char("begin"), instr, field_char("separate")):
        run._element.append(el)
    num = p.add_run("1")
    _set_font(num, "宋体", PAGE_NO_PT)
    end = p.add_run()
    end._element.append(field_char("end"))
    _set_font(p.add_run(" —"), "宋体", PAGE_NO_PT)


def _line(doc, text: str = "", *, align=None, indent: bool = False, font: str = OFFICIAL_BODY,
          size: float = BODY_PT, bold: bool = False, colour=None):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = _docx().Pt(LINE_PT)
    fmt.space_before = fmt.space_after = _docx().Pt(0)
    if indent:
        fmt.first_line_indent = _docx().Pt(2 * BODY_PT)
    if align is not None:
        p.alignment = align
    if text:
        run = p.add_run(text)
        _official_font(run, font, size, bold)
        if colour is not None:
            run.font.color.rgb = colour
    return p


def _red_rule(paragraph) -> None:
    """The red separator line under the 文号 (a bottom border of that paragraph)."""
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", "C00000")):
        bottom.set(_docx().qn(f"w:{k}"), v)
    border.append(bottom)
    ppr.append(border)


def official_document(*, office: str, doc_no: str, title: str, addressee: str,
                      paragraphs: list[str], signature: str, date_text: str,
                      table_df: pd.DataFrame | None = None, after_table: list[str] = (),
                      note: str | None = None, sample: bool = False):
    """A 公文 in GB/T 9704-2012 layout: the office's red mark (发文机关标志), 文号, red rule,
    title, 主送, body paragraphs (optionally a table and more paragraphs), 落款, 成文日期 and an
    附注 in parentheses (contact). Returns the python-docx Document."""
    d = _docx()
    doc = d.Document()
    section = page_setup(doc, body_font=OFFICIAL_BODY, body_pt=BODY_PT)
    if sample:
        header = section.header.paragraphs[0]
        header.alignment = d.RIGHT
        run = header.add_run(SAMPLE_MARK)
        _set_font(run, HEAD_FONT, 10, True)
        run.font.color.rgb = d.RGBColor(0xC0, 0x39, 0x2B)
    red = d.RGBColor(0xC0, 0x00, 0x00)
    _line(doc, office, align=d.CENTER, font=OFFICIAL_TITLE, size=26, colour=red)
    _line(doc)
    _red_rule(_line(doc, doc_no, align=d.CENTER))
    _line(doc)
    _line(doc, title, align=d.CENTER, font=OFFICIAL_TITLE, size=TITLE_PT)
    _line(doc)
    _line(doc, f"{addressee}：")
    for text in paragraphs:
        _line(doc, text, indent=True)
    if table_df is not None:
        table(doc, table_df, font_size=12)
        for text in after_table:
            _line(doc, text, indent=True)
    _line(doc)
    _line(doc)
    _line(doc, signature, align=d.RIGHT)
    _line(doc, date_text, align=d.RIGHT)
    if note:
        _line(doc, f"（{note}）", indent=True)
    return doc


def layout(data: bytes) -> dict:
    """Page size and margins (mm) of a .docx, the East Asian font of its Normal style and
    whether its footer has a PAGE field: what tests check against GB/T 9704-2012."""
    d = _docx()
    doc = d.Document(io.BytesIO(data))
    s = doc.sections[0]
    footer_xml = s.footer._element.xml
    rfonts = doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    return {"width_mm": round(s.page_width.mm), "height_mm": round(s.page_height.mm),
            "top_mm": round(s.top_margin.mm), "bottom_mm": round(s.bottom_margin.mm),
            "left_mm": round(s.left_margin.mm), "right_mm": round(s.right_margin.mm),
            "body_font": rfonts.get(d.qn("w:eastAsia")),
            "page_numbers": "PAGE" in footer_xml and "— " in "".join(
                p.text for p in s.footer.paragraphs)}
