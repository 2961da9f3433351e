"""Kinds of record for data intake: 排污许可 (permits), 信用评价与处罚
(credit), 专家库 (experts), 咨询机构 (consultancies).
Each Kind is registered with rules.intake; its planner is in queries/intake_registers.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

from rules import vocab
from rules.identifiers import PERMIT_LETTERS, make_permit_no
from rules.intake import USCC, Column, Kind, register

# The holder's code is embedded in the permit number (its first 18 characters): the column may be
# left blank, and when filled it must be the same code.
HOLDER = dataclasses.replace(
    USCC, key=False, required=False,
    meaning="持证企业的18位统一社会信用代码；可不填（取许可证编号前18位），填写时须与编号前18位一致")

PERMIT_VALID_YEARS = 5  # 排污许可管理条例 第十四条: a permit is valid for five years

PERMITS = Kind("permits", "排污许可", "排污许可", (
    Column("permit_no", "许可证编号", "排污许可证编号或排污登记编号（登记回执上的编号）",
           kind="permit", required=True, key=True, max_len=22,
           example=make_permit_no(USCC.example, 1),
           synonyms=("排污许可证编号", "许可证号", "排污许可证号", "登记编号", "排污登记编号",
                     "证书编号")),
    HOLDER,
    Column("name", "企业名称", "仅供核对：与企业名录中的名称不同时提示，不写入", kind="info",
           example="苏州示例化工有限公司", synonyms=("单位名称", "企业全称", "持证单位")),
    Column("kind", "许可类型", "许可证（重点管理、简化管理）或 登记（登记管理）；"
           "须与编号末位字母一致"
           f"（{'、'.join(f'{k} {v}' for k, v in PERMIT_LETTERS.items())}）",
           kind="choice", choices=vocab.PERMIT_KINDS, required=True, example="许可证",
           synonyms=("类型", "许可证类型", "证书类型")),
    Column("issue_date", "发证日期", "发证日期（登记为登记日期）", kind="date", required=True,
           example="2021-06-01", synonyms=("发证时间", "登记日期", "核发日期")),
    Column("expiry_date", "有效期至", "有效期截止日期，须晚于发证日期（许可证有效期一般为5年）；"
           "许可证必填，登记可不填", kind="date", clearable=True, example="2026-05-31",
           synonyms=("有效期截止日期", "有效期限至", "截止日期", "到期日期")),
), note="每行一张排污许可证或一条排污登记，以许可证编号识别：编号已有的行修改该证，其余行新增；"
        "持证企业须已在本辖区的企业名录中。")


def permit_date_problems(kind: str, issue: dt.date | None, expiry: dt.date | None,
                         today: dt.date) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a permit's dates: a permit needs an expiry date, which must be
    after the issue date (the database's ck_permit_dates); an issue date cannot be in the future;
    a permit longer than five years is a warning (a typing slip, or a registration)."""
    errors, warnings = [], []
    if issue is not None and issue > today:
        errors.append(f"发证日期 {issue.isoformat()} 晚于今天，尚未发生的日期不能填写。")
    if kind == "许可证" and expiry is None:
        errors.append("许可证须填写有效期至（登记可不填）。")
    if issue is not None and expiry is not None:
        if expiry <= issue:
            errors.append(f"有效期至（{expiry.isoformat()}）应晚于发证日期（{issue.isoformat()}），"
                          "请核对两个日期。")
        elif kind == "许可证" and expiry > _add_years(issue, PERMIT_VALID_YEARS):
            warnings.append(f"有效期超过{PERMIT_VALID_YEARS}年（{issue.isoformat()} 至 "
                            f"{expiry.isoformat()}），排污许可证有效期为{PERMIT_VALID_YEARS}年，"
                            "请核对。")
    return errors, warnings


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def permit_kind_problem(number: str, kind: str) -> str | None:
    """The letter at the end of the number says which kind it is (HJ 608-2017: P 许可证, W 登记);
    the database refuses a mismatch (ck_permit_letter)."""
    if PERMIT_LETTERS.get(kind) != number[-1:]:
        right = next((k for k, v in PERMIT_LETTERS.items() if v == number[-1:]), "")
        return (f"许可类型「{kind}」与编号末位字母 {number[-1:]} 不一致：末位 P 为许可证、W 为登记"
                + (f"，此编号应为「{right}」" if right else "") + "。")
    return None


register(PERMITS)
