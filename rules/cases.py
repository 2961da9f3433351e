"""督办事项 (supervision cases): the life cycle, who may move a case where, reply deadlines in
working days, document numbers (文号) and the validation of every step. Pure rules: the query
layer (queries/cases.py) calls them inside its transactions, the page calls them to offer only
the actions that can succeed.

Life cycle (stored statuses):

    待发出 --发出--> 已发出 --回复--> 已回复 --办结--> 已办结
                       ^                 |
                       +----退回重办------+   (退回重办 is a status with a new reply deadline)

逾期未回复 is not stored: a case that is 已发出 or 退回重办 whose reply deadline has passed *is*
overdue, on whatever day it is read (so it turns overdue by itself, without a job). 建议办结 is
not stored either: an open case whose watch-list item has cleared is suggested for closing;
only a person closes it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rules.calendar import add_working_days, cn_date, extend_to_working_day
from rules.watchlist import CATEGORIES as WATCH_CATEGORIES

# Stored statuses, in the order of the life cycle.
DRAFT, SENT, REPLIED, CLOSED, RETURNED = "待发出", "已发出", "已回复", "已办结", "退回重办"
STATUSES = (DRAFT, SENT, REPLIED, RETURNED, CLOSED)
OVERDUE = "逾期未回复"  # derived: waiting for a reply past the deadline
SHOWN_STATUSES = (DRAFT, SENT, OVERDUE, REPLIED, RETURNED, CLOSED)  # what lists filter by
WAITING = (SENT, RETURNED)  # a reply is expected
OPEN = (DRAFT, SENT, REPLIED, RETURNED)  # 在办
OPEN_SHOWN = (DRAFT, SENT, OVERDUE, REPLIED, RETURNED)  # 在办, as shown statuses

# Steps (case_step.action) and the transitions they make.
OPEN_STEP, ISSUE, REPLY, RETURN, CLOSE = "登记", "发出", "回复", "退回重办", "办结"
STEPS = (OPEN_STEP, ISSUE, REPLY, RETURN, CLOSE)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    ISSUE: ((DRAFT,), SENT),
    REPLY: ((SENT, RETURNED), REPLIED),
    RETURN: ((REPLIED,), RETURNED),
    CLOSE: ((REPLIED,), CLOSED),
}
# Why a step is refused in a given status, in the words an official understands.
_OUT_OF_ORDER = {
    (CLOSE, DRAFT): "尚未发出的督办事项不能办结，请先发出督办通知。",
    (CLOSE, SENT): "尚未收到回复的督办事项不能办结，请先登记回复。",
    (CLOSE, RETURNED): "退回重办后尚未收到新的回复，不能办结。",
    (REPLY, DRAFT): "督办通知尚未发出，不能登记回复。",
    (RETURN, DRAFT): "督办通知尚未发出，不能退回重办。",
    (RETURN, SENT): "尚未收到回复，不能退回重办。",
    (RETURN, RETURNED): "该事项已退回重办，正在等待新的回复。",
    (ISSUE, SENT): "该督办通知已发出，不能重复发出。",
    (ISSUE, REPLIED): "该督办事项已收到回复，不能再次发出。",
    (ISSUE, RETURNED): "该督办事项已发出并退回重办，不能再次发出。",
    (REPLY, REPLIED): "该事项已登记回复；如需补充材料，请先退回重办。",
}

# What a case is about: a watch-list category, or 其他 (opened by hand).
CATEGORIES = (*WATCH_CATEGORIES, "其他")

# What sends a case: its own notice, or a letter to a city listing its enterprises.
NOTICE, BATCH_LETTER = "督办通知书", "批量督办函"
DOCUMENT_KINDS = (NOTICE, BATCH_LETTER)

# To whom a notice goes (主送).
ADDRESSEE_KINDS = ("市级生态环境部门", "县级生态环境部门", "企业")

NOTE_MAX = 2000
CONTACT_MAX = 64
DOC_NO_MAX = 40

# Attachments (the reply scan or document): what may be stored and how big.
ATTACHMENT_TYPES = {  # extension -> MIME type
    "pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",  # 国家版式文档 (the national fixed-layout format)
    "zip": "application/zip",
}
# A file whose first bytes say it is a program is refused whatever its name says.
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
                     b"\xce\xfa\xed\xfe")
_MAGIC = {"pdf": (b"%PDF",), "png": (b"\x89PNG",), "jpg": (b"\xff\xd8",), "jpeg": (b"\xff\xd8",),
          "docx": (b"PK",), "xlsx": (b"PK",), "zip": (b"PK",), "ofd": (b"PK",),
          "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",)}

# Province abbreviations for the default 文号 pattern (苏环督〔2026〕12号).
PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}


class CaseError(ValueError):
    """A case action that cannot be done; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class CaseRules:
    """Settings an office may change (environment variables, see from_env)."""

    reply_days: int = 15  # working days for a reply, counted from the day the notice is sent
    doc_pattern: str = "{abbr}环督〔{year}〕{n}号"  # {abbr} province abbreviation, {year}, {n}
    max_attachment_mb: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CaseRules:
        """CASE_REPLY_DAYS, CASE_DOC_PATTERN, CASE_ATTACHMENT_MAX_MB; an unreadable value keeps
        its default (a bad pattern is refused by doc_no when used, with the reason)."""
        env = os.environ if env is None else env
        base = cls()
        days, mb = base.reply_days, base.max_attachment_mb
        try:
            days = int(env.get("CASE_REPLY_DAYS", "")) or days
        except ValueError:
            pass
        try:
            mb = int(env.get("CASE_ATTACHMENT_MAX_MB", "")) or mb
        except ValueError:
            pass
        pattern = env.get("CASE_DOC_PATTERN", "").strip() or base.doc_pattern
        return cls(max(1, min(days, 250)), pattern, max(1, min(mb, 200)))

    @property
    def max_attachment_bytes(self) -> int:
        return self.max_attachment_mb * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Status and deadlines
# --------------------------------------------------------------------------------------------

def shown_status(status: str, reply_due: dt.date | None, today: dt.date) -> str:
    """The status as shown: 逾期未回复 for a case waiting for a reply past its deadline."""
    if status in WAITING and reply_due is not None and today > reply_due:
        return OVERDUE
    return status


def days_overdue(status: str, reply_due: dt.date | None, today: dt.date) -> int:
    """Calendar days past the reply deadline of a case waiting for a reply (0 otherwise)."""
    if status in WAITING and reply_due is not None and today > reply_due:
        return (today - reply_due).days
    return 0


def default_reply_due(sent: dt.date, rules: CaseRules) -> dt.date:
    """The default reply deadline: the reply_days-th working day after the day the notice is
    sent (the day itself not counted; holidays and make-up working days from the one official
    calendar; weekends only in years the calendar does not cover)."""
    return add_working_days(sent, rules.reply_days, fallback=True)


def reply_due_problem(due: dt.date | None, today: dt.date) -> str | None:
    """Why a chosen reply deadline cannot be used, or None."""
    if due is None:
        return "请填写回复期限。"
    if due < today:
        return f"回复期限{cn_date(due)}早于今天（{cn_date(today)}），请选择今天或以后的日期。"
    if due > today + dt.timedelta(days=366):
        return "回复期限不能晚于一年以后。"
    moved = extend_to_working_day(due, fallback=True)
    if moved != due:
        return (f"回复期限{cn_date(due)}是休息日，请选择工作日（如{cn_date(moved)}）。")
    return None


AGEING_BUCKETS = ("未到期", "逾期1–15天", "逾期16–30天", "逾期30天以上")


def ageing_bucket(days_late: int) -> str:
    """The ageing bucket of a case waiting for a reply, by calendar days past its deadline."""
    if days_late <= 0:
        return AGEING_BUCKETS[0]
    if days_late <= 15:
        return AGEING_BUCKETS[1]
    if days_late <= 30:
        return AGEING_BUCKETS[2]
    return AGEING_BUCKETS[3]


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------

def allowed_steps(status: str) -> tuple[str, ...]:
    """The steps that can be taken from a stored status, in life-cycle order."""
    return tuple(step for step, (froms, _to) in TRANSITIONS.items() if status in froms)


def next_status(step: str, status: str) -> str:
    """The status after `step` from `status`; CaseError (in Chinese) when out of order."""
    if step not in TRANSITIONS:
        raise CaseError(f"未知的办理步骤：{step}")
    froms, to = TRANSITIONS[step]
    if status not in froms:
        if status == CLOSED:
            raise CaseError("该督办事项已办结，不能再办理。")
        raise CaseError(_OUT_OF_ORDER.get((step, status),
                                          f"当前状态为“{status}”，不能{step}。"))
    return to


def step_problem(step: str, status: str, *, today: dt.date, step_date: dt.date | None,
                 sent_date: dt.date | None = None, reply_due: dt.date | None = None,
                 note: str = "") -> str | None:
    """Why a step cannot be recorded as given (besides the order, see next_status), or None.

    step_date is the day it happened (the notice sent, the reply received, the case closed):
    not in the future, not before the notice was sent. 发出 needs a reply deadline on or after
    the day it is sent; 退回重办 a new deadline and a reason."""
    try:
        next_status(step, status)
    except CaseError as exc:
        return str(exc)
    if step_date is None:
        return "请填写办理日期。"
    if step_date > today:
        return f"办理日期{cn_date(step_date)}晚于今天，不能预先登记。"
    if step != ISSUE and sent_date is not None and step_date < sent_date:
        return f"办理日期{cn_date(step_date)}早于督办通知发出日期{cn_date(sent_date)}。"
    if len(note) > NOTE_MAX:
        return f"说明不能超过{NOTE_MAX}字。"
    if step in (ISSUE, RETURN):
        if reply_due is None:
            return "请填写回复期限。"
        if reply_due < step_date:
            return (f"回复期限{cn_date(reply_due)}早于{step}日期{cn_date(step_date)}，"
                    "请重新选择。")
        if reply_due < today:
            return f"回复期限{cn_date(reply_due)}早于今天（{cn_date(today)}），请重新选择。"
    if step == RETURN and not note.strip():
        return "退回重办须写明理由。"
    return None


def case_problem(*, uscc: str, reason: str, addressee_kind: str, addressee: str,
                 reply_due: dt.date | None, today: dt.date, contact: str = "",
                 note: str = "") -> str | None:
    """Why a new case cannot be opened as given, or None."""
    if not uscc:
        return "请选择企业。"
    if not reason.strip():
        return "请填写督办事由。"
    if len(reason) > NOTE_MAX or len(note) > NOTE_MAX:
        return f"事由和说明均不能超过{NOTE_MAX}字。"
    if addressee_kind not in ADDRESSEE_KINDS:
        return "请选择主送单位类别。"
    if not addressee.strip():
        return "请填写主送单位。"
    if len(addressee) > 128:
        return "主送单位不能超过128字。"
    if len(contact) > CONTACT_MAX:
        return f"联系人及电话不能超过{CONTACT_MAX}字。"
    return reply_due_problem(reply_due, today)


# --------------------------------------------------------------------------------------------
# Document numbers and attachments
# --------------------------------------------------------------------------------------------

def doc_no(pattern: str, province_adcode: str, year: int, n: int) -> str:
    """The 文号 for sequence `n` of `year`: 苏环督〔2026〕12号 (no leading zeros, GB/T 9704)."""
    abbr = PROVINCE_ABBR.get(str(province_adcode)[:2], "")
    if "{n}" not in pattern or "{year}" not in pattern:
        raise CaseError("文号格式须包含 {year} 和 {n}，请检查 CASE_DOC_PATTERN 设置。")
    try:
        return pattern.format(abbr=abbr, year=year, n=int(n))
    except (KeyError, IndexError, ValueError) as exc:
        raise CaseError(f"文号格式有误（{exc}），请检查 CASE_DOC_PATTERN 设置。") from None


def counter_key(pattern: str, province_adcode: str) -> str:
    """What one sequence of numbers is kept under: the pattern as written for the province
    (so a changed pattern starts its own sequence and never reuses another's numbers)."""
    abbr = PROVINCE_ABBR.get(str(province_adcode)[:2], "")
    return pattern.replace("{abbr}", abbr)[:64]


_DOC_NO_RE = re.compile(r"^[^\s<>]{2,40}〔\d{4}〕\d+号$")


def manual_doc_no_problem(text: str) -> str | None:
    """Why a 文号 typed by hand is not acceptable, or None (uniqueness is the database's)."""
    if not _DOC_NO_RE.match(text.strip()):
        return "文号格式应如“苏环督〔2026〕12号”（六角括号、四位年份、序号不加“第”字和前导零）。"
    if re.search(r"〕0\d", text):
        return "文号序号不加前导零（GB/T 9704-2012）。"
    return None


def attachment_problem(file_name: str, data: bytes, rules: CaseRules) -> str | None:
    """Why an uploaded file may not be stored (type, size, content), or None."""
    name = (file_name or "").strip()
    if not name or len(name) > 128:
        return "附件文件名为空或过长（最多128字）。"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        allowed = "、".join(sorted({e.upper() for e in ATTACHMENT_TYPES}))
        return f"不支持的附件类型“.{ext or '无扩展名'}”，仅可上传：{allowed}。"
    if not data:
        return "附件是空文件。"
    if len(data) > rules.max_attachment_bytes:
        return (f"附件过大（{len(data) / 1048576:.1f} MB），单个附件不能超过"
                f"{rules.max_attachment_mb} MB。")
    if data.startswith(_EXECUTABLE_MAGIC):
        return "附件内容是可执行程序，不能上传。"
    if not data.startswith(_MAGIC[ext]):
        return f"附件内容与扩展名“.{ext}”不符，请上传原始文件。"
    return None


def demand_text(category: str) -> str:
    """What the addressee is asked to do, by the kind of watch-list item (the notice's body)."""
    return {
        "逾期": "立即督促企业按法定时限完成相关审核环节，并报送整改情况及完成时间",
        "未通过": "督促企业对评估或验收中发现的问题进行整改，按要求重新申请评估或验收",
        "再审核逾期": "督促企业尽快启动新一轮清洁生产审核，并报送审核计划",
        "许可证过期": "督促企业依法申请延续排污许可证，并报送办理情况",
    }.get(category, "督促企业按期完成相关工作，并报送办理情况")


def issuer_name(level: str, area_name: str) -> str:
    """The office that signs a notice (落款) for a viewer of `level` over `area_name`: the
    province's 生态环境厅, a city's or county's 生态环境局."""
    return f"{area_name}生态环境厅" if level == "province" else f"{area_name}生态环境局"


def addressee_choices(level: str, city: str, county: str, enterprise: str
                      ) -> list[tuple[str, str]]:
    """Whom a viewer of `level` may address about one enterprise: (kind, 主送 text), the
    nearest authority below the viewer first. A city sends to its county or the enterprise; a
    county only to the enterprise."""
    out = []
    if level == "province":
        out.append((ADDRESSEE_KINDS[0], f"{city}生态环境局"))
    if level in ("province", "city"):
        out.append((ADDRESSEE_KINDS[1], f"{city}{county}生态环境局"))
    out.append((ADDRESSEE_KINDS[2], enterprise))
    return out
