"""企业档案: find an enterprise (name, USCC or permit number) and see its whole record as of the
sidebar's date; deep link ?uscc=…; a one-page Word sheet for a site visit."""

import pandas as pd
import streamlit as st

from components import case_table, downloads, export, fmt, safe
from components.context import get_context
from components.record_sheet import permit_rows, profile_rows, record_sheet_docx, rounds_rows
from components.timeline import milestone_notes, milestone_table, timeline_chart
from queries import cases as qc
from queries import enterprise as en
from rules.roles import SUPERVISE
from rules.vocab import OUTCOME_COLUMNS

ctx = get_context()
as_of = ctx.filters.as_of
st.title("企业档案")
st.caption(f"{safe.text(ctx.area_name)} · 数据截至 {fmt.cn_date(as_of)}")
if ctx.is_sample:
    st.info("样例数据：企业名称均为虚构，统一社会信用代码与排污许可证编号仅满足校验规则。")


def choose(code: str) -> None:
    st.query_params["uscc"] = code


query = st.text_input("搜索企业", key="ent_query",
                      placeholder="输入企业名称、统一社会信用代码或排污许可证编号（至少2个字符）")
if query.strip():
    found = en.search(ctx.source, ctx.scope, query)
    if len(query.strip()) < 2:
        st.warning("请至少输入2个字符。")
    elif found.empty:
        st.warning(f"未在您的管辖范围内找到与“{safe.short(query.strip())}”匹配的企业。")
    else:
        st.caption(f"找到 {len(found)} 家企业" + ("（仅显示前50家，请输入更完整的名称或代码）"
                                              if len(found) >= en.SEARCH_LIMIT else ""))
        labels = dict(zip(found["uscc"], found["name"] + "（" + found["city"] + found["county"]
                          + "，" + found["uscc"] + "）"))
        pick = st.selectbox("选择企业", list(labels), index=None, format_func=labels.get,
                            key="ent_pick", placeholder="请选择")
        if pick and pick != st.query_params.get("uscc"):
            choose(pick)

code = (st.query_params.get("uscc") or "").strip()
problem = en.link_problem(code) if code else None
rec = en.record(ctx.source, ctx.scope, code, as_of, ctx.clock) if code and not problem else None

if not code:
    st.info("请在上方搜索企业，或从“审核进度与督办”页的督办清单进入企业档案。")
elif problem:
    st.error(safe.text(problem))
elif rec is None:
    st.error(en.NOT_FOUND.format(code=safe.short(code.upper())))
    if en.outside_scope(ctx.source, ctx.scope, code) and \
            st.session_state.get("ent_denied") != code:  # once per link, not per rerun
        st.session_state["ent_denied"] = code
        ctx.log("denied", "拒绝", target=code.upper()[:18], detail="企业档案链接指向辖区外的企业")
else:
    p = rec["profile"]
    st.header(safe.text(p["name"]))
    st.caption(safe.text(f"统一社会信用代码 {p['uscc']} · {p['city']} {p['county']} · "
                         f"{p['industry']}行业 · {p['park'] or '园区外'} · "
                         f"数据截至 {fmt.cn_date(as_of)}"))
    rounds = rec["rounds"]
    latest = rounds.sort_values("round_no").iloc[-1] if not rounds.empty else None
    credit = rec["credit"]
    m1, m2, m3, m4 = st.columns([1, 1.2, 0.9, 1.4])  # room for a level and a written-out date
    m1.metric("当前审核状态" if latest is None else f"当前审核状态（第{latest['round_no']}轮）",
              "未列入名单" if latest is None else safe.text(latest["stage_label"]))
    m2.metric("清洁生产水平", safe.text(rec["cp_level"] or "尚未通过验收"))
    m3.metric("环境信用等级", safe.text(credit.iloc[0]["grade"]) if len(credit) else "无评价",
              help=f"{int(credit.iloc[0]['year'])}年度评价" if len(credit) else None)
    due = rec["next_due"]
    days_past = (as_of - due).days if due is not None and not pd.isna(due) else 0
    m4.metric("下一步期限", fmt.cn_date(due),
              delta=f"已逾期 {days_past} 天" if days_past > 0 else None,
              delta_color="red", delta_arrow="off",
              help="法定期限的最后一日遇法定休假日（含周六、周日）的，顺延至休假日后的第一个工作日"
                   "（民法典第二百零三条）；顺延前的原期限见各轮的“期限说明”。")
    late = latest is not None and (latest["days_overdue"] > 0 or "逾期" in rec["next_text"]
                                   or rec["reaudit_state"] in ("soon", "lapsed"))
    (st.warning if late else st.info)(safe.text(rec["next_text"]))

    downloads.button(
        ctx, "下载企业档案一页纸（Word）",
        lambda: record_sheet_docx(rec, ctx.area_name, ctx.is_sample),  # on click
        export.file_name(f"企业档案_{p['name']}", as_of, "docx"),
        key="ent_sheet", icon=":material/description:")

    st.subheader("督办事项")
    own = qc.case_list(ctx.source, ctx.scope, qc.today(), qc.CaseFilters(uscc=p["uscc"]))
    if own.empty:
        st.caption("该企业没有督办事项。")
    else:
        st.dataframe(case_table.view(qc.ledger(own), drop=case_table.ENTERPRISE_KNOWN),
                     hide_index=True, width="stretch", column_config=case_table.COLUMN_CONFIG)
    if ctx.viewer.may(SUPERVISE):
        st.page_link("pages/cases.py", label="为该企业登记督办事项",
                     icon=":material/assignment_add:", query_params={"new": p["uscc"]})

    left, right = st.columns([2, 3])
    with left:
        st.subheader("基本情况")
        profile = profile_rows(rec)
        st.dataframe(profile, hide_index=True, width="stretch", height=35 * (len(profile) + 1) + 3)
    with right:
        st.subheader("排污许可证")
        if rec["permits"].empty:
            st.caption("无排污许可证或登记记录。")
        else:
            st.dataframe(permit_rows(rec["permits"]), hide_index=True, width="stretch")
        st.subheader("环境信用与行政处罚")
        if len(credit):
            st.dataframe(credit.rename(columns={"year": "年度", "grade": "信用等级",
                                                "colour": "颜色"}),
                         hide_index=True, width="stretch")
        pen = rec["penalties"]
        if pen.empty:
            st.caption("截至该日期无行政处罚记录。")
        else:
            st.dataframe(pen.assign(
                decision_date=pen["decision_date"].astype(str),
                amount_yuan=pen["amount_yuan"].map(lambda v: fmt.with_unit(v, "元")),
                published_credit_china=pen["published_credit_china"].map(
                    {True: "已公示", False: "未公示"}),
                round_no=pen["round_no"].map(lambda v: "—" if v != v or v is None
                                             else f"第{int(v)}轮"))
                .rename(columns={"decision_date": "决定日期", "kind": "违法类型",
                                 "amount_yuan": "罚款", "authority": "处罚机关",
                                 "published_credit_china": "信用中国", "description": "说明",
                                 "round_no": "相关轮次"}),
                hide_index=True, width="stretch")

    st.subheader("审核轮次")
    if rounds.empty:
        st.caption("截至该日期未列入清洁生产审核名单。")
    else:
        st.dataframe(rounds_rows(rounds), hide_index=True, width="stretch",
                     column_config={"轮次": st.column_config.TextColumn("轮次", pinned=True)})
        if rec["calendar_note"]:
            st.caption(rec["calendar_note"])
    panels = rec["panels"]
    for r in rounds.sort_values("round_no", ascending=False).itertuples():
        with st.expander(safe.text(f"第{r.round_no}轮（{r.batch}，{r.listing_reason}，"
                                   f"{r.audit_mode}）：{r.stage_label}"),
                         expanded=r.round_no == latest["round_no"]):
            cluster, issue = fmt.or_dash(r.cluster, ""), fmt.or_dash(r.data_issue, "")
            st.caption(safe.text(f"咨询机构：{fmt.or_dash(r.consultancy)}"
                                 + (f" · 所属整体审核：{cluster}" if cluster else "")
                                 + (f" · 数据问题：{issue}" if issue else "")))
            # the firm's page (咨询机构): pass rates, other clients in scope
            if fmt.or_dash(r.consultancy, ""):
                st.page_link("pages/consultancies.py",
                             label=f"查看咨询机构“{safe.text(r.consultancy)}”",
                             icon=":material/business_center:",
                             query_params={"consultancy": str(int(r.consultancy_id)),
                                           "asof": as_of.isoformat()})
            ms = rec["milestones"][rec["milestones"]["audit_id"] == r.audit_id]
            chart_col, table_col = st.columns([1, 1])
            chart_col.altair_chart(timeline_chart(ms, "节点日期与法定期限"), width="stretch")
            table_col.dataframe(milestone_table(ms), hide_index=True, width="stretch")
            moved = milestone_notes(ms)
            if moved:
                table_col.caption(moved)
            mine = panels[(panels["audit_id"] == r.audit_id)
                          | (panels["cluster_id"].notna() & (panels["cluster_id"] == r.cluster_id))]
            if mine.empty:
                st.caption("无评审专家组记录。")
            else:
                st.markdown("**评审专家组**")
                shown = mine.assign(link=[f"experts?asof={as_of.isoformat()}&expert={int(i)}"
                                          for i in mine["expert_id"]])
                st.dataframe(shown[["stage", "role", "name", "title", "organisation", "link"]]
                             .rename(columns={"stage": "环节", "role": "角色", "name": "专家",
                                              "title": "职称", "organisation": "单位",
                                              "link": "专家库"}),
                             hide_index=True, width="stretch",
                             column_config={"专家库": st.column_config.LinkColumn(
                                 "专家库", display_text="查看", width="small")})

    st.subheader("方案与绩效")
    totals = rec["totals"]
    t1, t2, t3, t4, t5 = st.columns(5)
    t1.metric("已实施方案（项）", f"{totals['implemented']} / {totals['options']}")
    t2.metric("已实施方案投资（万元）", fmt.num(totals["investment_wan"], 1))
    t3.metric("节能量（吨标准煤/年）", fmt.num(totals["energy_tce"], 1))
    t4.metric("节水量（吨/年）", fmt.num(totals["water_t"], 0))
    t5.metric("COD减排量（吨/年）", fmt.num(totals["cod_t"], 2))
    options = rec["options"]
    if options.empty:
        st.caption("无审核方案记录。")
    else:
        round_of = dict(zip(rounds["audit_id"], rounds["round_no"]))
        shown = options.assign(
            轮次=options["audit_id"].map(lambda a: f"第{round_of[a]}轮"),
            implemented_date=options["implemented_date"])
        names = {"title": "方案", "cost_class": "费用类别", "category": "类别",
                 "status_as_of": "实施状态", "investment_wan": "投资（万元）",
                 "implemented_date": "实施完成日期"}
        names |= {c: f"{label}（{unit}）" for c, label, unit in OUTCOME_COLUMNS
                  if options[c].notna().any()}
        keep = ["轮次", *names]
        st.dataframe(fmt.table(shown[keep].rename(columns=names)), hide_index=True,
                     width="stretch")
        st.caption(f"实施状态按 {fmt.cn_date(as_of)} 计：此后完成的方案显示为“尚未实施”，"
                   "不计入绩效。")
