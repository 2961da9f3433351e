"""园区详情: one park as one unit for the review of its cluster audit (deep link ?park=<id>)."""

import streamlit as st

from components import downloads, fmt, park_pack, safe
from components import park_charts as pc
from components.context import get_context
from components.filters import park_id_of
from queries import parks
from rules import indicators as ind
from rules.park_rules import standing

ctx = get_context()
ss = st.session_state
as_of = ctx.filters.as_of
st.title("园区详情")
st.caption(f"{safe.text(ctx.area_name)} · 园区整体审核评审 · 数据截至 {fmt.cn_date(as_of)}"
           + (" · 样例数据" if ctx.is_sample else ""))

# Which park: a pick on this page; else the one park of the shared park filter (a link
# ?park=<id> sets that filter); else a link to a park the shared filter does not offer (a park
# without member enterprises in scope).
unfiltered = parks.without_park_filter(ctx.filters)  # peers and choices ignore the park filter
choices = parks.parks(ctx.source, ctx.scope, unfiltered)
names = dict(zip(choices["park_id"], choices["name"]))
link = str(ss.get("f_link_params", {}).get("park", "")).strip()
link_id = park_id_of(link)
chosen, chosen_under = ss.get("park_chosen", (None, None))
if chosen in names and chosen_under == ctx.filters.parks:
    current = chosen
elif len(ctx.filters.parks) == 1 and ctx.filters.parks[0] in names:
    current = ctx.filters.parks[0]
elif link_id in names and chosen_under is None:
    current = link_id
else:
    current = None


def _pick() -> None:
    """A pick here holds until the shared park filter changes."""
    ss["park_chosen"] = (ss.get("park_pick"), tuple(ss.get("f_park") or ()))


if ss.get("park_pick") != current:
    ss["park_pick"] = current
st.selectbox("园区", list(names), index=None, format_func=names.get, key="park_pick",
             on_change=_pick, placeholder="请选择园区",
             help="也可通过链接 ?park=园区编号 直接打开某个园区。")
if current is not None and st.query_params.get("park") != str(current):
    st.query_params["park"] = str(current)  # the view's link names its park

if current is None:
    if link and chosen_under is None and "," not in link:
        found = parks.park_detail(ctx.source, ctx.scope, link_id) if link_id else None
        if link_id is None:
            st.error(f"链接中的园区编号“{safe.short(link)}”无效：园区编号应为数字。"
                     "请从上方列表选择园区。")
        elif found is None:
            st.error(f"未找到编号为 {link_id} 的园区，或该园区不在您的查看权限范围内。"
                     "请从上方列表选择园区。")
        else:
            st.warning(f"园区“{safe.text(found['name'])}”位于{safe.text(found['city'])}，"
                       "不在左侧所选城市范围内。请调整左侧城市筛选，或从上方列表选择园区。")
    elif not names:
        st.info("当前筛选范围内没有园区。")
    else:
        st.info("请选择一个园区，查看其成员企业、整体审核、方案与历年情况。")
    st.stop()

park = parks.park_detail(ctx.source, ctx.scope, current)
if park is None:  # the shared filter only offers parks in scope; kept for safety
    st.error("未找到该园区，或该园区不在您的查看权限范围内。")
    st.stop()

card_all = parks.scorecard(ctx.source, ctx.scope, unfiltered, ctx.clock)
card = card_all[card_all["park_id"] == current].iloc[0]
members = parks.park_members(ctx.source, ctx.scope, ctx.filters, ctx.clock, current)
clusters, member_rounds = parks.park_clusters(ctx.source, ctx.scope, ctx.filters, ctx.clock,
                                              current)
cats = parks.option_categories(ctx.source, ctx.scope, ctx.filters, current)
problems = parks.problems(ctx.source, ctx.scope, ctx.filters, ctx.clock, current)
history = parks.history(ctx.source, ctx.scope, ctx.filters, ctx.clock, current)
issues = parks.membership_issues(ctx.source, ctx.scope, unfiltered)
issues = issues[issues["park_id"] == current]

st.header(safe.text(park["name"]))
st.markdown(f"**{safe.text(park['level'])} · {safe.text(park['park_type'])}** · "
            f"{safe.text(park['city'])}{safe.text(park['county'])} · 园区编号 {current}")

k = st.columns(5)
k[0].metric("成员企业", f"{int(card['enterprises'])} 家")
k[1].metric(ind.name("park_audited"), f"{int(card['audited_enterprises'])} 家",
            help=ind.help_text("park_audited", ctx.clock))
k[2].metric(ind.name("park_audit_rate"), fmt.pct(card["audit_rate"]),
            help=ind.help_text("park_audit_rate", ctx.clock))
k[3].metric("逾期轮次", f"{int(card['overdue_rounds'])} 轮")
k[4].metric("实施投资（万元）", fmt.num(card["investment_wan"], 1),
            help="截至数据日已实施方案的投资合计。")
st.caption(f"以上数字截至 {fmt.cn_date(as_of)}。"
           f"节能量 {fmt.num(card['energy_tce'], 1)} 吨标准煤/年，"
           f"COD减排量 {fmt.num(card['cod_t'], 2)} 吨/年。"
           f"行业构成：{safe.text(card['industries'] or '无')}。")

st.subheader("园区边界与成员企业")
outsiders = issues[issues["issue"] == parks.ISSUE_INSIDE]
if not park.get("boundary"):
    st.warning("本园区未录入边界数据：地图只显示成员企业位置，无法核对成员登记。")
st.pydeck_chart(pc.park_deck(park, members, outsiders,
                             parks.county_outline(park["county_adcode"])),
                height=520, key="park_map")
st.markdown(pc.legend_html(), unsafe_allow_html=True)
if not issues.empty:
    st.warning(f"成员登记核对发现 {len(issues)} 家企业需核实：")
    st.dataframe(pc.issues_table(issues, with_park=False), hide_index=True, width="stretch")

st.subheader("园区整体审核")
if clusters.empty:
    st.info("本园区尚无园区整体审核记录。")
else:
    st.dataframe(pc.clusters_table(clusters), hide_index=True, width="stretch")
    firms = clusters.dropna(subset=["consultancy_id"]).drop_duplicates("consultancy_id")
    for firm in firms.itertuples():  # the firm's page: its figures within the jurisdiction
        st.page_link("pages/consultancies.py", label=f"查看咨询机构“{safe.text(firm.consultancy)}”",
                     icon=":material/business_center:",
                     query_params={"consultancy": str(int(firm.consultancy_id)),
                                   "asof": as_of.isoformat()})
    st.caption("通过的园区整体审核计为每家成员企业一轮审核（以评估或验收通过为准，按本省审核完成口径）。"
               "以下为各成员企业在整体审核中的审核轮次：")
    st.dataframe(pc.member_rounds_table(member_rounds, clusters), hide_index=True,
                 width="stretch")

st.subheader("成员企业审核状态")
if members.empty:
    st.info("本园区暂无登记成员企业。")
else:
    st.dataframe(pc.members_table(members), hide_index=True, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("常见方案类别")
    if cats.empty:
        st.info("成员企业暂无审核方案。")
    else:
        st.altair_chart(pc.category_chart(cats), width="stretch")
        st.dataframe(pc.categories_table(cats), hide_index=True, width="stretch")
with right:
    st.subheader("共性问题")
    if problems.empty:
        st.success("成员企业未发现逾期、未通过或处罚等问题。")
    else:
        st.dataframe(pc.problems_table(problems), hide_index=True, width="stretch")
    if not members.empty:
        st.altair_chart(pc.industry_chart(members), width="stretch")

st.subheader("历年情况")
if history.empty:
    st.info("暂无历年审核记录。")
else:
    st.altair_chart(pc.history_chart(history), width="stretch")
    st.dataframe(pc.history_table(history), hide_index=True, width="stretch")

st.subheader("与同类园区比较")
same = card_all[card_all["park_type"] == park["park_type"]]
place = standing(same, current)
st.caption(f"与当前范围内 {len(same)} 个{safe.text(park['park_type'])}比较，"
           "指标均按成员企业数归一。")
st.dataframe(park_pack.standing_table(place, park["park_type"]), hide_index=True,
             width="stretch")

st.subheader("评审材料")
pack = park_pack.PackData(park=park, card=card, standing=place, clusters=clusters,
                          member_rounds=member_rounds, members=members, categories=cats,
                          problems=problems, history=history, issues=issues, as_of=as_of,
                          province=ctx.area_name, sample=ctx.is_sample)
st.caption("评审材料含园区概况、整体审核、成员企业状态、方案与绩效、共性问题、历年情况、"
           "同类园区比较和成员登记核对，点击下载时生成。")
downloads.button(ctx, "下载园区评审材料（Word）", lambda: park_pack.review_pack(pack),
                 f"{park['name']}_评审材料_截至{as_of:%Y%m%d}.docx",
                 key="park_docx", icon=":material/description:")
