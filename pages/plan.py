"""计划对标与年报: targets of a plan period against what was done, the projection to the end of
the period, the way to the target import (数据导入, kind 计划目标), and the annual implementation
report."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import annual_report, downloads, fmt, plan_charts, safe, vega
from components.context import get_context
from components.export import excel_bytes, file_name
from components.filters import link_params
from components.fmt import cn_date, num, pct
from queries import plan
from queries.scope import Filters
from rules import indicators as ind
from rules.plan_projection import cumulative_curve, year_end
from rules.plan_status import PLAN_MARK_HELP, plan_year
from rules.roles import IMPORT

ctx = get_context()
f, src, scope = ctx.filters, ctx.source, ctx.scope
RATE = ind.name("period_target_rate")  # not 完成率 alone: the overview ranks by another figure
province = ctx.meta.get("province_adcode", "")
st.title("计划对标与年报")
st.caption(f"{safe.text(ctx.area_name)} · 数据截至 {cn_date(f.as_of)} · "
           "各年实际数按当年12月31日（或截至日期，取较早者）统计 · "
           "统计范围随左侧城市、行业、园区筛选变化")
if ctx.is_sample:
    st.info("当前为样例数据：企业名称均为虚构，计划目标为演示用。")

periods = plan.plan_periods(src)
if periods.empty:
    st.warning("数据库中还没有规划期（实施方案）。请先录入规划期，再导入计划目标。")
    st.stop()

# ---- choices: plan period, region drill, plan figure ------------------------------------------
period_names = dict(zip(periods["period_id"].astype(int), periods["name"]))
default = plan_year(periods, f.as_of, f.period_id)
default_id = f.period_id or (default.period_id if default else int(periods["period_id"].iloc[-1]))
if st.session_state.get("plan_period") not in period_names:
    st.session_state["plan_period"] = default_id
regions = plan.scope_regions(src, scope)
names = dict(zip(regions["adcode"], regions["name"]))
cities = regions[regions["level"] == "市"]
if f.cities:
    cities = cities[cities["adcode"].isin(f.cities)]

c1, c2, c3, c4 = st.columns([2, 1.4, 1.4, 1.6])
period_id = c1.selectbox("规划期", list(period_names), key="plan_period",
                         format_func=period_names.get)
p = periods[periods["period_id"] == period_id].iloc[0]
start, end = int(p["start_year"]), int(p["end_year"])
# The whole province is a choice only when no city is chosen in the sidebar: otherwise its
# figures would be the chosen cities' under the province's name.
city_opts = ([""] if scope.level == "province" and not f.cities else []) + list(cities["adcode"])
if st.session_state.get("plan_city") not in city_opts:
    st.session_state["plan_city"] = city_opts[0] if city_opts else ""
city = c2.selectbox("地区下钻：市", city_opts, key="plan_city",
                    format_func=lambda c: names.get(c, f"全省（{ctx.province_name}）"))
counties = regions[(regions["level"] == "区县") & (regions["parent_adcode"] == city)]
county_opts = [""] + list(counties["adcode"]) if city else [""]
if st.session_state.get("plan_county") not in county_opts:
    st.session_state["plan_county"] = ""
county = c3.selectbox("区县", county_opts, key="plan_county", disabled=not city,
                      format_func=lambda c: names.get(c, "全市" if city else "—"))
metric = c4.selectbox("对标指标", list(plan.METRICS), key="plan_metric",
                      format_func=lambda m: plan.METRICS[m][1])
_col, metric_name, unit_word, whole = plan.METRICS[metric]
digits = 0 if whole else 1

# ---- figures ------------------------------------------------------------------------------------
targets = plan.targets(src, scope, f, period_id)
actuals = plan.yearly_actuals(src, scope, f, ctx.clock, start, end)
denominators = plan.listed_enterprises(src, scope, f)
if county:
    unit, unit_name = ("区县", county), names[county]
    parks = plan.scope_parks(src, scope, f)
    children = [("园区", str(r.park_id), r.name)
                for r in parks[parks["county_adcode"] == county].itertuples()]
    child_word = "园区"
elif city:
    unit, unit_name = ("市", city), names[city]
    children = [("区县", r.adcode, r.name) for r in counties.itertuples()]
    child_word = "区县"
else:
    unit, unit_name = ("省", province), ctx.province_name
    children = [("市", r.adcode, r.name) for r in cities.itertuples()]
    child_word = "市"
ind_names = plan.industries(src)
if f.industries:
    ind_names = ind_names[ind_names["code"].isin(f.industries)]
ind_names = dict(zip(ind_names["code"], ind_names["name"]))

# ---- three jobs, one at a time: only the chosen tab runs ------------------------------------
# Lazy tabs: comparing with the plan, the annual report and the target import are separate
# tasks; computing all three on every visit made this the slowest page.
TABS = ["计划对标", "年度实施情况报告"] + (["导入计划目标"] if ctx.viewer.may(IMPORT) else [])
compare_tab, report_tab, *rest = st.tabs(TABS, key="plan_section", on_change="rerun")
import_tab = rest[0] if rest else None
with compare_tab:
    if compare_tab.open:
        head = plan.scoreboard([(*unit, unit_name)], targets, actuals, denominators, province,
                               f.industries, metric, start, end, f.as_of).iloc[0]
        share = plan.elapsed(start, end, f.as_of)
        st.subheader(safe.text(f"{unit_name} · {period_names[period_id]} · {metric_name}"))
        k = st.columns(5)
        k[0].metric(f"期内目标（{unit_word}）", num(head[f"期内目标（{unit_word}）"], digits))
        k[1].metric(f"实际完成（{unit_word}）", num(head[f"实际完成（{unit_word}）"], digits),
                    help=f"{start}年1月1日至{cn_date(year_end(end, f.as_of))}。"
                    + (ind.help_text("period_completed", ctx.clock) if whole else ind.LINK))
        k[2].metric(RATE, pct(head["完成率"]),
                    help=f"时间进度 {pct(share)}。" + ind.help_text("period_target_rate",
                                                                 ctx.clock))
        k[3].metric(f"{ind.name('period_projection')}（{unit_word}）",
                    num(head[f"预计期末（{unit_word}）"], digits),
                    help=ind.help_text("period_projection", ctx.clock))
        k[4].metric("进度判断", head["状态"], help=PLAN_MARK_HELP.replace("全年", "规划期"))

        left, right = st.columns(2)
        with left:
            t_by_year, a_by_year = plan.curve_inputs(targets, actuals, unit, province, f.industries,
                                                     metric, start, end)
            curve = cumulative_curve(start, end, f.as_of, t_by_year, a_by_year)
            vega.chart(plan_charts.cumulative_chart, curve, unit_word,
                       f"{unit_name}{metric_name}：累计计划与实际")
        board = plan.scoreboard(children, targets, actuals, denominators, province, f.industries,
                                metric, start, end, f.as_of)
        with right:
            if len(board) and board["完成率"].notna().any():
                vega.chart(plan_charts.completion_chart, board, share,
                           f"各{child_word}{RATE}（虚线为时间进度 {pct(share)}）",
                           height=max(240, 30 * len(board) + 110))
            else:
                st.info(f"{safe.text(unit_name)}下辖各{child_word}未设定{metric_name}目标，右表只列实际完成数。")

        SHOWN = ["地区", f"期内目标（{unit_word}）", f"截至当年目标（{unit_word}）",
                 f"实际完成（{unit_word}）", "完成率", f"预计期末（{unit_word}）",
                 f"预计缺口（{unit_word}）", "状态", "列入企业数（家）",
                 f"每百家列入企业{metric_name}（{unit_word}）",
                 f"每百家列入企业目标（{unit_word}）"]
        fmt_num = "%.0f" if whole else "%.1f"
        config = {c: st.column_config.NumberColumn(c, format=fmt_num) for c in SHOWN[1:]
                  if c not in ("完成率", "状态")}
        config.update({c: st.column_config.NumberColumn(c, format="%.1f") for c in SHOWN
                       if c.startswith("每百家")})
        config["列入企业数（家）"] = st.column_config.NumberColumn("列入企业数（家）", format="%d")
        # figures with a gap (no target) are shown as text, "—" in the gap; shares as 87.5%
        places = {c: 1 if c.startswith("每百家") else 0 if c.endswith("（家）") else digits
                  for c in SHOWN}

        st.subheader(f"各{child_word}对标")
        if child_word == "园区":
            st.caption("计划目标按省、市、区县设定，园区没有单独目标：园区一行只列实际完成数。")
        if board.empty:
            st.info(f"{safe.text(unit_name)}没有下辖{child_word}。")
        else:
            shown = fmt.table(board[SHOWN], digits=places,
                              percent=("完成率",))
            st.dataframe(shown, hide_index=True, width="stretch", key="plan_board",
                         column_config=fmt.still_numbers(config, shown)
                         | {"完成率": st.column_config.TextColumn(RATE)})

        st.subheader(f"{safe.text(unit_name)}各行业对标")
        ind_board = plan.scoreboard([(*unit, n, (c,)) for c, n in ind_names.items()], targets,
                                    actuals, denominators, province, (), metric, start, end,
                                    f.as_of)
        ind_board = ind_board.rename(columns={"地区": "行业"})
        ind_board = ind_board[(ind_board[f"实际完成（{unit_word}）"] > 0)
                              | ind_board[f"期内目标（{unit_word}）"].notna()
                              | (ind_board["列入企业数（家）"] > 0)]
        shown = fmt.table(ind_board[["行业", *SHOWN[1:]]], digits=places,
                          percent=("完成率",))
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config=fmt.still_numbers(config, shown)
                         | {"完成率": st.column_config.TextColumn(RATE)}, key="plan_ind_board")

        st.subheader("形成缺口的地区和行业")
        drivers = plan.shortfall_drivers(children or [(*unit, unit_name)], ind_names, targets,
                                         actuals, metric, start, end, f.as_of)
        if drivers.empty:
            st.success(f"按当前进度，{safe.text(unit_name)}各{child_word}各行业的{metric_name}目标均可在规划期末完成"
                       "（或未设定分行业目标）。")
        else:
            vega.chart(plan_charts.shortfall_chart, drivers, unit_word,
                       f"按当前进度规划期末的{metric_name}缺口",
                       height=max(200, 30 * len(drivers) + 80))

        st.subheader("年度目标与实际明细")
        detail = plan.target_detail(targets, actuals)
        st.caption("每个目标一行：全部行业的目标对应该地区所有行业的实际数。")
        if detail.empty:
            st.info("本规划期还没有录入计划目标：可在「导入计划目标」页签前往数据导入。")
        else:
            shown = fmt.table(detail, digits={"目标": 1, "实际": 1}, percent=("完成率",))
            st.dataframe(shown, hide_index=True, width="stretch", key="plan_detail",
                         column_config=fmt.still_numbers(
                             {"目标": st.column_config.NumberColumn(format="%.1f"),
                              "实际": st.column_config.NumberColumn(format="%.1f")}, shown))
            detail_sheets = {"年度目标与实际": detail,
                             f"各{child_word}对标": board[SHOWN] if len(board) else board}
            detail_head = [f"{ctx.area_name}计划对标明细", f"规划期：{period_names[period_id]}",
                           f"数据截至：{cn_date(f.as_of)}"]
            downloads.button(ctx, "下载对标明细（Excel）",
                             lambda: excel_bytes(detail_sheets, detail_head),  # on click
                             file_name(f"{ctx.area_name}计划对标_{period_names[period_id]}",
                                       f.as_of, "xlsx"),
                             key="plan_detail_xlsx", icon=":material/table_view:")

# ---- target import: one path for every kind of record, on 数据导入 ----------------------------
if import_tab is not None:  # only roles that may import see this tab
    with import_tab:
        if import_tab.open:
            st.markdown(
                "计划目标在「数据导入」页导入，与其他数据同一流程：下载模板（可含本辖区已有的目标，"
                "改好再传），上传后先预览新增和修改的每一项，确认后一次写入，导入记录中可以撤销。"
                "每行一项 **规划期 × 年度 × 地区 × 行业** 的目标；空白单元格保留已有目标，"
                "填写（清空）才取消该项目标。")
            st.page_link("pages/intake.py", label="前往数据导入（计划目标）",
                         icon=":material/upload_file:",
                         query_params={**link_params(dict(st.query_params)), "kind": "targets"})

# ---- annual report ------------------------------------------------------------------------------
with report_tab:
    if report_tab.open:
        st.header("年度清洁生产审核实施情况报告")
        years = sorted({y for y in range(int(periods["start_year"].min()), f.as_of.year + 1)})
        if not years:
            st.info("截至日期之前没有可报告的年度。")
            st.stop()
        if st.session_state.get("plan_report_year") not in years:
            st.session_state["plan_report_year"] = (f.as_of.year - 1 if f.as_of.year - 1 in years
                                                    else years[-1])
        year = st.selectbox("报告年度", years, key="plan_report_year",
                            format_func=lambda y: f"{y}年", persist_state="page")
        report_as_of = year_end(year, f.as_of)
        year_filters = Filters(cities=f.cities, industries=f.industries, parks=f.parks,
                                    as_of=report_as_of)
        py = plan_year(periods, dt.date(year, 12, 31), period_id)
        # A year of the period is already counted above (events of a year are dated within it).
        year_actuals = (actuals[actuals["year"] == year].reset_index(drop=True)
                        if start <= year <= end else
                        plan.yearly_actuals(src, scope, f, ctx.clock, year, year))
        year_targets = (plan.targets(src, scope, f, py.period_id) if py else targets.iloc[:0])
        year_targets = year_targets[year_targets["year"] == year]
        all_inds = plan.industries(src)
        data = annual_report.ReportData(
            year=year, as_of=report_as_of, province_name=ctx.province_name,
            scope_label=ctx.area_name,
            actuals=year_actuals, denominators=plan.listed_enterprises(src, scope, year_filters),
            cities=regions[regions["level"] == "市"][["adcode", "name"]],
            industries=all_inds[all_inds["code"].isin(ind_names)][["code", "name"]],
            clusters=plan.cluster_audits(src, scope, f, year),
            plan_detail=plan.target_detail(year_targets, year_actuals),
            period_name=py.period_name if py else None, sample=ctx.is_sample,
            definitions=tuple(ind.definitions(annual_report.REPORT_INDICATORS, ctx.clock)))
        tables = annual_report.report_tables(data)
        st.caption(f"{safe.text(annual_report.title(data))} · 数据截至 {cn_date(report_as_of)}")
        for para in annual_report.narrative(data, tables):
            st.markdown(safe.text(para))
        tabs = st.tabs(list(tables))
        for tab, (key, df) in zip(tabs, tables.items()):
            with tab:
                st.markdown(f"**{annual_report.TABLE_TITLES[key].format(year=year)}**")
                if df.empty:
                    st.info("本年度无此类数据。")
                else:
                    # figures with thousands separators (4,500), shares as percentages
                    shown = fmt.table(df, percent=("完成率",) if "完成率" in df else ())
                    config = {c: st.column_config.NumberColumn(format="localized")
                              for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])}
                    st.dataframe(shown, hide_index=True, width="stretch",
                                 key=f"plan_report_{key}", column_config=config)
        files_key = (year, src.version, f, scope)
        files = st.session_state.get("plan_report_files")
        if files is None or files[0] != files_key:
            files = None
            if st.button("生成年度报告（Word 和 Excel）", key="plan_report_make",
                         icon=":material/description:"):
                # a few seconds of work: say which step is running
                with st.status("正在生成年度报告……", expanded=True) as progress:
                    st.write("第 1 步，共 2 步：正文、图表和附表（Word）")
                    docx = annual_report.docx_bytes(data, tables)
                    st.write("第 2 步，共 2 步：数据表（Excel）")
                    xlsx = annual_report.xlsx_bytes(data, tables)
                    progress.update(label="年度报告已生成，请下载", state="complete",
                                    expanded=False)
                files = (files_key, docx, xlsx)
                st.session_state["plan_report_files"] = files
        if files is not None:
            d1, d2 = st.columns(2)
            downloads.button(ctx, "下载年度报告（Word）", files[1],
                             file_name(annual_report.title(data), report_as_of, "docx"),
                             key="plan_report_docx", icon=":material/download:", where=d1)
            downloads.button(ctx, "下载年度报告数据（Excel）", files[2],
                             file_name(annual_report.title(data), report_as_of, "xlsx"),
                             key="plan_report_xlsx", icon=":material/table_view:", where=d2)
