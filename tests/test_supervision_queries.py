"""queries/supervision.py on the hand-built province, on SQLite and PostgreSQL (handmade_url),
including the viewer's scope and the page filters."""

from __future__ import annotations

import datetime as dt

from queries import supervision as sv
from queries.db import Source
from queries.scope import PROVINCE, Filters, Scope
from rules.clock import ClockRules
from tests import handmade as hm

D = dt.date.fromisoformat
CLOCK = ClockRules()
NANJING = Scope("city", "320100")



def status(url, as_of="2024-12-31", scope=PROVINCE, page=sv.PageFilters(), **filters):
    return sv.status(Source(url, "t"), scope, Filters(as_of=D(as_of), **filters), CLOCK, page)


def watch(url, as_of="2024-12-31", scope=PROVINCE, page=sv.PageFilters(), **filters):
    f = Filters(as_of=D(as_of), **filters)
    st_df = sv.status(Source(url, "t"), scope, f, CLOCK, page)
    return sv.watch_list(st_df, sv.permits(Source(url, "t"), scope, f), D(as_of), CLOCK)


def test_watch_list_known_answer(handmade_url):
    w = watch(handmade_url)
    assert w[["企业名称", "事由", "逾期天数", "应完成/到期日期"]].values.tolist() == [
        ["南京乙化工有限公司", "审核报告逾期 305 天", 305, dt.date(2024, 3, 1)],
        # E4's start was due 2024-05-01, in the May Day holiday (5月1日至5日): the deadline is
        # Monday 2024-05-06, 239 days before 2024-12-31 (244 before the rest-day extension).
        ["苏州丁印染有限公司", "启动审核逾期 239 天", 239, dt.date(2024, 5, 6)]]
    assert w["档案"].tolist() == [f"/enterprise?uscc={hm.E2}&asof=2024-12-31",
                                 f"/enterprise?uscc={hm.E4}&asof=2024-12-31"]


def test_watch_list_as_of_other_dates(handmade_url):
    assert watch(handmade_url, "2023-12-31").empty
    mid = watch(handmade_url, "2024-06-30")
    assert mid[["事由", "逾期天数"]].values.tolist() == [["审核报告逾期 121 天", 121],
                                                     ["启动审核逾期 55 天", 55]]  # from 05-06
    # E3's first permit runs to 2024-11-30: flagged on its last day, cleared by the new permit.
    nov = watch(handmade_url, "2024-11-30")
    assert nov["类别"].tolist() == ["逾期", "逾期", "许可证即将到期"]
    assert nov["事由"].iloc[2] == f"排污许可证 {hm.E3}001P 将于2024年11月30日到期（剩 0 天）"
    assert "许可证即将到期" not in set(watch(handmade_url, "2024-12-01")["类别"])


def test_page_filters_and_scope_narrow_the_rounds(handmade_url):
    assert len(status(handmade_url)) == 5
    assert status(handmade_url, scope=NANJING)["audit_id"].tolist() == [1, 2]
    assert watch(handmade_url, scope=NANJING)["逾期天数"].tolist() == [305]
    wujiang = sv.PageFilters(counties=("320509",))
    assert status(handmade_url, page=wujiang)["audit_id"].tolist() == [4]
    assert status(handmade_url, page=sv.PageFilters(reasons=("双有",)))["audit_id"].tolist() == [
        1, 3, 5]
    assert watch(handmade_url, page=sv.PageFilters(reasons=("双有",))).empty
    assert status(handmade_url, page=sv.PageFilters(modes=("园区整体审核",))).empty
    # The permit of an enterprise outside the page filter is not on its watch list.
    assert watch(handmade_url, "2024-11-30", page=wujiang)["类别"].tolist() == ["逾期"]


def test_permits_are_scoped_in_sql(handmade_url):
    src, f = Source(handmade_url, "t"), Filters(as_of=D("2024-12-31"))
    assert set(sv.permits(src, NANJING, f)["uscc"]) == {hm.E1, hm.E2}
    assert len(sv.permits(src, PROVINCE, f)) == 5
    assert len(sv.permits(src, PROVINCE, Filters(as_of=D("2024-11-30")))) == 4  # 002P later


def test_funnel_by_year_and_batch(handmade_url):
    src, f = Source(handmade_url, "t"), Filters(as_of=D("2024-12-31"))
    st_df = status(handmade_url)
    table = sv.funnel_table(st_df, sv.option_totals(src, PROVINCE, f), sv.batches(src), "year")
    assert table.set_index("分组").loc["合计"].tolist() == [5, 5, 4, 2, 1, 1, 1, 1, 0]
    assert table.set_index("分组").loc["2024年列入"].tolist() == [2, 2, 1, 0, 0, 0, 0, 0, 0]
    by_batch = sv.funnel_table(st_df, sv.option_totals(src, PROVINCE, f), sv.batches(src),
                               "batch")
    assert list(by_batch["分组"]) == ["2023年第一批", "2024年第一批", "合计"]
    early = status(handmade_url, "2024-06-30")
    f = Filters(as_of=D("2024-06-30"))
    table = sv.funnel_table(early, sv.option_totals(src, PROVINCE, f), sv.batches(src), "year")
    # R1 passed evaluation but its 中/高费 option was implemented only on 2024-09-01.
    assert table.set_index("分组").loc["合计"].tolist() == [5, 5, 4, 2, 1, 1, 0, 0, 0]


def test_ageing_kpis_and_rounds_table(handmade_url):
    st_df = status(handmade_url)
    assert sv.ageing(st_df)["轮次"].tolist() == [0, 0, 2]
    assert sv.ageing(status(handmade_url, "2024-06-30"))["轮次"].tolist() == [0, 1, 1]
    w = sv.watch_list(st_df, st_df.iloc[0:0].assign(permit_no=[], kind=[], issue_date=[],
                                                   expiry_date=[]),
                      D("2024-12-31"), CLOCK)
    assert sv.kpis(st_df, w) == {"列入审核轮次": 5, "进行中": 3, "逾期轮次": 2,
                                 "未通过待处理": 0, "督办清单事项": 2}
    table, total = sv.rounds_table(st_df, D("2024-12-31"), page_no=1, page_size=2)
    assert total == 5 and table["逾期天数"].tolist() == [305, 239]  # R4: start due 05-06
    # R4's next deadline is the missed start, moved off the May Day holiday.
    assert table["期限说明"].tolist() == ["—", "原期限2024年5月1日遇劳动节假期，依法顺延"]
    table, _ = sv.rounds_table(st_df, D("2024-12-31"), page_no=2, page_size=2)
    # R1 (accepted) has no next deadline; R5's report is due 2025-03-01, a Saturday.
    assert table[["应完成日期", "期限说明"]].values.tolist() == [
        ["2025年3月3日", "原期限2025年3月1日遇周六，依法顺延"], ["—", "—"]]
    table, _ = sv.rounds_table(st_df, D("2024-12-31"), page_no=3, page_size=2)
    assert table["原因"].tolist() == ["已重新列入下一轮"]  # R3, superseded by R5


def test_category_counts_in_order_of_urgency(handmade_url):
    assert sv.category_counts(watch(handmade_url, "2024-11-30")) == {"逾期": 2, "许可证即将到期": 1}
    assert sv.category_counts(watch(handmade_url, "2023-12-31")) == {}
