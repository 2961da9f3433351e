"""Number formatting with units, the way officials write them (千分位, 万元, 吨标准煤)."""

from __future__ import annotations

import math


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


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
