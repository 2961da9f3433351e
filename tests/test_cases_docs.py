"""The 督办通知书 and the 批量督办函 (issue 17) read back: 文号, 主送, the body written from the
case, the table, 落款 and 成文日期, A4 with the GB/T 9704-2012 margins and page numbers; the
batch letter of a city with 300 enterprises builds in under 5 s."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from components import case_docs, word

CASE = {"enterprise_name": "苏州甲化工有限公司", "uscc": "91320505MA1BBB03XX", "city": "苏州市",
        "county": "虎丘区", "category": "逾期", "reason": "提交审核报告逾期 45 天",
        "demand": "立即督促企业按法定时限完成相关审核环节", "addressee_kind": "市级生态环境部门",
        "addressee": "苏州市生态环境局", "contact": "督办科 王某 025-12345678",
        "issuer": "江苏省生态环境厅", "doc_no": "苏环督〔2026〕12号",
        "reply_due": dt.date(2026, 12, 22), "sent_date": dt.date(2026, 12, 1),
        "days_late": 45, "item_due": dt.date(2026, 10, 9)}


def test_notice_reads_back_in_the_official_layout():
    data = case_docs.notice_docx(CASE, sample=True)
    text, tables = word.read_back(data)
    lines = text.splitlines()
    assert "苏环督〔2026〕12号" in lines
    assert "苏州市生态环境局：" in lines  # 主送, flush left with a colon
    assert "关于苏州甲化工有限公司清洁生产审核有关问题的督办通知" in lines
    assert ("你辖区内的苏州甲化工有限公司（统一社会信用代码：91320505MA1BBB03XX，"
            "位于苏州市虎丘区）") in text
    assert "提交审核报告逾期 45 天（应于2026年10月9日前完成，截至登记督办时已逾期45天）" in text
    assert "请你局立即督促企业按法定时限完成相关审核环节。" in text
    assert "请于2026年12月22日前将办理情况书面报送江苏省生态环境厅" in text
    assert lines.count("江苏省生态环境厅") == 2  # the office's mark and the signature
    assert "2026年12月1日" in lines  # 成文日期
    assert "（联系人及电话：督办科 王某 025-12345678）" in lines
    assert word.SAMPLE_MARK in text
    assert tables == []
    assert word.layout(data) == {"width_mm": 210, "height_mm": 297, "top_mm": 37,
                                 "bottom_mm": 35, "left_mm": 28, "right_mm": 26,
                                 "body_font": "仿宋_GB2312", "page_numbers": True}


def test_notice_to_an_enterprise_and_a_draft_without_number():
    data = case_docs.notice_docx({**CASE, "addressee_kind": "企业", "doc_no": None,
                                  "addressee": "苏州甲化工有限公司", "contact": None},
                                 sample=False)
    text, _ = word.read_back(data)
    assert "经核查，你单位（统一社会信用代码" in text and "请你单位立即督促" in text
    assert case_docs.DRAFT_NO in text.splitlines()
    assert "联系人" not in text and word.SAMPLE_MARK not in text


def test_batch_letter_lists_the_citys_enterprises_and_builds_fast():
    cases = pd.DataFrame({"enterprise_name": [f"企业{i}" for i in range(300)],
                          "county": ["虎丘区"] * 300, "uscc": [f"{i:018d}" for i in range(300)],
                          "reason": ["启动审核逾期 30 天"] * 300,
                          "reply_due": [dt.date(2026, 12, 22)] * 300})
    case_docs.notice_docx(CASE, sample=False)  # python-docx loaded once, as on a server
    start = time.perf_counter()
    data = case_docs.batch_letter_docx("苏州市", cases, "江苏省生态环境厅", "苏环督〔2026〕13号",
                                       dt.date(2026, 12, 1), dt.date(2026, 12, 22),
                                       "督办科 025-12345678", sample=False)
    assert time.perf_counter() - start < 5
    text, tables = word.read_back(data)
    assert "苏州市生态环境局：" in text.splitlines()
    assert "你市共有300家企业" in text
    assert list(tables[0].columns) == ["序号", "企业名称", "区县", "统一社会信用代码", "督办事由",
                                       "回复期限"]
    assert len(tables[0]) == 300
    assert tables[0].iloc[299].tolist() == ["300", "企业299", "虎丘区", f"{299:018d}",
                                            "启动审核逾期 30 天", "2026年12月22日"]
    assert word.layout(data)["page_numbers"]
