"""年度清洁生产审核实施情况报告: the tables, the narrative, the Word report and the Excel workbook.

`report_tables` turns the year's figures (from queries.plan) into the tables the page shows, and
the .docx and .xlsx are written from exactly those tables, so the three always agree. Figures are
as of 31 December of the chosen year (or the as-of date when it is earlier).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import word
from components.export import excel_bytes
from components.fmt import cn_date, num, pct
from rules import indicators as ind

# Column of queries.plan (listed_enterprises, yearly_actuals) -> the registry's indicator. The
# enterprises are those listed by the end of the report year (not every enterprise in the
# register today); the year's events are rounds (轮), as everywhere else.
PROGRESS_IDS = [("listed_enterprises", "listed_by_year_end"), ("listed", "listed_in_year"),
                ("started", "started_in_year"), ("completed", "completed_in_year"),
                ("evaluations_passed", "eval_passed_in_year"),
                ("evaluations_failed", "eval_failed_in_year"),
                ("acceptances", "accepted_in_year"),
                ("acceptances_failed", "accept_failed_in_year")]
PROGRESS = [(col, ind.label(i)) for col, i in PROGRESS_IDS]
# What the report's 指标口径 section defines (from the registry, with the province's clock).
REPORT_INDICATORS = (*(i for _c, i in PROGRESS_IDS), "low_cost_done", "high_cost_done",
                     "investment_wan", "cluster_audits")
DONE = ind.label("completed_in_year")
OPTIONS = [("low_cost_done", "无/低费方案（项）"), ("high_cost_done", "中/高费方案（项）"),
           ("investment", "方案投资（万元）"), ("econ_benefit_wan", "经济效益（万元/年）"),
           ("energy_tce", "节能量（吨标准煤/年）"), ("water_t", "节水量（吨/年）"),
           ("cod_t", "COD减排量（吨/年）"), ("nh3n_t", "氨氮减排量（吨/年）"),
           ("so2_t", "SO₂减排量（吨/年）"), ("nox_t", "NOx减排量（吨/年）"),
           ("vocs_t", "VOCs减排量（吨/年）")]
COUNT_HEADERS = {h for _, h in PROGRESS} | {"无/低费方案（项）", "中/高费方案（项）",
                                            "成员企业（家）", "年度目标", "实际完成"}
TABLE_TITLES = {
    "总体情况": "表1 {year}年清洁生产审核实施总体情况",
    "按市审核进展": "表2 {year}年各市审核进展",
    "按行业审核进展": "表3 {year}年各行业审核进展",
    "按市方案与绩效": "表4 {year}年各市实施方案与绩效",
    "按行业方案与绩效": "表5 {year}年各行业实施方案与绩效",
    "园区和集群整体审核": "表6 {year}年园区和行业整体审核",
    "与实施方案对比": "表7 {year}年度目标完成情况",
}


@dataclass(frozen=True)
class ReportData:
    """The inputs of one year's report (frames as returned by queries.plan)."""

    year: int
    as_of: dt.date  # 31 December of the year, or the as-of date if earlier
    province_name: str
    scope_label: str  # e.g. 江苏省 or 南京市
    actuals: pd.DataFrame  # yearly_actuals for the year (keys + ACTUAL_COLUMNS)
    denominators: pd.DataFrame  # listed_enterprises as of the report date
    cities: pd.DataFrame  # adcode, name of the cities in scope
    industries: pd.DataFrame  # code, name (display order)
    clusters: pd.DataFrame  # cluster_audits of the year
    plan_detail: pd.DataFrame  # target_detail rows of the year (may be empty)
    period_name: str | None  # the plan period the year belongs to
    sample: bool = False
    definitions: tuple[str, ...] = ()  # the 指标口径 lines (rules.indicators.definitions)


def _by(data: ReportData, key: str, names: pd.DataFrame, code: str, label: str
        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = data.actuals.assign(investment=data.actuals["investment_low_wan"]
                            + data.actuals["investment_high_wan"])
    sums = a.groupby(key)[[k for k, _ in PROGRESS[1:]] + [k for k, _ in OPTIONS]].sum()
    ents = data.denominators.groupby(key)["listed_enterprises"].sum()
    frame = names[[code, "name"]].rename(columns={code: key, "name": label})
    frame = frame[frame[key].isin(set(ents.index) | set(sums.index))]
    frame = frame.join(sums, on=key).join(ents, on=key).fillna(0.0).reset_index(drop=True)
    progress = frame[[label] + [k for k, _ in PROGRESS]].rename(columns=dict(PROGRESS))
    options = frame[[label] + [k for k, _ in OPTIONS]].rename(columns=dict(OPTIONS))
    for t in (progress, options):
        totals = t.drop(columns=label).sum()
        t.loc[len(t)] = {label: "合计", **totals.to_dict()}
    return _counts_int(progress), _counts_int(options)


def _counts_int(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c in COUNT_HEADERS:
            out[c] = out[c].round().astype("int64")
        elif c not in ("城市", "行业", "指标", "单位", "名称", "类型", "所在市", "地区",
                       "启动日期", "评估", "验收", "年末状态", "完成率"):
            out[c] = out[c].astype("float64").round(1)
    return out


def _cluster_table(clusters: pd.DataFrame) -> pd.DataFrame:
    def result(d, ok) -> str:
        if pd.isna(d):
            return "—"
        return f"{cn_date(d)} {'通过' if ok is True else '未通过'}"

    rows = []
    for c in clusters.itertuples(index=False):
        rows.append({"名称": c.name, "类型": f"{c.kind}整体审核", "所在市": c.city,
                     "成员企业（家）": int(c.members),
                     "启动日期": "—" if pd.isna(c.start_date) else cn_date(c.start_date),
                     "评估": result(c.evaluation_date, c.evaluation_pass),
                     "验收": result(c.acceptance_date, c.acceptance_pass)})
    return pd.DataFrame(rows, columns=["名称", "类型", "所在市", "成员企业（家）", "启动日期",
                                       "评估", "验收"])


def _plan_table(detail: pd.DataFrame) -> pd.DataFrame:
    out = detail.rename(columns={"目标": "年度目标", "实际": "实际完成"})
    out = out[["地区", "行业", "指标", "单位", "年度目标", "实际完成", "完成率"]].copy()
    whole = out["单位"].isin(("家", "轮"))
    out["年度目标"] = out["年度目标"].astype("float64").round(1)
    out["实际完成"] = out["实际完成"].astype("float64").round(1)
    out["完成率"] = out["完成率"].astype("float64").round(3)
    out.loc[whole, ["年度目标", "实际完成"]] = out.loc[whole, ["年度目标", "实际完成"]].round()
    return out.reset_index(drop=True)


# Cached on the report's data: ~70 ms of pandas that every rerun of the plan page repeated.
@st.cache_data(show_spinner=False, max_entries=16)
def report_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """The report's tables, keyed by short name (see TABLE_TITLES), with Chinese headers."""
    cities = data.cities.rename(columns={"adcode": "code"})
    city_progress, city_options = _by(data, "city_adcode", cities, "code", "城市")
    ind_progress, ind_options = _by(data, "industry_code", data.industries, "code", "行业")
    clusters = _cluster_table(data.clusters)
    p, o = city_progress.iloc[-1], city_options.iloc[-1]
    listed_total = float(data.denominators["listed_enterprises"].sum())
    cl = data.clusters
    summary = [(ind.name(i), listed_total if col == "listed_enterprises" else p[ind.label(i)],
                ind.unit(i)) for col, i in PROGRESS_IDS]
    summary += [
        ("园区和行业整体审核", float(len(cl)), "个"),
        ("整体审核涉及企业", float(cl["members"].sum()) if len(cl) else 0.0, "家"),
        ("当年实施无/低费方案", o["无/低费方案（项）"], "项"),
        ("当年实施中/高费方案", o["中/高费方案（项）"], "项"),
        ("方案投资", o["方案投资（万元）"], "万元"),
        ("经济效益", o["经济效益（万元/年）"], "万元/年"),
        ("节能量", o["节能量（吨标准煤/年）"], "吨标准煤/年"),
        ("节水量", o["节水量（吨/年）"], "吨/年"),
        ("化学需氧量(COD)减排量", o["COD减排量（吨/年）"], "吨/年"),
        ("氨氮减排量", o["氨氮减排量（吨/年）"], "吨/年"),
        ("二氧化硫减排量", o["SO₂减排量（吨/年）"], "吨/年"),
        ("氮氧化物减排量", o["NOx减排量（吨/年）"], "吨/年"),
        ("挥发性有机物(VOCs)减排量", o["VOCs减排量（吨/年）"], "吨/年"),
    ]
    summary_df = pd.DataFrame(summary, columns=["指标", "数值", "单位"])
    summary_df["数值"] = summary_df["数值"].astype("float64").round(1)
    return {"总体情况": summary_df, "按市审核进展": city_progress,
            "按行业审核进展": ind_progress, "按市方案与绩效": city_options,
            "按行业方案与绩效": ind_options, "园区和集群整体审核": clusters,
            "与实施方案对比": _plan_table(data.plan_detail)}


def narrative(data: ReportData, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Paragraphs of the report, written from the figures."""
    s = dict(zip(tables["总体情况"]["指标"], tables["总体情况"]["数值"]))
    y = data.year
    n = {col: num(s[ind.name(i)]) for col, i in PROGRESS_IDS}
    paras = [
        f"截至{cn_date(data.as_of)}，{data.scope_label}累计列入强制性清洁生产审核名单企业"
        f"{n['listed_enterprises']}家。{y}年新列入名单{n['listed']}轮，启动审核{n['started']}轮，"
        f"完成审核{n['completed']}轮；通过评估{n['evaluations_passed']}轮、评估未通过"
        f"{n['evaluations_failed']}轮，通过验收{n['acceptances']}轮、验收未通过"
        f"{n['acceptances_failed']}轮。",
    ]
    if s["园区和行业整体审核"]:
        paras.append(f"开展园区和行业整体审核{num(s['园区和行业整体审核'])}个，涉及企业"
                     f"{num(s['整体审核涉及企业'])}家，通过的整体审核按每家成员企业各完成一次审核计。")
    else:
        paras.append(f"{y}年未开展园区和行业整体审核。")
    paras.append(
        f"{y}年企业实施无/低费方案{num(s['当年实施无/低费方案'])}项、中/高费方案"
        f"{num(s['当年实施中/高费方案'])}项，完成投资{num(s['方案投资'], 1)}万元，新增经济效益"
        f"{num(s['经济效益'], 1)}万元/年；形成节能能力{num(s['节能量'], 1)}吨标准煤/年，"
        f"节水{num(s['节水量'], 1)}吨/年，削减化学需氧量{num(s['化学需氧量(COD)减排量'], 1)}吨/年、"
        f"氨氮{num(s['氨氮减排量'], 1)}吨/年、二氧化硫{num(s['二氧化硫减排量'], 1)}吨/年、"
        f"氮氧化物{num(s['氮氧化物减排量'], 1)}吨/年、挥发性有机物"
        f"{num(s['挥发性有机物(VOCs)减排量'], 1)}吨/年。")
    cities = tables["按市审核进展"].iloc[:-1]
    if len(cities) > 1 and cities[DONE].sum() > 0:
        top = cities.sort_values([DONE, "城市"], ascending=[False, True]).head(3)
        listed = "、".join(f"{r['城市']}（{num(r[DONE])}轮）"
                           for _, r in top.iterrows() if r[DONE] > 0)
        paras.append(f"从地区看，完成审核较多的是{listed}。")
    inds = tables["按行业审核进展"].iloc[:-1]
    if inds[DONE].sum() > 0:
        top = inds.sort_values([DONE, "行业"], ascending=[False, True]).head(3)
        listed = "、".join(f"{r['行业']}（{num(r[DONE])}轮）"
                           for _, r in top.iterrows() if r[DONE] > 0)
        paras.append(f"从行业看，完成审核较多的是{listed}。")
    plan = tables["与实施方案对比"]
    if data.period_name is None:
        paras.append(f"{y}年不在已录入的实施方案期内，本报告不作目标对比。")
    elif plan.empty:
        paras.append(f"《{data.period_name}》未设定{y}年度目标，本报告不作目标对比。")
    else:
        met = plan[plan["实际完成"] >= plan["年度目标"]]
        short = plan[plan["实际完成"] < plan["年度目标"]]
        text = (f"对照《{data.period_name}》{y}年度目标，共{len(plan)}项目标，已完成{len(met)}项，"
                f"未完成{len(short)}项。")
        if len(short):
            # Region totals first, then the furthest behind, the largest targets first.
            order = short.assign(_ind=short["行业"] != "全部行业", _neg=-short["年度目标"])
            worst = order.sort_values(["_ind", "完成率", "_neg"]).head(5)
            text += "未完成的主要有：" + "；".join(
                f"{r['地区']}{'' if r['行业'] == '全部行业' else r['行业']}{r['指标']}目标"
                f"{num(r['年度目标'], 0 if r['单位'] in ('家', '轮') else 1)}{r['单位']}、实际"
                f"{num(r['实际完成'], 0 if r['单位'] in ('家', '轮') else 1)}{r['单位']}"
                f"（完成率{pct(r['完成率'])}）" for _, r in worst.iterrows()) + "。"
        paras.append(text)
    return paras


def _formatted(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Cells as text for Word: counts without decimals, amounts with one, rates as percent."""
    out = df.copy().astype(object)
    for c in df.columns:
        if c == "完成率":
            out[c] = df[c].map(pct)
        elif c in COUNT_HEADERS:
            out[c] = df[c].map(lambda v: num(v, 0))
        elif c == "数值":
            out[c] = [num(v, 0 if u in ("家", "轮", "个", "项") else 1)
                      for v, u in zip(df[c], df["单位"])]
        elif pd.api.types.is_numeric_dtype(df[c]):
            out[c] = df[c].map(lambda v: num(v, 1))
    return out


def title(data: ReportData) -> str:
    return f"{data.scope_label}{data.year}年度清洁生产审核实施情况报告"


def docx_bytes(data: ReportData, tables: dict[str, pd.DataFrame]) -> bytes:
    """The Word report: title, narrative, the tables and two charts."""
    from components import chart_images  # matplotlib loads only when a report is made
    doc = word.new_document(title(data), f"（数据截至{cn_date(data.as_of)}）", data.sample,
                            landscape=True)
    word.heading(doc, "一、总体情况")
    paras = narrative(data, tables)
    for p in paras[:2]:
        word.paragraph(doc, p)
    word.heading(doc, "二、实施方案与绩效")
    for p in paras[2:-1]:
        word.paragraph(doc, p)
    word.heading(doc, "三、与实施方案目标对比")
    word.paragraph(doc, paras[-1])
    if data.definitions:
        word.heading(doc, "四、指标口径")
        for n, line in enumerate(data.definitions, start=1):
            word.paragraph(doc, f"{n}. {line}", indent=False)
    word.heading(doc, "五、统计表" if data.definitions else "四、统计表")
    for key, df in tables.items():
        word.heading(doc, TABLE_TITLES[key].format(year=data.year), level=2)
        if df.empty:
            word.paragraph(doc, "（本年度无此类数据。）", indent=False)
            continue
        word.table(doc, _formatted(key, df))
        if key == "按市审核进展" and len(df) > 2:
            body = df.iloc[:-1]
            word.image(doc, chart_images.bar_png(
                list(body["城市"]), [float(v) for v in body[DONE]],
                f"{data.year}年各市完成审核轮次", "轮"),
                caption=f"图1 {data.year}年各市完成审核轮次")
    return word.to_bytes(doc)


def xlsx_bytes(data: ReportData, tables: dict[str, pd.DataFrame]) -> bytes:
    """The workbook: one sheet per table, each headed by the title, scope and date."""
    head = [title(data), f"统计范围：{data.scope_label}",
            f"数据截至：{cn_date(data.as_of)}" + ("（样例数据）" if data.sample else "")]
    sheets = {"说明": pd.DataFrame({"报告正文": narrative(data, tables)})}
    if data.definitions:
        sheets["指标口径"] = pd.DataFrame({"指标口径": list(data.definitions)})
    sheets.update(tables)
    return excel_bytes(sheets, head)
