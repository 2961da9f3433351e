"""信用公开 (环办科财〔2020〕27号 §三): which penalties must be published on 信用中国, by when
(working days on the official calendar) and where each stands as of a date. The number of
working days is a province's setting (rules/expert_rules.toml: publish_working_days)."""

from __future__ import annotations

import datetime as dt

from rules.calendar import add_working_days

# Penalties under the Cleaner Production Promotion Law / 清洁生产审核办法 and their article;
# 超标排放 and 其他 are punished under other laws and are not on this list.
LEGAL_BASIS = {
    "未按规定实施审核": "《清洁生产促进法》第三十九条",
    "审核报告弄虚作假": "《清洁生产促进法》第三十九条",
    "未按规定公布信息": "《清洁生产促进法》第三十六条",
}
PUBLISH_KINDS = tuple(LEGAL_BASIS)
PUB_DONE, PUB_LATE_DONE, PUB_DUE, PUB_OVERDUE = "已公示", "已公示（超期）", "待公示", "逾期未公示"
PUB_STATES = (PUB_OVERDUE, PUB_DUE, PUB_LATE_DONE, PUB_DONE)  # most urgent first


def publication_due(decision: dt.date, working_days: int) -> dt.date:
    """The last day to publish: the `working_days`-th working day after the decision (the
    decision day not counted)."""
    return add_working_days(decision, working_days, fallback=True)


def publication_status(published: bool, published_date: dt.date | None, due: dt.date,
                       as_of: dt.date) -> str:
    """已公示 / 已公示（超期） / 待公示 / 逾期未公示 as of `as_of`; a publication dated after
    `as_of` had not happened on that day."""
    if published and (published_date is None or published_date <= as_of):
        return PUB_LATE_DONE if published_date is not None and published_date > due else PUB_DONE
    return PUB_OVERDUE if as_of > due else PUB_DUE
