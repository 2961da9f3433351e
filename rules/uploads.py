"""Limits on uploaded files, checked before a file is read whole.

An .xlsx file is a zip archive: a 1 MB upload can declare a sheet of millions of rows or expand
to gigabytes (a "zip bomb" renamed .xlsx). So, in this order and before any spreadsheet library
sees the file:
1. its size (UPLOAD_MAX_MB, default 20 MB);
2. that it is a zip archive with a sheet, with at most MAX_MEMBERS parts, whose declared
   uncompressed sizes add up to at most UPLOAD_MAX_UNZIPPED_MB (default 50 MB). Python's
   zipfile stops a part at its declared size (a larger one fails its check), so the declared
   sizes bound what reading can expand to;
3. each sheet's own declaration of its extent (`<dimension ref="A1:N20001"/>`, read from the
   first bytes of the sheet): at most UPLOAD_MAX_ROWS rows (default 20,000) and MAX_COLUMNS
   columns.
A sheet without a dimension, or with a wrong one, is still cut off while it is streamed
(`rows_over`). A legacy .xls (BIFF8, at most 65,536 rows) is checked the same way: its size,
then each sheet's DIMENSIONS record, read before xlrd loads the sheet's cells (`xls_problem`).
Problems found in a file are listed up to PROBLEMS_LISTED, with their total.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

MB = 1024 * 1024
MAX_MEMBERS = 1_000
MAX_COLUMNS = 50
PROBLEMS_LISTED = 1_000
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_HEAD_BYTES = 4096  # the dimension comes before the sheet's data


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 20 * MB
    max_rows: int = 20_000
    max_unzipped_bytes: int = 50 * MB

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> UploadLimits:
        """UPLOAD_MAX_MB, UPLOAD_MAX_ROWS, UPLOAD_MAX_UNZIPPED_MB; a missing or unreadable
        setting keeps its default."""
        env = os.environ if env is None else env
        base = cls()

        def number(name: str, default: int, scale: int = 1) -> int:
            try:
                value = float(env.get(name, ""))
            except ValueError:
                return default
            return int(value * scale) if value > 0 else default

        return cls(number("UPLOAD_MAX_MB", base.max_bytes, MB),
                   number("UPLOAD_MAX_ROWS", base.max_rows),
                   number("UPLOAD_MAX_UNZIPPED_MB", base.max_unzipped_bytes, MB))

    @property
    def max_mb(self) -> int:
        """For st.file_uploader(max_upload_size=…): whole megabytes, at least 1."""
        return max(1, self.max_bytes // MB)


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n < 10 * MB else f"{n / MB:,.0f} MB"


def _column_number(letters: bytes | None) -> int:
    n = 0
    for ch in letters or b"A":
        n = n * 26 + ch - 64
    return n


def xlsx_problem(data: bytes, limits: UploadLimits) -> str | None:
    """Why an uploaded .xlsx file is refused before it is opened, in Chinese; None if it may be
    read. Reads only the zip directory and the first bytes of each sheet."""
    if len(data) > limits.max_bytes:
        return (f"文件过大（{_mb(len(data))}），上传文件不能超过 {_mb(limits.max_bytes)}。"
                "请删去多余的行或工作表后重新上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a zip: the reader says it is not an .xlsx file
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            return f"文件结构异常（含 {len(members):,} 个部件），不是正常的 Excel 模板。"
        unzipped = sum(m.file_size for m in members)
        if unzipped > limits.max_unzipped_bytes:
            return (f"文件解压后过大（{_mb(unzipped)}，上限 {_mb(limits.max_unzipped_bytes)}），"
                    "不是正常的 Excel 模板，未读取。")
        for m in members:
            if not (m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")):
                continue
            try:
                with archive.open(m) as part:
                    head = part.read(_HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                return "文件已损坏，无法读取，请使用页面提供的模板重新填写。"
            found = _DIMENSION.search(head)
            if not found:
                continue
            rows = int(found.group(4) or found.group(2) or 1)
            columns = _column_number(found.group(3) or found.group(1))
            if rows > limits.max_rows + 1:  # + the header row
                return (f"工作表有 {rows:,} 行，超过上限 {limits.max_rows:,} 行，未读取。"
                        "请分成几个文件上传。")
            if columns > MAX_COLUMNS:
                return f"工作表有 {columns:,} 列，超过上限 {MAX_COLUMNS} 列，不是正常的模板。"
    return None


def _xls_dimensions(book) -> list[tuple[str, int, int]]:
    """(sheet, rows, columns) as each sheet of an xlrd book (opened on demand) declares them in
    its DIMENSIONS record (0x0200: first row, last row + 1, first column, last column + 1),
    read from the first records of the sheet's substream without loading its cells. xlrd 2.0.2
    is the last release: the positions it keeps (_sh_abs_posn) will not move."""
    out = []
    mem = book.mem
    for name, pos in zip(book.sheet_names(), book._sh_abs_posn, strict=False):
        for _ in range(64):  # DIMENSIONS comes in the first few records of a sheet
            if pos + 4 > len(mem):
                break
            code, length = struct.unpack("<HH", mem[pos:pos + 4])
            if code == 0x0200 and length >= 12:
                _lo, rows, _clo, cols = struct.unpack("<IIHH", mem[pos + 4:pos + 16])
                out.append((name, rows, cols))
                break
            if code == 0x000A:  # EOF of the sheet
                break
            pos += 4 + length
    return out


def xls_problem(book, limits: UploadLimits) -> str | None:
    """Why an .xls workbook (an xlrd book opened on demand) is refused before its sheets'
    cells are read: a sheet declaring more rows than UPLOAD_MAX_ROWS or columns than
    MAX_COLUMNS."""
    for name, rows, columns in _xls_dimensions(book):
        if rows > limits.max_rows + 1:
            return (f"工作表「{name}」有 {rows:,} 行，超过上限 {limits.max_rows:,} 行，未读取。"
                    "请分成几个文件上传。")
        if columns > MAX_COLUMNS:
            return (f"工作表「{name}」有 {columns:,} 列，超过上限 {MAX_COLUMNS} 列，"
                    "不是正常的模板。")
    return None


def rows_over(count: int, limits: UploadLimits) -> str | None:
    """The message once a streamed sheet passes the row limit (header row included)."""
    if count <= limits.max_rows + 1:
        return None
    return (f"工作表超过 {limits.max_rows:,} 行，已停止读取。请分成几个文件上传。")


def listed(problems: list, limit: int = PROBLEMS_LISTED) -> tuple[list, str]:
    """The problems to list and a note on how many there are in all."""
    if len(problems) <= limit:
        return problems, f"共 {len(problems):,} 处问题"
    return problems[:limit], f"共 {len(problems):,} 处问题，下表列出前 {limit:,} 处"
