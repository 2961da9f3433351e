"""Every validation rule on every column (issue: hardening, item 8): the plan-target template
(year, region, industry, each target column: number, sign, whole, largest value), permit
numbers (each part of HJ 608's layout), and the watch list's rule that a re-listed round needs
no action of any kind. Each case fails when its rule is dropped or its boundary moved; the
seeded one-line bugs are in tests/mutations.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rules import target_template as tt
from rules import watchlist as wl
from rules.clock import ROUND_COLUMNS, ClockRules, derive_status
from rules.identifiers import make_permit_no, make_uscc, permit_problem

REGIONS = pd.DataFrame({"adcode": ["320000", "320100", "320111"],
                        "name": ["江苏省", "南京市", "浦口区"]})
INDUSTRIES = pd.DataFrame({"code": ["chemicals", "dyeing"], "name": ["化工", "印染"]})
COLUMNS = list(tt.HEADERS[:-1])
WHOLE = [(f, h) for f, h, w in tt.TARGET_COLUMNS if w]
DECIMAL = [(f, h) for f, h, w in tt.TARGET_COLUMNS if not w]


def frame(*rows: dict) -> pd.DataFrame:
    """Template rows by header; row 1 is the header, so data starts at Excel row 2."""
    base = {"年度": 2022, "地区": "南京市", "行业": "化工"}
    out = pd.DataFrame([{**{h: None for h in COLUMNS}, **base, **r} for r in rows],
                       columns=COLUMNS, dtype=object)
    out[tt.EXCEL_ROW] = list(range(2, 2 + len(rows)))
    return out


def check(*rows: dict) -> tt.Checked:
    return tt.validate(frame(*rows), REGIONS, INDUSTRIES, 2021, 2023)


def one_error(*rows: dict) -> str:
    got = check(*rows)
    assert len(got.errors) == 1, got.errors
    return got.errors[0].message


# ---- target columns: every column, every rule ------------------------------------------------

@pytest.mark.parametrize("field, header", WHOLE + DECIMAL)
def test_every_target_column_refuses_negative_values(field, header):
    assert "为负数" in one_error({header: -1})
    assert "为负数" in one_error({header: "-0.5"})
    assert check({header: 0}).rows.iloc[0][field] == 0  # zero is a target


@pytest.mark.parametrize("field, header", WHOLE + DECIMAL)
def test_every_target_column_refuses_text(field, header):
    assert "不是数字" in one_error({header: "十"})
    assert "不是数字" in one_error({header: True})


@pytest.mark.parametrize("field, header", WHOLE)
def test_whole_columns_refuse_fractions(field, header):
    assert "应为整数" in one_error({header: 2.5})
    assert check({header: "3"}).rows.iloc[0][field] == 3


@pytest.mark.parametrize("field, header", DECIMAL)
def test_decimal_columns_keep_fractions(field, header):
    assert check({header: "2,500.5"}).rows.iloc[0][field] == 2500.5


@pytest.mark.parametrize("field, header, largest", [(f, h, tt.MAX_WHOLE) for f, h in WHOLE]
                         + [(f, h, tt.MAX_DECIMAL) for f, h in DECIMAL])
def test_every_target_column_has_a_largest_value(field, header, largest):
    assert check({header: largest}).ok
    assert "超出合理范围" in one_error({header: largest + 1})
    assert "超出合理范围" in one_error({header: 1e20})


# ---- key columns ----------------------------------------------------------------------------

@pytest.mark.parametrize("year, ok", [(2021, True), (2023, True), (2020, False), (2024, False),
                                      ("2022", True), (2022.0, True), (2022.5, False),
                                      ("今年", False), (None, False)])
def test_year_within_the_plan_period(year, ok):
    got = check({"年度": year, "完成审核数（家）": 1})
    assert got.ok is ok
    if ok:
        assert got.rows.iloc[0]["year"] == int(float(year))


@pytest.mark.parametrize("region, code", [("南京市", "320100"), ("320100", "320100"),
                                          ("浦口区", "320111"), (" 江苏省 ", "320000"),
                                          ("苏州市", None), ("320500", None), (None, None)])
def test_region_by_name_or_code_within_scope(region, code):
    got = check({"地区": region, "完成审核数（家）": 1})
    assert (got.rows.iloc[0]["region_adcode"] if got.ok else None) == code


@pytest.mark.parametrize("industry, code", [("化工", "chemicals"), ("dyeing", "dyeing"),
                                            ("全部行业", None), ("全部", None), (None, None),
                                            ("", None), ("纺织", "unknown")])
def test_industry_by_name_or_code_or_all(industry, code):
    got = check({"行业": industry, "完成审核数（家）": 1})
    if code == "unknown":
        assert "未知行业" in got.errors[0].message
    else:
        assert got.ok and got.rows.iloc[0]["industry_code"] == code


def test_duplicates_are_the_same_year_region_and_industry():
    same = {"完成审核数（家）": 1}
    assert "与第 2 行重复" in one_error(same, same)
    assert check(same, {**same, "行业": "印染"}).ok
    assert check(same, {**same, "年度": 2023}).ok
    assert check(same, {**same, "地区": "江苏省"}).ok
    assert "与第 2 行重复" in one_error({**same, "行业": "全部"}, {**same, "行业": "全部行业"})


def test_rows_without_any_value_are_skipped_not_written():
    got = check({"完成审核数（家）": 1}, {"年度": 2023})
    assert got.ok and len(got.rows) == 1


@pytest.mark.parametrize("header", COLUMNS)
def test_every_column_is_required(header):
    without = frame({"完成审核数（家）": 1}).drop(columns=header)
    got = tt.validate(without, REGIONS, INDUSTRIES, 2021, 2023)
    assert not got.ok and header in got.errors[0].message and "缺少必填列" in \
        got.errors[0].message


# ---- permit numbers (HJ 608): each part of the layout -----------------------------------------

USCC = make_uscc("320111", "MA1AAA01")
PERMIT = make_permit_no(USCC, 1)


@pytest.mark.parametrize("position", [18, 19, 20])
@pytest.mark.parametrize("letter", ["A", "O", "Z"])
def test_the_sequence_is_three_digits(position, letter):
    forged = PERMIT[:position] + letter + PERMIT[position + 1:]
    assert permit_problem(forged) is not None, forged


@pytest.mark.parametrize("last, ok", [("P", True), ("W", True), ("Q", False), ("1", False)])
def test_the_last_character_is_p_or_w(last, ok):
    assert (permit_problem(PERMIT[:-1] + last) is None) is ok


def test_the_first_eighteen_characters_are_a_valid_uscc():
    broken = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert "前18位无效" in permit_problem(broken + "001P")
    assert permit_problem(PERMIT, USCC) is None
    other = make_uscc("320111", "MA1AAA02")
    assert "不一致" in permit_problem(PERMIT, other)
    assert permit_problem(PERMIT.lower(), USCC.lower()) is None  # written in lower case
    assert "22位" in permit_problem(PERMIT + "1") and "22位" in permit_problem(PERMIT[:-1])
    assert permit_problem("٠" * 22) is not None  # non-ASCII digits


# ---- the watch list: a re-listed round needs no action ----------------------------------------

D = dt.date.fromisoformat


def _rounds(*specs: dict) -> pd.DataFrame:
    rows = []
    for i, spec in enumerate(specs, start=1):
        row = {c: None for c in ROUND_COLUMNS}
        row.update(audit_id=i, uscc="U1", round_no=1, listing_date=D("2023-03-01"),
                   listing_reason="双超")
        row.update({k: D(v) if k.endswith("_date") and isinstance(v, str) else v
                    for k, v in spec.items()})
        rows.append(row)
    return pd.DataFrame(rows).astype(object)


def _items(as_of: str, *specs: dict) -> pd.DataFrame:
    status = derive_status(_rounds(*specs), D(as_of), ClockRules())
    return wl.round_items(status, D(as_of), ClockRules())


def test_a_relisted_round_with_a_data_issue_leaves_the_list():
    # round 1: report dated but no start date (a data issue); re-listed on 2024-03-01
    muddled = dict(disclosure_date="2023-03-10", report_date="2024-01-10")
    relisted = dict(round_no=2, listing_date="2024-03-01", relisted_from=1,
                    disclosure_date="2024-03-05", start_date="2024-03-20")
    before = _items("2024-02-29", muddled, relisted)
    assert before[["audit_id", "category"]].values.tolist() == [[1, "数据待核实"]]
    after = _items("2024-03-02", muddled, relisted)
    assert 1 not in set(after["audit_id"])  # the later round carries the clock
    assert "数据待核实" not in set(after["category"])


@pytest.mark.parametrize("spec, category", [
    (dict(disclosure_date="2023-03-10", start_date="2023-04-01"), "逾期"),
    (dict(disclosure_date="2023-03-10", start_date="2023-04-01", report_date="2023-12-01",
          evaluation_date="2024-01-10", evaluation_pass=False), "未通过"),
    (dict(disclosure_date="2023-03-10", report_date="2024-01-10"), "数据待核实"),
])
def test_no_item_of_any_kind_for_a_superseded_round(spec, category):
    alone = _items("2024-06-01", spec)
    assert category in set(alone["category"])
    relisted = dict(round_no=2, listing_date="2024-05-01", disclosure_date="2024-05-10",
                    start_date="2024-05-20")
    assert 1 not in set(_items("2024-06-01", spec, relisted)["audit_id"])


# ---- the seeded bugs of tests/mutations.py still apply -------------------------------------------

def test_every_mutant_still_applies():
    """`make mutants` runs them; here only that each original line is still in its file once
    (a refactor that moves a line must move its mutant too) and that every id is distinct."""
    from tests import mutations

    ids = [m.id for m in mutations.MUTANTS]
    assert len(ids) == len(set(ids))
    for m in mutations.MUTANTS:
        assert mutations.apply(m) != (mutations.ROOT / m.file).read_text(encoding="utf-8"), m.id
