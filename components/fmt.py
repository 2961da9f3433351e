"""Number formatting with units, the way officials write them (千分位, 万元, 吨标准煤)."""

from __future__ import annotations

import math


def _missing(x) -> bool:
    """None, NaN, NaT or pandas' <NA> (whose comparison is neither true nor false)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except TypeError:  # pd.NA
        return True
    except ValueError:  # an array or a list is a value, not a gap
        return False


# Units that count things: a count is a whole number, also when it is a projection or a mean
# (预计期末 174 家, never 173.8 家).
COUNT_UNITS = ("家", "轮", "家次", "项", "个", "份", "条", "起", "场", "人", "名", "次", "天")


def digits_for(unit: str, other: int = 1) -> int:
    """Decimals for a figure in `unit`: none for a count, `other` for a quantity (吨, 万元)."""
    return 0 if unit in COUNT_UNITS else other


def num(x, digits: int = 0) -> str:
    """1234.5 -> "1,235" (digits=0) or "1,234.5" (digits=1); missing -> "—"."""
    if _missing(x):
        return "—"
    return f"{x:,.{digits}f}"


def with_unit(x, unit: str, digits: int = 0) -> str:
    return "—" if _missing(x) else f"{num(x, digits)} {unit}"


def pct(x, digits: int = 1) -> str:
    """0.853 -> "85.3%"."""
    return "—" if _missing(x) else f"{x * 100:.{digits}f}%"


def signed(x, digits: int = 0) -> str:
    """A change: +12 / −3 / 0 (with a real minus sign)."""
    if _missing(x):
        return "—"
    s = f"{abs(x):,.{digits}f}"
    return f"+{s}" if x > 0 else (f"−{s}" if x < 0 else s)


def as_date(x):
    """A date from a date, a pandas Timestamp or an ISO text (2024-12-31); missing -> None."""
    import datetime as dt

    if _missing(x) or x is None or x != x:
        return None
    if isinstance(x, str):
        return dt.date.fromisoformat(x[:10])
    return x.date() if isinstance(x, dt.datetime) else x


def cn_dates(values) -> list[str]:
    """A column of dates as text, 2024年12月31日 each, "—" where missing."""
    return [cn_date(as_date(v)) for v in values]


def cn_date(d) -> str:
    """2024-12-31 -> "2024年12月31日"."""
    return "—" if _missing(d) or d is None else f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(utc) -> str:
    """A stored (UTC) time in Beijing time: 2026年12月1日 23:37; missing -> "—"."""
    from rules.security import to_local

    if _missing(utc) or utc is None or utc != utc:
        return "—"
    t = to_local(utc.to_pydatetime() if hasattr(utc, "to_pydatetime") else utc)
    return f"{cn_date(t)} {t:%H:%M}"


def table(df, digits: dict | None = None, percent=()):
    """A table as a reader sees it (st.dataframe draws a missing cell as "None" and a boolean
    as a checkbox): missing -> "—", True/False -> 是/否, dates -> 2024年12月31日. A number
    column with a gap becomes text (`digits` per column; else 0 for whole numbers, 2 otherwise),
    a complete one stays a number (it sorts); `percent` columns (shares, 0.875) read 87.5%."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    digits = digits or {}
    out = df.copy()
    for col in out.columns:
        s = out[col]
        present = s.dropna()
        if col in percent:
            out[col] = [pct(v) for v in s]
        elif pd.api.types.is_bool_dtype(s) or (len(present) and all(
                isinstance(v, (bool, np.bool_)) for v in present)):
            out[col] = [("是" if v else "否") if not _missing(v) else "—" for v in s]
        elif pd.api.types.is_datetime64_any_dtype(s) or (len(present) and all(
                isinstance(v, (dt.date, pd.Timestamp)) for v in present)):
            out[col] = cn_dates(s)
        elif pd.api.types.is_numeric_dtype(s):
            if len(present) < len(s):
                d = digits.get(col, 0 if all(float(v).is_integer() for v in present) else 2)
                out[col] = [num(float(v), d) if not _missing(v) else "—" for v in s]
        elif len(present) < len(s):
            out[col] = s.astype(object).where(s.notna(), "—")
    return out


def or_dash(v, dash: str = "—") -> str:
    """A text value, or "—" when missing (None, NaN, NaT, <NA> or empty: `v or "—"` lets NaN
    through, since NaN is true)."""
    return dash if _missing(v) or v == "" else str(v)


def still_numbers(config: dict, shown) -> dict:
    """The column configs of `shown` (a `table`) for the columns that are still numbers: a
    NumberColumn format on a column `table` made text would draw it empty."""
    import pandas as pd

    return {c: v for c, v in config.items()
            if c in shown.columns and pd.api.types.is_numeric_dtype(shown[c])}
