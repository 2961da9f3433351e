"""专家库: the provincial expert pool against demand, 记分考核 with the threshold that suspends,
workload against the cap, rotation, conflicts of interest, the annual training plan; one expert
per deep link ?expert=<编号>. Thresholds: rules/expert_rules.toml."""

import streamlit as st

from components import downloads, export, fmt, safe
from components import people_tables as pt
from components.context import get_context
from components.filters import link_params
from queries import experts as qx
from rules import experts as xr

ctx = get_context()
as_of = ctx.filters.as_of
st.title("专家库")
st.caption(f"{safe.text(ctx.area_name)} · 评估验收专家 · 数据截至 {fmt.cn_date(as_of)}"
           + (" · 样例数据" if ctx.is_sample else ""))
rules = pt.expert_rules_or_stop(ctx)
if ctx.is_sample:
    st.info("样例数据：专家姓名、单位和联系方式均为虚构。")
province = ctx.scope.level == "province"
if not province:
    st.caption("本页显示参与过本辖区评审或工作地在本市的专家；评审、工作量、轮换和回避只统计本辖区"
               "的评审；其他城市显示为“外市”。手机号和身份证号已脱敏（仅省级用户可见完整号码）。")

pool = qx.pool(ctx.source, ctx.scope)
scored = qx.scores(pool, qx.deductions(ctx.source, ctx.scope), as_of, rules)
seats = qx.seats(ctx.source, ctx.scope, ctx.filters)
names = dict(zip(pool["expert_id"], pool["name"]))
found = qx.findings(ctx.source, ctx.scope, ctx.filters, rules)
load, conflicts, rotation = found["workload"], found["conflicts"], found["rotation"]
reviews = load.set_index("expert_id")["reviews"] if len(load) else {}
params = dict(st.query_params)
firms_map = dict(zip(seats["consultancy_id"].dropna().astype(int),
                     seats.loc[seats["consultancy_id"].notna(), "consultancy_name"]))

code = (st.query_params.get("expert") or "").strip()
if code:
    st.page_link("pages/experts.py", label="返回专家库", icon=":material/arrow_back:",
                 query_params=link_params(params))
    problem = qx.expert_id_problem(code)
    rec = None if problem else qx.record(scored, int(code))
    if problem:
        st.error(safe.text(problem))
    elif rec is None:
        st.error(qx.NOT_FOUND.format(code=safe.short(code)))
        if qx.exists_anywhere(ctx.source, int(code)) and st.session_state.get(
                "exp_denied") != code:  # once per link, not per rerun
            st.session_state["exp_denied"] = code
            ctx.log("denied", "拒绝", target=f"专家{code}", detail="专家链接指向辖区外的专家")
    else:
        st.header(safe.text(rec["name"]))
        st.caption(safe.text(f"{rec['industry']}行业 · "
                             f"{fmt.or_dash(rec['organisation'], '单位未登记')} · "
                             f"{fmt.or_dash(rec['title'], '职称未登记')} · "
                             f"{fmt.or_dash(rec['city'], '城市未登记')} · "
                             f"入库 {fmt.cn_date(rec['admitted_date'])} · {rec['status']}"))
        mine = seats[seats["expert_id"] == rec["expert_id"]]
        k = st.columns(4)
        k[0].metric("剩余分", f"{rec['remaining']} 分",
                    help=f"{as_of.year}年基础分 {rules.score_base} 分减去本年扣分；"
                         f"≤ {rules.suspend_at} 分应暂停评审。")
        k[1].metric("记分状态", rec["score_state"])
        k[2].metric(f"{as_of.year}年评审", f"{int(reviews.get(rec['expert_id'], 0))} 场",
                    help=f"上限 {rules.workload_cap} 场/年")
        k[3].metric("累计评审" if province else "本辖区累计评审", f"{len(mine):,} 场")
        if fmt.or_dash(rec["status_note"], ""):
            st.warning(safe.text(rec["status_note"]))
        st.caption(safe.text(f"手机号 {rec['phone']} · 身份证号 {rec['id_number']}"))
        st.subheader("评审记录")
        if mine.empty:
            st.caption("截至该日期本辖区内无评审记录。")
        else:
            flags = dict(zip(conflicts["assignment_id"], conflicts["conflict"]))
            st.dataframe(pt.seat_table(mine, flags), hide_index=True, width="stretch")
        st.subheader("记分考核扣分")
        own = qx.deductions(ctx.source, ctx.scope)
        own = own[(own["expert_id"] == rec["expert_id"]) & (own["event_date"] <= as_of)]
        if own.empty:
            st.caption("截至该日期无扣分记录。")
        else:
            st.dataframe(pt.deduction_table(own, names).drop(columns="专家"), hide_index=True,
                         width="stretch")
    st.stop()

# -- the pool -----------------------------------------------------------------------------------
active = scored[scored["status"] == "在库"]
crossed = scored[scored["score_state"] == xr.SCORE_CROSSED]
k = st.columns(6)
k[0].metric("在库专家", f"{len(active):,} 名")
k[1].metric("暂停 / 退出", f"{(scored['status'] == '暂停').sum()} / "
                         f"{(scored['status'] == '退出').sum()} 名")
k[2].metric("已达暂停线", f"{len(crossed)} 名",
            help=f"剩余分 ≤ {rules.suspend_at} 分；其中仍在库 "
                 f"{int(scored['status_note'].notna().sum())} 名")
k[3].metric(f"{as_of.year}年超工作量", f"{int((load['over_cap'] > 0).sum())} 名",
            help=f"每年评审上限 {rules.workload_cap} 场")
k[4].metric("需回避的评审", f"{len(conflicts):,} 席次")
k[5].metric("轮换提示", f"{len(rotation):,} 对",
            help=f"近 {rules.rotation_months} 个月评审同一咨询机构的项目达 "
                 f"{rules.rotation_count} 次及以上")
for note in scored["status_note"].dropna().unique():
    n = int((scored["status_note"] == note).sum())
    st.warning(f"{n} 名专家{note}（见“记分考核”）。")

TABS = ["专家名单", "供需", "记分考核", "工作量与轮换", "回避", "培训"]
t_list, t_demand, t_score, t_load, t_conflict, t_train = st.tabs(
    TABS, key="exp_section", on_change="rerun")

with t_list:
    if t_list.open:
        c1, c2 = st.columns(2)
        statuses = c1.multiselect("状态", ["在库", "暂停", "退出"], key="exp_status",
                                  placeholder="全部状态")
        inds = c2.multiselect("专业行业", sorted(scored["industry"].unique()),
                              key="exp_industry", placeholder="全部行业")
        shown = scored
        if statuses:
            shown = shown[shown["status"].isin(statuses)]
        if inds:
            shown = shown[shown["industry"].isin(inds)]
        links = [pt.link(params, "experts", "expert", i) for i in shown["expert_id"]]
        st.dataframe(pt.pool_table(shown, reviews, links, contact=True), hide_index=True,
                     width="stretch", column_config={"详情": st.column_config.LinkColumn(
                         "详情", display_text="查看", width="small")})
        st.caption(f"共 {len(shown):,} 名。剩余分 = {as_of.year}年基础分 {rules.score_base} 分 − "
                   f"本年截至 {fmt.cn_date(as_of)} 的扣分；≤ {rules.suspend_at} 分为已达暂停线，"
                   f"≤ {rules.suspend_at + rules.warn_margin} 分为接近暂停线。"
                   + ("" if province else "手机号、身份证号已脱敏。"))

with t_demand:
    if t_demand.open:
        st.subheader("专家供需（按行业）")
        st.dataframe(pt.demand_table(qx.demand(seats, pool, as_of, rules), rules),
                     hide_index=True, width="stretch")
        st.caption(f"需求按近 {rules.demand_months} 个月本辖区的评估、验收评审计（园区整体审核不分"
                   f"行业，不计入）；每名在库专家年均席次超过每年评审上限 {rules.workload_cap} 场"
                   "或无在库专家的行业为“紧缺”。")

with t_score:
    if t_score.open:
        st.subheader("记分考核")
        st.caption(f"每年基础分 {rules.score_base} 分，因过错扣分；剩余分 ≤ {rules.suspend_at} 分"
                   "应暂停评审（规则见 rules/expert_rules.toml）。")
        watch = scored[scored["score_state"] != xr.SCORE_OK]
        if watch.empty:
            st.success("没有达到或接近暂停线的专家。")
        else:
            st.dataframe(pt.score_table(watch), hide_index=True, width="stretch")
        year_d = qx.deductions(ctx.source, ctx.scope)
        year_d = year_d[(year_d["event_date"] <= as_of)
                        & (year_d["event_date"].map(lambda d: d.year) == as_of.year)]
        st.markdown(f"**{as_of.year}年扣分记录**（{len(year_d)} 次，共 "
                    f"{int(year_d['points'].sum())} 分）")
        st.dataframe(pt.deduction_table(year_d, names), hide_index=True, width="stretch")

with t_load:
    if t_load.open:
        st.subheader(f"{as_of.year}年工作量")
        st.dataframe(pt.workload_table(load, names, rules).head(30), hide_index=True,
                     width="stretch")
        st.caption(f"评审场次最多的 30 名；评估、验收各计一场；上限 {rules.workload_cap} 场/年。")
        st.subheader("轮换提示")
        if rotation.empty:
            st.success("没有需要轮换的专家。")
        else:
            st.dataframe(pt.rotation_table(rotation, names, firms_map), hide_index=True,
                         width="stretch")
        st.caption(f"同一专家近 {rules.rotation_months} 个月内评审同一咨询机构编制的审核报告达 "
                   f"{rules.rotation_count} 次及以上。")

with t_conflict:
    if t_conflict.open:
        st.subheader("回避")
        rule_words = "；本省规定评审本人所在城市的企业也须回避" if rules.conflict_own_city else ""
        st.caption("专家的工作单位是被评审企业，或是编制审核报告的咨询机构，应回避" + rule_words
                   + "。")
        if conflicts.empty:
            st.success("未发现应回避而未回避的评审。")
        else:
            st.dataframe(pt.conflict_table(conflicts), hide_index=True, width="stretch")

with t_train:
    if t_train.open:
        st.subheader("年度培训计划与完成情况")
        years = [y for y in qx.training_years(ctx.source) if y <= as_of.year]
        if not years:
            st.caption("尚无培训计划。")
        else:
            year = st.selectbox("年度", years[::-1], key="exp_train_year",
                                format_func=lambda y: f"{y}年")
            plan, held = qx.training(ctx.source, ctx.scope, int(year), as_of)
            st.dataframe(pt.training_table(plan, held), hide_index=True, width="stretch")
            st.caption(f"计划为全省年度培训计划；已举办按截至 {fmt.cn_date(as_of)} 统计"
                       + ("" if province else "，含省级举办和本市举办的培训") + "。")
            st.dataframe(pt.session_table(held), hide_index=True, width="stretch")

# Excel: every table; phone and ID numbers only in the province's copy (个人信息保护法).
def sheets() -> dict:
    return {
        "专家名单": pt.pool_table(scored, reviews, None, contact=province),
        "供需": pt.demand_table(qx.demand(seats, pool, as_of, rules), rules),
        "记分考核": pt.score_table(scored[scored["score_state"] != xr.SCORE_OK]),
        "工作量": pt.workload_table(load, names, rules),
        "轮换提示": pt.rotation_table(rotation, names, firms_map),
        "回避": pt.conflict_table(conflicts),
        f"{as_of.year}年培训计划": pt.training_table(*qx.training(ctx.source, ctx.scope,
                                                              as_of.year, as_of)),
        f"{as_of.year}年培训场次": pt.session_table(qx.training(ctx.source, ctx.scope,
                                                             as_of.year, as_of)[1]),
    }


downloads.button(
    ctx, "下载专家库（Excel）",
    lambda: export.excel_bytes(sheets(), [f"{ctx.area_name}清洁生产审核专家库",
                                          f"数据截至 {fmt.cn_date(as_of)}"]
                               + (["样例数据（虚构，仅供演示）"] if ctx.is_sample else [])),
    export.file_name(f"{ctx.area_name}专家库", as_of, "xlsx"),
    key="exp_excel", icon=":material/table_view:")
