"""审核进度与督办: the watch list, the progress funnel, overdue ageing and every audit round
against the statutory clock, as of the sidebar's date."""


import streamlit as st

from components import downloads, export, fmt, safe
from components.context import get_context
from components.funnel import funnel_chart
from queries import cases as qc
from queries import inventory
from queries import supervision as sv
from queries.meta import region_names
from rules import cases as rc
from rules import indicators as ind
from rules.roles import SUPERVISE
from rules.vocab import AUDIT_MODES, LISTING_REASONS

ctx = get_context()
as_of = ctx.filters.as_of
st.title("审核进度与督办")
st.caption(f"{safe.text(ctx.area_name)} · 按法定时限（名单公布之日起算）计算 · "
           f"数据截至 {fmt.cn_date(as_of)}",
           help=sv.CLOCK_HELP if ctx.clock.extend_on_rest_days else None)
if ctx.is_sample:
    st.info("样例数据：企业名称均为虚构，仅供演示。")
for problem in inventory.clock_problems(ctx.source, ctx.clock):
    st.warning(problem)



def open_case_from(row):
    """A case for one watch-list row with the defaults (the row's reason, the nearest
    authority as addressee, the default reply deadline); its id, or None with the reason
    shown."""
    today = qc.today()
    kind, addressee = rc.addressee_choices(ctx.scope.level, row["城市"], row["区县"],
                                           row["企业名称"])[0]
    due = row["应完成/到期日期"]
    try:
        return qc.open_case(
            ctx.source.engine, ctx.viewer, uscc=row["统一社会信用代码"], category=row["类别"],
            reason=row["事由"], addressee_kind=kind, addressee=addressee,
            reply_due=rc.default_reply_due(today, rc.CaseRules.from_env()), today=today,
            issuer=rc.issuer_name(ctx.scope.level, ctx.area_name),
            item_due=fmt.as_date(due),
            days_late=int(row["逾期天数"]))
    except rc.CaseError as exc:
        st.error(safe.text(str(exc)))
        return None


counties = sv.county_choices(ctx.source, ctx.scope, ctx.filters, ctx.clock)
# A county left over from another city filter is dropped rather than breaking the widget.
st.session_state.sup_county = [c for c in st.session_state.get("sup_county", []) if c in counties]
left, middle, right = st.columns(3)
left.multiselect("区县", list(counties), format_func=counties.get, key="sup_county",
                 placeholder="全部区县")
middle.multiselect("列入原因", list(LISTING_REASONS), key="sup_reason", placeholder="全部原因")
right.multiselect("审核方式", list(AUDIT_MODES), key="sup_mode", placeholder="全部方式")
page_filters = sv.PageFilters(tuple(st.session_state.sup_county),
                              tuple(st.session_state.sup_reason),
                              tuple(st.session_state.sup_mode))

rounds = sv.status(ctx.source, ctx.scope, ctx.filters, ctx.clock, page_filters)
watch = sv.watch(ctx.source, ctx.scope, ctx.filters, ctx.clock, page_filters)
numbers = sv.kpis(rounds, watch)
for col, (label, value) in zip(st.columns(len(numbers)), numbers.items()):
    i = sv.KPI_IDS[label]  # names, units and help from the registry (rules/indicators.py)
    col.metric(label, f"{value:,} {ind.unit(i)}", help=ind.help_text(i, ctx.clock))

# Lazy tabs: only the chosen section runs and is sent (the funnel reads the option totals,
# the rounds table sorts every round); the watch list opens first.
TABS = ["督办清单", "审核进度", "审核轮次与逾期"]
tab_watch, tab_funnel, tab_rounds = st.tabs(TABS, key="sup_section", on_change="rerun")

with tab_watch:
    if tab_watch.open:
        st.subheader(f"督办清单（截至 {fmt.cn_date(as_of)}）")
        counts = sv.category_counts(watch)
        # A category kept from another filter choice that has no items now is dropped.
        st.session_state.sup_watch_kinds = [
            k for k in st.session_state.get("sup_watch_kinds", []) if k in counts]
        kinds = st.pills("事项类别", list(counts), selection_mode="multi", key="sup_watch_kinds",
                         persist_state="page",
                         format_func=lambda c: f"{c} {counts[c]:,}",
                         help="不选即显示全部类别；导出的 Excel 与表格一致。")
        listed = watch[watch["类别"].isin(kinds)] if kinds else watch
        if listed.empty:
            st.success(f"截至 {fmt.cn_date(as_of)}，当前范围内没有需要督办的事项。")
        else:
            # Which items already have a case in progress (督办台账).
            open_cases = qc.open_items(ctx.source, ctx.scope)
            case_of = {(u, c): int(i) for u, c, i in zip(
                open_cases["uscc"], open_cases["category"], open_cases["case_id"])}
            shown = listed.head(sv.WATCH_SHOWN)
            shown = shown.copy()
            shown.insert(1, "督办", [f"在办（编号 {case_of[k]}）" if k in case_of else "未立案"
                                   for k in zip(shown["统一社会信用代码"], shown["类别"])])
            more = (f"；此处显示前 {len(shown):,} 项，完整清单请下载 Excel"
                    if len(shown) < len(listed) else "")
            st.caption(f"共 {len(listed):,} 项，按紧急程度排序（{' → '.join(sv.CATEGORIES)}）"
                       f"{more}。勾选一行可打开该企业档案或登记督办事项。")
            picked = st.dataframe(
                fmt.table(shown), hide_index=True, width="stretch", key="sup_watch_pick",
                on_select="rerun", selection_mode="single-row",
                column_config={
                    # the name stays in view when the wide list is scrolled sideways
                    "企业名称": st.column_config.TextColumn("企业名称", pinned=True),
                    "档案": st.column_config.LinkColumn("档案", display_text="查看档案"),
                    "逾期天数": st.column_config.NumberColumn("逾期天数", format="%d 天")})
            rows = picked.selection.rows if picked else []
            if rows and rows[0] < len(shown):
                row = shown.iloc[rows[0]]
                st.page_link("pages/enterprise.py",
                             label=f"打开“{safe.text(row['企业名称'])}”的企业档案",
                             icon=":material/factory:",
                             query_params={"uscc": row["统一社会信用代码"],
                                           "asof": as_of.isoformat()})
                key = (row["统一社会信用代码"], row["类别"])
                if key in case_of:
                    st.page_link("pages/cases.py",
                                 label=f"打开在办的督办事项（编号 {case_of[key]}）",
                                 icon=":material/assignment_turned_in:",
                                 query_params={"case": str(case_of[key])})
                elif ctx.viewer.may(SUPERVISE):
                    left_btn, right_link = st.columns([1, 2])
                    if left_btn.button("登记督办事项", key="sup_case_open", type="primary",
                                       icon=":material/assignment_add:",
                                       help="以督办清单中的事由、默认主送单位和默认回复期限登记，"
                                            "登记后可在督办台账中修改并发出。"):
                        case_id = open_case_from(row)
                        if case_id is not None:
                            st.switch_page("pages/cases.py",
                                           query_params={"case": str(case_id)})
                    right_link.page_link("pages/cases.py",
                                         label=f"为“{safe.text(row['企业名称'])}”填写后登记"
                                               "（可改事由、主送、期限）",
                                         icon=":material/edit_note:",
                                         query_params={"new": row["统一社会信用代码"],
                                                       "cat": row["类别"]})
        header = sv.watch_header(
            ctx.area_name, as_of,
            sv.filter_text(ctx.area_name, ctx.filters, page_filters,
                           region_names(ctx.source))
            + (f"；事项类别 {'、'.join(kinds)}" if kinds else ""),
            len(listed))
        downloads.button(
            ctx, f"下载督办清单（Excel，截至 {fmt.cn_date(as_of)}）",
            lambda: export.excel_bytes({"督办清单": listed.drop(columns="档案")}, header),
            export.file_name(f"{ctx.area_name}督办清单", as_of, "xlsx"),
            key="sup_watch_xlsx", icon=":material/table_view:")

with tab_funnel:
    if tab_funnel.open:
        st.subheader("审核进度漏斗")
        by = st.radio("分组", ["year", "batch"], key="sup_funnel_by", horizontal=True,
                      persist_state="page",
                      format_func={"year": "按列入年份", "batch": "按名单批次"}.get)
        table = sv.funnel_table(rounds, sv.option_totals(ctx.source, ctx.scope, ctx.filters),
                                sv.batches(ctx.source), by)
        groups = list(table["分组"])
        group = st.selectbox("显示", groups, index=len(groups) - 1, key=f"sup_funnel_{by}",
                             persist_state="page")
        row = table.loc[table["分组"] == group].iloc[0]
        st.altair_chart(funnel_chart(sv.funnel_steps(row),
                                     f"{group} · 审核轮次（家次），截至 {fmt.cn_date(as_of)}"),
                        width="stretch")
        st.caption("单位：审核轮次（家次）。评估、验收按结论分为通过（绿）与未通过（红）；"
                   "中/高费方案实施完成：评估通过后其中/高费方案均已实施，或已进入验收。")
        st.dataframe(table, hide_index=True, width="stretch")

with tab_rounds:
    if tab_rounds.open:
        st.subheader("逾期账龄")
        ageing = sv.ageing(rounds)
        for col, r in zip(st.columns(len(ageing)), ageing.itertuples()):
            col.metric(f"逾期 {r.逾期时长}", f"{r.轮次:,} 轮")
        st.subheader("审核轮次")
        pages = max(1, -(-len(rounds) // sv.TABLE_PAGE_SIZE))
        st.session_state.sup_page = min(st.session_state.get("sup_page", 1), pages)
        page_no = st.columns([1, 4])[0].number_input("页码", min_value=1, max_value=pages, step=1,
                                                     key="sup_page", persist_state="page")
        table, total = sv.rounds_table(rounds, as_of, int(page_no))
        st.caption(f"共 {total:,} 轮，按逾期天数从多到少排序；每页 {sv.TABLE_PAGE_SIZE} 轮，"
                   f"第 {int(page_no)}/{pages} 页。应完成日期遇法定休假日已依法顺延，原期限见"
                   f"“期限说明”。")
        note = sv.calendar_note(rounds)
        if note:
            st.caption(note)
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"档案": st.column_config.LinkColumn("档案",
                                                                      display_text="查看档案"),
                                    "逾期天数": st.column_config.NumberColumn("逾期天数",
                                                                          format="%d 天")})
