"""The official calendar (rules/calendar_cn.csv) and working-day arithmetic (rules/calendar.py).

The expected days below are transcribed a second time, by hand, from the State Council notices
(国务院办公厅关于20XX年部分节假日安排的通知, with the 2019 May Day and 2020 Spring Festival
amendments), independently of the data file. The working days per year were also compared once,
day by day from 2018-12-29 to 2026-12-31, with the `chinesecalendar` package (no difference).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rules import calendar as cal
from rules.calendar import (
    CalendarCoverageError,
    CalendarError,
    add_working_days,
    coverage_note,
    coverage_problem,
    extend_to_working_day,
    extend_to_working_days,
    extension_note,
    holiday_name,
    is_rest_day,
    is_working_day,
    load_calendar,
    next_working_day,
    uncovered_years,
    working_days_between,
)

D = dt.date.fromisoformat

# (holiday, first rest day, last rest day, make-up working days) per notice.
NOTICES = {
    2019: [("元旦", "2018-12-30", "2019-01-01", ["2018-12-29"]),
           ("春节", "2019-02-04", "2019-02-10", ["2019-02-02", "2019-02-03"]),
           ("清明节", "2019-04-05", "2019-04-07", []),
           ("劳动节", "2019-05-01", "2019-05-04", ["2019-04-28", "2019-05-05"]),
           ("端午节", "2019-06-07", "2019-06-09", []),
           ("中秋节", "2019-09-13", "2019-09-15", []),
           ("国庆节", "2019-10-01", "2019-10-07", ["2019-09-29", "2019-10-12"])],
    2020: [("元旦", "2020-01-01", "2020-01-01", []),
           ("春节", "2020-01-24", "2020-02-02", ["2020-01-19"]),  # extended; 2-1 rests now
           ("清明节", "2020-04-04", "2020-04-06", []),
           ("劳动节", "2020-05-01", "2020-05-05", ["2020-04-26", "2020-05-09"]),
           ("端午节", "2020-06-25", "2020-06-27", ["2020-06-28"]),
           ("国庆节、中秋节", "2020-10-01", "2020-10-08", ["2020-09-27", "2020-10-10"])],
    2021: [("元旦", "2021-01-01", "2021-01-03", []),
           ("春节", "2021-02-11", "2021-02-17", ["2021-02-07", "2021-02-20"]),
           ("清明节", "2021-04-03", "2021-04-05", []),
           ("劳动节", "2021-05-01", "2021-05-05", ["2021-04-25", "2021-05-08"]),
           ("端午节", "2021-06-12", "2021-06-14", []),
           ("中秋节", "2021-09-19", "2021-09-21", ["2021-09-18"]),
           ("国庆节", "2021-10-01", "2021-10-07", ["2021-09-26", "2021-10-09"])],
    2022: [("元旦", "2022-01-01", "2022-01-03", []),
           ("春节", "2022-01-31", "2022-02-06", ["2022-01-29", "2022-01-30"]),
           ("清明节", "2022-04-03", "2022-04-05", ["2022-04-02"]),
           ("劳动节", "2022-04-30", "2022-05-04", ["2022-04-24", "2022-05-07"]),
           ("端午节", "2022-06-03", "2022-06-05", []),
           ("中秋节", "2022-09-10", "2022-09-12", []),
           ("国庆节", "2022-10-01", "2022-10-07", ["2022-10-08", "2022-10-09"])],
    2023: [("元旦", "2022-12-31", "2023-01-02", []),
           ("春节", "2023-01-21", "2023-01-27", ["2023-01-28", "2023-01-29"]),
           ("清明节", "2023-04-05", "2023-04-05", []),
           ("劳动节", "2023-04-29", "2023-05-03", ["2023-04-23", "2023-05-06"]),
           ("端午节", "2023-06-22", "2023-06-24", ["2023-06-25"]),
           ("中秋节、国庆节", "2023-09-29", "2023-10-06", ["2023-10-07", "2023-10-08"])],
    2024: [("元旦", "2024-01-01", "2024-01-01", []),
           ("春节", "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"]),
           ("清明节", "2024-04-04", "2024-04-06", ["2024-04-07"]),
           ("劳动节", "2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"]),
           ("端午节", "2024-06-10", "2024-06-10", []),
           ("中秋节", "2024-09-15", "2024-09-17", ["2024-09-14"]),
           ("国庆节", "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"])],
    2025: [("元旦", "2025-01-01", "2025-01-01", []),
           ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
           ("清明节", "2025-04-04", "2025-04-06", []),
           ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
           ("端午节", "2025-05-31", "2025-06-02", []),
           ("国庆节、中秋节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"])],
    2026: [("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
           ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
           ("清明节", "2026-04-04", "2026-04-06", []),
           ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
           ("端午节", "2026-06-19", "2026-06-21", []),
           ("中秋节", "2026-09-25", "2026-09-27", []),
           ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"])],
}
WORKING_DAYS = {2019: 250, 2020: 249, 2021: 250, 2022: 249, 2023: 249, 2024: 251, 2025: 248,
                2026: 248}


def _span(a: str, b: str) -> list[dt.date]:
    days = (D(b) - D(a)).days
    return [D(a) + dt.timedelta(days=i) for i in range(days + 1)]


# --- the data file against the notices -----------------------------------------------------------

def test_the_file_covers_2019_to_2026():
    c = load_calendar()
    assert (c.first_year, c.last_year) == (2019, 2026)
    assert c.span_text == "2019—2026年"


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_holiday_and_make_up_day_of_the_notice(year):
    rest = {d: name for name, a, b, _ in NOTICES[year] for d in _span(a, b)}
    work = {D(d): name for name, _, _, days in NOTICES[year] for d in days}
    for day, name in rest.items():
        assert is_rest_day(day, fallback=True), day
        assert holiday_name(day) == name, day
    for day, name in work.items():
        assert day.weekday() >= 5 and is_working_day(day, fallback=True), day
        assert holiday_name(day) == name, day


def test_nothing_else_is_arranged():
    # Every day of the file is one of the notices' days: all other days follow the week.
    c = load_calendar()
    rest = {d for items in NOTICES.values() for _, a, b, _ in items for d in _span(a, b)}
    work = {D(d) for items in NOTICES.values() for *_, days in items for d in days}
    assert set(c.rest) == rest and set(c.work) == work


def test_working_days_per_year():
    for year, expected in WORKING_DAYS.items():
        days = _span(f"{year}-01-01", f"{year}-12-31")
        assert sum(is_working_day(d) for d in days) == expected, year


def test_the_2020_spring_festival_extension_and_the_2019_may_day_change():
    # 2020-02-01 was first a make-up Saturday; the extension to 2 February made it a rest day.
    assert is_rest_day(D("2020-02-01")) and is_rest_day(D("2020-02-02"))
    assert is_working_day(D("2020-02-03"))
    # 2019 May Day: 1–4 May after the March 2019 change; Sunday 5 May worked.
    assert is_rest_day(D("2019-05-04")) and is_working_day(D("2019-05-05"))


# --- one date at a time --------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "rest"), [
    ("2024-02-15", True),    # Spring Festival, a Thursday
    ("2024-02-18", False),   # Sunday, a make-up working day
    ("2024-02-09", False),   # 除夕 2024: not an official holiday (only encouraged)
    ("2025-01-28", True),    # 除夕 2025: official since the 2024 reform
    ("2024-03-16", True),    # an ordinary Saturday
    ("2024-03-18", False),   # an ordinary Monday
    ("2024-02-29", False),   # leap day, a Thursday
    ("2020-02-29", True),    # leap day, a Saturday
    ("2022-12-31", True),    # year end: Saturday and New Year 2023
    ("2025-12-31", False),   # year end: a Wednesday
])
def test_is_rest_day(day, rest):
    assert is_rest_day(D(day)) is rest
    assert is_working_day(D(day)) is (not rest)


@pytest.mark.parametrize(("day", "extended"), [
    ("2024-02-15", "2024-02-18"),  # Spring Festival -> the make-up Sunday after it
    ("2024-10-01", "2024-10-08"),  # National Day
    ("2023-10-01", "2023-10-07"),  # National Day 2023 -> Saturday 7 October, a make-up day
    ("2024-02-04", "2024-02-04"),  # a make-up Sunday is a working day: no move
    ("2022-12-31", "2023-01-03"),  # across the year end (New Year 2023: 12-31 to 01-02)
    ("2020-02-29", "2020-03-02"),  # leap day on a Saturday
    ("2024-02-29", "2024-02-29"),  # leap day on a Thursday
    ("2024-04-30", "2024-04-30"),
])
def test_extend_to_working_day(day, extended):
    assert extend_to_working_day(D(day)) == D(extended)


def test_next_working_day_is_strictly_after():
    assert next_working_day(D("2024-02-09")) == D("2024-02-18")   # over the Spring Festival
    assert next_working_day(D("2024-02-18")) == D("2024-02-19")
    assert next_working_day(D("2024-12-31")) == D("2025-01-02")   # 1 January rests
    assert next_working_day(dt.datetime(2024, 9, 30, 18, 0)) == D("2024-10-08")


def test_add_working_days():
    # "15 个工作日" from 30 September 2024: 10-08 is the first, 10-12 (a make-up Saturday) the
    # fifth, 10-25 the fifteenth.
    assert add_working_days(D("2024-09-30"), 15) == D("2024-10-25")
    assert add_working_days(D("2024-09-30"), 5) == D("2024-10-12")
    assert add_working_days(D("2024-09-30"), 0) == D("2024-09-30")
    # across the year end: 12-26 (1), 12-29 (2), 12-30, 12-31, then 1–3 January rest and
    # Sunday 4 January 2026 is a make-up working day (5).
    assert add_working_days(D("2025-12-25"), 5) == D("2026-01-04")
    # backwards: the working day before 8 October 2024 is 30 September; the one before that
    # is Sunday 29 September, a make-up day.
    assert add_working_days(D("2024-10-08"), -1) == D("2024-09-30")
    assert add_working_days(D("2024-10-08"), -2) == D("2024-09-29")
    with pytest.raises(TypeError):
        add_working_days(D("2024-10-08"), 1.5)


def test_working_days_between():
    assert working_days_between(D("2024-09-30"), D("2024-10-08")) == 1
    assert working_days_between(D("2024-09-30"), D("2024-10-25")) == 15
    assert working_days_between(D("2024-10-08"), D("2024-09-30")) == -1
    assert working_days_between(D("2024-10-08"), D("2024-10-08")) == 0


# --- years the file does not cover ---------------------------------------------------------------

def test_a_year_not_covered_raises_a_clear_chinese_error():
    with pytest.raises(CalendarCoverageError) as err:
        is_rest_day(D("2027-01-01"))
    message = str(err.value)
    assert "2027年不在法定节假日日历的收录范围内（2019—2026年" in message
    assert "国务院办公厅关于2027年部分节假日安排的通知" in message
    assert isinstance(err.value, CalendarError) and isinstance(err.value, ValueError)
    assert coverage_problem(D("2026-12-31")) is None
    assert coverage_problem(D("2018-12-31")).startswith("2018年不在")
    # A period that ends beyond the file is refused too, even when it starts inside it.
    with pytest.raises(CalendarCoverageError, match="2027年"):
        add_working_days(D("2026-12-30"), 5)
    with pytest.raises(CalendarCoverageError, match="2027年"):
        extend_to_working_day(D("2027-10-01"))


def test_fallback_counts_weekends_only():
    assert is_rest_day(D("2027-01-01"), fallback=True) is False   # a Friday: unknown holiday
    assert is_rest_day(D("2027-01-02"), fallback=True) is True    # a Saturday
    # 2026-12-31 (Thu) -> 1 (Fri), 4, 5, 6, 7 January 2027
    assert add_working_days(D("2026-12-30"), 5, fallback=True) == D("2027-01-06")
    assert extend_to_working_day(D("2027-10-02"), fallback=True) == D("2027-10-04")
    # Days the file knows outside its years still count (the 2019 notice's 2018 days).
    assert is_rest_day(D("2018-12-31"), fallback=True) is True
    assert is_working_day(D("2018-12-29"), fallback=True) is True


def test_uncovered_years_and_the_note():
    assert uncovered_years([D("2026-05-01"), None, float("nan"), D("2027-03-01"),
                            np.datetime64("NaT"), D("2031-01-01")]) == [2027, 2031]
    assert uncovered_years(np.array(["2024-01-01", "NaT"], dtype="datetime64[D]")) == []
    assert coverage_note([]) is None
    note = coverage_note([2027])
    assert note == ("法定节假日日历收录2019—2026年；2027年的期限遇休息日顺延时只按周六、周日计算，"
                    "未计入该年的法定节假日和调休上班日，待国务院办公厅公布该年节假日安排后补充日历文件。")


# --- the vectorised form used by the clock -------------------------------------------------------

def test_vectorised_extension_agrees_with_the_scalar_for_every_day():
    days = np.arange(np.datetime64("2018-12-01"), np.datetime64("2027-02-01"))
    got = extend_to_working_days(days)
    expected = np.array([extend_to_working_day(d.item(), fallback=True) for d in days],
                        dtype="datetime64[D]")
    assert (got == expected).all()


def test_vectorised_extension_keeps_nat_and_handles_far_dates():
    days = np.array(["NaT", "1850-06-01", "2300-01-01", "2024-10-01"], dtype="datetime64[D]")
    got = extend_to_working_days(days)
    assert np.isnat(got[0])
    assert got[1] == np.datetime64("1850-06-03")  # a Saturday; far dates count weekends only
    assert got[2] == np.datetime64("2300-01-01")  # a Monday
    assert got[3] == np.datetime64("2024-10-08")


# --- words ---------------------------------------------------------------------------------------

def test_extension_note_and_date_words():
    assert cal.cn_date(D("2024-02-08")) == "2024年2月8日"
    assert extension_note(D("2024-02-15"), D("2024-02-18")) == (
        "原期限2024年2月15日遇春节假期，依法顺延")
    assert extension_note(D("2024-03-16"), D("2024-03-18")) == "原期限2024年3月16日遇周六，依法顺延"
    assert extension_note(D("2024-03-17"), D("2024-03-18")) == "原期限2024年3月17日遇周日，依法顺延"
    assert extension_note(D("2024-03-18"), D("2024-03-18")) is None
    assert extension_note(None, D("2024-03-18")) is None


# --- a broken file -------------------------------------------------------------------------------

HEADER = "date,kind,holiday,year,notice\n"
GOOD = HEADER + "2024-01-01,休,元旦,2024,通知\n"


@pytest.mark.parametrize(("text", "fragments"), [
    ("", ["没有数据行"]),
    ("# 只有注释\n", ["没有数据行"]),
    ("day,kind\n2024-01-01,休\n", ["第1行", "列名"]),
    (HEADER + "2024-13-01,休,元旦,2024,通知\n", ["第2行", "日期“2024-13-01”无效"]),
    (HEADER + "2024-01-01,放,元旦,2024,通知\n", ["第2行", "类型“放”无效"]),
    (HEADER + "2024-01-02,班,元旦,2024,通知\n", ["第2行", "周一至周五", "调休上班日"]),
    (GOOD + "2024-01-01,休,元旦,2024,通知\n", ["第3行", "重复"]),
    (HEADER + "2024-05-01,休,劳动节,2023,通知\n", ["第2行", "年度“2023”与日期"]),
    (GOOD + "2026-01-01,休,元旦,2026,通知\n", ["缺少 2025 年"]),
    (HEADER + "2024-01-01,休,元旦\n", ["第2行", "应有 5 列"]),
])
def test_a_broken_file_gives_a_clear_chinese_error(tmp_path, text, fragments):
    path = tmp_path / "cal.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as err:
        load_calendar(path)
    for fragment in fragments:
        assert fragment in str(err.value)
    assert str(path) in str(err.value)


def test_a_missing_file_and_a_good_small_file(tmp_path):
    with pytest.raises(CalendarError, match="无法读取"):
        load_calendar(tmp_path / "absent.csv")
    path = tmp_path / "cal.csv"
    path.write_text("# 注释\n" + GOOD + "2024-02-04,班,春节,2024,通知\n", encoding="utf-8")
    small = load_calendar(path)
    assert (small.first_year, small.last_year) == (2024, 2024)
    assert is_rest_day(D("2024-01-01"), calendar=small)
    assert is_working_day(D("2024-02-04"), calendar=small)
    assert is_rest_day(D("2024-02-15"), calendar=small) is False  # not in this small file
    with pytest.raises(CalendarCoverageError, match="2023年"):
        is_rest_day(D("2023-12-29"), calendar=small)
