"""The documents of a 督办事项, in the official layout of components/word.official_document:
the 督办通知书 (one per enterprise) and the 批量督办函 (one per city, its enterprises in a
table). Pure builders: they take the case rows the page read and return .docx bytes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components import word
from components.fmt import cn_date

LAW = "《中华人民共和国清洁生产促进法》第二十七条和《清洁生产审核办法》有关规定"
DRAFT_NO = "（文号待发出时编定）"


def _you(kind: str) -> str:
    return "你单位" if kind == "企业" else "你局"


def _late(case: dict) -> str:
    days = case.get("days_late")
    if days is None or pd.isna(days) or int(days) <= 0:
        return ""
    due = case.get("item_due")
    due_text = f"应于{cn_date(due)}前完成，" if due is not None and not pd.isna(due) else ""
    return f"（{due_text}截至登记督办时已逾期{int(days)}天）"


def notice_paragraphs(case: dict) -> list[str]:
    """The body of one enterprise's 督办通知书, written from the case."""
    you = _you(case["addressee_kind"])
    where = f"{case['city']}{case['county']}"
    subject = "你单位" if case["addressee_kind"] == "企业" else (
        f"你辖区内的{case['enterprise_name']}")
    due = cn_date(case["reply_due"]) if case.get("reply_due") is not None else "规定期限"
    return [
        f"经核查，{subject}（统一社会信用代码：{case['uscc']}，位于{where}）在强制性清洁生产"
        f"审核工作中存在以下问题：{case['reason']}{_late(case)}。",
        f"根据{LAW}，现予督办。请{you}{case['demand']}。",
        f"请于{due}前将办理情况书面报送{case['issuer']}，并附相关证明材料。"
        "逾期未报送的，将依法依规进一步处理。",
    ]


def notice_docx(case: dict, sample: bool) -> bytes:
    """督办通知书 for one case (an unsent case: a draft without its 文号)."""
    sent = case.get("sent_date")
    return word.to_bytes(word.official_document(
        office=case["issuer"], doc_no=case.get("doc_no") or DRAFT_NO,
        title=f"关于{case['enterprise_name']}清洁生产审核有关问题的督办通知",
        addressee=case["addressee"], paragraphs=notice_paragraphs(case),
        signature=case["issuer"],
        date_text=cn_date(sent if sent is not None else dt.date.today()),
        note=f"联系人及电话：{case['contact']}" if case.get("contact") else None,
        sample=sample))


def batch_table(cases: pd.DataFrame) -> pd.DataFrame:
    """The batch letter's table: one row per enterprise case of the city."""
    return pd.DataFrame({
        "序号": range(1, len(cases) + 1),
        "企业名称": cases["enterprise_name"].tolist(),
        "区县": cases["county"].tolist(),
        "统一社会信用代码": cases["uscc"].tolist(),
        "督办事由": cases["reason"].tolist(),
        "回复期限": [cn_date(d) if d is not None and not pd.isna(d) else "—"
                     for d in cases["reply_due"]],
    })


def batch_letter_docx(city: str, cases: pd.DataFrame, issuer: str, doc_no: str | None,
                      date: dt.date, reply_due: dt.date, contact: str | None,
                      sample: bool) -> bytes:
    """批量督办函 to one city's bureau, its enterprises' cases in a table."""
    n = len(cases)
    paragraphs = [
        f"经梳理，截至{cn_date(date)}，你市共有{n}家企业在强制性清洁生产审核工作中存在逾期"
        "未完成、评估或验收未通过等问题，需要督促整改，具体情况见下表。",
    ]
    after = [
        f"根据{LAW}，现予督办。请你局逐一督促上述企业按要求完成整改，"
        f"并于{cn_date(reply_due)}前将各企业办理情况书面报送{issuer}。",
    ]
    return word.to_bytes(word.official_document(
        office=issuer, doc_no=doc_no or DRAFT_NO,
        title=f"关于督促{city}有关企业做好清洁生产审核工作的函",
        addressee=f"{city}生态环境局", paragraphs=paragraphs,
        table_df=batch_table(cases), after_table=after, signature=issuer,
        date_text=cn_date(date), note=f"联系人及电话：{contact}" if contact else None,
        sample=sample))
