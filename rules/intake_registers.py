"""Kinds of record for data intake: 排污许可 (permits), 信用评价与处罚
(credit), 专家库 (experts), 咨询机构 (consultancies).
Each Kind is registered with rules.intake; its planner is in queries/intake_registers.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from rules import vocab
from rules.identifiers import PERMIT_LETTERS, make_permit_no
from rules.intake import USCC, Column, Kind, fold, register

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


# ---- 信用评价与处罚 ------------------------------------------------------------------------
# One kind, one sheet, two types of row told apart by 记录类型: the CLI and the page know one kind
# `credit`, and a file reads as one table (rules.intake.locate finds one). Each type has its own
# identity: a rating by (code, year), the credit_rating key; a penalty by (code, decision date,
# kind), since penalty_id is the database's own number (max + 1) that no city knows.

RATING, PENALTY = "信用评价", "行政处罚"
CREDIT_RECORDS = (RATING, PENALTY)
YES_NO = ("是", "否")
RATING_FIELDS = ("year", "grade")
PENALTY_FIELDS = ("decision_date", "penalty_kind", "amount_yuan", "authority", "published",
                  "published_date", "description", "round_no")
LOOKS_LIKE_WAN = 1000  # 元: a fine below this was most likely typed in 万元 (法定罚款 5万–50万元)

CREDIT = Kind("credit", "信用评价与处罚", "信用评价与处罚", (
    USCC,
    Column("record", "记录类型", "信用评价：企业环境信用评价结果（填写年度、信用等级）；"
           "行政处罚：行政处罚决定（填写处罚各列）", kind="choice", choices=CREDIT_RECORDS,
           required=True, key=True, example=PENALTY, synonyms=("类型", "记录类别")),
    Column("name", "企业名称", "仅供核对：与企业名录中的名称不同时提示，不写入", kind="info",
           example="苏州示例化工有限公司", synonyms=("单位名称", "企业全称", "被处罚单位")),
    Column("year", "评价年度（年）", "信用评价：评价所属年度；与统一社会信用代码一起识别一条评价",
           kind="int", unit="年", low=2000, high=2099, example="",
           synonyms=("评价年度", "年度", "评价年份")),
    Column("grade", "信用等级", "信用评价：企业环境信用评价等级（绿、蓝、黄、红、黑牌）",
           kind="choice", choices=vocab.CREDIT_GRADES, example="",
           synonyms=("评价等级", "环境信用等级", "信用评价等级", "评价结果")),
    Column("decision_date", "处罚决定日期", "行政处罚：处罚决定书的日期；与统一社会信用代码、"
           "处罚类型一起识别一条处罚", kind="date", example="2024-03-10",
           synonyms=("决定日期", "处罚日期", "处罚决定书日期", "作出处罚决定日期")),
    Column("penalty_kind", "处罚类型", "行政处罚：违法行为类别", kind="choice",
           choices=vocab.PENALTY_KINDS, example="未按规定实施审核",
           synonyms=("违法类型", "处罚种类", "违法行为类型")),
    Column("amount_yuan", "罚款金额（元）",
           "行政处罚：罚款金额，单位为元（不是万元：5万元填 50000）；未罚款留空",
           kind="number", unit="元", low=0, high=1e9, clearable=True,
           example=80000, synonyms=("罚款金额", "罚款数额", "罚款", "处罚金额")),
    Column("authority", "处罚机关", "行政处罚：作出决定的机关", clearable=True, max_len=64,
           example="苏州市生态环境局", synonyms=("决定机关", "处罚单位", "执法机关")),
    Column("published", "已在信用中国公示", "行政处罚：是否已在“信用中国”网站公示", kind="choice",
           choices=YES_NO, example="是",
           synonyms=("是否公示", "信用中国公示", "是否在信用中国公示", "已公示")),
    Column("published_date", "公示日期", "行政处罚：在“信用中国”公示的日期（已公示的填写，"
           "信用与公开页据此核对是否按期公示）", kind="date", example="2024-03-15",
           synonyms=("信用中国公示日期", "公示时间")),
    Column("description", "处罚事由", "行政处罚：违法事实与处罚内容", clearable=True, max_len=1000,
           example="评估未通过后未按期整改", synonyms=("处罚内容", "违法事实", "事由", "说明")),
    Column("round_no", "审核轮次（轮）", "行政处罚：与处罚有关的审核轮次（该企业第几轮审核）；"
           "无关留空", kind="int", unit="轮", low=1, high=20, clearable=True, example=1,
           synonyms=("轮次", "审核轮次", "关联审核轮次")),
), note=("每行一条记录，“记录类型”写 信用评价 或 行政处罚。信用评价以统一社会信用代码和评价年度识别"
         "（只填年度、信用等级）；行政处罚以统一社会信用代码、处罚决定日期和处罚类型识别"
         "（只填处罚各列，罚款金额单位为元）。已有的记录被修改，其余新增；"
         "企业须已在本辖区的企业名录中。"),
   identify=lambda r: credit_identity(r))


def credit_identity(r) -> tuple[tuple, str] | str:
    """A rating row is (code, 信用评价, year); a penalty row (code, 行政处罚, date, kind)."""
    uscc, record = r.values["uscc"], r.values["record"]
    if record == RATING:
        if "year" not in r.values:
            return "信用评价行须填写「评价年度」：它与统一社会信用代码一起识别一条评价。"
        return (uscc, record, r.values["year"]), "统一社会信用代码、评价年度"
    missing = [CREDIT.column(f).label for f in ("decision_date", "penalty_kind")
               if f not in r.values]
    if missing:
        return (f"行政处罚行须填写「{'」「'.join(missing)}」：处罚以统一社会信用代码、"
                "处罚决定日期和处罚类型识别。")
    return ((uscc, record, r.values["decision_date"], r.values["penalty_kind"]),
            "统一社会信用代码、处罚决定日期、处罚类型")


def credit_row_problems(r) -> list[str]:
    """Columns of the other type filled in a row (a wrong 记录类型, most likely)."""
    record = r.values["record"]
    others = PENALTY_FIELDS if record == RATING else RATING_FIELDS
    filled = [CREDIT.column(f).label for f in others if f in r.values or f in r.clears]
    if not filled:
        return []
    return [f"{record}行不填写「{'」「'.join(filled)}」（这些列属于"
            f"{PENALTY if record == RATING else RATING}）：请核对记录类型，或把它们分成两行。"]


def amount_warning(amount: float | None) -> str | None:
    """A fine that looks like 万元 in a column of 元."""
    if amount is not None and 0 < amount < LOOKS_LIKE_WAN:
        return (f"罚款金额 {amount:g} 元偏小，像是按万元填写：本列单位为元"
                f"（{amount:g} 万元应填 {amount * 10000:.0f}），请核对。")
    return None


# ---- 专家库 ---------------------------------------------------------------------------------
# An expert is identified by the 专家编号 the province gave (the pre-filled template carries it);
# a row without one is a new expert, numbered max + 1 on import. Two new rows with the same name
# and organisation are one person typed twice; a new row like a stored expert is a warning (two
# people may share a name and an employer). Phone and ID number are imported because only the
# province imports this register and the province is who sees them in full (queries/experts.py).

EXPERTS = Kind("experts", "专家库", "专家库", (
    Column("expert_id", "专家编号", "省级专家库中的编号；新入库的专家不填，导入时自动编号",
           kind="int", low=1, high=10_000_000, example="",
           synonyms=("编号", "专家代码", "专家ID")),
    Column("name", "姓名", "专家姓名", required=True, key=True, max_len=32, example="王某某",
           synonyms=("专家姓名",)),
    Column("industry", "专业行业", "专家评审的重点行业", kind="ref", ref="industry", required=True,
           example="化工", synonyms=("行业", "所属行业", "专业领域", "评审行业")),
    Column("organisation", "工作单位", "专家的工作单位（用于回避本单位的项目）", clearable=True,
           max_len=128, example="示例大学", synonyms=("单位", "所在单位", "工作单位名称")),
    Column("title", "职称", "专业技术职称", clearable=True, max_len=32, example="教授",
           synonyms=("技术职称", "专业技术职称")),
    Column("city", "所在城市", "专家工作单位所在的设区市；省外或省直单位可留空", kind="ref",
           ref="city", clearable=True, example="南京市", synonyms=("所在市", "城市", "所在地")),
    Column("admitted_date", "入库日期", "列入省级专家库的日期", kind="date", required=True,
           example="2021-03-01", synonyms=("入库时间", "聘任日期")),
    Column("status", "状态", "在库：可抽取评审；暂停：记分达到暂停线等；退出：已出库",
           kind="choice", choices=vocab.EXPERT_STATUSES, required=True, example="在库",
           synonyms=("专家状态", "在库状态")),
    Column("score", "记分考核剩余分（分）",
           "省级记分考核最近一次公布的剩余分（每年基础分见专家库页面）",
           kind="int", unit="分", low=0, high=100, required=True, example=12,
           synonyms=("剩余分", "记分", "考核得分", "得分")),
    Column("phone", "联系电话", "手机或固定电话（个人信息，仅省级用户可见）", clearable=True,
           max_len=20, example="13800000000", synonyms=("电话", "手机", "手机号", "联系方式")),
    Column("id_number", "身份证号", "18位居民身份证号码（个人信息，仅省级用户可见）",
           clearable=True, max_len=18, example="",
           synonyms=("身份证号码", "公民身份号码", "证件号码")),
), note=("每行一名专家，以专家编号识别：下载含现有记录的模板修改；新入库的专家不填编号，"
         "导入时自动编号。专家库由省级统一管理，只有省级用户可以导入。"
         "联系电话、身份证号属个人信息，仅省级用户可见。"),
   identify=lambda r: expert_identity(r), province_only=True, label="专家姓名")


def expert_identity(r) -> tuple[tuple, str]:
    if "expert_id" in r.values:
        return ("编号", r.values["expert_id"]), "专家编号"
    return (("新", fold(r.values["name"]), fold(r.values.get("organisation") or "")),
            "姓名、工作单位（均未填专家编号）")


_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


def phone_problem(phone: str) -> str | None:
    text = fold(phone).replace("+86", "")
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return None
    return "不是有效的电话号码：手机填11位数字，固定电话填区号-号码（如 025-83456789）。"


def id_number_problem(number: str) -> str | None:
    """GB 11643: 18 characters, the last a check character (0–9 or X)."""
    from stdnum.cn import ric

    code = fold(number).upper()
    if len(code) != 18:
        return f"身份证号应为18位，实际为{len(code)}位。"
    if not ric.is_valid(code):
        return "身份证号校验位或出生日期错误，请核对。"
    return None


# ---- 咨询机构 ---------------------------------------------------------------------------------
# A consultancy is found by its 统一社会信用代码 when the row gives one the register knows (so a
# firm may be renamed), else by its name (unique in the register); a new one is numbered max + 1.

CONSULTANCIES = Kind("consultancies", "咨询机构", "咨询机构", (
    Column("name", "机构名称", "咨询机构全称（营业执照上的名称）", required=True, key=True,
           example="江苏示例环境咨询有限公司",
           synonyms=("咨询机构名称", "咨询机构", "单位名称", "名称", "机构全称")),
    dataclasses.replace(USCC, key=False, required=False, clearable=True,
                        meaning="机构的18位统一社会信用代码；填写后以代码识别机构（可据此修改名称）"),
    Column("city", "所在城市", "机构注册地所在的设区市；省外机构留空", kind="ref", ref="city",
           clearable=True, example="南京市", synonyms=("所在市", "城市", "注册地")),
    Column("staff_count", "机构人员（人）", "从事清洁生产审核咨询的人员数", kind="int", unit="人",
           low=0, high=100_000, clearable=True, example=20,
           synonyms=("人员数", "从业人员", "技术人员数", "人员数量", "机构人员")),
    Column("named_publicly", "被公开通报", "是否因弄虚作假等被主管部门公开通报；新增时不填为 否",
           kind="choice", choices=YES_NO, example="否",
           synonyms=("是否被公开通报", "公开通报", "通报")),
), note=("每行一家咨询机构，填写统一社会信用代码的以代码识别（可修改名称），否则以机构名称识别；"
         "已有的机构被修改，其余新增。咨询机构名录由省级统一管理，只有省级用户可以导入。"),
   province_only=True, label="机构名称")


register(PERMITS, CREDIT, EXPERTS, CONSULTANCIES)
