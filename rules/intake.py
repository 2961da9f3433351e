"""Reading and checking the files cities send (数据导入): pure functions, bytes in, checked rows
and Chinese messages out. Nothing here touches the database: queries/intake.py looks up what is
stored, previews and writes.

What a city really sends, and how it is read:
- .xlsx (streamed, within the limits of rules.uploads, formulas read as their saved values, a
  formula without one is an error, never a blank), legacy .xls (xlrd: formulas as their saved
  values, date cells by the workbook's own calendar, 1900 or 1904) and .csv/.txt in UTF-8,
  UTF-8 with BOM, UTF-16 (Excel's "Unicode text") or GBK/GB18030 (WPS, older Excel), told apart
  by decoding; password-protected workbooks, pictures and other files get a message saying what
  to do.
- title rows above the header: the header is the first row that names the kind's key column;
  a two-row merged header (坐标 over 经度 | 纬度) is read as one;
- header variants: 全角/半角 brackets and letters (NFKC), spaces, a unit in brackets, a leading
  `*`, and synonyms (信用代码 / 社会信用代码 / 统一社会信用代码 …);
- dates as 2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日, 20210305, a date cell or an Excel serial
  number; numbers with thousands separators or as text.
- each cell's type and bounds (whole numbers, ranges, text length) are validated by pydantic and
  its errors told in Chinese (`_checked`); dates, codes, vocabularies and references here.

A kind of record (Kind) is a list of Columns. 企业名录 and 审核进度 are here; the other kinds live
in one module per family (rules/intake_audits.py, intake_registers.py, intake_places.py), which
register() theirs when this module loads; each has its planner in the queries/ module of the same
name. A blank cell means "keep what is stored"; CLEAR (（清空）) empties a column that
may be empty.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import math
import numbers
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import Field, TypeAdapter, ValidationError

from rules import vocab
from rules.identifiers import make_uscc, permit_problem, uscc_problem
from rules.uploads import MAX_COLUMNS, UploadLimits, listed, rows_over, xls_problem, xlsx_problem

CLEAR = "（清空）"  # typed in a cell: empty the stored value (a blank cell keeps it)
HEADER_SEARCH_ROWS = 15  # title rows a header may sit under
SKIP_SHEETS = ("填写说明", "填写示例", "选项")  # the template's own sheets, never data
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_DATE, MAX_DATE = dt.date(1990, 1, 1), dt.date(2099, 12, 31)


# ---- problems ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong, said so that an official can find and fix it: sheet, row, column, value,
    what is wrong and how to fix it. A warning is shown and confirmed, an error blocks."""

    message: str
    row: int | None = None  # the row number in the workbook/CSV (the header's row + n)
    column: str | None = None
    value: str | None = None
    sheet: str | None = None
    warning: bool = False

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"「{self.column}」列")
        return "".join(parts)

    def __str__(self) -> str:
        place = self.where()
        value = f"值「{self.value}」：" if self.value not in (None, "") else ""
        return f"{place}{'：' if place else ''}{value}{self.message}"


# ---- columns and kinds -------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the template, unit in brackets
    meaning: str
    kind: str = "text"  # text | uscc | permit | int | number | date | choice | ref | info
    unit: str = ""
    required: bool = False  # must be filled for a new record
    key: bool = False  # identifies the record
    auto: bool = False  # a key column the planner works out when left blank (the next round)
    # A key column that may be left blank, and the key part a blank stands for (行业 of a plan
    # target: blank = all industries, the same key as 全部行业). None: a blank key is an error.
    key_blank: str | None = None
    choices: tuple[str, ...] = ()  # closed vocabulary (kind "choice")
    ref: str = ""  # kind "ref": which reference list (industry, county, park)
    synonyms: tuple[str, ...] = ()
    clearable: bool = False  # CLEAR may empty it
    example: object = None
    max_len: int = 128
    low: float | None = None
    high: float | None = None

    @functools.cached_property  # asked for every cell of a large file
    def label(self) -> str:
        return header_label(self.header)

    def allowed(self) -> str:
        if self.kind == "choice":
            return "、".join(self.choices)
        return {"uscc": "18位统一社会信用代码（GB 32100-2015，校验位须正确）",
                "permit": "22位排污许可证编号（HJ 608-2017）：18位统一社会信用代码 + 3位顺序码 + "
                          "P（许可证）或 W（登记）",
                "date": "日期，如 2021-03-05、2021/3/5、2021年3月5日",
                "int": "整数" + (f"，{_n(self.low)}—{_n(self.high)}" if self.high else ""),
                "number": "数字" + (f"，{_n(self.low)}—{_n(self.high)}"
                                    if self.high is not None else
                                    f"，不小于 {_n(self.low)}" if self.low is not None else ""),
                "ref": REF_HINTS.get(self.ref, ""),
                "info": "仅供核对，不写入"}.get(self.kind, f"文字，不超过 {self.max_len} 字")


REF_HINTS = {"industry": "行业库中的行业名称（见下拉列表）",
             "county": "区县名称（如 虎丘区；重名时写 苏州市虎丘区）或6位行政区划代码",
             "city": "设区市名称（如 苏州市）或6位行政区划代码",
             "park": "园区名称（见下拉列表）",
             "batch": "已发布的名单批次名称（见下拉列表）",
             "consultancy": "咨询机构库中的机构名称或其统一社会信用代码",
             "expert": "专家库中的专家姓名（重名时填写专家编号）",
             "cluster": "整体审核的名称（见下拉列表）",
             "period": "规划期（实施方案）名称（见下拉列表）",
             "region": "省、设区市或区县的名称（如 江苏省、苏州市、苏州市虎丘区）或6位行政区划代码",
             "industry_or_all": "行业库中的行业名称（见下拉列表）；全部行业填「全部行业」或留空"}


def _n(x) -> str:
    return "" if x is None else (f"{int(x)}" if float(x).is_integer() else f"{x}")


@dataclass(frozen=True)
class Kind:
    code: str  # as the command line names it
    name: str  # as the page names it
    sheet: str  # the data sheet of the template
    columns: tuple[Column, ...]
    note: str = ""
    creates: bool = True  # rows with an unknown key are new records (else rejected)
    # A kind whose rows are of several types, each identified by other columns (信用评价 by code
    # and year, 行政处罚 by code, date and kind): identify(row) gives the row's identity and the
    # words naming it (for the duplicate message), or why it cannot be identified.
    identify: Callable[[Row], tuple[tuple, str] | str] | None = None
    # A register the province keeps for the whole province (专家库, 咨询机构): only province-level
    # accounts import it or download it pre-filled.
    province_only: bool = False
    label: str = "企业名称"  # the preview's name column ("" when the key names the record)

    @functools.cached_property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


_EXAMPLE_USCC = make_uscc("320505", "MA1XYW01")

USCC = Column("uscc", "统一社会信用代码", "企业的18位统一社会信用代码，营业执照上的代码",
              kind="uscc", required=True, key=True, example=_EXAMPLE_USCC,
              synonyms=("信用代码", "社会信用代码", "统一代码", "企业信用代码",
                        "统一社会信用代码证号", "USCC"))

ENTERPRISES = Kind("enterprises", "企业名录", "企业名录", (
    USCC,
    Column("name", "企业名称", "营业执照上的企业全称", required=True,
           example="苏州示例化工有限公司",
           synonyms=("单位名称", "企业全称", "名称", "企业名")),
    Column("industry", "行业", "所属重点行业", kind="ref", ref="industry", required=True,
           example="化工", synonyms=("所属行业", "重点行业", "行业类别", "行业名称")),
    Column("county", "所在区县", "企业所在区县（市辖区、县、县级市）", kind="ref", ref="county",
           required=True, example="虎丘区",
           synonyms=("区县", "所在地区", "所属区县", "行政区划", "行政区划代码", "区县代码")),
    Column("park", "所在园区", "企业所在的工业园区；不在园区留空", kind="ref", ref="park",
           clearable=True, example="", synonyms=("园区", "所属园区", "园区名称")),
    Column("lon", "经度（度）", "企业位置经度，GCJ-02 坐标（高德、腾讯地图取点）", kind="number",
           unit="度", low=73, high=136, clearable=True, example=120.52,
           synonyms=("经度坐标", "东经")),
    Column("lat", "纬度（度）", "企业位置纬度，GCJ-02 坐标", kind="number", unit="度", low=3,
           high=54, clearable=True, example=31.32, synonyms=("纬度坐标", "北纬")),
    Column("scale", "企业规模", "按国家统计局大中小微企业划分", kind="choice",
           choices=vocab.ENTERPRISE_SCALES, clearable=True, example="中型", synonyms=("规模",)),
    Column("permit_class", "排污许可管理类别", "排污许可证的管理类别", kind="choice",
           choices=vocab.PERMIT_CLASSES, clearable=True, example="重点管理",
           synonyms=("管理类别", "排污许可类别", "许可管理类别")),
    Column("address", "地址", "生产经营地址", clearable=True, max_len=256,
           example="苏州市虎丘区示例路1号",
           synonyms=("企业地址", "详细地址", "生产地址", "生产经营地址")),
), note="每行一家企业，以统一社会信用代码识别：代码已在名录中的行修改该企业，其余行新增企业。")

_MILESTONES = (
    ("disclosure_date", "信息公开日期", "企业公开清洁生产审核信息的日期",
     ("公开日期", "信息公开时间")),
    ("start_date", "启动审核日期", "开展（启动）清洁生产审核的日期",
     ("审核启动日期", "启动日期", "开展审核日期", "启动审核时间")),
    ("report_date", "提交报告日期", "提交审核报告（申请评估）的日期",
     ("报告提交日期", "审核报告提交日期", "提交审核报告日期")),
)


def _result_columns(stage: str, word: str) -> tuple[Column, ...]:
    return (
        Column(f"{stage}_date", f"{word}日期", f"{word}的日期（专家{word}会议）", kind="date",
               example="2022-05-10", synonyms=(f"{word}时间", f"{word}会日期")),
        Column(f"{stage}_result", f"{word}结论", f"{word}结论，按当地用语；填写{word}日期时必填",
               kind="choice", choices=vocab.RESULT_WORDS, example="通过",
               synonyms=(f"{word}结果", f"是否通过{word}")),
        Column(f"{stage}_score", f"{word}得分（分）", f"{word}得分，百分制；没有打分留空",
               kind="number", unit="分", low=0, high=100, clearable=True, example=88,
               synonyms=(f"{word}分数",)),
    )


PROGRESS = Kind("progress", "审核进度", "审核进度", (
    USCC,
    Column("round_no", "审核轮次（轮）", "该企业第几轮审核（首次列入为第 1 轮）", kind="int",
           unit="轮", required=True, key=True, low=1, high=20, example=1,
           synonyms=("轮次", "审核轮次", "第几轮")),
    Column("name", "企业名称", "仅供核对：与名录中的名称不同时提示，不写入", kind="info",
           example="苏州示例化工有限公司", synonyms=("单位名称", "企业全称", "名称")),
    *(Column(f, h, m, kind="date", example=e, synonyms=syn)
      for (f, h, m, syn), e in zip(_MILESTONES, ("2021-04-01", "2021/5/6", "2022年3月1日"),
                                   strict=True)),
    *_result_columns("evaluation", "评估"),
    *_result_columns("acceptance", "验收"),
    Column("cp_level", "清洁生产水平", "验收认定的清洁生产水平", kind="choice",
           choices=vocab.CP_LEVELS, clearable=True, example="Ⅱ级",
           synonyms=("清洁生产等级", "清洁生产水平等级")),
), note=("每行一轮审核的里程碑日期，以统一社会信用代码和审核轮次识别；"
         "只能填写已列入名单的审核轮次（新列入请先导入名单）。"
         "日期须按 列入 ≤ 信息公开 ≤ 启动 ≤ 提交报告 ≤ 评估 ≤ 验收 的顺序。"),
   creates=False)

KINDS: dict[str, Kind] = {}  # every kind, by code, in the order the page lists them


def register(*kinds: Kind) -> None:
    """Add kinds of record (the family modules below call this when they load)."""
    for k in kinds:
        KINDS[k.code] = k


register(ENTERPRISES, PROGRESS)

# The order the clock runs in (rules/clock): each milestone no earlier than the one before.
DATE_ORDER = (("listing_date", "列入名单日期"), ("disclosure_date", "信息公开日期"),
              ("start_date", "启动审核日期"), ("report_date", "提交报告日期"),
              ("evaluation_date", "评估日期"), ("acceptance_date", "验收日期"))


def import_refused(kind: Kind, level: str) -> str | None:
    """Why an account of jurisdiction `level` may not import this kind, or None."""
    if kind.province_only and level != "province":
        return (f"「{kind.name}」是全省统一管理的名录，只有省级用户可以导入或下载含现有记录的模板。"
                "本辖区如有新增或变动，请报省级主管部门导入。")
    return None


def date_order_problems(dates: Mapping[str, dt.date | None]) -> list[str]:
    """Milestones out of order: listing ≤ disclosure ≤ start ≤ report ≤ evaluation ≤
    acceptance (missing ones are skipped)."""
    out, last = [], None
    for f, name in DATE_ORDER:
        d = dates.get(f)
        if d is None:
            continue
        if last is not None and d < last[0]:
            out.append(f"{name}（{d.isoformat()}）早于{last[1]}（{last[0].isoformat()}），"
                       "请核对两个日期。")
        last = (d, name) if last is None or d >= last[0] else last
    return out


RESULT_STAGES = (("evaluation", "评估"), ("acceptance", "验收"))


def result_pairing_problems(merged: Mapping[str, object]) -> list[str]:
    """A stage's date needs its result (the local word) and a result its date: the database
    keeps the normalised pass/fail only beside a date (schema ck_audit_*_date_pass); a cleaner
    production level only with a passed acceptance."""
    out = []
    for stage, word in RESULT_STAGES:
        has_date = merged.get(f"{stage}_date") is not None
        has_word = merged.get(f"{stage}_result") is not None
        if has_date and not has_word:
            out.append(f"填写了{word}日期，还须填写{word}结论（{'/'.join(vocab.RESULT_WORDS)}）。")
        if has_word and not has_date:
            out.append(f"填写了{word}结论，还须填写{word}日期。")
    if merged.get("cp_level") is not None and merged.get("acceptance_pass") is not True:
        # the level is what a passed acceptance certifies (domain §4)
        out.append("填写了清洁生产水平，但该轮审核尚未验收通过：清洁生产水平在验收通过时认定，"
                   "请核对或留空。")
    return out


def passes(values: Mapping[str, object]) -> dict[str, bool | None]:
    """The normalised pass/fail of each result word a row gives (None where it clears one)."""
    return {f"{stage}_pass": (None if values[f"{stage}_result"] is None
                              else values[f"{stage}_result"] in vocab.PASS_WORDS)
            for stage, _word in RESULT_STAGES if f"{stage}_result" in values}


def future_date_problems(values: Mapping[str, object], today: dt.date
                         ) -> list[tuple[str, str]]:
    """(field, message) for each milestone a row dates after today."""
    return [(f, f"{name} {values[f].isoformat()} 晚于今天，尚未发生的日期不能填写。")
            for f, name in DATE_ORDER if values.get(f) is not None and values[f] > today]


# ---- headers -----------------------------------------------------------------------------------

_UNIT = re.compile(r"\([^()]*\)$")
_SPACE = re.compile(r"\s+")


def fold(text: object) -> str:
    """Full-width to half-width (NFKC: （）→(), Ａ→A, １→1, 　→ space), no blanks."""
    return _fold("" if text is None else str(text))


@functools.cache
def _choices(choices: tuple[str, ...]) -> dict[str, str]:
    return {fold(c): c for c in choices}


@functools.lru_cache(maxsize=65_536)  # a large file repeats its words (已实施, 中/高费, 化工 …)
def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def header_label(header: object) -> str:
    """A header as compared: folded, without a leading * (required mark), a trailing unit in
    brackets or a 单位 note. 经度（度） / 经度 (度) / *经度 -> 经度."""
    text = fold(header).lstrip("*")
    while _UNIT.search(text):
        text = _UNIT.sub("", text)
    text = re.sub(r"[,;]?单位:.*$", "", text)
    return text.upper()


def header_map(kind: Kind) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for c in kind.columns:
        for name in (c.header, *c.synonyms):
            out.setdefault(header_label(name), c)
    return out


# ---- reading files -----------------------------------------------------------------------------

@dataclass(frozen=True)
class NoCachedValue:
    """A formula saved without its computed value: never read as blank (it would keep or erase a
    value unseen)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]]  # (row number in the file, cells), blank rows left out


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def _file_type(data: bytes, file_name: str) -> str:
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # .xls, or an encrypted .xlsx (Office wraps those in OLE)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "picture"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "text"


NOT_A_TABLE = "请上传由本页下载的模板填写后保存的 .xlsx 文件，或 .csv 文件。"
XLS_UNREADABLE = ("无法读取这个 Excel 文件：文件已损坏，或设有打开密码的工作簿。"
                  "请在 Excel/WPS 中打开（取消密码），“另存为” .xlsx 格式后再上传。")
NOT_XLS = ("文件名是 .xls，但内容不是 Excel 工作簿（可能已损坏，或是改了扩展名的其他文件）。"
           "请在 Excel/WPS 中打开原表格，“另存为” .xlsx 格式后再上传。")


def read_file(data: bytes, file_name: str = "", limits: UploadLimits | None = None
              ) -> tuple[list[Sheet] | None, list[Problem]]:
    """The non-blank rows of every data sheet of an uploaded file, or (None, why not)."""
    limits = limits or UploadLimits()
    if not data:
        return None, [Problem("文件为空（0 字节）。" + NOT_A_TABLE)]
    if len(data) > limits.max_bytes:
        return None, [Problem(xlsx_problem(data, limits) or "文件过大。")]
    kind = _file_type(data, file_name)
    if kind == "ole":
        return _read_xls(data, limits)
    if kind == "picture":
        return None, [Problem("这是一张图片，不是表格文件。" + NOT_A_TABLE)]
    if kind == "pdf":
        return None, [Problem("这是 PDF 文件，不是表格文件。" + NOT_A_TABLE)]
    if kind == "zip":
        return _read_xlsx(data, limits)
    sheets, problems = _read_csv(data, limits)
    if sheets is None and file_name.lower().endswith(".xls") and decode_text(data)[0] is None:
        # Some systems export a tab-separated text as .xls (read above as such); what is
        # neither that nor a workbook is a damaged or renamed file.
        return None, [Problem(NOT_XLS)]
    return sheets, problems


def _read_xls(data: bytes, limits: UploadLimits) -> tuple[list[Sheet] | None, list[Problem]]:
    """A legacy .xls workbook (BIFF8) through xlrd: each sheet's declared size is checked before
    its cells are loaded. xlrd gives a formula's saved result (a formula saved without one, which
    only programs write, reads as an empty text: blank); a merged range holds its value in its
    first cell and blanks elsewhere, as in .xlsx, so title rows and two-row headers read the
    same."""
    import xlrd  # local: keeps the rules package light to import

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception:  # noqa: BLE001 - xlrd raises many kinds on garbage or encrypted input
        return None, [Problem(XLS_UNREADABLE)]
    try:
        refused = xls_problem(book, limits)
        if refused:
            return None, [Problem(refused)]
        sheets: list[Sheet] = []
        for i, name in enumerate(book.sheet_names()):
            if name in SKIP_SHEETS:
                continue
            ws = book.sheet_by_index(i)
            if ws.visibility != 0:  # hidden sheets are never data, as in .xlsx
                continue
            too_many = rows_over(ws.nrows, limits)  # a sheet without a true DIMENSIONS record
            if too_many:
                return None, [Problem(too_many, sheet=name)]
            rows: list[tuple[int, list]] = []
            for r in range(ws.nrows):
                cells = [_xls_value(c, book.datemode)
                         for c in ws.row_slice(r, 0, min(ws.ncols, MAX_COLUMNS))]
                if any(not _blank(v) for v in cells):
                    rows.append((r + 1, cells))
            sheets.append(Sheet(name, rows))
            book.unload_sheet(i)
    except Exception as exc:  # noqa: BLE001 - a broken record inside the workbook
        return None, [Problem(f"文件已损坏，无法读取（{type(exc).__name__}）。" + NOT_A_TABLE)]
    finally:
        book.release_resources()
    return sheets, []


def _xls_value(cell, datemode: int) -> object:
    """An xlrd cell as the .xlsx reader would give it: None, text, a number, a bool, a datetime
    (by the workbook's calendar: 1900, or 1904 for files from Excel for Mac) or an error
    text (#DIV/0!)."""
    import xlrd

    t = cell.ctype
    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if t == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return f"#日期无效({cell.value})"  # parse_date refuses it with a message
    if t == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if t == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#错误")
    return cell.value


def _read_xlsx(data: bytes, limits: UploadLimits) -> tuple[list[Sheet] | None, list[Problem]]:
    from openpyxl import load_workbook  # local: keeps the rules package light to import

    refused = xlsx_problem(data, limits)
    if refused:
        return None, [Problem(refused)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "xl/workbook.xml" not in z.namelist():
                return None, [Problem("这是一个压缩包，不是 Excel 工作簿。" + NOT_A_TABLE)]
        if not _has_formulas(data):  # most files: the fast reader (≈ 10× openpyxl's speed)
            found = _read_calamine(data, limits)
            if found is not None:
                return found
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The second reading (formulas as written) only when a sheet holds a formula at all:
        # reading a workbook twice doubles the time of a large file.
        formulas = (load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                    if _has_formulas(data) else None)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on garbage input
        return None, [Problem("文件已损坏或不是有效的 Excel（.xlsx）文件。" + NOT_A_TABLE)]
    sheets: list[Sheet] = []
    try:
        written = formulas.worksheets if formulas is not None else [None] * len(values.worksheets)
        for ws, wf in zip(values.worksheets, written, strict=True):
            if ws.title in SKIP_SHEETS or getattr(ws, "sheet_state", "visible") != "visible":
                continue
            ws.reset_dimensions()  # openpyxl would stop at the declared extent, true or not
            rows: list[tuple[int, list]] = []
            if wf is None:
                plain = ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)
                pairs = ((r, r) for r in plain)
            else:
                wf.reset_dimensions()
                pairs = zip(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                            wf.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            for i, (row, written) in enumerate(pairs, start=1):
                too_many = rows_over(i, limits)
                if too_many:
                    return None, [Problem(too_many, sheet=ws.title)]
                cells = [NoCachedValue(str(f)) if v is None and isinstance(f, str)
                         and f.startswith("=") else v for v, f in zip(row, written)]
                if any(not _blank(v) for v in cells):
                    rows.append((i, cells))
            sheets.append(Sheet(ws.title, rows))
    except Exception as exc:  # noqa: BLE001 - a broken part of the archive
        return None, [Problem(f"文件已损坏，无法读取（{type(exc).__name__}）。" + NOT_A_TABLE)]
    finally:
        values.close()
        if formulas is not None:
            formulas.close()
    return sheets, []


def _read_calamine(data: bytes, limits: UploadLimits
                   ) -> tuple[list[Sheet] | None, list[Problem]] | None:
    """A workbook without formulas read by python-calamine (Rust): the same sheets and rows as
    the openpyxl path below, blank cells as None. None when calamine cannot read the file (the
    openpyxl path then says what is wrong)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: list[Sheet] = []
        for meta in book.sheets_metadata:
            if meta.name in SKIP_SHEETS or meta.visible != SheetVisibleEnum.Visible:
                continue
            ws = book.get_sheet_by_name(meta.name)
            too_many = rows_over(ws.height, limits)
            if too_many:
                return None, [Problem(too_many, sheet=meta.name)]
            rows = []
            for i, row in enumerate(ws.to_python(skip_empty_area=False), start=1):
                cells = [None if v == "" else v for v in row[:MAX_COLUMNS]]
                if any(not _blank(v) for v in cells):
                    rows.append((i, cells))
            sheets.append(Sheet(meta.name, rows))
    except Exception:  # noqa: BLE001 - calamine raises its own kinds on odd files
        return None
    return sheets, []


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds a formula element (<f>), read in chunks."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tail = b""
            with z.open(name) as part:
                while chunk := part.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def decode_text(data: bytes) -> tuple[str | None, str]:
    """The text of a CSV file and the encoding it was in: a byte-order mark decides; else UTF-8
    if it decodes, else GB18030 (a superset of GBK and GB2312, what WPS and Chinese Excel
    write)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                return None, name
    for name in ("utf-8", "gb18030"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None, name
        return text, name
    return None, ""


def _read_csv(data: bytes, limits: UploadLimits) -> tuple[list[Sheet] | None, list[Problem]]:
    text, _encoding = decode_text(data)
    if text is None:
        return None, [Problem("无法识别文件的文字编码（不是 UTF-8 或 GBK 的 CSV 文件）。"
                              + NOT_A_TABLE)]
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;，").delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows: list[tuple[int, list]] = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            too_many = rows_over(i, limits)
            if too_many:
                return None, [Problem(too_many)]
            if len(row) > MAX_COLUMNS and any(not _blank(v) for v in row[MAX_COLUMNS:]):
                return None, [Problem(f"第 {i} 行超过 {MAX_COLUMNS} 列，不是正常的模板。", row=i)]
            cells = [v if v.strip() else None for v in row[:MAX_COLUMNS]]
            if any(c is not None for c in cells):
                rows.append((i, cells))
    except csv.Error as exc:
        return None, [Problem(f"CSV 文件格式有误（{exc}）。" + NOT_A_TABLE)]
    return [Sheet("CSV", rows)], []


# ---- finding the table -------------------------------------------------------------------------

@dataclass
class Table:
    sheet: str
    header_row: int
    columns: dict[int, Column]  # position -> column
    headers: dict[int, str]  # position -> header as written
    rows: list[tuple[int, list]]


def _matches(cells: list, kind: Kind) -> set[str]:
    known = header_map(kind)
    return {known[header_label(v)].field for v in cells
            if isinstance(v, str) and header_label(v) in known}


def locate(sheets: list[Sheet], kind: Kind) -> tuple[Table | None, list[Problem]]:
    """The kind's table: the first sheet whose first rows hold a header naming every key column
    (title rows above it are skipped). Says which other kind a file is when it is one."""
    keys = {c.field for c in kind.key_columns if not c.auto}
    for sheet in sorted(sheets, key=lambda s: s.name != kind.sheet):
        for n, (_row_no, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            found = _matches(cells, kind)
            # the kind whose columns the header names most (a header may share a few with two)
            others = [(len(theirs), other) for other in KINDS.values() if other is not kind
                      for theirs in [_matches(cells, other)]
                      if {c.field for c in other.key_columns} <= theirs
                      and len(theirs) > len(found)]
            if others:
                other = max(others, key=lambda o: o[0])[1]
                return None, [Problem(f"这是「{other.name}」的文件，不是「{kind.name}」。"
                                      f"请在页面上选择「{other.name}」，或上传{kind.name}模板。")]
            if keys <= found and len(found) >= 2:
                return _table(sheet, n, kind)
    names = "、".join(f"「{s.name}」" for s in sheets) or "（无）"
    needed = "、".join(f"「{c.label}」" for c in kind.key_columns if not c.auto)
    if not any(s.rows for s in sheets):
        return None, [Problem("文件中没有任何内容。" + NOT_A_TABLE)]
    return None, [Problem(f"未找到{kind.name}的表头：文件的工作表（{names}）"
                          f"前 {HEADER_SEARCH_ROWS} 行中没有一行同时包含{needed}等列名。"
                          f"请使用「{kind.name}」模板，"
                          f"数据放在「{kind.sheet}」工作表。")]


def _table(sheet: Sheet, n: int, kind: Kind) -> tuple[Table | None, list[Problem]]:
    header_row, header = sheet.rows[n]
    rows = sheet.rows[n + 1:]
    known = header_map(kind)
    # A two-row header (merged cells: 坐标 over 经度 | 纬度): the second row names columns and
    # leaves the key columns of the first row blank (merged down) or repeats their names.
    if rows and rows[0][0] == header_row + 1 and _matches(rows[0][1], kind):
        second = rows[0][1]
        keys_blank = all(j >= len(second) or _blank(second[j])
                         or header_label(second[j]) in known
                         for j, v in enumerate(header)
                         if not _blank(v) and known.get(header_label(v)) in kind.key_columns)
        if keys_blank:
            width = max(len(header), len(second))
            header = [second[j] if j < len(second) and not _blank(second[j])
                      and header_label(second[j]) in known
                      else (header[j] if j < len(header) else None) for j in range(width)]
            rows = rows[1:]
    columns: dict[int, Column] = {}
    headers: dict[int, str] = {}
    problems: list[Problem] = []
    for j, v in enumerate(header):
        if _blank(v):
            continue
        col = known.get(header_label(v))
        if col is None:
            continue  # a column of the city's own (备注, 序号 …): not read
        if col.field in {c.field for c in columns.values()}:
            problems.append(Problem(f"表头「{v}」与前面的列重复（都是「{col.label}」），请删去一列。",
                                    row=header_row, sheet=sheet.name))
            continue
        columns[j] = col
        headers[j] = str(v).strip()
    if problems:
        return None, problems
    return Table(sheet.name, header_row, columns, headers, rows), []


# ---- cells -------------------------------------------------------------------------------------

class CellError(ValueError):
    """What is wrong with one cell and how to fix it (Chinese)."""


def show(v: object, limit: int = 40) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        text = str(int(v))
    elif isinstance(v, dt.datetime):
        text = v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
    else:
        text = str(v).strip()
    return text if len(text) <= limit else text[:limit] + "…"


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(v: object) -> dt.date:
    """2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日, 20210305, a date(-time) cell or an Excel
    serial number (days since 1899-12-30, as Excel counts)."""
    if isinstance(v, dt.datetime):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, bool):
        raise CellError("不是日期。请写成 2021-03-05 这样的日期。")
    elif isinstance(v, numbers.Real) or (isinstance(v, str) and fold(v).isdigit()):
        x = float(fold(v)) if isinstance(v, str) else float(v)
        m = _DATE_DIGITS.match(f"{int(x)}") if math.isfinite(x) and x.is_integer() else None
        if m:
            d = _ymd(*m.groups())
        elif math.isfinite(x) and x.is_integer() and 1 <= x <= 100_000:
            d = EXCEL_EPOCH + dt.timedelta(days=int(x))
        else:
            raise CellError("不是日期。请写成 2021-03-05 这样的日期。")
    else:
        m = _DATE_TEXT.match(fold(v).replace("T", " ") if isinstance(v, str) else "")
        if not m:
            raise CellError("不是可识别的日期。请写成 2021-03-05、2021/3/5 或 2021年3月5日。")
        d = _ymd(*m.groups())
    if not MIN_DATE <= d <= MAX_DATE:
        raise CellError(f"日期 {d.isoformat()} 不在 {MIN_DATE.year}—{MAX_DATE.year} 年之间，"
                        "请核对年份。")
    return d


def _ymd(y, m, d) -> dt.date:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        raise CellError(f"日期 {y}-{m}-{d} 不存在（月份或日期有误）。") from None


def parse_number(v: object) -> float:
    """A number, also as text with thousands separators or full-width digits."""
    if isinstance(v, bool):
        raise CellError("不是数字。")
    if isinstance(v, numbers.Real):
        x = float(v)
    else:
        text = fold(v).replace(",", "")
        try:
            x = float(text)
        except ValueError:
            raise CellError("不是数字，请只填写数字（不带单位）。") from None
    if not math.isfinite(x):
        raise CellError("不是有限的数字。")
    return x


def parse_cell(col: Column, v: object, refs: Mapping[str, Mapping[str, str | None]]) -> object:
    """One filled cell as the value to store, or CellError."""
    if isinstance(v, NoCachedValue):
        raise CellError("是公式，但文件中没有它的计算结果：请在 Excel 中打开、保存后再上传，"
                        "或直接填写数值。")
    if col.kind == "date":
        return parse_date(v)
    if col.kind in ("number", "int"):
        return _checked(col, parse_number(v))
    text = show(v, 10_000) if isinstance(v, (int, float)) else str(v).strip()
    if col.kind == "uscc":
        code = fold(text).upper()
        problem = uscc_problem(code)
        if problem:
            raise CellError(problem + "。请按营业执照核对。")
        return code
    if col.kind == "permit":
        code = fold(text).upper()
        problem = permit_problem(code)
        if problem:
            raise CellError(problem + "。请按排污许可证（登记回执）核对。")
        return code
    if col.kind == "choice":
        folded = _choices(col.choices)
        # local labels such as "Ⅱ级 国内先进" read as their value
        hit = folded.get(fold(text)) or next(
            (c for f, c in folded.items() if fold(text).startswith(f)), None)
        if hit is None:
            raise CellError(f"不是可选值。可选：{'、'.join(col.choices)}。")
        return hit
    if col.kind == "ref":
        table = refs.get(col.ref, {})
        key = fold(text).upper()
        if key not in table:
            raise CellError(f"未找到。请填写{REF_HINTS.get(col.ref, '已有的名称')}。")
        code = table[key]
        if code is None:
            raise CellError("名称不唯一（有重名），请填写全称或代码，如 苏州市虎丘区 或 320505。")
        return code
    return _checked(col, text)


INT_MAX = 2**31 - 1  # the largest value of an INTEGER column (SQLite and PostgreSQL alike)


@functools.cache
def _adapter(kind: str, low: float | None, high: float | None, max_len: int) -> TypeAdapter:
    """The column's type and bounds as a pydantic validator (built once per column shape)."""
    if kind == "int":
        return TypeAdapter(Annotated[int, Field(ge=low, le=high)])
    if kind == "number":
        return TypeAdapter(Annotated[float, Field(ge=low, le=high, allow_inf_nan=False)])
    return TypeAdapter(Annotated[str, Field(max_length=max_len)])


def _checked(col: Column, value: object) -> object:
    """`value` (a number read from the cell, or text) validated against the column's type and
    bounds by pydantic; its error told in Chinese, the way an official fixes it."""
    try:
        if col.kind == "int":  # the range first: 1e20 is out of range before it is a fraction
            high = INT_MAX if col.high is None else col.high  # what an INTEGER column holds
            _adapter("number", col.low, high, col.max_len).validate_python(value)
            return _adapter("int", None, None, col.max_len).validate_python(value)
        return _adapter(col.kind, col.low, col.high, col.max_len).validate_python(value)
    except ValidationError as exc:
        kind = exc.errors()[0]["type"]
    unit = f" {col.unit}" if col.unit else ""
    if kind.startswith("int_"):  # int_from_float, int_parsing
        raise CellError(f"应为整数（单位：{col.unit or '个'}）。") from None
    if kind == "string_too_long":
        raise CellError(f"超过 {col.max_len} 个字，请缩短。") from None
    if kind == "less_than_equal" and col.high is None:
        raise CellError(f"数值过大（超过 {INT_MAX:,}），请核对。") from None
    if kind in ("greater_than_equal", "less_than_equal") and col.high is None:
        raise CellError(f"不能小于 {_n(col.low)}{unit}（减排量、投资等填写正数）。") from None
    if kind in ("greater_than_equal", "less_than_equal"):
        raise CellError(f"超出范围：应在 {_n(col.low)}—{_n(col.high)}{unit}之间。") from None
    raise CellError("不是有限的数字。") from None


# ---- rows --------------------------------------------------------------------------------------

@dataclass
class Row:
    """One data row, checked cell by cell: the values it fills (blank cells are absent), the
    columns it asks to empty, and its problems."""

    row: int
    key: tuple
    values: dict[str, object] = field(default_factory=dict)
    clears: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(not p.warning for p in self.problems)


def check_rows(table: Table, kind: Kind, refs: Mapping[str, Mapping[str, str | None]]
               ) -> list[Row]:
    """Every data row of the table checked on its own (types, vocabularies, references,
    checksums) and against the rows above it (duplicates)."""
    out: list[Row] = []
    seen: dict[tuple, int] = {}
    keys, key_words = kind.key_columns, _key_words(kind)
    for row_no, cells in table.rows:
        r = Row(row_no, ())
        failed: set[str] = set()
        for j, col in table.columns.items():
            v = cells[j] if j < len(cells) else None
            if _blank(v):
                continue
            if isinstance(v, str) and fold(v) == fold(CLEAR):
                if col.clearable:
                    r.clears.add(col.field)
                else:
                    r.problems.append(Problem(f"此列不能清空（{CLEAR} 只用于可留空的列）。", row_no,
                                              table.headers[j], CLEAR, table.sheet))
                continue
            try:
                r.values[col.field] = parse_cell(col, v, refs)
            except CellError as exc:
                failed.add(col.field)
                r.problems.append(Problem(str(exc), row_no, table.headers[j], show(v),
                                          table.sheet))
        missing_keys = [c for c in keys
                        if c.field not in r.values and c.key_blank is None]
        for c in missing_keys:
            if c.field not in failed and not c.auto:
                r.problems.append(Problem(f"「{c.label}」未填写：这一列用来识别记录，必须填写。",
                                          row_no, sheet=table.sheet))
        words = key_words
        if missing_keys and all(c.auto and c.field not in failed for c in missing_keys):
            # the planner works the blank part out (and checks duplicates of the whole key)
            r.key = tuple(r.values.get(c.field) for c in keys)
        elif not missing_keys:
            r.key = tuple(r.values.get(c.field, c.key_blank) for c in keys)
            if kind.identify is not None:
                found = kind.identify(r)
                if isinstance(found, str):  # a part of the identity is missing
                    r.key = ()
                    if r.ok:  # (a part that failed its check is said once, above)
                        r.problems.append(Problem(found, row_no, sheet=table.sheet))
                else:
                    r.key, words = found
        if r.key and not missing_keys:
            if r.key in seen:
                r.problems.append(Problem(f"与第 {seen[r.key]} 行重复（{words}相同），"
                                          "请合并为一行。", row_no, sheet=table.sheet))
            else:
                seen[r.key] = row_no
        out.append(r)
    return out


def _key_words(kind: Kind) -> str:
    return "、".join(c.label for c in kind.key_columns)


_READ: dict[tuple, tuple] = {}  # the last files read: the preview's, met again at confirm
_READ_KEPT = 2
_READ_LOCK = threading.Lock()


def read_file_once(data: bytes, file_name: str = "", limits: UploadLimits | None = None
                   ) -> tuple[list[Sheet] | None, list[Problem]]:
    """read_file, remembered for the last few files: a confirmation reads the file the preview
    read (reading a 10,000-row workbook is seconds). Callers do not change what it returns."""
    key = (hashlib.sha256(data).digest(), file_name, limits or UploadLimits())
    with _READ_LOCK:  # sessions run in threads
        found = _READ.get(key)
    if found is None:
        found = read_file(data, file_name, limits)
        with _READ_LOCK:
            while len(_READ) >= _READ_KEPT:
                _READ.pop(next(iter(_READ)))
            _READ[key] = found
    return found


def check_file(data: bytes, file_name: str, kind: Kind,
               refs: Mapping[str, Mapping[str, str | None]],
               limits: UploadLimits | None = None) -> tuple[Table | None, list[Row],
                                                           list[Problem]]:
    """read_file, locate and check_rows: (table, rows, problems with the whole file)."""
    sheets, problems = read_file_once(data, file_name, limits)
    if sheets is None:
        return None, [], problems
    table, problems = locate(sheets, kind)
    if table is None:
        return None, [], problems
    if not table.rows:
        return table, [], [Problem(f"文件只有表头，没有数据行：请在「{table.sheet}」表头下方"
                                   "每行填写一条记录。")]
    return table, check_rows(table, kind, refs), []


def summary(problems: list[Problem]) -> tuple[list[Problem], str]:
    """At most rules.uploads.PROBLEMS_LISTED problems, with a note on the total."""
    return listed(problems)


# ---- templates ---------------------------------------------------------------------------------

def instructions(kind: Kind, choices: Mapping[str, list[str]] | None = None) -> list[dict]:
    """The template's 填写说明, one entry per column: 列名、含义、单位、可选值、是否必填、示例."""
    choices = choices or {}
    out = []
    for c in kind.columns:
        allowed = c.allowed()
        if c.ref and choices.get(c.field):
            some = choices[c.field]
            allowed += "：" + "、".join(some[:12]) + ("等（见下拉列表）" if len(some) > 12 else "")
        needed = ("选填（留空时自动确定，见含义）" if c.auto
                  else "选填（识别记录，留空表示全部）" if c.key and c.key_blank is not None
                  else "必填（识别记录）" if c.key else "新增时必填" if c.required and kind.creates
                  else "选填" + ("，可填（清空）清除" if c.clearable else ""))
        out.append({"列名": c.header, "含义": c.meaning, "单位": c.unit or "—",
                    "可选值或格式": allowed, "是否必填": needed,
                    "示例": "" if c.example is None else show(c.example)})
    return out


GENERAL_NOTES = (
    "1. 在「{sheet}」工作表填写，每行一条记录；表头不要改动，可以在表头上方保留标题行。",
    "2. 空白单元格表示“保留原值”，不会清除已有数据；要清除某个可留空的值，请填写（清空）。",
    "3. 日期可写作 2021-03-05、2021/3/5、2021.3.5 或 2021年3月5日；数字不带单位。",
    "4. 上传后先预览：新增、修改（逐项列出）、无变化、拒绝（附原因）；确认后一次全部写入，"
    "有任何被拒绝的行时不会写入。写入后可在“导入记录”中撤销本次导入。",
    "5. 只能导入本辖区的记录。",
)


# The other kinds of record, one module per family: each calls register() as it loads. Imported
# last because they build on the classes above.
from rules import intake_audits, intake_places, intake_registers  # noqa: E402,F401
