"""The printable one-page record sheet (企业档案一页纸) for a site visit, as Word (.docx)."""

from __future__ import annotations

import pandas as pd

from components import fmt, word
from rules.calendar import extension_note
from rules.clock import MILESTONE_LABELS
from rules.vocab import OUTCOME_COLUMNS

SHEET_OUTCOMES = ("econ_benefit_wan", "energy_tce", "water_t", "cod_t", "so2_t", "nox_t",
                  "vocs_t", "heavy_metals_kg")


def _d(v) -> str:
    return "—" if v is None or pd.isna(v) else fmt.cn_date(pd.Timestamp(v))


def _result(date, passed, word_, score) -> str:
    if date is None or pd.isna(date):
        return "—"
    text = f"{_d(date)} {word_ if isinstance(word_, str) else ('通过' if passed else '不通过')}"
    if score is not None and not pd.isna(score):
        text += f"（{fmt.num(score, 0)}分）"
    return text


def _reason(reason, superseded) -> str:
    """The clock's reason; a round followed by a re-listing is history, and says so."""
    if not superseded:
        return fmt.or_dash(reason)
    reason = fmt.or_dash(reason, "")
    return f"{reason}（已重新列入下一轮）" if reason else "已重新列入下一轮"


def rounds_rows(rounds: pd.DataFrame) -> pd.DataFrame:
    """One line per round for the sheet and the page: milestones, results, consultancy, reason."""
    rows = []
    for r in rounds.sort_values("round_no").itertuples():
        due = ("—" if pd.isna(r.next_due)
               else f"{MILESTONE_LABELS.get(r.next_milestone, '')} {_d(r.next_due)}")
        moved = getattr(r, "next_due_original", None)
        if moved is not None and not pd.isna(moved) and not pd.isna(r.next_due):
            note = extension_note(pd.Timestamp(moved).date(), pd.Timestamp(r.next_due).date())
            due += f"（{note}）" if note else ""
        rows.append({"轮次": f"第{r.round_no}轮", "列入日期": _d(r.listing_date),
                     "列入原因": r.listing_reason,
                     # a round followed by a re-listing is closed, whatever stage it reached
                     "当前阶段": (f"已重新列入下一轮（本轮止于{r.stage_label}）"
                              if r.later_round_listed else r.stage_label),
                     "评估": _result(r.evaluation_date, r.evaluation_pass, r.evaluation_result,
                                   r.evaluation_score),
                     "验收": _result(r.acceptance_date, r.acceptance_pass, r.acceptance_result,
                                   r.acceptance_score),
                     "下一节点及期限": due, "咨询机构": fmt.or_dash(r.consultancy),
                     "督办事由": _reason(r.reason, r.later_round_listed)})
    return pd.DataFrame(rows, columns=["轮次", "列入日期", "列入原因", "当前阶段", "评估", "验收",
                                       "下一节点及期限", "咨询机构", "督办事由"])


def profile_rows(rec: dict) -> pd.DataFrame:
    p = rec["profile"]
    credit = rec["credit"]
    latest_credit = (f"{credit.iloc[0]['grade']}（{credit.iloc[0]['colour']}，"
                     f"{int(credit.iloc[0]['year'])}年）" if len(credit) else "—")
    pen = rec["penalties"]
    fines = pd.to_numeric(pen["amount_yuan"], errors="coerce").fillna(0).sum()
    items = [
        ("企业名称", p["name"]), ("统一社会信用代码", p["uscc"]),
        ("所在地", f"{p['city']} {p['county']}"), ("行业", p["industry"]),
        ("所在园区", fmt.or_dash(p["park"], "园区外")), ("企业规模", fmt.or_dash(p["scale"])),
        ("排污许可管理类别", fmt.or_dash(p["permit_class"])),
        ("地址", fmt.or_dash(p["address"])),
        ("环境信用等级", latest_credit),
        ("行政处罚", f"{len(pen)} 起，罚款合计 {fmt.num(fines)} 元" if len(pen) else "无"),
        ("清洁生产水平", rec["cp_level"] or "尚未通过验收"),
        ("下一步期限", rec["next_text"]),
    ]
    return pd.DataFrame(items, columns=["项目", "内容"])


def totals_text(totals: dict) -> str:
    units = {c: (label, unit) for c, label, unit in OUTCOME_COLUMNS}
    parts = [f"方案 {totals['options']} 项，已实施 {totals['implemented']} 项，"
             f"已实施方案投资 {fmt.num(totals['investment_wan'], 1)} 万元"]
    for col in SHEET_OUTCOMES:
        if totals.get(col):
            label, unit = units[col]
            parts.append(f"{label} {fmt.num(totals[col], 1)} {unit}")
    return "；".join(parts) + "。"


def permit_rows(permits: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"许可证编号": permits["permit_no"], "类型": permits["kind"],
                         "核发日期": [_d(v) for v in permits["issue_date"]],
                         "有效期至": [_d(v) for v in permits["expiry_date"]],
                         "状态": permits["state"]})


def record_sheet_docx(rec: dict, province: str, sample: bool) -> bytes:
    """One page: profile and status, rounds, options and outcomes, permits, a box for notes."""
    p = rec["profile"]
    doc = word.new_document(f"{p['name']}清洁生产审核档案",
                            f"{province} · 现场检查用 · 数据截至 {fmt.cn_date(rec['as_of'])}",
                            sample)
    word.heading(doc, "一、基本情况", 2)
    word.table(doc, profile_rows(rec), font_size=9)
    word.heading(doc, "二、审核轮次", 2)
    if rec["rounds"].empty:
        word.paragraph(doc, "截至上述日期未列入清洁生产审核名单。")
    else:
        word.table(doc, rounds_rows(rec["rounds"]), font_size=8)
    word.heading(doc, "三、方案与绩效（截至上述日期已实施，每年）", 2)
    word.paragraph(doc, totals_text(rec["totals"]))
    word.heading(doc, "四、排污许可证", 2)
    if rec["permits"].empty:
        word.paragraph(doc, "无排污许可证或登记记录。")
    else:
        word.table(doc, permit_rows(rec["permits"]), font_size=8)
    word.heading(doc, "五、现场检查记录", 2)
    word.paragraph(doc, "检查人员：__________　检查日期：____年__月__日　企业陪同人员：__________",
                   indent=False)
    word.paragraph(doc, "检查意见：", indent=False)
    return word.to_bytes(doc)
