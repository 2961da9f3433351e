"""The credit publication list as an official document (GB/T 9704-2012 via components/word):
title, jurisdiction and date, the legal basis, and the list as a table."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components import fmt, word

WORD_COLUMNS = ["序号", "企业名称", "统一社会信用代码", "违法类型", "处罚依据", "罚款金额（元）",
                "处罚决定日期", "处罚机关", "公示状态"]


def publication_docx(table: pd.DataFrame, area: str, as_of: dt.date, working_days: int,
                     sample: bool) -> bytes:
    doc = word.new_document(f"{area}清洁生产违法行为行政处罚信息公示清单",
                            f"截至{fmt.cn_date(as_of)}", sample, landscape=True)
    word.paragraph(doc, "根据《清洁生产促进法》和《关于深入推进重点行业清洁生产审核工作的通知》"
                        "（环办科财〔2020〕27号），对依法受到处罚的企业在“信用中国”网站公开，"
                        f"并纳入企业环境信用评价。处罚决定作出后 {working_days} 个工作日内公示。")
    counts = table["公示状态"].value_counts()
    word.paragraph(doc, f"本清单共 {len(table)} 项，其中" + "，".join(
        f"{k} {v} 项" for k, v in counts.items()) + "。" if len(table) else
        "截至该日期无需公示的处罚。")
    if len(table):
        word.table(doc, table[WORD_COLUMNS], font_size=9)
    return word.to_bytes(doc)
