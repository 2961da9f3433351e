"""The plan-target Excel template (计划目标导入模板): its columns, reading it, and validating it.

One sheet, one row per year × region × industry. `validate` is a pure function over the sheet
as a DataFrame and the regions/industries the importer may write; every problem comes back as a
Chinese message with its Excel row number (the header is row 1), so an official can fix the file.
Nothing is written by this module: queries/plan_import.py writes only a file without errors.
"""

from __future__ import annotations

import io
import math
import numbers
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from rules.uploads import MAX_COLUMNS, UploadLimits, rows_over, xlsx_problem

# Key columns: (field, header).
KEY_COLUMNS = (("year", "年度"), ("region", "地区"), ("industry", "行业"))
# Target columns: (plan_target column, header, whole number?).
TARGET_COLUMNS = (
    ("audits_listed", "列入审核企业数（家）", True),
    ("audits_completed", "完成审核数（家）", True),
    ("evaluations_passed", "通过评估数（家）", True),
    ("acceptances", "通过验收数（家）", True),
    ("energy_tce", "节能量（吨标准煤）", False),
    ("cod_t", "化学需氧量减排量（吨）", False),
    ("nh3n_t", "氨氮减排量（吨）", False),
    ("so2_t", "二氧化硫减排量（吨）", False),
    ("nox_t", "氮氧化物减排量（吨）", False),
    ("vocs_t", "挥发性有机物减排量（吨）", False),
)
OPTIONAL_COLUMNS = ("备注",)
HEADERS = [h for _, h in KEY_COLUMNS] + [h for _, h, _ in TARGET_COLUMNS] + list(OPTIONAL_COLUMNS)
ALL_INDUSTRIES = ("", "全部", "全部行业")
EXCEL_ROW = "excel_row"  # the row number in the workbook, carried by read_workbook
HEADER_ROW = 1
# Largest target a cell may hold: counts of enterprises (家) and amounts (吨, 吨标准煤). A
# province lists thousands of enterprises and saves millions of tonnes; anything above these is
# a typing error (and 1e20 does not fit the database's integer column).
MAX_WHOLE = 1_000_000
MAX_DECIMAL = 1_000_000_000


@dataclass(frozen=True)
class TemplateError:
    row: int | None  # Excel row number; None for a problem with the whole file
    message: str

    def __str__(self) -> str:
        return self.message if self.row is None else f"第 {self.row} 行：{self.message}"


@dataclass(frozen=True)
class Checked:
    """Validated rows (year, region_adcode, industry_code, target columns, excel_row) or errors."""

    rows: pd.DataFrame
    errors: list[TemplateError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _label(header: object) -> str:
    """A header without its unit in brackets and blanks: "完成审核数（家）" -> "完成审核数"."""
    text = "" if header is None else str(header).strip()
    for bracket in ("（", "("):
        text = text.split(bracket, 1)[0]
    return text.strip()


_FIELD_BY_LABEL = {_label(h): f for f, h in KEY_COLUMNS}
_FIELD_BY_LABEL.update({_label(h): f for f, h, _ in TARGET_COLUMNS})
_HEADER_OF = {f: h for f, h in KEY_COLUMNS} | {f: h for f, h, _ in TARGET_COLUMNS}


TEMPLATE_SHEET = "计划目标"


def blank_template(years: list[int], regions: list[str]) -> pd.DataFrame:
    """The template as a frame: one row per year × region (all industries), targets empty.
    components.export writes it (one sheet named TEMPLATE_SHEET, the header in row 1)."""
    rows = [{"年度": y, "地区": r, "行业": "全部行业"} for y in years for r in regions]
    return pd.DataFrame(rows, columns=HEADERS)


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell whose file holds no computed value (written by a program, never saved by
    a spreadsheet): reading it as blank would erase a stored target, so it is an error."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def read_workbook(data: bytes, limits: UploadLimits | None = None
                  ) -> tuple[pd.DataFrame | None, list[TemplateError]]:
    """The single sheet of an .xlsx file as raw cells, with each row's Excel number in column
    `excel_row`. The file's size, its unzipped size and the sheet's declared extent are checked
    first (rules.uploads), rows are streamed and cut off at the row limit, columns at
    MAX_COLUMNS. A formula cell reads as its computed value; without one, as NoCachedValue.
    Blank header cells get positional names ("（第5列）"). Returns (None, errors) when the
    file cannot be a template."""
    from openpyxl import load_workbook  # local: keeps the rules package light to import

    limits = limits or UploadLimits()
    if not data:
        return None, [TemplateError(None, "文件为空（0 字节），请上传填写好的 Excel 模板。")]
    refused = xlsx_problem(data, limits)
    if refused:
        return None, [TemplateError(None, refused)]
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        return None, [TemplateError(None, "文件不是有效的 Excel（.xlsx）文件，请使用页面提供的"
                                          f"模板填写后上传。（{type(exc).__name__}）")]
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on garbage input
        return None, [TemplateError(None, "文件不是有效的 Excel（.xlsx）文件，请使用页面提供的"
                                          "模板填写后上传。")]
    numbered: list[tuple[int, list]] = []
    try:
        if len(values.worksheets) != 1:
            names = "、".join(ws.title for ws in values.worksheets[:5])
            return None, [TemplateError(None, f"模板只能有一个工作表，此文件有 "
                                              f"{len(values.worksheets)} 个（{names}）。")]
        sheets = values.worksheets[0], formulas.worksheets[0]
        for ws in sheets:  # openpyxl would stop at the sheet's declared extent, true or not
            ws.reset_dimensions()
        rows = zip(*(ws.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True) for ws in sheets))
        for i, (row, written) in enumerate(rows, start=1):
            too_many = rows_over(i, limits)
            if too_many:
                return None, [TemplateError(None, too_many)]
            cells = [NoCachedValue(str(f)) if v is None and isinstance(f, str)
                     and f.startswith("=") else v for v, f in zip(row, written)]
            if len(cells) > MAX_COLUMNS and not _is_blank(cells[MAX_COLUMNS]):
                return None, [TemplateError(None, f"工作表超过 {MAX_COLUMNS} 列，不是正常的模板。")]
            cells = cells[:MAX_COLUMNS]
            if any(not _is_blank(v) for v in cells):
                numbered.append((i, cells))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError) as exc:
        return None, [TemplateError(None, f"文件已损坏，无法读取（{type(exc).__name__}）。")]
    finally:
        values.close()
        formulas.close()
    if not numbered:
        return None, [TemplateError(None, "文件为空：工作表中没有表头和数据。")]
    width = max(max(j + 1 for j, v in enumerate(r) if not _is_blank(v)) for _, r in numbered)
    numbered = [(i, r[:width]) for i, r in numbered]
    _, header = numbered[0]
    names = [("" if h is None else str(h).strip()) or f"（第{j}列）"
             for j, h in enumerate(list(header) + [None] * (width - len(header)), start=1)]
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for _, r in numbered[1:]],
                         columns=names, dtype=object)
    frame[EXCEL_ROW] = [i for i, _ in numbered[1:]]
    return frame, []


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and v.strip() == "") or v is pd.NA


def _is_unnamed(header: object) -> bool:
    return str(header).startswith("（第") and str(header).endswith("列）")


def _number(v: object) -> float | None:
    """The cell as a number, or None if it is not one (text that reads as a number counts)."""
    if isinstance(v, (bool, NoCachedValue)):
        return None
    if isinstance(v, numbers.Real):
        x = float(v)
    else:
        try:
            x = float(str(v).strip().replace(",", ""))
        except ValueError:
            return None
    return x if math.isfinite(x) else None


def _show(v: object, limit: int = 40) -> str:
    """A cell as the message quotes it: whole floats without ".0", at most `limit` characters."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        text = str(int(v))
    else:
        text = str(v).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def validate(frame: pd.DataFrame, regions: pd.DataFrame, industries: pd.DataFrame,
             start_year: int, end_year: int) -> Checked:
    """Check the template rows against the known regions (adcode, name) and industries (code,
    name) and the plan period's years. Rows without any target value are skipped."""
    out_cols = ["year", "region_adcode", "industry_code",
                *[f for f, _, _ in TARGET_COLUMNS], EXCEL_ROW]
    empty = pd.DataFrame(columns=out_cols)
    rows_no = (frame[EXCEL_ROW].tolist() if EXCEL_ROW in frame.columns
               else [i + HEADER_ROW + 1 for i in range(len(frame))])

    # Columns: map headers to fields; missing and unknown columns stop here.
    # By position: two columns may carry the same header (or none).
    errors: list[TemplateError] = []
    column_of: dict[str, int] = {}
    for j, col in enumerate(frame.columns):
        if col == EXCEL_ROW:
            continue
        label = "" if _is_unnamed(col) else _label(col)
        if label in _FIELD_BY_LABEL:
            f = _FIELD_BY_LABEL[label]
            if f in column_of:
                errors.append(TemplateError(HEADER_ROW, f"表头「{_show(col)}」重复出现。"))
            column_of[f] = j
        elif label and label not in OPTIONAL_COLUMNS:
            errors.append(TemplateError(HEADER_ROW, f"表头「{_show(col)}」不是模板中的列。"))
        elif not label and frame.iloc[:, j].map(lambda v: not _is_blank(v)).any():
            errors.append(TemplateError(HEADER_ROW, f"第 {j + 1} 列填写了数据但没有表头。"))
    missing = [h for f, h in _HEADER_OF.items() if f not in column_of]
    if missing:
        errors.append(TemplateError(HEADER_ROW, f"缺少必填列：{'、'.join(missing)}。"))
    if errors and len(frame) and sum(
            isinstance(v, str) and _label(v) in _FIELD_BY_LABEL for v in frame.iloc[0]) >= 2:
        errors.append(TemplateError(rows_no[0], "表头应只占一行：这一行也是表头（如合并单元格的"
                                                "两行表头）。请使用模板的单行表头，不要合并单元格。"))
    if errors:
        return Checked(empty, errors)
    if frame.empty:
        return Checked(empty, [TemplateError(None, "文件中没有数据行：请在表头下方每行填写一个"
                                                   "年度 × 地区 × 行业的目标。")])

    region_code = {str(c): str(c) for c in regions["adcode"]}
    region_code.update({str(n): str(c) for c, n in zip(regions["adcode"], regions["name"])})
    industry_code = {str(c): str(c) for c in industries["code"]}
    industry_code.update({str(n): str(c) for c, n in zip(industries["code"], industries["name"])})

    good, seen = [], {}
    for row_no, r in zip(rows_no, frame.itertuples(index=False, name=None)):
        problems: list[str] = []
        unknown = [(frame.columns[j], v) for j, v in enumerate(r) if isinstance(v, NoCachedValue)]
        if unknown:  # never read as blank: that would keep or erase a target unseen
            errors.extend(TemplateError(row_no, f"「{_label(c) or _show(c)}」是公式"
                                                f"（{_show(v)}），但文件中没有它的计算结果："
                                                "请在 Excel 中打开并保存后再上传，或直接填写数值。")
                          for c, v in unknown)
            continue
        values = {f: r[column_of[f]] for f, _, _ in TARGET_COLUMNS}
        if all(_is_blank(v) for v in values.values()) and all(
                _is_blank(r[column_of[k]]) for k, _ in KEY_COLUMNS):
            continue

        year_cell = r[column_of["year"]]
        year = _number(year_cell)
        if _is_blank(year_cell):
            problems.append("年度未填写。")
        elif year is None or not year.is_integer():
            problems.append(f"年度「{_show(year_cell)}」不是有效的年份（应为整数，如 2022）。")
        elif not start_year <= year <= end_year:
            problems.append(f"年度 {int(year)} 不在规划期 {start_year}—{end_year} 年内。")

        region_cell = r[column_of["region"]]
        region = region_code.get(_show(region_cell)) if not _is_blank(region_cell) else None
        if _is_blank(region_cell):
            problems.append("地区未填写（填写行政区划名称或6位代码，如 南京市 或 320100）。")
        elif region is None:
            problems.append(f"未知地区「{_show(region_cell)}」：不是本省（或您权限范围内）的"
                            "行政区划名称或代码。")

        industry_cell = r[column_of["industry"]]
        industry, industry_ok = None, True
        if not _is_blank(industry_cell) and _show(industry_cell) not in ALL_INDUSTRIES:
            industry = industry_code.get(_show(industry_cell))
            industry_ok = industry is not None
            if not industry_ok:
                problems.append(f"未知行业「{_show(industry_cell)}」：请填写行业库中的行业名称，"
                                "全部行业填「全部行业」或留空。")

        parsed = {}
        for f, header, whole in TARGET_COLUMNS:
            v = values[f]
            if _is_blank(v):
                parsed[f] = None
                continue
            x = _number(v)
            if x is None:
                problems.append(f"「{_label(header)}」的值「{_show(v)}」不是数字。")
            elif x < 0:
                problems.append(f"「{_label(header)}」的值 {_show(v)} 为负数，目标值不能小于 0。")
            elif whole and not x.is_integer():
                problems.append(f"「{_label(header)}」的值 {_show(v)} 应为整数（单位：家）。")
            elif x > (MAX_WHOLE if whole else MAX_DECIMAL):
                problems.append(f"「{_label(header)}」的值 {_show(v)} 超出合理范围（应不超过 "
                                f"{MAX_WHOLE if whole else MAX_DECIMAL:,}）。")
            else:
                parsed[f] = int(x) if whole else x
        if not problems and all(v is None for v in parsed.values()):
            continue  # a pre-filled row left empty: nothing to write

        if year is not None and year.is_integer() and region is not None and industry_ok:
            key = (year, region, industry)
            if key in seen:
                problems.append(f"与第 {seen[key]} 行重复（年度、地区、行业均相同）。")
            else:
                seen[key] = row_no
        if problems:
            errors.extend(TemplateError(row_no, p) for p in problems)
        else:
            good.append({"year": int(year), "region_adcode": region, "industry_code": industry,
                         **parsed, EXCEL_ROW: row_no})
    if errors:
        return Checked(empty, errors)
    if not good:
        return Checked(empty, [TemplateError(None, "文件中没有填写任何目标值。")])
    rows = pd.DataFrame(good, columns=out_cols)
    rows["industry_code"] = pd.Series([g["industry_code"] for g in good], dtype=object)
    return Checked(rows, [])


def check_file(data: bytes, regions: pd.DataFrame, industries: pd.DataFrame,
               start_year: int, end_year: int, limits: UploadLimits | None = None) -> Checked:
    """read_workbook then validate: the whole check of an uploaded file."""
    frame, errors = read_workbook(data, limits)
    if frame is None:
        return Checked(pd.DataFrame(), errors)
    return validate(frame, regions, industries, start_year, end_year)

