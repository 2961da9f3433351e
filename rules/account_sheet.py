"""The Excel list of officials for creating accounts in bulk (批量新建账号): its columns, its
template and reading it back with row-level messages. Pure: bytes in, rows and problems out."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pandas as pd

# (field, header, required, meaning)
COLUMNS = (
    ("username", "用户名", True, "登录用的用户名：2–64 位字母、数字或 . _ @ -，不区分大小写"),
    ("display_name", "姓名", True, "使用人姓名"),
    ("unit", "单位", False, "所在单位，如 苏州市生态环境局"),
    ("role", "角色", True,
     "市级用户、区县级用户、园区用户、只读用户、省级用户（管理员角色由安全管理员授予）"),
    ("scope", "辖区", False,
     "市级用户填城市代码（如 320500），区县级用户填区县代码，园区用户填园区编号；"
     "省级用户填“全省”或留空；只读用户按其辖区填写"),
    ("oidc_subject", "统一认证标识", False,
     "使用统一身份认证登录时，该人在统一身份认证平台的账号标识；不用可留空"),
)
HEADERS = {header: field for field, header, _r, _m in COLUMNS}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000


@dataclass(frozen=True)
class Sheet:
    rows: list[dict]  # one per data row: the fields plus "line" (the row number in Excel)
    problems: list[str]  # problems with the file as a whole (nothing can be created)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 320500.0 -> "320500"
    return str(value).strip()


def read_sheet(data: bytes) -> Sheet:
    """The rows of the first sheet under the header row (the row that has 用户名)."""
    if not data:
        return Sheet([], ["文件为空。"])
    if len(data) > MAX_BYTES:
        return Sheet([], [f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后上传。"])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > 20 * MAX_BYTES:
                return Sheet([], ["文件解压后过大，不像一份人员名单，已拒绝读取。"])
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        return Sheet([], ["无法读取该文件：请上传由“下载账号模板”得到的 .xlsx 文件。"])
    try:
        values = []
        for i, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            if i > MAX_ROWS + 20:
                return Sheet([], [f"名单超过 {MAX_ROWS} 行，请拆分后上传。"])
            values.append([_text(v) for v in row])
    finally:
        book.close()
    header_at = next((i for i, r in enumerate(values[:20]) if "用户名" in r), None)
    if header_at is None:
        return Sheet([], ["未找到表头：第一张工作表中应有一行列名，包含“用户名”“姓名”“角色”等。"])
    header = values[header_at]
    missing = [h for _f, h, req, _m in COLUMNS if req and h not in header]
    if missing:
        return Sheet([], [f"缺少必填列：{'、'.join(missing)}。"])
    where = {HEADERS[h]: j for j, h in enumerate(header) if h in HEADERS}
    rows = []
    for i, r in enumerate(values[header_at + 1:], start=header_at + 2):
        cells = {f: (r[j] if j < len(r) else "") for f, j in where.items()}
        if not any(cells.values()):
            continue
        rows.append({f: cells.get(f, "") for f, *_ in COLUMNS} | {"line": i})
    if not rows:
        return Sheet([], ["名单中没有任何人员。"])
    return Sheet(rows, [])


def duplicates(rows: list[dict]) -> dict[int, str]:
    """line -> problem for user names (case-insensitive) that appear twice in the file."""
    seen: dict[str, int] = {}
    out = {}
    for r in rows:
        name = r["username"].lower()
        if name in seen:
            out[r["line"]] = f"用户名 {name} 与第 {seen[name]} 行重复"
        else:
            seen[name] = r["line"]
    return out


def template_frames() -> dict[str, pd.DataFrame]:
    """The template's sheets: the list (with one example row) and the column instructions."""
    example = {"username": "szs-zhang", "display_name": "张三", "unit": "苏州市生态环境局",
               "role": "市级用户", "scope": "320500", "oidc_subject": ""}
    return {
        "人员名单": pd.DataFrame([{h: example[f] for f, h, *_ in COLUMNS}]),
        "填写说明": pd.DataFrame([{"列名": h, "是否必填": "必填" if req else "选填", "说明": m}
                              for _f, h, req, m in COLUMNS]),
    }
