"""The official calendar: China's public holidays and make-up working days (调休上班), and
working-day arithmetic on it (domain.md §10).

The days come from one data file, rules/calendar_cn.csv, transcribed from the State Council
notices (国务院办公厅关于某年部分节假日安排的通知): a day marked 休 is a rest day, a day marked 班
is a working day, any other day rests on Saturday and Sunday. Uses: the statutory clock moves a
deadline that ends on a rest day to the next working day (民法典 Art. 203, rules/clock.py), and
deadlines counted in working days ("15 个工作日") are added here.

A year the file does not cover cannot be answered exactly. The scalar functions then raise
CalendarCoverageError with a Chinese message, unless called with fallback=True, which counts
weekends only; the vectorised `extend_to_working_days` (the clock's hot path) always falls back,
and the caller reports the uncovered years (`uncovered_years`, `coverage_note`) instead.
Pure functions; the file is read once per process.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

CALENDAR_FILE = Path(__file__).with_name("calendar_cn.csv")
COLUMNS = ("date", "kind", "holiday", "year", "notice")
REST, WORK = "休", "班"
# Days between these bounds are looked up in a precomputed array of working days; dates
# outside them (bad data, far future) count weekends only, like any uncovered year.
_LOOKUP_FROM = np.datetime64("1900-01-01", "D")
_LOOKUP_TO = np.datetime64("2200-12-31", "D")
_NAT = np.datetime64("NaT", "D")


class CalendarError(ValueError):
    """The calendar file is unusable; the message (Chinese) names the file and the line."""


class CalendarCoverageError(CalendarError):
    """A date falls in a year the calendar file does not cover."""


def cn_date(d: date) -> str:
    """2024-02-18 -> 2024年2月18日, the one date format users read."""
    return f"{d.year}年{d.month}月{d.day}日"


class Calendar:
    """The official rest days and make-up working days of the years the file covers."""

    def __init__(self, rest: dict[date, str], work: dict[date, str], years: tuple[int, int],
                 path: Path):
        self.rest = rest            # day -> holiday name (休)
        self.work = work            # day -> holiday name (班: make-up working day)
        self.first_year, self.last_year = years
        self.path = path
        span = np.arange(_LOOKUP_FROM, _LOOKUP_TO + 1)
        resting = np.isin((span.astype(np.int64) + 3) % 7, (5, 6))  # 1970-01-01 was a Thursday
        resting[np.isin(span, np.array(sorted(rest), dtype="datetime64[D]"))] = True
        resting[np.isin(span, np.array(sorted(work), dtype="datetime64[D]"))] = False
        self.working_days = span[~resting]  # sorted: the lookup of every working-day question
        # For each day of the span, the first working day on or after it (the clock's hot path:
        # one gather per deadline column instead of a search).
        self.roll = self.working_days[np.minimum(np.searchsorted(self.working_days, span),
                                                 len(self.working_days) - 1)]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    @property
    def span_text(self) -> str:
        return f"{self.first_year}—{self.last_year}年"


def _parse(path: Path) -> Calendar:
    where = f"法定节假日日历文件 {path}"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise CalendarError(f"无法读取{where}：{e}") from e
    numbered = [(i, line) for i, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise CalendarError(f"{where} 没有数据行")
    reader = csv.reader([line for _, line in numbered])
    header = next(reader)
    if tuple(h.strip() for h in header) != COLUMNS:
        raise CalendarError(f"{where} 第{numbered[0][0]}行的列名应为 {','.join(COLUMNS)}，"
                            f"实际为 {','.join(header)}")
    rest: dict[date, str] = {}
    work: dict[date, str] = {}
    years: set[int] = set()
    for (lineno, _), row in zip(numbered[1:], reader):
        at = f"{where} 第{lineno}行"
        if len(row) != len(COLUMNS):
            raise CalendarError(f"{at} 应有 {len(COLUMNS)} 列，实际为 {len(row)} 列")
        text, kind, name, year_text, _notice = (c.strip() for c in row)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CalendarError(f"{at} 的日期“{text}”无效，应为 YYYY-MM-DD") from None
        if kind not in (REST, WORK):
            raise CalendarError(f"{at} 的类型“{kind}”无效，应为“{REST}”（放假）或“{WORK}”"
                                f"（调休上班）")
        if not year_text.isdigit() or day.year not in (int(year_text), int(year_text) - 1):
            raise CalendarError(f"{at} 的年度“{year_text}”与日期 {text} 不符（元旦假期可跨入"
                                f"上一年末，其余日期应在该年度内）")
        if kind == WORK and day.weekday() < 5:
            raise CalendarError(f"{at}：{text} 是周一至周五，本来就是工作日，不应列为调休上班日")
        if day in rest or day in work:
            raise CalendarError(f"{at}：日期 {text} 重复出现")
        (rest if kind == REST else work)[day] = name or "法定节假日"
        years.add(int(year_text))
    if not years:
        raise CalendarError(f"{where} 没有数据行")
    missing = sorted(set(range(min(years), max(years) + 1)) - years)
    if missing:
        raise CalendarError(f"{where} 缺少 {'、'.join(map(str, missing))} 年的节假日安排："
                            f"收录的年度应当连续")
    return Calendar(rest, work, (min(years), max(years)), path)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Calendar:
    return _parse(Path(path))


def load_calendar(path: str | Path | None = None) -> Calendar:
    """The calendar in `path` (default rules/calendar_cn.csv), read once per process."""
    return _load(str(Path(path or CALENDAR_FILE).resolve()))


# --------------------------------------------------------------------------------------------
# One date at a time
# --------------------------------------------------------------------------------------------

def _as_date(d: date | datetime) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    if hasattr(d, "date"):  # pandas Timestamp
        return d.date()
    raise TypeError(f"需要日期，收到 {d!r}")


def coverage_problem(d: date, calendar: Calendar | None = None) -> str | None:
    """Why the calendar cannot say whether `d` is a working day (Chinese), or None if it can."""
    cal = calendar or load_calendar()
    d = _as_date(d)
    if cal.covers(d.year):
        return None
    return (f"{d.year}年不在法定节假日日历的收录范围内（{cal.span_text}，{cal.path.name}），"
            f"无法判断{cn_date(d)}是否为工作日。请按《国务院办公厅关于{d.year}年部分节假日"
            f"安排的通知》在日历文件中补充该年的放假和调休上班日期。")


def _check(days: Iterable[date], fallback: bool, cal: Calendar) -> None:
    if fallback:
        return
    for d in days:
        problem = coverage_problem(d, cal)
        if problem:
            raise CalendarCoverageError(problem)


def _lookup(cal: Calendar, d: date) -> tuple[int, bool]:
    """Position of the first working day on or after `d` in cal.working_days, and whether `d`
    lies inside the lookup array's range."""
    day = np.datetime64(d, "D")
    inside = _LOOKUP_FROM <= day <= cal.working_days[-1]
    return int(np.searchsorted(cal.working_days, day)), bool(inside)


def is_rest_day(d: date, *, fallback: bool = False, calendar: Calendar | None = None) -> bool:
    """True on a public holiday or a weekend that is not a make-up working day.

    A year the calendar does not cover raises CalendarCoverageError; with fallback=True it
    counts Saturday and Sunday as rest days and every other day as a working day."""
    cal = calendar or load_calendar()
    d = _as_date(d)
    _check([d], fallback, cal)
    if d in cal.work:
        return False
    return d in cal.rest or d.weekday() >= 5


def is_working_day(d: date, *, fallback: bool = False, calendar: Calendar | None = None) -> bool:
    return not is_rest_day(d, fallback=fallback, calendar=calendar)


def holiday_name(d: date, calendar: Calendar | None = None) -> str | None:
    """The public holiday `d` belongs to (春节, 国庆节 …; for a make-up working day the holiday it
    makes up for), or None for an ordinary day."""
    cal = calendar or load_calendar()
    d = _as_date(d)
    return cal.rest.get(d) or cal.work.get(d)


def rest_day_words(d: date, calendar: Calendar | None = None) -> str:
    """What kind of rest day `d` is, in words: 春节假期 / 周六 / 周日 (for a deadline's note)."""
    name = (calendar or load_calendar()).rest.get(_as_date(d))
    if name:
        return f"{name}假期"
    return "周六" if _as_date(d).weekday() == 5 else "周日"


def extension_note(original: date, due: date, calendar: Calendar | None = None) -> str | None:
    """Why a deadline shows `due` instead of `original` (Chinese), or None when they agree:
    原期限2024年2月15日遇春节假期，依法顺延 (民法典 Art. 203)."""
    if original is None or due is None or original == due:
        return None
    return f"原期限{cn_date(_as_date(original))}遇{rest_day_words(original, calendar)}，依法顺延"


def add_working_days(d: date, n: int, *, fallback: bool = False,
                     calendar: Calendar | None = None) -> date:
    """The n-th working day after `d` (the day itself is not counted, 民法典 Art. 201): with
    n = 15, the last day of a "15 个工作日" period starting on `d`. n = 0 gives `d`; a negative
    n counts back (the n-th working day before `d`)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"工作日数应为整数，收到 {n!r}")
    cal = calendar or load_calendar()
    d = _as_date(d)
    if n == 0:
        return d
    day = np.datetime64(d, "D")
    work = cal.working_days
    if n > 0:
        pos = int(np.searchsorted(work, day, side="right")) + n - 1
    else:
        pos = int(np.searchsorted(work, day, side="left")) + n
    if _LOOKUP_FROM <= day <= _LOOKUP_TO and 0 <= pos < len(work):
        result = work[pos].item()
    else:  # beyond the lookup array: weekends only
        result = np.busday_offset(day, n, roll="forward" if n > 0 else "backward").item()
    _check([d, result], fallback, cal)
    return result


def next_working_day(d: date, *, fallback: bool = False,
                     calendar: Calendar | None = None) -> date:
    """The first working day after `d` (strictly after)."""
    return add_working_days(d, 1, fallback=fallback, calendar=calendar)


def extend_to_working_day(d: date, *, fallback: bool = False,
                          calendar: Calendar | None = None) -> date:
    """`d` if it is a working day, else the first working day after it: the last day of a period
    that ends on a rest day (民法典 Art. 203: 以法定休假日结束的次日为期间的最后一日)."""
    cal = calendar or load_calendar()
    d = _as_date(d)
    pos, inside = _lookup(cal, d)
    result = (cal.working_days[pos].item() if inside
              else np.busday_offset(np.datetime64(d, "D"), 0, roll="forward").item())
    _check([d, result], fallback, cal)
    return result


def working_days_between(start: date, end: date, *, fallback: bool = False,
                         calendar: Calendar | None = None) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier):
    how many working days are left from `start` until a deadline `end`."""
    cal = calendar or load_calendar()
    start, end = _as_date(start), _as_date(end)
    _check([start, end], fallback, cal)
    if end < start:
        return -working_days_between(end, start, fallback=True, calendar=cal)
    a, b = np.datetime64(start, "D"), np.datetime64(end, "D")
    if _LOOKUP_FROM <= a and b <= _LOOKUP_TO:
        work = cal.working_days
        return int(np.searchsorted(work, b, side="right") - np.searchsorted(work, a, "right"))
    return int(np.busday_count(a + 1, b + 1))


# --------------------------------------------------------------------------------------------
# Arrays (the clock)
# --------------------------------------------------------------------------------------------

def extend_to_working_days(days: np.ndarray, calendar: Calendar | None = None) -> np.ndarray:
    """extend_to_working_day for a datetime64[D] array; NaT stays NaT. Never raises: days in a
    year the calendar does not cover count weekends only (report them with uncovered_years)."""
    cal = calendar or load_calendar()
    days = np.asarray(days, dtype="datetime64[D]")
    offset = days.astype(np.int64) - _LOOKUP_FROM.astype(np.int64)  # NaT: a huge negative
    inside = (offset >= 0) & (days <= cal.working_days[-1])
    out = np.where(inside, cal.roll[np.where(inside, offset, 0)], days)
    outside = ~inside & ~np.isnat(days)
    if outside.any():
        out[outside] = np.busday_offset(days[outside], 0, roll="forward")
    return out


def uncovered_years(days: Iterable, calendar: Calendar | None = None) -> list[int]:
    """The years among `days` (dates, Timestamps or datetime64; missing values ignored) that the
    calendar does not cover, in order."""
    cal = calendar or load_calendar()
    if isinstance(days, np.ndarray) and days.dtype.kind == "M":
        arr = days.astype("datetime64[D]")
        arr = arr[~np.isnat(arr)]
        years = np.unique(arr.astype("datetime64[Y]").astype(np.int64) + 1970)
    else:  # dates, Timestamps, None, NaN, NaT mixed: let pandas read them
        values = pd.to_datetime(pd.Series(list(days), dtype=object), errors="coerce")
        years = np.unique(values.dropna().dt.year.to_numpy())
    return [int(y) for y in years if not cal.covers(int(y))]


def coverage_note(years: list[int], calendar: Calendar | None = None) -> str | None:
    """A note for pages that show deadlines in uncovered years (Chinese), or None."""
    if not years:
        return None
    cal = calendar or load_calendar()
    shown = "、".join(f"{y}年" for y in years[:5]) + ("等" if len(years) > 5 else "")
    return (f"法定节假日日历收录{cal.span_text}；{shown}的期限遇休息日顺延时只按周六、周日计算，"
            f"未计入该年的法定节假日和调休上班日，待国务院办公厅公布该年节假日安排后补充日历文件。")
