"""The indicator registry (rules/indicators.py) and the 指标说明 page (pages/indicators.py)."""

from __future__ import annotations

import re

import pytest

from queries import overview as ov
from queries import plan
from rules import indicators as ind
from rules import roles
from rules.clock import ClockRules
from tests.apptest import open_page

PAGE = "pages/indicators.py"
UNITS = {"家", "轮", "项", "个", "万元", "%", ""} | {u for _c, _l, u in ind.OUTCOME_COLUMNS}
CONFIG_WORDS = re.compile(r"completion_milestone|report_months|reaudit|extend_on_rest_days|"
                          r"_months|_days|\{|\}")


def test_every_indicator_is_complete_and_in_one_section():
    for i in ind.INDICATORS.values():
        assert i.name and i.counts and i.date_rule and i.scope_rule and i.computed_by, i.id
        assert i.unit in UNITS, i.id
    names = [i.name for i in ind.INDICATORS.values()]
    assert len(names) == len(set(names)), "one name, one meaning"


@pytest.mark.parametrize("milestone, word", [("report", "提交审核报告"),
                                             ("evaluation", "评估通过"),
                                             ("acceptance", "验收通过")])
def test_help_follows_the_clock_and_shows_no_configuration_key(milestone, word):
    clock = ClockRules(completion_milestone=milestone, report_months=18,
                       extend_on_rest_days=False)
    for i in ind.INDICATORS:
        text = ind.help_text(i, clock, link=False)
        assert not CONFIG_WORDS.search(text), (i, text)
    assert word in ind.definition("completed_in_year", clock)
    assert "列入名单后18个月" in ind.definition("due_rounds", clock)
    assert "不顺延" in ind.definition("overdue_enterprises", clock)
    rules = dict(ind.clock_rules_in_force(clock))
    assert rules["“完成审核”的标准"] == word and rules["提交审核报告期限"] == "列入名单后18个月"


def test_help_on_a_page_links_to_the_page_and_documents_do_not():
    clock = ClockRules()
    assert ind.help_text("due_rounds", clock).endswith(f"详见[指标说明]({ind.PAGE_PATH})。")
    assert "](" not in ind.help_text("due_rounds", clock, link=False)
    for line in ov.briefing_definitions(clock).values():
        assert "](" not in line and not CONFIG_WORDS.search(line)


def test_two_counts_two_names():
    """Enterprises vs rounds, due vs done this year, cumulative vs against a target, all rounds
    vs the latest: each pair has two names and the units say 家 or 轮."""
    pairs = [("listed_enterprises", "rounds"), ("due_rounds_done", "completed_in_year"),
             ("completed_per_100", "period_target_rate"), ("completed_total", "latest_completed")]
    for a, b in pairs:
        assert ind.name(a) != ind.name(b)
    assert ind.unit("listed_enterprises") == "家" and ind.unit("rounds") == "轮"
    assert ind.unit("completed_total") == "轮" and ind.unit("latest_completed") == "家"


def test_pages_take_names_and_units_from_the_registry():
    assert ov.KPI_LABELS["due"] == ind.name("due_rounds")
    assert ov.KPI_UNITS["listed"] == "家" and ov.KPI_UNITS["due"] == "轮"
    assert plan.METRICS["audits_completed"][2] == ind.unit("completed_in_year")


def test_the_page_is_in_the_navigation_of_every_data_role():
    pages = (ind.__file__.rsplit("/rules/", 1)[0]) + "/app.py"
    assert '"pages/indicators.py", "指标说明"' in open(pages, encoding="utf-8").read()
    assert "indicators" in roles.DATA_PAGES
    for code in roles.DATA_ROLES:
        assert roles.may_open(code, "indicators")
    for code in roles.ADMIN_ROLES:
        assert not roles.may_open(code, "indicators")


@pytest.mark.parametrize("user", ["province", "city:320500"])
def test_page_lists_every_indicator_and_the_clock(monkeypatch, handmade_sqlite, user):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params={"asof": "2024-12-31"}, user=user)
    assert at.title[0].value == "指标说明"
    body = "\n".join(m.value for m in at.markdown)
    for i in ind.INDICATORS.values():
        assert f"**{i.name}**" in body, i.id
    assert "- **“完成审核”的标准**：评估通过" in body
    assert "- **提交审核报告期限**：列入名单后12个月" in body
    caption = at.caption[0].value
    assert ("苏州市" if user.startswith("city") else "江苏省") in caption
    assert "2024年12月31日" in caption
    assert not CONFIG_WORDS.search(body)


def test_page_search_narrows_the_list(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE)
    at.text_input(key="ind_find").set_value("逾期").run()
    names = [m.value for m in at.main.markdown if m.value.startswith("**")]
    assert names and all("逾期" in n for n in names)
    at.text_input(key="ind_find").set_value("没有这个<b>").run()
    assert at.info and "没有名称含" in at.info[0].value and "<b>" not in at.info[0].value
