"""The park review pack (园区整体审核评审材料, .docx) for the review meeting: the park's members,
audit progress, cluster audits, options and outcomes, common problems, history, standing among
parks of its type, and membership data issues. Built from the frames of queries/parks.py with
components/word.py; charts are matplotlib images (components/chart_images.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from components import fmt, park_charts, word
from rules import indicators as ind
from rules.park_rules import METRICS_BY_KEY
from rules.vocab import CP_LEVELS, CREDIT_GRADES


@dataclass(frozen=True)
class PackData:
    park: dict                 # queries.parks.park_detail
    card: pd.Series            # the park's scorecard row (queries.parks.scorecard)
    standing: pd.DataFrame     # rules.park_rules.standing among parks of the same type
    clusters: pd.DataFrame     # queries.parks.park_clusters [0]
    member_rounds: pd.DataFrame  # queries.parks.park_clusters [1]
    members: pd.DataFrame      # queries.parks.park_members
    categories: pd.DataFrame   # queries.parks.option_categories
    problems: pd.DataFrame     # queries.parks.problems
    history: pd.DataFrame      # queries.parks.history
    issues: pd.DataFrame       # queries.parks.membership_issues for this park
    as_of: dt.date
    province: str
    sample: bool


def _text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Cells as text: numbers with thousands separators, one number of decimals per column
    (none when every value of the column is whole, else two)."""
    out = df.astype(object).copy()
    for col in df.columns:
        values = df[col]
        floats = [v for v in values if isinstance(v, float) and not pd.isna(v)]
        digits = 0 if all(v.is_integer() for v in floats) else 2

        def cell(v, digits=digits):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                return "—"
            if isinstance(v, bool):
                return "是" if v else "否"
            if isinstance(v, float):
                return fmt.num(v, digits)
            if isinstance(v, int):
                return fmt.num(v)
            return str(v)
        out[col] = [cell(v) for v in values.astype(object)]
    return out


def _counts_text(card: pd.Series, prefix: str, values, unit: str = "家") -> str:
    parts = [f"{v}{int(card[f'{prefix}{v}'])}{unit}" for v in values
             if int(card[f"{prefix}{v}"]) > 0]
    return "、".join(parts) or "无"


def summary_lines(d: PackData) -> list[str]:
    """The narrative paragraphs of sections 一 and 二 (also used by tests)."""
    c, p = d.card, d.park
    date = fmt.cn_date(d.as_of)
    n = int(c["enterprises"])
    rate = fmt.pct(c["audit_rate"])
    in_audit = int(c["stage_listed"] + c["stage_disclosed"] + c["stage_started"])
    failed = int(c["stage_evaluation_failed"] + c["stage_acceptance_failed"])
    unrated = n - int(c["credit_rated"])
    lines = [
        f"{p['name']}为{p['level']}{p['park_type']}，位于{p['city']}{p['county']}。截至{date}，"
        f"园区登记{ind.name('park_members')}{n}家（{fmt.or_dash(c['industries'], '无')}），"
        f"其中已列入审核名单{int(c['listed_enterprises'])}家，"
        f"{ind.name('park_audited')}{int(c['audited_enterprises'])}家，"
        f"{ind.name('park_audit_rate')}{rate}。通过的园区整体审核计为每家成员企业一轮审核；同一企业既参加整体审核"
        f"又单独审核的，只计一家。",
        f"成员企业共有审核轮次{int(c['rounds'])}轮：审核中{in_audit}轮、已提交报告"
        f"{int(c['stage_reported'])}轮、评估通过{int(c['stage_evaluated'])}轮、验收通过"
        f"{int(c['stage_accepted'])}轮、未通过{failed}轮；逾期{int(c['overdue_rounds'])}轮。",
        f"清洁生产水平：{_counts_text(c, 'cp_', CP_LEVELS)}。最新环境信用评价："
        f"{_counts_text(c, 'credit_', CREDIT_GRADES)}" + (f"，未评价{unrated}家。" if unrated
                                                       else "。"),
        f"已实施方案{int(c['options_done'])}项（其中中/高费{int(c['high_cost_done'])}项），"
        f"实施投资{fmt.num(c['investment_wan'], 1)}万元（家均"
        f"{fmt.num(c['investment_per_ent'], 2)}万元/家）；节能量"
        f"{fmt.num(c['energy_tce'], 1)}吨标准煤/年（家均{fmt.num(c['energy_per_ent'], 2)}"
        f"吨标准煤/年），COD减排量{fmt.num(c['cod_t'], 2)}吨/年，VOCs减排量"
        f"{fmt.num(c['vocs_t'], 2)}吨/年。",
    ]
    return lines


def standing_table(st_df: pd.DataFrame, park_type: str) -> pd.DataFrame:
    rows = []
    for r in st_df.itertuples():
        m = METRICS_BY_KEY[r.metric]
        scale = 100 if m.percent else 1

        def show(v, scale=scale, digits=1 if m.percent else 2):
            return "—" if pd.isna(v) else fmt.num(v * scale, digits)
        rows.append({"指标": m.title, "本园区": show(r.value),
                     f"同类园区中位数（{park_type}）": show(r.median),
                     "排名": "—" if pd.isna(r.rank) else f"第{int(r.rank)}名/共{r.of}个"})
    return pd.DataFrame(rows)


def review_pack(d: PackData) -> bytes:
    """The .docx bytes of the review pack."""
    from components import chart_images  # matplotlib loads only when a pack is made
    p = d.park
    doc = word.new_document(f"{p['name']}清洁生产整体审核评审材料",
                            f"{d.province} · 数据截至{fmt.cn_date(d.as_of)}", d.sample)
    lines = summary_lines(d)
    word.heading(doc, "一、园区基本情况")
    word.paragraph(doc, lines[0])
    word.paragraph(doc, lines[2])
    word.heading(doc, "二、审核进展")
    word.paragraph(doc, lines[1])

    word.heading(doc, "三、园区整体审核")
    if d.clusters.empty:
        word.paragraph(doc, "本园区尚无园区整体审核记录。")
    else:
        word.table(doc, _text_frame(park_charts.clusters_table(d.clusters)))
        word.paragraph(doc, "整体审核成员审核轮次：", indent=False)
        word.table(doc, _text_frame(park_charts.member_rounds_table(d.member_rounds,
                                                                    d.clusters)))

    word.heading(doc, "四、成员企业审核状态")
    if d.members.empty:
        word.paragraph(doc, "本园区暂无登记成员企业。")
    else:
        word.table(doc, _text_frame(park_charts.members_table(d.members)
                                    .drop(columns="统一社会信用代码")), font_size=8)

    word.heading(doc, "五、方案实施与绩效")
    word.paragraph(doc, lines[3])
    if not d.categories.empty:
        word.table(doc, _text_frame(park_charts.categories_table(d.categories)))
        word.image(doc, chart_images.bar_png(list(d.categories["category"]),
                                             [float(v) for v in d.categories["options"]],
                                             "成员企业方案类别", "方案数（项）"),
                   width_cm=13, caption="图1 成员企业方案类别（项）")

    word.heading(doc, "六、共性问题")
    if d.problems.empty:
        word.paragraph(doc, "截至数据截至日，成员企业未发现逾期、未通过或处罚等问题。")
    else:
        word.table(doc, _text_frame(park_charts.problems_table(d.problems)))

    word.heading(doc, "七、历年情况")
    if d.history.empty:
        word.paragraph(doc, "暂无历年审核记录。")
    else:
        word.table(doc, _text_frame(park_charts.history_table(d.history)))
        h = d.history
        word.image(doc, chart_images.line_png(
            [str(y) for y in h["year"]],
            {"列入审核": [float(v) for v in h["listed"]],
             "评估通过": [float(v) for v in h["evaluated"]],
             "验收通过": [float(v) for v in h["accepted"]]},
            "历年审核情况", "审核轮次（轮）"), width_cm=13, caption="图2 历年审核情况（轮）")

    word.heading(doc, "八、与同类园区比较")
    word.paragraph(doc, f"以下指标均按成员企业数归一（家均、每百家或占比），以便规模不同的"
                        f"{p['park_type']}相互比较。")
    word.table(doc, standing_table(d.standing, p["park_type"]))

    word.heading(doc, "九、园区边界与成员登记核对")
    if not p.get("boundary"):
        word.paragraph(doc, "本园区未录入边界数据，无法核对成员企业位置。")
    elif d.issues.empty:
        word.paragraph(doc, "成员企业坐标均位于园区边界内，边界内无未登记企业。")
    else:
        word.table(doc, _text_frame(park_charts.issues_table(d.issues, with_park=False)))
    return word.to_bytes(doc)
