"""The leadership briefing (领导简报): a Word file written from the overview's figures, and the
Excel workbook of the tables behind the page.

Pure: `BriefingData` carries what queries/overview.py returned; `narrative` writes the text in
Chinese official style, `build_docx` the document (components/word.py + chart_images.py),
`excel_sheets` the workbook's tables. Nothing here queries the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from components import fmt, word
from components.overview_charts import LEAGUE_HEADINGS
from rules import indicators as ind
from rules.plan_status import PLAN_MARK_HELP

TITLE = "强制性清洁生产审核工作简报"
KPI_ORDER = ("listed", "due", "due_completed", "started", "reported", "eval_passed",
             "eval_failed", "accepted", "overdue", "overdue_0", "overdue_1", "overdue_2",
             "reaudit", "reaudit_soon")
SUB_LABELS = {"due_completed": "其中：已完成", "overdue_0": "其中：逾期0–30天",
              "overdue_1": "其中：逾期31–90天", "overdue_2": "其中：逾期90天以上",
              "reaudit_soon": "再审核即将到期"}


@dataclass(frozen=True)
class BriefingData:
    scope_name: str          # what the view covers, e.g. 江苏省 / 南京市（化工行业）
    area: str                # how the narrative names it, e.g. 全省
    places: str              # 城市 or 区县: what the league compares
    as_of: dt.date
    sample: bool
    kpis: pd.DataFrame       # queries.overview.kpis
    plan: dict               # queries.overview.plan_progress
    achievements: pd.DataFrame
    league: pd.DataFrame
    quarterly: pd.DataFrame
    industries: pd.DataFrame  # queries.overview.industry_table (wide)
    most_overdue: pd.DataFrame
    issues: pd.DataFrame
    definitions: dict[str, str] = field(default_factory=dict)

    def value(self, key: str) -> int:
        return int(self.kpis.set_index("key").at[key, "value"])

    def change(self, key: str) -> int:
        return int(self.kpis.set_index("key").at[key, "change"])


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

def _n(x) -> str:
    return fmt.num(x)


def _amount(x) -> str:
    """Totals: one decimal, without a trailing .0 for whole numbers of tonnes or 万元."""
    return fmt.num(x, 0) if float(x).is_integer() else fmt.num(x, 1)


def big(x: float, unit: str) -> str:
    """Narrative amounts: 3,981,701.4 万元 -> 398.17亿元; 74,211,478.8 吨/年 -> 7,421.1万吨/年."""
    x = float(x)
    if unit.startswith("万元") and x >= 10_000:
        return f"{fmt.num(x / 10_000, 2)}亿{unit.removeprefix('万')}"
    if x >= 100_000 and not unit.startswith("万"):
        return f"{fmt.num(x / 10_000, 1)}万{unit}"
    return f"{_amount(x)}{unit}"


def change_words(change: int, unit: str) -> str:
    """较去年同期增加3家 / 减少2家 / 持平."""
    if change > 0:
        return f"较去年同期增加{_n(change)}{unit}"
    if change < 0:
        return f"较去年同期减少{_n(-change)}{unit}"
    return "与去年同期持平"


def concentration(league: pd.DataFrame, places: str, top: int = 3) -> str:
    """主要集中在南京市（3家）、苏州市（2家）: the places with most overdue enterprises."""
    late = league[league["逾期企业"] > 0].sort_values(["逾期企业", "排名"],
                                                    ascending=[False, True])
    if late.empty:
        return ""
    parts = [f"{r.地区}（{_n(r.逾期企业)}家）" for r in late.head(top).itertuples()]
    more = "等地" if len(late) > top else ""
    return f"主要集中在{'、'.join(parts)}{more}"


def narrative(d: BriefingData) -> list[str]:
    """The briefing's paragraphs: overall situation, this year, overdue, plan, achievements."""
    v, c = d.value, d.change
    date = fmt.cn_date(d.as_of)
    paras = [
        f"截至{date}，{d.area}共有{_n(v('listed'))}家企业列入强制性清洁生产审核名单"
        f"（{change_words(c('listed'), '家')}），累计开展审核{_n(v('rounds'))}轮。其中，"
        f"已启动审核{_n(v('started'))}轮，已提交审核报告{_n(v('reported'))}轮，"
        f"评估通过{_n(v('eval_passed'))}轮、评估未通过{_n(v('eval_failed'))}轮，"
        f"验收通过{_n(v('accepted'))}轮。"
    ]
    due, done = v("due"), v("due_completed")
    year = d.as_of.year
    if due:
        this_year = (f"{year}年到期审核{_n(due)}轮（审核报告应在{year}年内提交），其中已完成"
                     f"{_n(done)}轮（{fmt.pct(done / due)}）")
    else:
        this_year = f"{year}年无到期审核的轮次"
    late = v("overdue")
    if late:
        where = concentration(d.league, d.places)
        over90 = v("overdue_2")
        late_text = (f"逾期企业{_n(late)}家（{change_words(c('overdue'), '家')}），"
                     f"其中逾期90天以上{_n(over90)}家" + (f"，{where}" if where else "") + "。")
    else:
        late_text = "无逾期企业。"
    lapsed, soon = v("reaudit"), v("reaudit_soon")
    if lapsed or soon:
        late_text += (f"再审核逾期企业{_n(lapsed)}家（{change_words(c('reaudit'), '家')}）"
                      if lapsed else "无再审核逾期企业")
        late_text += f"，另有{_n(soon)}家再审核即将到期。" if soon else "。"
    paras.append(f"{this_year}；{late_text}")
    paras.append(plan_sentence(d.plan))
    paras.append(achievement_sentence(d.achievements))
    return [p for p in paras if p]


def plan_sentence(plan: dict) -> str:
    t = plan.get("table")
    if t is None or t.empty:
        return plan.get("message") or ""
    row = plan["table"].set_index("figure").loc["audits_completed"]
    year = plan["year"]
    if pd.isna(row["年度目标"]):
        return (f"按《{plan['period']}》，{year}年度未设定完成审核目标，"
                f"{year}年完成审核{_n(row['已完成'])}轮。")
    return (f"按《{plan['period']}》，{year}年度计划完成审核{_n(row['年度目标'])}轮"
            f"（{plan['basis']}），{year}年完成审核{_n(row['已完成'])}轮，年度目标完成率"
            f"{fmt.pct(row['完成率'])}，"
            f"时间进度{fmt.pct(plan['elapsed'])}，{row['状态']}。")


def achievement_sentence(ach: pd.DataFrame) -> str:
    a = ach.set_index("key")["累计"]
    total = a["low"] + a["high"]
    if total == 0:
        return "截至目前，尚无已实施的清洁生产方案。"
    units = ach.set_index("key")["单位"]
    parts = [f"累计实施清洁生产方案{_n(total)}项，其中无/低费方案{_n(a['low'])}项、"
             f"中/高费方案{_n(a['high'])}项，完成投资{big(a['investment_wan'], '万元')}"]
    verbs = {"econ_benefit_wan": "实现经济效益", "energy_tce": "节能", "water_t": "节水"}
    for key, verb in verbs.items():
        if a[key]:
            parts.append(f"{verb}{big(a[key], units[key])}")
    cuts = []
    labels = ach.set_index("key")["指标"]
    for key in ("cod_t", "nh3n_t", "so2_t", "nox_t", "vocs_t"):
        if a[key]:
            name = labels[key].removesuffix("减排量")
            cuts.append(f"{name}{big(a[key], units[key])}")
    if cuts:
        parts.append("削减" + "、".join(cuts))
    return "，".join(parts) + "。"


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def kpi_table(d: BriefingData) -> pd.DataFrame:
    """指标（单位）, 截至日期, 去年同期, 增减 — text cells."""
    rows = d.kpis.set_index("key")
    out = []
    for k in KPI_ORDER:
        r = rows.loc[k]
        label = f"{SUB_LABELS.get(k, r['label'])}（{r['unit']}）"
        out.append({"指标": label, "本期": _n(r["value"]), "去年同期": _n(r["last_year"]),
                    "增减": fmt.signed(r["change"])})
    return pd.DataFrame(out).rename(columns={"本期": f"截至{fmt.cn_date(d.as_of)}"})


def plan_table(plan: dict) -> pd.DataFrame:
    t = plan.get("table")
    if t is None or t.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "指标": t["指标"], "年度目标（轮）": t["年度目标"].map(_n),
        "完成（轮）": t["已完成"].map(_n), ind.name("year_target_rate"): t["完成率"].map(fmt.pct),
        "状态": t["状态"]})


def achievement_table(ach: pd.DataFrame) -> pd.DataFrame:
    rows = ach[ach["key"] != "no_figures"]
    return pd.DataFrame({"指标": rows["指标"], "单位": rows["单位"],
                         "本年": rows["本年"].map(_amount), "累计": rows["累计"].map(_amount)})


def league_table(league: pd.DataFrame, places: str) -> pd.DataFrame:
    t = league.drop(columns="adcode").rename(columns={"地区": places, **LEAGUE_HEADINGS})
    for c in (LEAGUE_HEADINGS["每百家完成"], LEAGUE_HEADINGS["每百家逾期"]):
        t[c] = t[c].map(lambda x: fmt.num(x, 1))
    return t


def overdue_table(top: pd.DataFrame) -> pd.DataFrame:
    t = top.drop(columns=["统一社会信用代码", "列入日期"])
    return t.assign(逾期天数=t["逾期天数"].map(lambda x: f"{x:,} 天"))


# --------------------------------------------------------------------------------------------
# Charts and the document
# --------------------------------------------------------------------------------------------

def _short_quarter(label: str) -> str:
    """2024年第1季度 -> 2024Q1 (axis labels)."""
    return label.replace("年第", "Q").removesuffix("季度")


def _flag_last(n: int) -> list[bool]:
    """Red for the last third, at most three (none when there are fewer than three)."""
    k = min(3, n // 3)
    return [i >= n - k for i in range(n)] if k else [False] * n


def chart_pngs(d: BriefingData) -> list[tuple[bytes, str]]:
    """Two or three charts: league, quarterly completions, industries (those with data)."""
    from components import chart_images  # matplotlib loads only when a briefing is made

    out = []
    if len(d.league):
        flags = _flag_last(len(d.league))
        note = f"（红色为排名后{sum(flags)}位的{d.places}）" if any(flags) else ""
        out.append((chart_images.bar_png(
            list(d.league["地区"]), [float(x) for x in d.league["每百家完成"]],
            f"各{d.places}每百家列入企业累计完成审核轮次", "轮/百家列入企业", highlight=flags),
            f"图1 各{d.places}每百家列入企业累计完成审核轮次{note}"))
    if len(d.quarterly):
        out.append((chart_images.line_png(
            [_short_quarter(q) for q in d.quarterly["季度"]],
            {"完成审核": [float(x) for x in d.quarterly["完成审核"]]},
            "各季度完成审核轮次", "轮"),
            f"图{len(out) + 1} 各季度完成审核轮次（最后一个季度截至{fmt.cn_date(d.as_of)}）"))
    if len(d.industries):
        ind = d.industries
        bad = ((ind["逾期"] + ind["未通过"]) / ind["合计"].clip(lower=1)).to_numpy()
        k = min(3, len(ind) // 3)
        worst = set(bad.argsort(kind="stable")[::-1][:k]) if k else set()
        flags = [i in worst for i in range(len(ind))]
        note = f"（红色为逾期和未通过比例最高的{k}个行业）" if k else ""
        out.append((chart_images.bar_png(
            list(ind["行业"]), [float(x) for x in ind["合计"]], "各行业审核轮次", "轮",
            highlight=flags), f"图{len(out) + 1} 各行业审核轮次{note}"))
    return out


def build_docx(d: BriefingData) -> bytes:
    """The briefing as .docx bytes."""
    subtitle = f"（数据截至{fmt.cn_date(d.as_of)}）"
    doc = word.new_document(f"{d.scope_name}{TITLE}", subtitle, d.sample)
    if d.sample:
        word.paragraph(doc, f"说明：本简报基于{word.SAMPLE_MARK}生成。", indent=False)
    word.heading(doc, "一、总体情况")
    for p in narrative(d)[:2]:
        word.paragraph(doc, p)
    word.heading(doc, "二、主要指标")
    word.table(doc, kpi_table(d))
    word.heading(doc, "三、年度计划进度")
    word.paragraph(doc, plan_sentence(d.plan))
    pt = plan_table(d.plan)
    if len(pt):
        word.table(doc, pt)
    word.heading(doc, "四、审核成效")
    word.paragraph(doc, achievement_sentence(d.achievements))
    word.table(doc, achievement_table(d.achievements))
    charts = chart_pngs(d)
    word.heading(doc, f"五、各{d.places}进展排名")
    word.paragraph(doc, "按每百家列入企业累计完成审核轮次排名（相同时逾期少者在前；"
                        f"不是计划完成率），"
                        f"消除各{d.places}列入企业数量差异的影响。")
    word.table(doc, league_table(d.league, d.places))
    if charts:
        png, caption = charts[0]
        word.image(doc, png, 14.0, caption)
    word.heading(doc, "六、逾期时间最长的企业")
    if len(d.most_overdue):
        word.paragraph(doc, f"截至{fmt.cn_date(d.as_of)}逾期时间最长的"
                            f"{_n(len(d.most_overdue))}家企业如下，请督促限期整改。")
        word.table(doc, overdue_table(d.most_overdue))
    else:
        word.paragraph(doc, "截至目前无逾期企业。")
    if len(charts) > 1:
        word.heading(doc, "七、进展趋势与行业分布")
        for png, caption in charts[1:]:
            word.image(doc, png, 14.0, caption)
    word.heading(doc, "附：指标口径")
    for text in notes(d):
        word.paragraph(doc, text, indent=False)
    return word.to_bytes(doc)


def notes(d: BriefingData) -> list[str]:
    """Definitions and data caveats, as numbered lines."""
    lines = list(d.definitions.values()) + [PLAN_MARK_HELP]
    if len(d.issues):
        total = int(d.issues["轮次"].sum())
        reasons = "；".join(f"{r.问题}（{_n(r.轮次)}轮）" for r in d.issues.itertuples())
        lines.append(f"有{_n(total)}轮审核记录日期不完整或前后矛盾，已按已知的较晚日期推定其进度，"
                     f"需要缺失日期的统计未能计入：{reasons}。")
    return [f"{i}. {t}" for i, t in enumerate(lines, start=1)]


def excel_sheets(d: BriefingData) -> dict[str, pd.DataFrame]:
    """The tables behind the page, one sheet each, numbers as numbers."""
    k = d.kpis[d.kpis["key"].isin(KPI_ORDER + ("completed", "rounds"))]
    sheets = {
        "主要指标": k.rename(columns={"label": "指标", "unit": "单位", "value": "截至日期",
                                  "last_year": "去年同期", "change": "增减", "help": "口径"})
        .drop(columns="key"),
        "年度计划": (d.plan["table"].drop(columns=["mark_key", "figure"]).rename(columns={
            "年度目标": "年度目标（轮）", "已完成": "完成（轮）",
            "完成率": ind.name("year_target_rate")})
                 if len(d.plan.get("table", pd.DataFrame())) else pd.DataFrame(
                     {"说明": [d.plan.get("message") or "无"]})),
        "审核成效": d.achievements.drop(columns="key"),
        f"各{d.places}排名": d.league.drop(columns="adcode").rename(
            columns={"地区": d.places, **LEAGUE_HEADINGS}),
        "季度完成": d.quarterly,
        "行业分布": d.industries,
        "逾期最久企业": d.most_overdue,
        "数据问题": d.issues if len(d.issues) else pd.DataFrame({"问题": ["无"], "轮次": [0]}),
    }
    return sheets


def header_lines(d: BriefingData) -> list[str]:
    lines = [f"{d.scope_name}{TITLE}（附表）", f"数据截至 {fmt.cn_date(d.as_of)}"]
    if d.sample:
        lines.append(word.SAMPLE_MARK)
    return lines
