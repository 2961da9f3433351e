"""Kinds of record for data intake: 名单批次与列入企业 (listings), 评估与验收结论
(results), 清洁生产方案 (options).
Each Kind is registered with rules.intake; its planner is in queries/intake_audits.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from rules import vocab
from rules.intake import PROGRESS, RESULT_STAGES, USCC, Column, Kind, register, show

_NAME = PROGRESS.column("name")

# A city's listing ledger seldom numbers the rounds: left blank, the round is the enterprise's
# round in the row's batch when it has one (so importing the same list twice changes nothing),
# else its next round.
LISTING_ROUND = dataclasses.replace(
    PROGRESS.column("round_no"), required=False, auto=True,
    meaning="该企业第几轮审核（首次列入为第 1 轮）；留空时：该企业已列入本批次的为那一轮，"
            "否则为该企业的下一轮")

LISTINGS = Kind("listings", "名单批次与列入企业", "列入名单", (
    USCC,
    LISTING_ROUND,
    _NAME,
    # Text, not a checked reference: a batch not yet stored is created by the import (once per
    # file) when the row also gives its year and publication date.
    Column("batch", "名单批次", "省级清洁生产审核名单的批次名称，如 2024年第一批；库中没有的批次"
           "须同时填写批次年度和发布日期，导入时新建", ref="batch", required=True, max_len=64,
           example="2024年第一批", synonyms=("批次", "名单批次名称", "列入批次", "所属批次")),
    Column("batch_year", "批次年度（年）", "名单批次所属年度；新建批次时必填，已有批次可留空",
           kind="int", unit="年", low=1990, high=2099, example=2024,
           synonyms=("批次年份", "名单年度", "年度")),
    Column("batch_publish", "发布日期", "名单批次的公布日期，审核时限从这天起算；新建批次时"
           "必填，已有批次可留空（填写的须与库中一致）", kind="date", example="2024-03-01",
           synonyms=("名单公布日期", "公布日期", "名单发布日期", "批次发布日期")),
    Column("listing_date", "列入日期", "企业列入名单的日期；留空时为名单发布日期；"
           "不能早于名单发布日期，也不能晚于今天", kind="date", example="2024-03-01",
           synonyms=("列入名单日期", "列入时间", "列入名单时间")),
    Column("listing_reason", "列入原因", "清洁生产促进法第二十七条的情形，或自愿审核",
           kind="choice", choices=vocab.LISTING_REASONS, required=True, example="双有",
           synonyms=("列入类型", "审核类型", "列入情形")),
    Column("audit_mode", "审核方式", "单独审核，或参加园区、行业整体审核（须填写整体审核名称）",
           kind="choice", choices=vocab.AUDIT_MODES, required=True, example="单独审核",
           synonyms=("审核形式", "审核模式")),
    Column("cluster", "整体审核名称", "参加的园区或行业整体审核；单独审核留空", kind="ref",
           ref="cluster", clearable=True, example="",
           synonyms=("整体审核", "所属整体审核", "园区整体审核名称")),
    Column("consultancy", "咨询机构", "承担审核的咨询服务机构；尚未确定留空", kind="ref",
           ref="consultancy", clearable=True, example="江苏清源环境咨询有限公司",
           synonyms=("咨询服务机构", "审核咨询机构", "技术服务机构")),
), note=("每行一家企业列入一个名单批次（一轮审核），以统一社会信用代码和审核轮次识别；"
         "轮次留空时，该企业已在本批次的修改那一轮，否则新增为下一轮。企业须已在企业名录中。"
         "库中没有的名单批次，填写批次年度和发布日期即在导入时新建。"))

YES_NO = ("是", "否")
PANEL_SEPARATORS = "、，,；;"
LEADER_MARK = "（组长）"  # after a name: this expert chairs the panel (else the first named)


def _stage_columns(stage: str, word: str) -> tuple[Column, ...]:
    return (
        PROGRESS.column(f"{stage}_date"), PROGRESS.column(f"{stage}_result"),
        PROGRESS.column(f"{stage}_score"),
        Column(f"{stage}_veto", f"{word}否定项", f"{word}是否触发否定项（一票否决）；"
               f"触发时{word}结论应为不通过/不合格", kind="choice", choices=YES_NO,
               clearable=True, example="否", synonyms=(f"{word}是否触发否定项", f"{word}否决项")),
        Column(f"{stage}_panel", f"{word}专家组成员", f"{word}专家组的专家姓名，用、或，分隔，"
               f"第一位为组长（或在组长姓名后注明{LEADER_MARK}）；重名的专家填写专家编号；"
               "填写即以本名单替换库中该环节的专家组，留空保留，填写（清空）删除该专家组",
               max_len=256, clearable=True,
               example="王甲、李乙、张丙", synonyms=(f"{word}专家组", f"{word}专家")),
    )


RESULTS = Kind("results", "评估与验收结论", "评估与验收", (
    USCC, PROGRESS.column("round_no"), _NAME,
    *_stage_columns("evaluation", "评估"),
    *_stage_columns("acceptance", "验收"),
    PROGRESS.column("cp_level"),
), note=("每行一轮审核的评估和验收结论及专家组，以统一社会信用代码和审核轮次识别；"
         "只能填写已列入名单的审核轮次。日期须按 列入 ≤ 信息公开 ≤ 启动 ≤ 提交报告 ≤ 评估 ≤ 验收"
         " 的顺序；填写日期须同时填写结论。"), creates=False)


def panel_names(text: str) -> tuple[list[str], list[int]]:
    """The names of a panel cell in order, and the positions of those marked as leader.
    王甲（组长）、李乙，张丙 -> (["王甲", "李乙", "张丙"], [0])."""
    for sep in PANEL_SEPARATORS[1:]:
        text = text.replace(sep, PANEL_SEPARATORS[0])
    names, leaders = [], []
    for part in text.split(PANEL_SEPARATORS[0]):
        name = part.strip()
        for mark in (LEADER_MARK, "(组长)"):
            if name.endswith(mark):
                name = name[:-len(mark)].strip()
                leaders.append(len(names))
        if name:
            names.append(name)
    return names, leaders


# An investment above these (万元, per option) reads like 元 typed into the 万元 column: a
# warning the official confirms, not an error. 中/高费: 100,000 万元 is 10 亿元, beyond even a
# large plant retrofit as one option (the sample's are tens to hundreds of 万元), while a yuan
# figure of a modest project (e.g. 1,500,000 元) lands far above it. 无/低费 options are by
# definition small (typically under tens of 万元): above 1,000 万元 it is 元 or the wrong class.
YUAN_LIKE_WAN = {"无/低费": 1_000.0, "中/高费": 100_000.0}

_OUTCOME_SYNONYMS = {
    "econ_benefit_wan": ("经济效益", "年经济效益", "经济效益(万元)"),
    "energy_tce": ("节能量", "节约标煤", "节能量(吨标煤/年)"),
    "electricity_mwh": ("节电量",), "water_t": ("节水量",),
    "co2_t": ("二氧化碳减排量", "CO2减排量", "碳减排量"),
    "cod_t": ("COD减排量", "化学需氧量减排量"), "nh3n_t": ("氨氮减排量", "NH3-N减排量"),
    "so2_t": ("二氧化硫减排量", "SO2减排量"), "nox_t": ("氮氧化物减排量", "NOx减排量"),
    "vocs_t": ("VOCs减排量", "挥发性有机物减排量"), "particulates_t": ("颗粒物减排量",),
    "heavy_metals_kg": ("重金属减排量",), "hazwaste_t": ("危险废物减量", "危废减量"),
}


def _outcome_column(field: str, label: str, unit: str) -> Column:
    if field == "econ_benefit_wan":
        what = "方案实施后每年的经济效益，可为负数"
    elif field == "hazwaste_t":
        what = "方案实施后每年危险废物产生量的减少"
    elif field in ("energy_tce", "electricity_mwh", "water_t"):
        what = f"方案实施后每年的{label}"
    else:  # pollutants: reductions of discharge (domain §5)
        what = f"方案实施后每年的{label}（排放量）"
    return Column(field, f"{label}（{unit}）", what, kind="number", unit=unit,
                  low=None if field == "econ_benefit_wan" else 0, clearable=True,
                  example={"econ_benefit_wan": 12.5, "energy_tce": 30}.get(field),
                  synonyms=_OUTCOME_SYNONYMS.get(field, ()))


OPTIONS = Kind("options", "清洁生产方案", "清洁生产方案", (
    USCC, PROGRESS.column("round_no"),
    Column("title", "方案名称", "审核报告中的方案名称；同一轮审核中名称不能重复", required=True,
           key=True, example="酸洗废液回收利用", synonyms=("方案", "清洁生产方案", "方案内容",
                                                          "清洁生产方案名称")),
    _NAME,
    Column("cost_class", "方案类别", "无/低费或中/高费方案", kind="choice",
           choices=vocab.COST_CLASSES, required=True, example="中/高费",
           synonyms=("费用类别", "方案费用类别", "无低费/中高费")),
    Column("category", "方案类型", "清洁生产审核方法的八个方向", kind="choice",
           choices=vocab.OPTION_CATEGORIES, required=True, example="技术工艺",
           synonyms=("方案方向", "方案分类", "类型")),
    Column("status", "实施状态", "方案的实施情况", kind="choice", choices=vocab.OPTION_STATUSES,
           required=True, example="已实施", synonyms=("状态", "实施情况", "方案状态")),
    Column("investment_wan", "投资（万元）", "方案的投资额，单位万元（不是元）", kind="number",
           unit="万元", low=0, required=True, example=150,
           synonyms=("投资额", "投资金额", "方案投资", "投资总额")),
    Column("implemented_date", "实施完成日期", "方案实施完成的日期；实施状态为已实施时必填，"
           "其他状态留空（改为其他状态时自动清除）", kind="date", clearable=True,
           example="2024-09-01", synonyms=("完成日期", "实施日期", "完成时间", "实施完成时间")),
    *(_outcome_column(f, label, unit) for f, label, unit in vocab.OUTCOME_COLUMNS),
), note=("每行一项清洁生产方案，以统一社会信用代码、审核轮次和方案名称识别："
         "该轮已有同名方案的修改它，其余新增。审核轮次须已列入名单。投资以万元填写；效益和减排量按年填写，单位见列名。"))


def veto_problems(merged: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field, message): a 否定项 answer needs its stage held; a veto item (一票否决) fails the
    stage whatever the score, so it cannot stand beside a pass."""
    out = []
    for stage, word in RESULT_STAGES:
        veto = merged.get(f"{stage}_veto")
        if veto is None:
            continue
        if merged.get(f"{stage}_date") is None:
            out.append((f"{stage}_veto", f"填写了{word}否定项，还须填写{word}日期和结论。"))
        elif veto and merged.get(f"{stage}_pass"):
            out.append((f"{stage}_veto", f"{word}触发了否定项，{word}结论应为不通过或不合格，"
                                         "请核对。"))
    return out


def option_date_problem(status: str, done: dt.date | None, start: dt.date | None,
                        listing: dt.date, today: dt.date) -> str | None:
    """What is wrong with an option's implementation date, given its round's start (None: not
    on record) and listing dates: a date only for 已实施 and always for it, not after today, and
    not before the audit started (options come out of the audit) or, with no start on record,
    before the listing."""
    if status == "已实施" and done is None:
        return "实施状态为已实施，须填写实施完成日期。"
    if status != "已实施" and done is not None:
        return (f"实施状态为「{status}」，不应填写实施完成日期（已实施的方案才有完成日期），"
                "请核对状态或清空日期。")
    if done is None:
        return None
    if done > today:
        return f"实施完成日期 {done.isoformat()} 晚于今天，尚未完成的方案请填写实施状态为实施中。"
    begin, word = (start, "启动审核日期") if start is not None else (listing, "列入名单日期")
    if done < begin:
        return (f"实施完成日期 {done.isoformat()} 早于该轮审核的{word}（{begin.isoformat()}），"
                "请核对日期或审核轮次。")
    return None


def built_before_evaluation(cost_class: str, done: dt.date | None,
                            evaluation: dt.date | None) -> str | None:
    """A warning: evaluation reviews the feasibility of medium/high-cost options before they
    are built (domain §4), so one implemented before it is worth a second look."""
    if cost_class == "中/高费" and done is not None and evaluation is not None \
            and done < evaluation:
        return f"中/高费方案一般在评估（{evaluation.isoformat()}）之后实施，请核对实施完成日期。"
    return None


def yuan_like(cost_class: str, investment_wan: float | None) -> str | None:
    """A warning when an investment reads like 元 typed into the 万元 column (YUAN_LIKE_WAN)."""
    if investment_wan is None or investment_wan <= YUAN_LIKE_WAN[cost_class]:
        return None
    return (f"投资 {show(investment_wan)} 万元，{cost_class}方案少见如此之大：是否按“元”填写了？"
            "投资的单位是万元（1 万元 = 10000 元）。")


register(LISTINGS, RESULTS, OPTIONS)
