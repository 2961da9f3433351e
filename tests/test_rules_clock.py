"""The statutory clock: calendar-month arithmetic, due dates and the per-province configuration."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

from rules.clock import (
    DEFAULT_RULES_FILE,
    MILESTONE_LABELS,
    MILESTONES,
    ClockRules,
    ClockRulesError,
    add_months,
    due_dates,
    load_clock_rules,
)

D = date.fromisoformat


# --- add_months -------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2024-01-31", 1, "2024-02-29"),   # leap year: clamp to 29 February
    ("2023-01-31", 1, "2023-02-28"),
    ("2024-02-29", 12, "2025-02-28"),  # 29 February + 1 year
    ("2024-02-29", 48, "2028-02-29"),
    ("2024-03-31", 1, "2024-04-30"),
    ("2024-05-31", 1, "2024-06-30"),
    ("2024-12-15", 1, "2025-01-15"),   # across the year end
    ("2024-11-30", 3, "2025-02-28"),
    ("2024-03-31", -1, "2024-02-29"),
    ("1900-01-31", 1, "1900-02-28"),   # century, not a leap year
    ("2000-01-31", 1, "2000-02-29"),   # 400-year rule: leap
    ("2024-07-15", 0, "2024-07-15"),
])
def test_add_months_clamps_to_month_end(start, n, expected):
    assert add_months(D(start), n) == D(expected)


def test_add_months_agrees_with_dateutil_for_every_day_of_four_years():
    day = D("2023-01-01")
    while day < D("2027-01-01"):
        for n in (1, 2, 12, 24, 60):
            assert add_months(day, n) == day + relativedelta(months=n), (day, n)
        day += timedelta(days=1)


def test_add_months_accepts_datetimes_and_returns_a_date():
    assert add_months(datetime(2024, 1, 31, 15, 30), 1) == D("2024-02-29")
    assert add_months(pd.Timestamp("2024-01-31"), 1) == D("2024-02-29")
    assert type(add_months(D("2024-01-31"), 1)) is date


# --- due_dates ---------------------------------------------------------------------------------

def test_due_dates_from_29_february():
    assert due_dates(D("2024-02-29"), None, ClockRules()) == {
        "disclosure": D("2024-03-29"),
        "start": D("2024-04-29"),
        "report": D("2025-02-28"),
        "evaluation": None,  # no evaluation deadline by default
        # Liaoning default: 24 months after listing. A Saturday, but a make-up working day of
        # the 2026 Spring Festival (2月28日（周六）上班): no extension.
        "acceptance": D("2026-02-28"),
    }


def test_due_dates_acceptance_after_evaluation():
    rules = ClockRules(acceptance_basis="evaluation", acceptance_months=12)
    assert due_dates(D("2023-03-01"), None, rules)["acceptance"] is None
    assert due_dates(D("2023-03-01"), D("2024-04-10"), rules)["acceptance"] == D("2025-04-10")
    assert due_dates(D("2023-03-01"), D("2024-02-29"), rules)["acceptance"] == D("2025-02-28")
    # The listing basis ignores the evaluation date.
    listing = ClockRules(acceptance_basis="listing", acceptance_months=24)
    # 2025-03-01 is a Saturday: the deadline moves to Monday 2025-03-03.
    assert due_dates(D("2023-03-01"), D("2024-04-10"), listing)["acceptance"] == D("2025-03-03")


def test_due_dates_follow_configured_months():
    rules = ClockRules(disclosure_months=2, start_months=3, report_months=6)
    due = due_dates(D("2024-08-31"), None, rules)
    # 2024-11-30 is a Saturday: moved to Monday 2024-12-02.
    assert (due["disclosure"], due["start"], due["report"]) == (
        D("2024-10-31"), D("2024-12-02"), D("2025-02-28"))


def test_milestone_vocabulary():
    assert MILESTONES == ("disclosure", "start", "report", "evaluation", "acceptance")
    assert set(MILESTONE_LABELS) == set(MILESTONES)


# --- ClockRules validation ----------------------------------------------------------------------

def test_default_rules_match_domain_defaults():
    r = ClockRules()
    assert (r.disclosure_months, r.start_months, r.report_months) == (1, 2, 12)
    assert (r.acceptance_basis, r.acceptance_months) == ("listing", 24)
    assert (r.reaudit_months, r.reaudit_reasons) == (60, ("双有",))
    assert r.completion_milestone == "evaluation"


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"report_months": -1}, "report_months"),
    ({"disclosure_months": 1.5}, "disclosure_months"),
    ({"start_months": True}, "start_months"),
    ({"reaudit_months": 100_000}, "reaudit_months"),
    ({"acceptance_basis": "report"}, "acceptance_basis"),
    ({"completion_milestone": "start"}, "completion_milestone"),
    ({"reaudit_reasons": ("有毒",)}, "reaudit_reasons"),
    ({"reaudit_reasons": "双有"}, "reaudit_reasons"),
])
def test_bad_rules_raise_a_clear_error_naming_the_key(kwargs, key):
    with pytest.raises(ClockRulesError, match=key):
        ClockRules(**kwargs)


def test_rules_error_is_a_value_error_and_lists_are_accepted():
    assert issubclass(ClockRulesError, ValueError)
    assert ClockRules(reaudit_reasons=["双有", "双超"]).reaudit_reasons == ("双有", "双超")


# --- load_clock_rules ---------------------------------------------------------------------------

def _write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_default_and_hubei_override():
    assert DEFAULT_RULES_FILE.exists()
    assert load_clock_rules("110000") == ClockRules()
    hubei = load_clock_rules("420000")
    assert (hubei.acceptance_basis, hubei.acceptance_months) == ("evaluation", 12)
    assert hubei.report_months == 12  # not overridden: from [default]
    # A city code falls back to its province.
    assert load_clock_rules("420100") == hubei


def test_province_table_overrides_single_keys(tmp_path):
    path = _write(tmp_path, """
[default]
report_months = 12
reaudit_reasons = ["双有"]

["320000"]
report_months = 10
reaudit_reasons = ["双有", "双超"]
completion_milestone = "acceptance"
""")
    js = load_clock_rules("320000", path)
    assert js == ClockRules(report_months=10, reaudit_reasons=("双有", "双超"),
                            completion_milestone="acceptance")
    assert load_clock_rules("330000", path) == ClockRules()


def test_env_var_names_the_file(tmp_path, monkeypatch):
    path = _write(tmp_path, '[default]\ndisclosure_months = 3\n')
    monkeypatch.setenv("CLOCK_RULES_FILE", str(path))
    assert load_clock_rules("110000").disclosure_months == 3
    # An explicit path wins over the environment.
    other = tmp_path / "other.toml"
    other.write_text('[default]\ndisclosure_months = 2\n', encoding="utf-8")
    assert load_clock_rules("110000", other).disclosure_months == 2


@pytest.mark.parametrize(("text", "fragments"), [
    ('["420000"]\nacceptance_months = -12\n', ["[420000]", "acceptance_months", "-12"]),
    ('[default]\nacceptance_basis = "report"\n', ["[default]", "acceptance_basis", "report"]),
    ('[default]\nreport_month = 12\n', ["未知配置项", "report_month"]),
    ('[default]\nreport_months = "12"\n', ["report_months"]),
    ('[default]\nreaudit_reasons = ["有毒有害"]\n', ["reaudit_reasons", "有毒有害"]),
    ('[hubei]\nreport_months = 12\n', ["未知的配置节", "hubei"]),
    ('["420100"]\nreport_months = 12\n', ["未知的配置节", "420100"]),  # cities: not here
    ('report_months = 12\n', ["report_months"]),
    ('[default\nreport_months = 12\n', ["TOML"]),
])
def test_bad_file_raises_a_clear_chinese_error(tmp_path, text, fragments):
    path = _write(tmp_path, text)
    with pytest.raises(ClockRulesError) as err:
        load_clock_rules("420000", path)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_missing_file_raises_rules_error(tmp_path):
    with pytest.raises(ClockRulesError, match="无法读取"):
        load_clock_rules("420000", tmp_path / "absent.toml")


def test_bad_value_in_another_province_still_fails(tmp_path):
    # A broken table must not lurk until someone selects that province.
    path = _write(tmp_path, '[default]\n\n["210000"]\nstart_months = -2\n')
    with pytest.raises(ClockRulesError, match="210000"):
        load_clock_rules("420000", path)
