"""专家库, 咨询机构 and 信用与公开 under AppTest on the hand-built experts database
(tests/handmade_experts.py): the numbers shown, every tab, masking, deep links inside and
outside the jurisdiction, downloads per role, a broken rules file, and administrators refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from components import safe, word
from components.credit_doc import publication_docx
from components.people_tables import publication_table
from queries import credit as qcr
from queries import schema as s
from queries.db import Source, get_engine
from queries.scope import Filters, Scope
from tests import handmade_experts
from tests.apptest import metrics, open_page, shown, texts
from tests.conftest import sqlite_with
from tests.handmade import D

ASOF = {"asof": "2024-12-31"}
NANJING_ONLY = ["南京", "13812345678", "320102198001011234", "王甲", "南京甲化工有限公司"]


@pytest.fixture
def experts_sqlite(tmp_path):
    return sqlite_with(tmp_path, handmade_experts.build, "experts.db")


@pytest.fixture
def loose_rules(tmp_path, monkeypatch):
    """Rules under which the small database has a ranking and copied options."""
    p = tmp_path / "expert_rules.toml"
    p.write_text("[default]\nrank_min_reviews = 1\ncopy_min_clients = 2\n", encoding="utf-8")
    monkeypatch.setenv("EXPERT_RULES_FILE", str(p))


def body(at) -> str:
    parts = [texts(at)] + [d.value.to_string() for d in at.dataframe]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for kind in ("selectbox", "multiselect"):
        for w in getattr(at, kind):
            parts += [str(o) for o in w.options]
    return "\n".join(parts)


def tab(at, key: str, label: str):
    at.session_state[key] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at, column: str):
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column}")


def denied(url: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return conn.execute(select(s.audit_log.c.username, s.audit_log.c.target)
                            .where(s.audit_log.c.action == "denied")).all()


EXPERT_TABS = ["专家名单", "供需", "记分考核", "工作量与轮换", "回避", "培训"]


# -- 专家库 -----------------------------------------------------------------------------------

def test_experts_page_province_known_numbers(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/experts.py", params=ASOF)
    assert at.title[0].value == "专家库"
    m = metrics(at)
    assert m["在库专家"] == "8 名" and m["暂停 / 退出"] == "1 / 0 名"
    assert m["已达暂停线"] == "1 名" and m["2024年超工作量"] == "0 名"
    assert m["需回避的评审"] == "2 席次" and m["轮换提示"] == "0 对"
    assert "1 名专家已达暂停线但仍在库，应暂停" in shown(at.warning[0].value)
    pool = frame(at, "手机号").set_index("姓名")
    assert len(pool) == 9
    assert (pool.loc["王甲", "手机号"], pool.loc["王甲", "身份证号"]) == (
        "13812345678", "320102198001011234")
    assert (pool.loc["王甲", "剩余分（分）"], pool.loc["王甲", "记分状态"]) == (6, "已达暂停线")
    assert (pool.loc["王甲", "本年评审（场）"], pool.loc["王甲", "所在城市"]) == (2, "南京市")
    assert pool.loc["王甲", "详情"] == "experts?asof=2024-12-31&expert=1"
    assert pool.loc["李乙", "记分状态"] == "接近暂停线"
    supply = frame(tab(at, "exp_section", "供需"), "供需").set_index("行业")
    assert supply.loc["化工", "在库专家（名）"] == 4
    assert supply.loc["化工", "近12个月评审（场）"] == 2
    assert supply.loc["化工", "每名在库专家年均席次（人次）"] == "1.8"
    assert supply.loc["印染", "供需"] == "近期无评审"
    score = frame(tab(at, "exp_section", "记分考核"), "提示").set_index("姓名")
    assert list(score.index) == ["王甲", "李乙"]
    assert score.loc["王甲", "提示"] == "已达暂停线但仍在库，应暂停"
    ded = frame(at, "扣分原因")
    assert len(ded) == 4  # 2024 by 12-31: experts 1 (twice), 2, 4; not 2023, not 2025
    assert "2024年扣分记录**（4 次，共 12 分）" in texts(at)
    conflict = frame(tab(at, "exp_section", "回避"), "回避事由").set_index("专家")
    assert conflict["回避事由"].to_dict() == {"周己": "评审本单位咨询的项目",
                                          "吴庚": "评审本单位企业"}
    load = frame(tab(at, "exp_section", "工作量与轮换"), "评审（场）")
    assert load["评审（场）"].tolist()[:3] == [2, 2, 2]
    train = frame(tab(at, "exp_section", "培训"), "计划场次（场）").set_index("培训对象")
    assert train.loc["企业", "已举办（场）"] == 2 and train.loc["企业", "已培训（人次）"] == 90
    assert train.loc["专家", "场次完成率"] == "50.0%"
    assert [b.proto.label for b in at.get("download_button")] == ["下载专家库（Excel）"]


def test_experts_page_city_sees_its_experts_masked(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/experts.py", params=ASOF,
                   user="city:320500")
    assert shown(at.caption[0].value).startswith("苏州市 · ")
    m = metrics(at)
    assert m["在库专家"] == "4 名" and m["需回避的评审"] == "1 席次"
    assert m["已达暂停线"] == "0 名"
    pool = frame(at, "手机号").set_index("姓名")
    assert sorted(pool.index) == sorted(["刘丁", "陈戊", "周己", "郑辛"])
    assert pool.loc["刘丁", "手机号"] == "139****1111" and pool.loc["刘丁", "所在城市"] == "外市"
    assert pool.loc["郑辛", "所在城市"] == "苏州市"
    seen = body(at)
    for label in EXPERT_TABS[1:]:
        seen += body(tab(at, "exp_section", label))
    assert [w for w in NANJING_ONLY if w in seen] == []
    assert "苏州企业培训" in seen and "南京企业培训" not in seen


def test_expert_deep_links(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                   params={**ASOF, "expert": "4"}, user="city:320500")
    assert at.header[0].value == "刘丁"
    assert metrics(at)["剩余分"] == "10 分"
    seats = frame(at, "评审结论")
    assert seats[["被评审企业（整体审核）", "评审结论", "评审得分（分）"]].values.tolist() == [
        ["苏州丙电镀有限公司", "未通过", "62.0"]]
    assert any("手机号 139****1111" in shown(c.value) for c in at.caption)
    assert frame(at, "扣分原因")["扣分（分）"].tolist() == [2]
    outside = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                        params={**ASOF, "expert": "1"}, user="city:320500")
    unknown = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                        params={**ASOF, "expert": "99"}, user="city:320500")
    assert shown(outside.error[0].value).replace("1", "X") == \
        shown(unknown.error[0].value).replace("99", "X")
    assert "王甲" not in body(outside) and "13812345678" not in body(outside)
    assert denied(experts_sqlite) == [("test-city-320500", "专家1")]
    bad = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                    params={**ASOF, "expert": "<b>1</b>"}, user="city:320500")
    assert "专家编号应为正整数" in shown(bad.error[0].value)
    assert "<b>" not in bad.error[0].value  # echoed as text
    province = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                         params={**ASOF, "expert": "1"})
    assert province.header[0].value == "王甲" and "13812345678" in texts(province)


def test_broken_rules_file_is_reported(monkeypatch, experts_sqlite, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[default]\nworkload_cap = -3\n", encoding="utf-8")
    monkeypatch.setenv("EXPERT_RULES_FILE", str(p))
    for page in ("experts", "consultancies", "credit"):
        at = open_page(monkeypatch, experts_sqlite, f"pages/{page}.py", params=ASOF)
        assert "规则配置有误" in shown(at.error[0].value)
        assert "workload_cap" in shown(at.error[0].value)


# -- 咨询机构 ---------------------------------------------------------------------------------

def test_consultancies_page_province_ranking(monkeypatch, experts_sqlite, loose_rules):
    at = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py", params=ASOF)
    m = metrics(at)
    assert m["咨询机构"] == "4 家" and m["被公开通报"] == "1 家"
    assert m["有雷同方案信号"] == "1 家" and m["承担本辖区审核"] == "2 家"
    assert m["评估通过率（全部机构）"] == "50.0%"
    rank = frame(at, "综合得分（分）")
    assert rank["排名"].tolist() == ["1", "2", "—", "—"]
    first = rank.iloc[0]
    assert (first["咨询机构"], first["综合得分（分）"], first["评估通过率"],
            first["逾期客户占比"]) == ("江苏清源环境咨询有限公司", "90.0", "100.0%", "33.3%")
    assert (first["逾期·提交报告（家）"], first["每个在办项目人员（人）"]) == (1, "12.5")
    second = rank.iloc[1]
    assert (second["评审未通过（轮）"], second["其中已重新列入（轮）"], second["被公开通报"]) == (
        1, 1, "是")
    assert "指标定义" in [e.label for e in at.expander]
    copied = frame(tab(at, "con_section", "雷同方案"), "方案名称")
    assert sorted(copied["方案名称"]) == ["方案1", "方案3"]


def test_consultancies_default_rules_rank_no_small_sample(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py", params=ASOF)
    assert set(frame(at, "综合得分（分）")["排名"]) == {"—"}
    assert metrics(at)["有雷同方案信号"] == "0 家"


def test_consultancies_city_and_deep_links(monkeypatch, experts_sqlite, loose_rules):
    at = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py", params=ASOF,
                   user="city:320500")
    rank = frame(at, "综合得分（分）").set_index("咨询机构")
    assert sorted(rank.index) == ["江苏清源环境咨询有限公司", "苏州三号咨询有限公司",
                                  "苏州绿衡环保科技有限公司"]
    assert rank.loc["江苏清源环境咨询有限公司", "所在城市"] == "外市"
    assert rank.loc["江苏清源环境咨询有限公司", "客户企业（家）"] == 1
    assert "南京" not in body(at) + body(tab(at, "con_section", "雷同方案"))
    one = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py",
                    params={**ASOF, "consultancy": "1"}, user="city:320500")
    assert one.header[0].value == "江苏清源环境咨询有限公司"
    assert frame(one, "企业名称")["企业名称"].tolist() == ["苏州戊电镀有限公司"]
    assert "南京甲化工有限公司" not in body(one)
    outside = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py",
                        params={**ASOF, "consultancy": "4"}, user="city:320500")
    unknown = open_page(monkeypatch, experts_sqlite, "pages/consultancies.py",
                        params={**ASOF, "consultancy": "77"}, user="city:320500")
    assert shown(outside.error[0].value).replace("4", "X") == \
        shown(unknown.error[0].value).replace("77", "X")
    assert denied(experts_sqlite) == [("test-city-320500", "咨询机构4")]


# -- 信用与公开 ------------------------------------------------------------------------------

def test_credit_page_known_numbers_and_scope(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/credit.py", params=ASOF)
    m = metrics(at)
    assert (m["应公示处罚"], m["逾期未公示"], m["待公示"], m["已公示（超期）"], m["已公示"]) == (
        "3 项", "1 项", "0 项", "1 项", "1 项")
    t = frame(at, "公示状态")
    assert t["企业名称"].tolist() == ["苏州丁印染有限公司", "南京乙化工有限公司",
                                   "苏州丙电镀有限公司"]
    assert t.iloc[0][["公示期限", "公示日期", "公示状态"]].tolist() == [
        "2024年10月12日", "—", "逾期未公示"]
    assert "1 项处罚已过公示期限仍未公示" in shown(at.warning[0].value)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载公示清单（Excel）", "下载公示清单（Word）"]
    grades = tab(at, "credit_section", "信用等级")
    by_city = frame(grades, "城市").set_index("城市")
    assert by_city.loc["苏州市", "环保警示（家）"] == 1
    assert by_city.loc["苏州市", "警示及以下占比"] == "50.0%"
    city = open_page(monkeypatch, experts_sqlite, "pages/credit.py", params=ASOF,
                     user="city:320500")
    assert metrics(city)["应公示处罚"] == "2 项"
    assert "南京" not in body(city) + body(tab(city, "credit_section", "信用等级"))


def test_publication_word_and_excel_read_back(experts_sqlite):
    from components import export

    pubs = qcr.publication_list(Source(experts_sqlite, "x"), Scope("city", "320500"),
                                Filters(as_of=D("2024-12-31")), 7)
    table = publication_table(pubs)
    text, tables = word.read_back(publication_docx(table, "苏州市", D("2024-12-31"), 7, False))
    assert "苏州市清洁生产违法行为行政处罚信息公示清单" in text and "7 个工作日内公示" in text
    assert "本清单共 2 项" in text
    assert tables[0]["企业名称"].tolist() == ["苏州丁印染有限公司", "苏州丙电镀有限公司"]
    assert tables[0]["统一社会信用代码"].tolist()[0] == handmade_experts.E4
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes({"公示清单": table},
                                                               ["标题", "截至"])))
    ws = book["公示清单"]
    assert ws["A1"].value == "标题" and ws.cell(4, 2).value == "企业名称"
    assert ws.cell(5, 2).value == "苏州丁印染有限公司"
    assert ws.cell(5, 3).value == handmade_experts.E4  # text stays text


# -- roles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["experts", "consultancies", "credit"])
def test_read_only_user_sees_the_pages_without_downloads(monkeypatch, experts_sqlite, page):
    at = open_page(monkeypatch, experts_sqlite, f"pages/{page}.py", params=ASOF,
                   user="readonly")
    assert at.title[0].value in ("专家库", "咨询机构", "信用与公开")
    assert at.get("download_button") == []
    assert "13812345678" not in body(at)  # a city-level read-only account: masked


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_administrators_cannot_open_the_pages(monkeypatch, experts_sqlite, role):
    at = open_page(monkeypatch, experts_sqlite, user=role)
    for page in ("experts", "consultancies", "credit"):
        with pytest.raises(Exception):  # noqa: B017 - not in the navigation: cannot be opened
            at.switch_page(f"pages/{page}.py")


def test_text_from_the_database_is_shown_as_text(monkeypatch, experts_sqlite):
    with get_engine(experts_sqlite).begin() as conn:
        conn.execute(s.expert.update().where(s.expert.c.expert_id == 4)
                     .values(name="**刘丁**", organisation="[点此](http://x.cn)"))
    at = open_page(monkeypatch, experts_sqlite, "pages/experts.py",
                   params={**ASOF, "expert": "4"})
    assert at.header[0].value == safe.text("**刘丁**")


# -- links from the enterprise record and the park page ------------------------------------------

def test_enterprise_record_links_to_the_firm_and_the_experts(monkeypatch, experts_sqlite):
    at = open_page(monkeypatch, experts_sqlite, "pages/enterprise.py",
                   params={**ASOF, "uscc": handmade_experts.E1})
    links = {shown(x.proto.label): x.proto.page for x in at.get("page_link")}
    assert "查看咨询机构“江苏清源环境咨询有限公司”" in links
    panel = frame(at, "专家库")
    assert panel["专家库"].tolist()[0] == "experts?asof=2024-12-31&expert=1"


def test_park_page_links_to_the_cluster_firm(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py",
                   params={**ASOF, "park": "2"})
    labels = [shown(x.proto.label) for x in at.get("page_link")]
    assert any(label.startswith("查看咨询机构“") for label in labels)


@pytest.fixture
def captured(monkeypatch):
    """Every download button of a run: label -> the bytes it would send (built now)."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    got: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        got[label] = data() if callable(data) else data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: record(st._main, *a, **k))
    return got


def _workbook_text(data: bytes) -> str:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row
                     if c.value is not None)


def test_expert_excel_has_contacts_only_for_the_province(monkeypatch, experts_sqlite, captured):
    open_page(monkeypatch, experts_sqlite, "pages/experts.py", params=ASOF)
    province = _workbook_text(captured["下载专家库（Excel）"])
    assert "手机号" in province and "13812345678" in province and "王甲" in province
    captured.clear()
    open_page(monkeypatch, experts_sqlite, "pages/experts.py", params=ASOF, user="city:320500")
    city = _workbook_text(captured["下载专家库（Excel）"])
    assert "手机号" not in city and "身份证号" not in city and "139" not in city
    assert "刘丁" in city and "王甲" not in city and "南京" not in city
    assert "苏州市清洁生产审核专家库" in city
    assert "苏州企业培训" in city and "南京企业培训" not in city  # the training sheets
