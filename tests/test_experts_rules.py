"""rules/experts.py and rules/credit.py: the rules file and its checks, 记分考核, workload,
rotation, conflicts, supply and demand, the ranking score, the publication deadline in working
days, and the masking of personal data. Each boundary is tested on both sides."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rules import credit as cr
from rules import experts as xr

D = dt.date.fromisoformat


def _write(tmp_path, text: str):
    p = tmp_path / "rules.toml"
    p.write_text(text, encoding="utf-8")
    return p


# -- the rules file --------------------------------------------------------------------------

def test_shipped_file_loads_with_the_documented_defaults():
    r = xr.load_expert_rules("320000")
    assert r == xr.ExpertRules()
    assert (r.score_base, r.suspend_at, r.warn_margin, r.workload_cap) == (12, 6, 3, 40)
    assert (r.rotation_count, r.rotation_months, r.conflict_own_city) == (8, 12, False)
    assert r.publish_working_days == 7


def test_province_section_overrides_default(tmp_path):
    p = _write(tmp_path, '[default]\nworkload_cap = 30\n["210000"]\nconflict_own_city = true\n'
                         'workload_cap = 20\n')
    assert xr.load_expert_rules("210000", p).workload_cap == 20
    assert xr.load_expert_rules("210100", p).conflict_own_city is True  # a city: its province
    assert xr.load_expert_rules("320000", p).workload_cap == 30
    assert xr.load_expert_rules("320000", p).conflict_own_city is False


@pytest.mark.parametrize("text, words", [
    ("[default]\nsuspend_at = -1\n", ["suspend_at", "暂停线", "-1"]),
    ("[default]\nworkload_cap = -5\n", ["workload_cap", "上限", "-5"]),
    ("[default]\nworkload_cap = 0\n", ["workload_cap"]),
    ("[default]\nscore_base = 12.5\n", ["score_base"]),
    ("[default]\nrotation_count = true\n", ["rotation_count"]),
    ("[default]\npublish_working_days = 0\n", ["publish_working_days"]),
    ("[default]\nconflict_own_city = 1\n", ["conflict_own_city"]),
    ("[default]\nrank_weight_evaluation = 1.5\n", ["rank_weight_evaluation"]),
    ("[default]\nsuspend_at = 12\n", ["suspend_at", "应小于", "score_base"]),
    ("[default]\nrank_weight_evaluation = 0.5\n", ["权重之和", "1.1"]),
    ("[default]\nthreshold = 3\n", ["未知配置项", "threshold"]),
    ("[jiangsu]\nworkload_cap = 3\n", ["未知的配置节", "jiangsu"]),
    ("[default\n", ["不是有效的 TOML"]),
])
def test_bad_rules_are_refused_in_chinese(tmp_path, text, words):
    with pytest.raises(xr.ExpertRulesError) as e:
        xr.load_expert_rules("320000", _write(tmp_path, text))
    for w in words:
        assert w in str(e.value)


def test_bad_value_in_a_province_section_is_refused_even_for_other_provinces(tmp_path):
    p = _write(tmp_path, '["420000"]\nsuspend_at = -2\n')
    with pytest.raises(xr.ExpertRulesError, match="420000"):
        xr.load_expert_rules("320000", p)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(xr.ExpertRulesError, match="无法读取"):
        xr.load_expert_rules("320000", tmp_path / "nope.toml")


def test_environment_variable_chooses_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPERT_RULES_FILE", str(_write(tmp_path, "[default]\nsuspend_at = 4\n")))
    assert xr.load_expert_rules("320000").suspend_at == 4


# -- 记分考核 -------------------------------------------------------------------------------

def _deductions(rows):
    return pd.DataFrame(rows, columns=["expert_id", "event_date", "points"])


def test_remaining_counts_this_years_deductions_up_to_the_as_of_day():
    d = _deductions([(1, D("2024-01-01"), 2), (1, D("2024-12-31"), 3),  # both in
                     (1, D("2023-12-31"), 4),  # last year: out
                     (2, D("2025-01-01"), 5),  # after as_of: out
                     (3, D("2024-03-01"), 9), (3, D("2024-04-01"), 9)])  # below 0: 0
    left = xr.remaining_scores([1, 2, 3, 4], d, D("2024-12-31"), xr.ExpertRules())
    assert left.to_dict() == {1: 7, 2: 12, 3: 0, 4: 12}
    # the day before: the 12-31 deduction has not happened yet
    assert xr.remaining_scores([1], d, D("2024-12-30"), xr.ExpertRules()).to_dict() == {1: 10}


def test_score_state_boundaries():
    r = xr.ExpertRules(suspend_at=6, warn_margin=3)
    states = xr.score_state(pd.Series([5, 6, 7, 9, 10, 12]), r).tolist()
    assert states == [xr.SCORE_CROSSED, xr.SCORE_CROSSED, xr.SCORE_NEAR, xr.SCORE_NEAR,
                      xr.SCORE_OK, xr.SCORE_OK]
    r0 = xr.ExpertRules(suspend_at=6, warn_margin=0)
    assert xr.score_state(pd.Series([7]), r0).tolist() == [xr.SCORE_OK]


def test_status_mismatch_only_for_active_experts_over_the_line():
    assert xr.status_mismatch("在库", xr.SCORE_CROSSED) == "已达暂停线但仍在库，应暂停"
    assert xr.status_mismatch("暂停", xr.SCORE_CROSSED) is None
    assert xr.status_mismatch("在库", xr.SCORE_NEAR) is None


# -- workload, rotation, conflicts --------------------------------------------------------------

def _seats(rows):
    return pd.DataFrame(rows, columns=["expert_id", "consultancy_id", "review_date"])


def test_workload_against_the_cap_counts_one_year():
    s = _seats([(1, 1, D("2024-01-05"))] * 3 + [(2, 1, D("2024-02-01"))] * 2
               + [(2, 1, D("2023-12-31"))] * 5)
    w = xr.workload(s, 2024, xr.ExpertRules(workload_cap=2)).set_index("expert_id")
    assert w["reviews"].to_dict() == {1: 3, 2: 2}
    assert w["over_cap"].to_dict() == {1: 1, 2: 0}  # at the cap is within it


def test_rotation_count_and_window_boundaries():
    as_of = D("2024-12-31")
    s = _seats([(1, 7, D("2024-12-31")), (1, 7, D("2024-01-01")),
                (1, 7, D("2023-12-31")),  # exactly 12 months back: outside the window
                (2, 7, D("2024-06-01")), (2, 8, D("2024-06-02")),  # two firms: once each
                (3, None, D("2024-06-01")), (3, None, D("2024-07-01"))])  # no firm
    r = xr.rotation(s, as_of, xr.ExpertRules(rotation_count=2, rotation_months=12))
    assert r[["expert_id", "consultancy_id", "times"]].values.tolist() == [[1, 7, 2]]
    assert r["last_date"].tolist() == [as_of]
    assert xr.rotation(s, as_of, xr.ExpertRules(rotation_count=3, rotation_months=12)).empty
    wider = xr.rotation(s, as_of, xr.ExpertRules(rotation_count=3, rotation_months=13))
    assert wider["times"].tolist() == [3]
    # a review after the as-of date does not count (the window moves back a day with it)
    earlier = xr.rotation(s, D("2024-12-30"), xr.ExpertRules(rotation_count=2))
    assert earlier["times"].tolist() == [2] and earlier["last_date"].tolist() == [D("2024-01-01")]


def test_conflicts_own_organisation_consultancy_and_own_city_rule():
    seats = pd.DataFrame({
        "organisation": ["甲厂", "乙咨询", "某大学", "", None],
        "enterprise_name": ["甲厂", "丙厂", "丁厂", "", "戊厂"],
        "consultancy_name": ["乙咨询", "乙咨询", None, "", None],
        "expert_city_adcode": ["320100", "320500", "320500", None, "320100"],
        "city_adcode": ["320500", "320500", "320500", None, "320100"],
    })
    off = xr.conflicts(seats, xr.ExpertRules())
    assert off["conflict"].to_dict() == {0: xr.CONFLICT_OWN_ORG, 1: xr.CONFLICT_CONSULTANCY}
    on = xr.conflicts(seats, xr.ExpertRules(conflict_own_city=True))
    assert on["conflict"].to_dict() == {
        0: xr.CONFLICT_OWN_ORG,
        1: f"{xr.CONFLICT_CONSULTANCY}、{xr.CONFLICT_OWN_CITY}",
        2: xr.CONFLICT_OWN_CITY, 4: xr.CONFLICT_OWN_CITY}  # blanks never match blanks


def test_supply_and_demand_shortage_boundary():
    r = xr.ExpertRules(workload_cap=10, demand_months=12)
    df = xr.supply_demand(pd.Series({"a": 2, "b": 2, "c": 0, "d": 3}),
                          pd.Series({"a": 5, "b": 6, "c": 1, "d": 0}),
                          pd.Series({"a": 20, "b": 21, "c": 3, "d": 0}), r)
    assert df["per_expert"].to_dict() == {"a": 10.0, "b": 10.5, "c": None, "d": 0.0} or \
        df["per_expert"].fillna(-1).to_dict() == {"a": 10.0, "b": 10.5, "c": -1, "d": 0.0}
    assert df["state"].to_dict() == {"a": "充足", "b": "紧缺", "c": "紧缺", "d": "近期无评审"}
    # six months of demand count double for a year
    half = xr.supply_demand(pd.Series({"a": 2}), pd.Series({"a": 5}), pd.Series({"a": 10}),
                            xr.ExpertRules(workload_cap=10, demand_months=6))
    assert half["per_expert"].tolist() == [10.0] and half["state"].tolist() == ["充足"]


# -- consultancies ---------------------------------------------------------------------------

def test_rank_score_weights_and_neutral_missing_rates():
    r = xr.ExpertRules()
    got = xr.rank_score(pd.Series([1.0, 0.0, None]), pd.Series([1.0, None, None]),
                        pd.Series([0.5, 0.5, None]), r)
    assert got.tolist() == [85.0, 30.0, 65.0]


def test_rank_definitions_name_the_configured_figures():
    text = "\n".join(xr.rank_definitions(xr.ExpertRules(rank_min_reviews=7, copy_min_clients=4)))
    assert "× 0.4" in text and "不足 7 轮" in text and "4 家及以上" in text


# -- credit publication ------------------------------------------------------------------------

def test_publication_due_counts_working_days_on_the_official_calendar():
    # 2024-09-27 Friday; 9-29 (Sunday) and 10-12 (Saturday) are make-up working days,
    # 10-1…7 National Day: 9-29, 9-30, 10-8, 10-9, 10-10, 10-11, 10-12.
    assert cr.publication_due(D("2024-09-27"), 7) == D("2024-10-12")
    assert cr.publication_due(D("2024-03-10"), 7) == D("2024-03-19")  # from a Sunday
    assert cr.publication_due(D("2024-06-03"), 7) == D("2024-06-13")  # 6-10 端午节
    assert cr.publication_due(D("2024-06-03"), 1) == D("2024-06-04")


def test_publication_status_boundaries():
    due = D("2024-10-12")
    assert cr.publication_status(False, None, due, due) == cr.PUB_DUE
    assert cr.publication_status(False, None, due, D("2024-10-13")) == cr.PUB_OVERDUE
    assert cr.publication_status(True, due, due, D("2024-12-31")) == cr.PUB_DONE
    assert cr.publication_status(True, D("2024-10-13"), due, D("2024-12-31")) == \
        cr.PUB_LATE_DONE
    assert cr.publication_status(True, None, due, D("2024-12-31")) == cr.PUB_DONE
    # published later than the as-of day: not yet on that day
    assert cr.publication_status(True, D("2024-10-10"), due, D("2024-10-09")) == cr.PUB_DUE
    assert cr.publication_status(True, D("2024-11-01"), due, D("2024-10-20")) == cr.PUB_OVERDUE


def test_only_penalties_under_the_law_are_published():
    assert set(cr.PUBLISH_KINDS) == {"未按规定实施审核", "审核报告弄虚作假", "未按规定公布信息"}
    assert "超标排放" not in cr.LEGAL_BASIS


# -- personal data -----------------------------------------------------------------------------

def test_masking():
    assert xr.mask_phone("13812345678") == "138****5678"
    assert xr.mask_phone(None) == "—" and xr.mask_phone(float("nan")) == "—"
    assert xr.mask_phone("12345") == "*****"
    assert xr.mask_id("320102198001011234") == "320102********1234"
    assert xr.mask_id("") == "—"
    assert "19800101" not in xr.mask_id("320102198001011234")
