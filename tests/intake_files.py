"""Files as a city fills them in, for the intake tests: one workbook writer for every kind."""

from __future__ import annotations

import io

from openpyxl import Workbook


def xlsx(header: list, rows, title: str = "数据", formulas: bool = False) -> bytes:
    """A workbook of one sheet: `header`, then `rows`, each padded with blanks to the header's
    width; text that looks like a formula is typed as text (as a city's '=… is), unless
    `formulas`: then it is a formula saved without its result."""
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(list(r) + [None] * (len(header) - len(r)))
    for row in ws.iter_rows() if not formulas else ():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
