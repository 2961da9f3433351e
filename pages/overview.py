"""总览: the two-minute view before a meeting — how many enterprises are listed, how far the
audits have got, who is late, whether the plan is on track, what the audits achieved — and the
one-click Word briefing (领导简报) with the Excel of the tables behind the page."""

import functools
from pathlib import Path

import streamlit as st

from components import briefing, case_table, downloads, export, fmt, html_table, kpi, safe, vega
from components import overview_charts as charts
from components.context import get_context
from components.filters import link_params
from queries import cases as qc
from queries import overview as ov
from rules import cases as rc
from rules import indicators as ind
from rules.clock import OVERDUE_BUCKETS
from rules.plan_status import PLAN_MARK_COLOURS

SUPERVISION = "pages/supervision.py"

ctx = get_context()
src, scope, f, clock = ctx.source, ctx.scope, ctx.filters, ctx.clock
as_of = f"截至 {fmt.cn_date(f.as_of)}"
words = ov.scope_words(src, scope, f)
last_year = ov.same_date_last_year(f.as_of)

kpis = ov.kpis(src, scope, f, clock)
plan = ov.plan_progress(src, scope, f, clock)
achieved = ov.achievements(src, scope, f)
league = ov.league(src, scope, f, clock)
quarters = ov.quarterly(src, scope, f, clock)
by_industry = ov.industries(src, scope, f, clock)
top_late = ov.most_overdue(src, scope, f, clock)
issues = ov.data_issues(src, scope, f, clock)
helps = ov.section_help(clock)
brief = briefing.BriefingData(
    scope_name=words["name"], area=words["area"], places=words["places"], as_of=f.as_of,
    sample=ctx.is_sample, kpis=kpis, plan=plan, achievements=achieved, league=league,
    quarterly=quarters, industries=ov.industry_table(by_industry), most_overdue=top_late,
    issues=issues, definitions=ov.briefing_definitions(clock))

# ---- title, scope, downloads ---------------------------------------------------------------
st.title("总览")
st.caption(f"{safe.text(words['name'])} · 数据{as_of} · "
           f"增减均与去年同期（{fmt.cn_date(last_year)}）比较"
           + (" · 样例数据" if ctx.is_sample else ""))
with st.container(horizontal=True):
    downloads.button(
        ctx, "下载领导简报（Word）", functools.partial(briefing.build_docx, brief),
        export.file_name(f"{words['name']}清洁生产审核简报", f.as_of, "docx"),
        key="ov_docx", type="primary", icon=":material/description:",
        help="一键生成 Word 简报：总体情况、主要指标、计划进度、审核成效、排名、逾期企业和图表。")
    downloads.button(
        ctx, "下载附表（Excel）",
        functools.partial(export.excel_bytes, briefing.excel_sheets(brief),
                          briefing.header_lines(brief)),
        export.file_name(f"{words['name']}清洁生产审核总览", f.as_of, "xlsx"),
        key="ov_xlsx", icon=":material/table_view:",
        help="本页各表（主要指标、年度计划、审核成效、排名、季度、行业、逾期企业、数据问题）。")
if ctx.is_sample:
    st.info("当前为样例数据：企业名称均为虚构，仅供演示。")

# ---- KPI row -------------------------------------------------------------------------------
v = kpis.set_index("key")["value"]
due, done = int(v["due"]), int(v["due_completed"])
notes = {
    "due": f"其中已完成 {fmt.num(done)} 轮" + (f"（{fmt.pct(done / due)}）" if due else ""),
    "overdue": "其中 " + " · ".join(f"{label} {fmt.num(v[f'overdue_{i}'])}"
                                   for i, label in enumerate(OVERDUE_BUCKETS)) + "（家）",
    "reaudit": f"另有 {fmt.num(v['reaudit_soon'])} 家将在{clock.reaudit_warn_days}天内到期",
}
cards = kpi.cards(kpis, ov.KPI_KEYS, notes)
kpi.render_row(cards, per_row=5)
chosen = kpi.list_picker(cards, key="ov_list")
if chosen:
    rows, total, firms = ov.kpi_list(src, scope, f, clock, chosen)
    link = ((SUPERVISION, link_params(st.query_params.to_dict()))
            if Path(__file__).with_name("supervision.py").exists() else None)
    kpi.render_list(next(c for c in cards if c.key == chosen), rows, total, firms, as_of, link)

# ---- 督办事项 (督办台账): the cases in progress and those waiting past their reply deadline ---
today = qc.today()
open_cases = qc.case_list(src, scope, today,  # the sidebar's cities too, as the heading says
                          qc.CaseFilters(cities=f.cities, statuses=rc.OPEN_SHOWN))
overdue_cases = int((open_cases["shown_status"] == rc.OVERDUE).sum())
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**督办事项：在办 {len(open_cases):,} 项，逾期未回复 {overdue_cases:,} 项**",
                help=f"{ind.name('cases_open')}：{ind.help_text('cases_open', ctx.clock, False)}"
                     f"{ind.name('cases_overdue_reply')}："
                     f"{ind.help_text('cases_overdue_reply', ctx.clock)}"
                     f"（今天是 {fmt.cn_date(today)}）")
    with st.popover("查看在办督办事项", icon=":material/list:"):
        if open_cases.empty:
            st.caption("当前没有在办的督办事项。")
        else:
            listed = open_cases.sort_values(["days_overdue", "case_id"], ascending=[False, True])
            st.dataframe(case_table.view(qc.ledger(listed.head(200))), hide_index=True,
                         width="stretch", column_config=case_table.COLUMN_CONFIG)
            st.caption(f"共 {len(listed):,} 项，逾期未回复的在前" +
                       ("；此处显示前 200 项" if len(listed) > 200 else "") + "。")
    if Path(__file__).with_name("cases.py").exists():
        st.page_link("pages/cases.py", label="打开督办台账", icon=":material/assignment_turned_in:")

# ---- plan progress and achievements --------------------------------------------------------
left, right = st.columns(2, gap="large")
with left:
    st.subheader(f"{plan['year']}年度计划进度", help=helps["plan"])
    table = plan["table"]
    if table.empty:
        st.info(safe.text(plan["message"]))
    else:
        row = table.set_index("figure").loc["audits_completed"]
        st.caption(f"《{safe.text(plan['period'])}》 · 目标口径：{safe.text(plan['basis'])} · "
                   f"数据{as_of}")
        if plan["mark"]:
            share = float(row["完成率"])
            st.markdown(f"{row['指标']} **{fmt.num(row['已完成'])} / {fmt.num(row['年度目标'])} "
                        f"{ind.unit('completed_in_year')}**，"
                        f"{ind.name('year_target_rate')} **{fmt.pct(share)}**，"
                        f"时间进度 {fmt.pct(plan['elapsed'])} "
                        f":{PLAN_MARK_COLOURS[plan['mark']]}-badge[{row['状态']}]")
            st.progress(min(share, 1.0))
        else:
            st.info(safe.text(plan["message"] or "本年度未设定完成审核目标。"))
        html_table.show(charts.plan_table(table), "plan")
with right:
    st.subheader("审核成效", help=helps["achievements"])
    st.markdown(briefing.achievement_sentence(achieved))
    html_table.show(charts.achievements_table(achieved), "achievements")
    missing = int(achieved.set_index("key").at["no_figures", "累计"])
    st.caption(f"数据{as_of}" + (f"；另有 {fmt.num(missing)} 项已实施方案未填报任何绩效数据，"
                                 "未计入绩效合计" if missing else ""))

# ---- league, trend, industries, most overdue: one at a time ---------------------------------
# Lazy tabs: only the chosen section is drawn. The first one is a table, so the first screen
# loads no chart renderer (ten officials opening the page at once share two cores).
SECTIONS = [f"各{words['places']}进展排名", "季度完成趋势", "行业分布", "逾期时间最长的企业"]
tabs = st.tabs(SECTIONS, key="ov_section", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        st.subheader(f"各{words['places']}进展排名（每百家列入企业）", help=helps["league"])
        if league.empty:
            st.info("当前范围内没有列入名单的企业。")
        else:
            html_table.show(charts.league_table(league, words["places"]), "league")
            st.caption(f"数据{as_of}。条形：绿为每百家列入企业完成审核的轮次，"
                       "橙为每百家列入企业中的逾期企业数，各自从零起。")
with tabs[1]:
    if tabs[1].open:
        st.subheader("季度完成趋势", help=helps["trend"])
        vega.chart(charts.quarterly_chart, quarters)
with tabs[2]:
    if tabs[2].open:
        st.subheader("行业分布", help=helps["industries"])
        if by_industry.empty:
            st.info("当前范围内没有审核轮次。")
        else:
            vega.chart(charts.industry_chart, by_industry)
with tabs[3]:
    if tabs[3].open:
        st.subheader("逾期时间最长的企业", help=ov.kpi_help(clock, link=True)["overdue"])
        if top_late.empty:
            st.success(f"{as_of}，当前范围内没有逾期企业。")
        else:
            shown = fmt.table(top_late)
            st.dataframe(shown, hide_index=True, width="stretch", column_config=fmt.still_numbers(
                {"逾期天数": st.column_config.NumberColumn(format="%d 天")}, shown))

# ---- what could not be counted -------------------------------------------------------------
if issues.empty:
    st.caption("数据完整性：当前范围内全部审核记录的日期完整，均已计入。")
else:
    n = int(issues["轮次"].sum())
    st.warning(f"有 {fmt.num(n)} 轮审核记录日期不完整或前后矛盾：已按已知的较晚日期推定其进度，"
               "需要缺失日期的统计（如按季度统计）未能计入。原因如下：")
    st.dataframe(issues, hide_index=True)
