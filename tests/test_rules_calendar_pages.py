"""The complete clock where users see it: the overview's 再审核逾期 indicator and its list, the
watch list's re-audit items and named milestones, the enterprise record's moved deadlines and
re-audit warning, fixed batch dates from a rules file, and 数据概况's batch check. Known answers
from tests/handmade_clock.py (as of 2024-12-31), on SQLite and PostgreSQL where queries run, and
under AppTest on SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from components import briefing, word
from queries import overview as ov
from queries import supervision as sv
from queries.db import Source
from queries.scope import PROVINCE, Filters, Scope
from rules.clock import ClockRules
from tests import handmade as hm
from tests import handmade_clock as hc
from tests.apptest import metrics, open_page, shown, texts

D = dt.date.fromisoformat
CLOCK = ClockRules()
F = Filters(as_of=hc.AS_OF)
ASOF = {"asof": "2024-12-31"}
LAPSED = "双有企业距上轮审核已满5年未再审核（再审核逾期 11 天）"
COMING = ("双有企业下一轮审核（再审核）应于2025年3月17日前开展（剩 76 天"
          "；原期限2025年3月16日遇周日，依法顺延）")
G8_REASON = "信息公开逾期 84 天；启动审核逾期 57 天"


def values(df, col="value"):
    return dict(zip(df["key"], df[col]))


def frame_with(at, column: str):
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column}"
    return found[0]


# --- queries, on SQLite and PostgreSQL -----------------------------------------------------------

def test_overview_counts_lapsed_reaudits_as_their_own_indicator(clock_url):
    src = Source(clock_url, "clock-1")
    v = values(ov.kpis(src, PROVINCE, F, CLOCK))
    assert (v["reaudit"], v["reaudit_soon"]) == (1, 1)  # G6 lapsed, G7 coming due
    assert v["overdue"] == 3  # E2, E4, G8: the lapsed re-audit is not an overdue milestone
    last = values(ov.kpis(src, PROVINCE, F, CLOCK), "last_year")
    assert (last["reaudit"], last["reaudit_soon"]) == (0, 0)
    # Half a year earlier G6 was coming due (its window opened on 2024-06-23), not yet lapsed.
    mid = values(ov.kpis(src, PROVINCE, dataclasses.replace(F, as_of=D("2024-06-30")), CLOCK))
    assert (mid["reaudit"], mid["reaudit_soon"]) == (0, 1)
    # A city scope keeps only its own: G6 is in 南京, G7 in 苏州.
    su = values(ov.kpis(src, Scope("city", "320500"), F, CLOCK))
    assert (su["reaudit"], su["reaudit_soon"]) == (0, 1)
    help_text = ov.kpi_help(CLOCK)["reaudit"]
    assert "双有" in help_text and "满5年" in help_text and "180天" in help_text


def test_the_list_behind_reaudit_lapsed(clock_url):
    rows, total, firms = ov.kpi_list(Source(clock_url, "clock-1"), PROVINCE, F, CLOCK, "reaudit")
    assert (total, firms) == (1, 1)
    row = rows.iloc[0]
    assert (row["企业名称"], row["需关注事项"], row["再审核逾期天数"]) == (
        "南京己化工有限公司", LAPSED, 11)
    assert row["再审核应开展日期"] == D("2024-12-20")
    assert "下一节点应完成日期" not in rows.columns
    # Half a year on both have lapsed, the longest first: G6 due 2024-12-20 (192 days by
    # 2025-06-30), G7 due 2025-03-17 (105 days).
    later = dataclasses.replace(F, as_of=D("2025-06-30"))
    rows, total, _ = ov.kpi_list(Source(clock_url, "clock-1"), PROVINCE, later, CLOCK, "reaudit")
    assert rows[["企业名称", "再审核逾期天数"]].values.tolist() == [
        ["南京己化工有限公司", 192], ["苏州庚电镀有限公司", 105]]


def test_watch_list_names_reaudits_and_every_missed_milestone(clock_url):
    src = Source(clock_url, "clock-1")
    st_df = sv.status(src, PROVINCE, F, CLOCK, sv.PageFilters())
    w = sv.watch_list(st_df, sv.permits(src, PROVINCE, F), hc.AS_OF, CLOCK)
    assert w[["类别", "企业名称", "事由", "逾期天数", "应完成/到期日期"]].values.tolist() == [
        ["逾期", "南京乙化工有限公司", "审核报告逾期 305 天", 305, dt.date(2024, 3, 1)],
        ["逾期", "苏州丁印染有限公司", "启动审核逾期 239 天", 239, dt.date(2024, 5, 6)],
        ["逾期", "苏州辛印染有限公司", G8_REASON, 84, dt.date(2024, 10, 8)],
        ["再审核逾期", "南京己化工有限公司", LAPSED, 11, dt.date(2024, 12, 20)],
        ["再审核即将到期", "苏州庚电镀有限公司", COMING, 0, dt.date(2025, 3, 17)]]
    assert sv.category_counts(w) == {"逾期": 3, "再审核逾期": 1, "再审核即将到期": 1}
    # The ageing bucket follows the extended deadline: G8 is 84 days late (31–90天), not 90.
    assert sv.ageing(st_df)["轮次"].tolist() == [0, 1, 2]


def test_the_watch_list_a_year_earlier_has_no_reaudit_items(clock_url):
    src = Source(clock_url, "clock-1")
    f = dataclasses.replace(F, as_of=D("2023-12-31"))
    st_df = sv.status(src, PROVINCE, f, CLOCK, sv.PageFilters())
    w = sv.watch_list(st_df, sv.permits(src, PROVINCE, f), f.as_of, CLOCK)
    assert not set(w["类别"]) & {"再审核逾期", "再审核即将到期"}


# --- pages under AppTest -------------------------------------------------------------------------

def test_overview_card_note_and_list(monkeypatch, clock_sqlite):
    at = open_page(monkeypatch, clock_sqlite, "pages/overview.py", params=ASOF)
    m = metrics(at)
    assert (m["再审核逾期"], m["逾期企业"]) == ("1 家", "3 家")
    assert "另有 1 家将在180天内到期" in texts(at)
    helps = {mt.label: mt.proto.help for mt in at.metric}
    assert "仍未列入新一轮审核名单" in helps["再审核逾期"]
    at.session_state["ov_list"] = "reaudit"
    at.run()
    assert at.expander[0].label == "再审核逾期名单（截至 2024年12月31日）"
    rows = frame_with(at, "再审核逾期天数")
    assert list(rows["企业名称"]) == ["南京己化工有限公司"]
    assert list(rows["再审核逾期天数"]) == [11]


def test_briefing_names_the_lapsed_reaudits(clock_url):
    src = Source(clock_url, "clock-1")
    kpis = ov.kpis(src, PROVINCE, F, CLOCK)
    data = briefing.BriefingData(
        scope_name="江苏省", area="全省", places="城市", as_of=hc.AS_OF, sample=False, kpis=kpis,
        plan=ov.plan_progress(src, PROVINCE, F, CLOCK), achievements=ov.achievements(
            src, PROVINCE, F), league=ov.league(src, PROVINCE, F, CLOCK),
        quarterly=ov.quarterly(src, PROVINCE, F, CLOCK),
        industries=ov.industry_table(ov.industries(src, PROVINCE, F, CLOCK)),
        most_overdue=ov.most_overdue(src, PROVINCE, F, CLOCK),
        issues=ov.data_issues(src, PROVINCE, F, CLOCK), definitions=ov.kpi_help(CLOCK))
    paragraph = briefing.narrative(data)[1]
    assert paragraph.endswith("再审核逾期企业1家（较去年同期增加1家），另有1家再审核即将到期。")
    text, tables = word.read_back(briefing.build_docx(data))
    kpi = tables[0].set_index("指标")
    assert kpi.loc["再审核逾期（家）"].tolist() == ["1", "0", "+1"]
    assert kpi.loc["再审核即将到期（家）"].tolist() == ["1", "0", "+1"]
    late = tables[3]
    assert late.iloc[2].tolist()[-1] == G8_REASON  # the most overdue list names both


def test_supervision_page_shows_moved_deadlines_and_reaudit_items(monkeypatch, clock_sqlite):
    at = open_page(monkeypatch, clock_sqlite, "pages/supervision.py", params=ASOF)
    watch = frame_with(at, "类别")
    assert watch["类别"].tolist() == ["逾期", "逾期", "逾期", "再审核逾期", "再审核即将到期"]
    assert watch["事由"].tolist()[2:] == [G8_REASON, LAPSED, COMING]
    assert "再审核逾期 → 许可证过期 → 即将到期 → 再审核即将到期" in texts(at)
    at.session_state["sup_section"] = "审核轮次与逾期"
    at.run()
    rounds = frame_with(at, "期限说明").set_index("企业名称")
    assert rounds.loc["苏州辛印染有限公司", "应完成日期"] == "2024年10月8日"
    assert rounds.loc["苏州辛印染有限公司", "期限说明"] == (
        "原期限2024年10月2日遇国庆节假期，依法顺延")
    assert rounds.loc["苏州辛印染有限公司", "原因"] == G8_REASON
    # E1's re-audit (2029-11-20) lies beyond the calendar: the page says how it is counted.
    assert ("法定节假日日历收录2019—2026年；2029年的期限遇休息日顺延时只按周六、周日计算"
            in texts(at))


def test_enterprise_record_warns_before_the_reaudit(monkeypatch, clock_sqlite):
    at = open_page(monkeypatch, clock_sqlite, "pages/enterprise.py",
                   params={**ASOF, "uscc": hc.G7})
    assert at.warning[0].value == ("双有企业下一轮审核（再审核）应于2025年3月17日前开展"
                                   "（剩 76 天，已进入提前180天的提醒期）")
    assert metrics(at)["下一步期限"] == "2025年3月17日"
    ms = frame_with(at, "情况").set_index("节点")
    assert ms.loc["再审核", "应完成日期"] == "2025年3月17日"
    assert ms.loc["再审核", "期限说明"] == "原期限2025年3月16日遇周日，依法顺延"
    assert ms.loc["再审核", "情况"] == "即将到期（剩 76 天）"
    # Under the table, every moved deadline of the round in words (listed 2019-04-01:
    # disclosure due 2019-05-01, May Day; start due 2019-06-01, a Saturday).
    assert at.expander[0].caption[1].value == (
        "期限顺延（民法典第二百零三条）——信息公开：原期限2019年5月1日遇劳动节假期，依法顺延；"
        "启动审核：原期限2019年6月1日遇周六，依法顺延；再审核：原期限2025年3月16日遇周日，依法顺延。")
    # G6: lapsed.
    at = open_page(monkeypatch, clock_sqlite, "pages/enterprise.py",
                   params={**ASOF, "uscc": hc.G6})
    assert at.warning[0].value == (
        "双有企业下一轮审核（再审核）应于2024年12月20日前开展（已逾期 11 天）")
    # G8: the National Day deadline.
    at = open_page(monkeypatch, clock_sqlite, "pages/enterprise.py",
                   params={**ASOF, "uscc": hc.G8})
    ms = frame_with(at, "情况").set_index("节点")
    assert ms.loc["信息公开", ["应完成日期", "情况"]].tolist() == ["2024年10月8日", "已逾期 84 天"]
    assert ms.loc["信息公开", "期限说明"] == "原期限2024年10月2日遇国庆节假期，依法顺延"
    assert ms.loc["启动审核", ["应完成日期", "期限说明"]].tolist() == [
        "2024年11月4日", "原期限2024年11月2日遇周六，依法顺延"]


def test_switching_the_extension_off_in_the_rules_file(monkeypatch, clock_sqlite, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[default]\nextend_on_rest_days = false\n', encoding="utf-8")
    monkeypatch.setenv("CLOCK_RULES_FILE", str(rules))
    at = open_page(monkeypatch, clock_sqlite, "pages/supervision.py", params=ASOF)
    watch = frame_with(at, "类别")
    # Without the extension: E4 244 days, G8 90 and 59 days, G7's re-audit due on the Sunday.
    assert watch["事由"].tolist()[1:3] == ["启动审核逾期 244 天",
                                           "信息公开逾期 90 天；启动审核逾期 59 天"]
    assert watch["事由"].iloc[-1] == (
        "双有企业下一轮审核（再审核）应于2025年3月16日前开展（剩 75 天）")


def test_fixed_batch_dates_from_the_rules_file(monkeypatch, handmade_sqlite, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('["320000".batches."2024年第一批"]\nstart = 2024-06-30\n'
                     '["320000".batches."2025年第一批"]\nreport = 2026-03-31\n', encoding="utf-8")
    monkeypatch.setenv("CLOCK_RULES_FILE", str(rules))
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py", params=ASOF)
    # R4 (batch 2024年第一批): start fixed on Sunday 2024-06-30 -> Monday 2024-07-01: 183 days.
    watch = frame_with(at, "类别")
    assert watch[["企业名称", "事由", "应完成/到期日期"]].values.tolist()[1] == [
        "苏州丁印染有限公司", "启动审核逾期 183 天", "2024年7月1日"]
    # The unknown batch is reported, not silently ignored.
    assert any("“2025年第一批”设定了固定期限，但数据库中没有这一批次" in w.value
               for w in at.warning)
    at.switch_page("pages/data_status.py").run()
    assert not at.exception
    batches = frame_with(at, "固定期限（时限配置）").set_index("批次")
    assert batches.loc["2024年第一批", "固定期限（时限配置）"] == "启动审核 2024年6月30日"
    assert batches.loc["2023年第一批", "固定期限（时限配置）"] == "—"
    assert any("2025年第一批" in w.value for w in at.warning)


def test_record_sheet_shows_the_moved_deadline(clock_url):
    from components.record_sheet import record_sheet_docx
    from queries import enterprise as en

    rec = en.record(Source(clock_url, "clock-1"), PROVINCE, hm.E4, hc.AS_OF, CLOCK)
    _text, tables = word.read_back(record_sheet_docx(rec, "江苏省", sample=False))
    assert tables[1]["下一节点及期限"].tolist() == [
        "启动审核 2024年5月6日（原期限2024年5月1日遇劳动节假期，依法顺延）"]


def test_a_broken_calendar_is_reported_with_the_clock_rules(monkeypatch, handmade_sqlite,
                                                             tmp_path):
    from rules import calendar

    broken = tmp_path / "calendar_cn.csv"
    broken.write_text("date,kind,holiday,year,notice\n2024-13-01,休,元旦,2024,通知\n",
                      encoding="utf-8")
    monkeypatch.setattr(calendar, "CALENDAR_FILE", broken)
    at = open_page(monkeypatch, handmade_sqlite, params=ASOF)
    assert shown(at.error[0].value).startswith("法定时限配置有误：法定节假日日历文件")
    assert "第2行 的日期“2024-13-01”无效" in shown(at.error[0].value)
    assert not at.metric  # no page ran on a broken calendar


def test_batches_and_clock_problems_queries(clock_url):
    from queries import inventory

    src = Source(clock_url, "clock-1")
    rules = ClockRules(batches={"2024年第二批": {"start": D("2024-11-29")},
                                "2025年第一批": {"report": D("2026-03-31")}})
    table = inventory.batches(src, PROVINCE, F, rules).set_index("批次")
    assert table["固定期限（时限配置）"].to_dict() == {
        "2019年第一批": "—", "2023年第一批": "—", "2024年第一批": "—",
        "2024年第二批": "启动审核 2024年11月29日"}
    assert "固定期限（时限配置）" not in inventory.batches(src, PROVINCE, F, CLOCK).columns
    problems = inventory.clock_problems(src, rules)
    assert len(problems) == 1 and "“2025年第一批”" in problems[0]
    assert inventory.clock_problems(src, CLOCK) == []
