"""园区评比 and 园区详情 under AppTest on the hand-built park database (tests/handmade_parks.py):
the exact numbers the pages show, local filters, deep links, and scope."""

from __future__ import annotations

from tests import handmade_parks as hp
from tests.apptest import metrics, open_page, texts

ASOF = {"asof": "2024-12-31"}



def show(at, section: str):
    """Open one of 园区评比's lazy tabs (园区评分表 / 同类园区比较 / 园区成员登记核对)."""
    at.session_state["parks_section"] = section
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at, first_column: str, *others: str):
    """The first st.dataframe whose first columns include `first_column` and that has `others`."""
    for d in at.dataframe:
        if first_column in d.value.columns[:2] and set(others) <= set(d.value.columns):
            return d.value
    raise AssertionError(f"no table with columns {first_column}, {others}")


# --------------------------------------------------------------------------------------------
# 园区评比
# --------------------------------------------------------------------------------------------

def test_parks_page_scorecard_known_numbers(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/parks.py", params=ASOF)
    assert at.title[0].value == "园区评比"
    m = metrics(at)
    assert m["园区"] == "3 个" and m["成员企业"] == "5 家"
    assert m["已完成审核企业"] == "4 家"  # E1; E6 counted once; E7, E8 through the cluster audit
    assert m["园区整体审核（通过/总数）"] == "1 / 1"
    assert m["园区成员登记问题"] == "2 家"
    card = frame(at, "园区").set_index("园区")
    assert list(card.index) == [hp.PARK2, hp.PARK1, hp.PARK3]  # by member enterprises
    p1, p2 = card.loc[hp.PARK1], card.loc[hp.PARK2]
    assert (p1["成员企业（家）"], p1["审核轮次（轮）"], p1["逾期（轮）"]) == (2, 2, 1)
    assert (p1["已完成审核企业（家）"], p1["审核完成率（%）"]) == (1, 50.0)
    assert (p1["实施投资（万元）"], p1["家均投资（万元/家）"]) == (155.0, 77.5)
    assert (p2["行业构成（家）"], p2["审核轮次（轮）"], p2["已完成审核企业（家）"]) == (
        "化工 2、印染 1", 4, 3)
    assert (p2["实施投资（万元）"], p2["家均投资（万元/家）"], p2["整体审核"]) == (
        65.5, 21.83, "评估通过，待验收")
    assert (p2["Ⅱ级（家）"], p2["Ⅲ级（家）"], p2["环保诚信（家）"], p2["环保警示（家）"]) == (
        1, 1, 1, 1)
    assert card.loc[hp.PARK2, "详情"] == "park?asof=2024-12-31&park=2"
    assert len(at.dataframe) == 1 and len(at.get("vega_lite_chart")) == 1  # one tab is sent
    # comparison within 化工园区 (the most common type), default metric 审核完成率
    cmp = frame(show(at, "同类园区比较"), "排名")
    assert list(cmp["园区"]) == [hp.PARK2, hp.PARK1] and list(cmp["审核完成率（%）"]) == [
        100.0, 50.0]
    issues = frame(show(at, "园区成员登记核对"), "企业名称")
    assert set(issues["企业名称"]) == {"苏州戊电镀有限公司", "苏州辛化工有限公司"}
    assert len(at.dataframe) == 1 and not at.get("vega_lite_chart")
    assert metrics(at)["园区成员登记问题"] == "2 家"  # the KPI row stays above the tabs


def test_parks_page_level_type_sort_and_metric(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/parks.py", params=ASOF)
    at.multiselect(key="parks_level").set_value(["国家级"]).run()
    assert list(frame(at, "园区")["园区"]) == [hp.PARK1, hp.PARK3]
    assert metrics(at)["成员企业"] == "2 家" and metrics(at)["园区成员登记问题"] == "0 家"
    at.multiselect(key="parks_level").set_value([]).run()
    at.multiselect(key="parks_type").set_value(["化工园区"]).run()
    at.selectbox(key="parks_sort").set_value("investment_per_ent").run()
    assert list(frame(at, "园区")["园区"]) == [hp.PARK1, hp.PARK2]
    at.selectbox(key="parks_sort").set_value("overdue_per100").run()  # fewer is better
    assert list(frame(at, "园区")["园区"]) == [hp.PARK2, hp.PARK1]
    show(at, "同类园区比较").selectbox(key="parks_metric").set_value("investment_per_ent").run()
    cmp = frame(at, "排名")
    assert list(cmp["园区"]) == [hp.PARK1, hp.PARK2]
    assert list(cmp["家均实施投资（万元/家）"]) == [77.5, 21.83]
    assert len(at.get("vega_lite_chart")) == 1
    # the level / type filters above the tabs keep their values across tabs, and so does the
    # metric chosen inside the comparison tab after a visit to another tab
    assert at.multiselect(key="parks_type").value == ["化工园区"]
    show(at, "园区评分表")
    show(at, "同类园区比较")
    assert at.selectbox(key="parks_metric").value == "investment_per_ent"
    assert list(frame(at, "排名")["家均实施投资（万元/家）"]) == [77.5, 21.83]
    # the type filter narrows the types offered for comparison (高新区 is not offered)
    assert at.selectbox(key="parks_cmp_type").options == ["化工园区"]
    at.multiselect(key="parks_type").set_value([]).run()
    assert "高新技术产业开发区" in at.selectbox(key="parks_cmp_type").options


def test_parks_page_follows_the_city_filter_and_city_scope(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/parks.py",
                   params={**ASOF, "city": "320500"})
    assert set(frame(at, "园区")["园区"]) == {hp.PARK2, hp.PARK3}
    at = open_page(monkeypatch, parks_sqlite, "pages/parks.py", params=ASOF, user="city:320100")
    assert list(frame(at, "园区")["园区"]) == [hp.PARK1]
    assert metrics(at)["成员企业"] == "2 家"
    for section in ("园区评分表", "同类园区比较", "园区成员登记核对"):
        show(at, section)
        body = texts(at) + " ".join(str(d.value.to_dict()) for d in at.dataframe)
        assert "苏州" not in body, section


# --------------------------------------------------------------------------------------------
# 园区详情
# --------------------------------------------------------------------------------------------

def test_park_page_deep_link_known_numbers(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "2"})
    assert at.header[0].value == hp.PARK2
    m = metrics(at)
    assert m == {"成员企业": "3 家", "已完成审核企业": "3 家", "审核完成率": "100.0%",
                 "逾期轮次": "0 轮", "实施投资（万元）": "65.5"}
    assert "节能量 20.0 吨标准煤/年，COD减排量 1.50 吨/年。行业构成：化工 2、印染 1。" in texts(at)
    assert not at.error
    cl = frame(at, "整体审核名称").iloc[0]
    assert (cl["启动日期"], cl["评估日期"], cl["评估结论"], cl["状态"]) == (
        "2024年4月1日", "2024年10月15日", "通过", "评估通过，待验收")
    assert cl["成员审核轮次（轮）"] == 3
    rounds = frame(at, "整体审核")
    assert list(rounds["企业名称"]) == [
        "苏州己化工有限公司", "苏州庚印染有限公司", "苏州辛化工有限公司"]
    members = frame(at, "企业名称", "审核轮次（轮）").set_index("企业名称")
    assert members.loc["苏州己化工有限公司", "审核轮次（轮）"] == 2
    assert members.loc["苏州辛化工有限公司", "最近一轮状态"] == "审核中"
    assert list(frame(at, "方案类别")["方案类别"]) == ["管理", "废弃物", "设备", "技术工艺"]
    assert frame(at, "问题").values.tolist() == [["受到处罚：超标排放", 1]]
    assert list(frame(at, "年份")["年份"]) == ["2023", "2024"]
    standing = frame(at, "指标").set_index("指标")
    assert standing.loc["审核完成率（%）", "排名"] == "第1名/共2个"
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    spec = decks[0].proto.json
    assert "park-boundary" in spec and "苏州戊电镀有限公司" in spec and "mapbox" not in spec.lower()
    assert at.query_params["park"] in ("2", ["2"])
    assert "下载园区评审材料（Word）" in [b.proto.label for b in at.get("download_button")]


def test_park_page_missing_and_bad_links(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "99"})
    assert at.error[0].value.startswith("未找到编号为 99 的园区，或该园区不在您的查看权限范围内")
    assert not at.metric and not at.get("deck_gl_json_chart")
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "abc"})
    assert "园区编号“abc”无效" in at.error[0].value


def test_park_page_outside_city_scope(monkeypatch, parks_sqlite):
    """A Nanjing viewer following a link to a Suzhou park gets the same message as for a park
    that does not exist, and sees nothing of it."""
    nanjing = "city:320100"
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "2"},
                   user=nanjing)
    assert at.error[0].value.startswith("未找到编号为 2 的园区，或该园区不在您的查看权限范围内")
    assert hp.PARK2 not in texts(at) and not at.metric
    assert at.selectbox(key="park_pick").options == [hp.PARK1]
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "1"},
                   user=nanjing)
    assert at.header[0].value == hp.PARK1 and metrics(at)["成员企业"] == "2 家"


def test_park_page_outside_city_filter_and_picker(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py",
                   params={**ASOF, "park": "2", "city": "320100"})
    assert "不在左侧所选城市范围内" in at.warning[0].value
    at.selectbox(key="park_pick").set_value(1).run()
    assert at.header[0].value == hp.PARK1
    assert metrics(at)["逾期轮次"] == "1 轮" and metrics(at)["审核完成率"] == "50.0%"
    assert at.query_params["park"] in ("1", ["1"])


def test_park_without_members_or_boundary(monkeypatch, parks_sqlite):
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py", params={**ASOF, "park": "3"})
    assert at.header[0].value == hp.PARK3
    assert metrics(at)["成员企业"] == "0 家" and metrics(at)["审核完成率"] == "—"
    assert "本园区未录入边界数据" in texts(at)
    assert "本园区尚无园区整体审核记录。" in texts(at)
