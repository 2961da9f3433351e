"""数据质量 over time: after each import and undo, in its transaction, the open problems per
county and check (quality_snapshot); the line of a jurisdiction sums its counties. Known answers
on the faulty hand-built database (tests/test_intake_quality.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from queries import intake, quality
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from tests.apptest import open_page
from tests.handmade import E3, E4
from tests.test_intake_quality import build
from tests.test_intake_queries import ACTOR, ent, prog

PROVINCE, SUZHOU, NANJING = Scope(), Scope("city", "320500"), Scope("city", "320100")
HUQIU, WUJIANG = Scope("county", "320505"), Scope("county", "320509")


@pytest.fixture
def faulty_url(db_url):
    build(get_engine(db_url))
    return db_url


def line(url: str, scope: Scope) -> list[tuple[str, int]]:
    quality.open_over_time.clear()
    frame = quality.open_over_time(Source(url, ""), scope)
    return list(zip(frame["event"], frame["problems"], strict=True))


def test_the_open_count_after_each_import_and_undo(faulty_url):
    src = Source(faulty_url, "")
    assert line(faulty_url, PROVINCE) == []  # nothing recorded before the first import
    # 苏州 clears E3's park in another city (park in another city: 虎丘区 1 -> 0)
    first = intake.confirm(src, SUZHOU, "enterprises", ent([E3, None, None, None, "（清空）"]),
                           "名录.xlsx", ACTOR)
    assert first.ok, first.message
    # the province corrects E4's disclosure date (dates out of order: 吴江区 3 -> 2)
    second = intake.confirm(src, PROVINCE, "progress", prog([E4, 1, None, "2024-03-15"]),
                            "进度.xlsx", ACTOR)
    assert second.ok, second.message
    assert intake.undo(src, PROVINCE, second.batch_id, ACTOR).ok
    assert line(faulty_url, PROVINCE) == [("导入", 3), ("导入", 2), ("撤销", 3)]
    assert line(faulty_url, SUZHOU) == [("导入", 3), ("导入", 2), ("撤销", 3)]
    assert line(faulty_url, WUJIANG) == [("导入", 3), ("导入", 2), ("撤销", 3)]
    assert line(faulty_url, HUQIU) == [("导入", 0), ("导入", 0), ("撤销", 0)]
    assert line(faulty_url, NANJING) == [("导入", 0), ("导入", 0), ("撤销", 0)]
    assert line(faulty_url, Scope("park", "1")) == []
    frame = quality.open_over_time(Source(faulty_url, ""), PROVINCE)
    assert list(frame["batch_id"]) == [first.batch_id, second.batch_id, second.batch_id]
    # by check: what the first import left in 吴江区
    q = s.quality_snapshot
    rows = read_frame(get_engine(faulty_url), select(q.c.county_adcode, q.c.check_name,
                                                     q.c.problems)
                      .where(q.c.batch_id == first.batch_id))
    assert sorted(map(tuple, rows.values.tolist())) == sorted([
        ("320111", "合计", 0), ("320505", "合计", 0), ("320509", "合计", 3),
        ("320509", quality.BAD_USCC, 1), ("320509", quality.DATE_ORDER, 1),
        ("320509", "缺少坐标", 1)])


def test_a_refused_import_records_nothing(faulty_url):
    out = intake.confirm(Source(faulty_url, ""), SUZHOU, "enterprises",
                         ent([E3, None, "不存在的行业"]), "x.xlsx", ACTOR)
    assert not out.ok
    assert read_frame(get_engine(faulty_url), select(s.quality_snapshot)).empty


def test_the_page_draws_the_line(monkeypatch, tmp_path):
    import pyarrow as pa

    from tests.conftest import sqlite_with

    url = sqlite_with(tmp_path, build, "faulty.db")
    assert intake.confirm(Source(url, ""), SUZHOU, "enterprises",
                          ent([E3, None, None, None, "（清空）"]), "名录.xlsx", ACTOR).ok
    at = open_page(monkeypatch, url, "pages/data_quality.py", user="city")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    assert json.loads(charts[0].proto.spec)["layer"][0]["encoding"]["y"]["title"] == "问题数（处）"
    table = pa.ipc.open_stream(charts[0].proto.datasets[0].data.data).read_all().to_pandas()
    assert list(table["问题数"]) == [3] and list(table["事件"]) == ["导入（第 1 次）"]


def test_the_chart_builder_steps_through_the_events():
    from components.quality_chart import open_count_chart

    history = pd.DataFrame({"at": pd.to_datetime(["2026-12-01 09:30", "2026-12-02 10:00"]),
                            "event": ["导入", "撤销"], "batch_id": [4, 4], "problems": [7, 9]})
    spec = open_count_chart(history).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [(v["时间"], v["事件"], v["问题数"]) for v in values] == [
        ("2026年12月1日 09:30", "导入（第 4 次）", 7),
        ("2026年12月2日 10:00", "撤销导入（第 4 次）", 9)]
    assert spec["layer"][0]["mark"]["interpolate"] == "step-after"
