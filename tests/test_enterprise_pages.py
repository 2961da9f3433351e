"""pages/enterprise.py under AppTest on the hand-built province: the record by deep link with
exact figures, as-of switching, search, bad links, a city-scoped viewer (no existence leak), and
the one-page Word sheet read back."""

from __future__ import annotations

import datetime as dt

import pytest

from components import word
from components.record_sheet import record_sheet_docx
from queries import enterprise as en
from queries.db import Source
from queries.scope import PROVINCE
from rules.clock import ClockRules
from rules.identifiers import make_uscc
from tests import handmade as hm
from tests.apptest import metrics, open_page, shown, texts

PAGE = "pages/enterprise.py"



def open_record(monkeypatch, url, uscc=None, asof="2024-12-31", user="province"):
    params = {"asof": asof} | ({"uscc": uscc} if uscc is not None else {})
    return open_page(monkeypatch, url, PAGE, params=params, user=user)


def tables(at) -> list:
    return [df.value for df in at.dataframe]


def test_record_by_deep_link_known_answer(monkeypatch, handmade_sqlite):
    at = open_record(monkeypatch, handmade_sqlite, hm.E1)
    assert at.header[0].value == "南京甲化工有限公司"
    m = metrics(at)
    assert m["当前审核状态（第1轮）"] == "验收通过"
    assert m["清洁生产水平"] == "Ⅱ级 国内先进"
    assert m["环境信用等级"] == "环保诚信"
    assert m["下一步期限"] == "2029年11月20日"
    assert m["已实施方案（项）"] == "3 / 3"
    assert m["已实施方案投资（万元）"] == "155.0"
    assert m["节能量（吨标准煤/年）"] == "130.0"
    assert m["节水量（吨/年）"] == "6,000"
    assert m["COD减排量（吨/年）"] == "2.50"
    assert "双有企业下一轮审核（再审核）应于2029年11月20日前开展" in texts(at)
    # 2029 is beyond the official calendar (2019–2026): the page says how its dates are counted.
    assert "2029年的期限遇休息日顺延时只按周六、周日计算" in texts(at)
    frames = tables(at)
    profile = frames[0].set_index("项目")["内容"]
    assert profile["所在园区"] == "南京江北新材料科技园"
    assert frames[1]["有效期至"].tolist() == ["2025年5月31日"]
    rounds = next(f for f in frames if "督办事由" in f.columns)
    assert rounds.iloc[0]["评估"] == "2024年4月10日 通过（88分）"
    assert rounds.iloc[0]["验收"] == "2024年11月20日 通过（90分）"
    assert rounds.iloc[0]["咨询机构"] == "江苏清源环境咨询有限公司"
    milestones = next(f for f in frames if "情况" in f.columns).set_index("节点")
    assert milestones.loc["提交审核报告", "应完成日期"] == "2024年3月1日"
    assert milestones.loc["提交审核报告", "情况"] == "按期完成"
    # The next audit closes the round's milestones: accepted 2024-11-20, due five years on.
    assert milestones.loc["再审核", "应完成日期"] == "2029年11月20日"
    assert milestones.loc["再审核", "情况"] == "未到期（剩 1785 天）"
    panel = next(f for f in frames if "专家" in f.columns)
    assert panel[["环节", "角色", "专家"]].values.tolist()[:2] == [["评估", "组长", "王甲"],
                                                               ["评估", "成员", "李乙"]]
    assert len(panel) == 6
    assert len(at.get("vega_lite_chart")) == 1  # one timeline per round
    assert [b.proto.label for b in at.get("download_button")] == ["下载企业档案一页纸（Word）"]


def test_overdue_and_relisted_enterprises(monkeypatch, handmade_sqlite):
    at = open_record(monkeypatch, handmade_sqlite, hm.E2)
    assert shown(at.warning[0].value) == ("第1轮审核进行中：提交审核报告应于2024年3月1日前完成"
                                   "（已逾期 305 天）")
    due = next(m for m in at.metric if m.label == "下一步期限")
    assert (shown(due.value), due.proto.delta) == ("2024年3月1日", "已逾期 305 天")
    milestones = next(f for f in tables(at) if "情况" in f.columns).set_index("节点")
    # Listed 2023-03-01: disclosure due 2023-04-01, a Saturday, moved to Monday 2023-04-03;
    # start due 2023-05-01, in the May Day holiday (4月29日至5月3日), moved to 2023-05-04, so
    # the start on 2023-06-10 was 37 days late (40 before the rest-day extension).
    assert milestones.loc["信息公开", "应完成日期"] == "2023年4月3日"
    assert milestones.loc["信息公开", "期限说明"] == "原期限2023年4月1日遇周六，依法顺延"
    assert milestones.loc["启动审核", "应完成日期"] == "2023年5月4日"
    assert milestones.loc["启动审核", "期限说明"] == "原期限2023年5月1日遇劳动节假期，依法顺延"
    assert milestones.loc["启动审核", "情况"] == "逾期 37 天完成"
    assert milestones.loc["提交审核报告", "期限说明"] == "—"  # 2024-03-01, a Friday
    assert milestones.loc["提交审核报告", "情况"] == "已逾期 305 天"
    at = open_record(monkeypatch, handmade_sqlite, hm.E3)
    assert metrics(at)["当前审核状态（第2轮）"] == "审核中"
    assert len(at.get("vega_lite_chart")) == 2
    pen = next(f for f in tables(at) if "违法类型" in f.columns)
    assert pen[["决定日期", "罚款", "信用中国", "相关轮次"]].values.tolist() == [
        ["2024-03-10", "80,000 元", "已公示", "第1轮"]]
    rounds = next(f for f in tables(at) if "督办事由" in f.columns)
    assert rounds[["轮次", "当前阶段", "督办事由"]].values.tolist() == [
        ["第1轮", "已重新列入下一轮（本轮止于评估未通过）", "已重新列入下一轮"],
        ["第2轮", "审核中", "—"]]
    permits = next(f for f in tables(at) if "许可证编号" in f.columns)
    assert permits["状态"].tolist() == ["已过期", "有效"]


def test_record_as_of_an_earlier_date(monkeypatch, handmade_sqlite):
    at = open_record(monkeypatch, handmade_sqlite, hm.E1, asof="2024-06-30")
    m = metrics(at)
    assert m["当前审核状态（第1轮）"] == "评估通过"
    assert m["清洁生产水平"] == "尚未通过验收"
    assert m["已实施方案（项）"] == "2 / 3" and m["已实施方案投资（万元）"] == "5.0"
    # Acceptance due 2025-03-01, a Saturday: moved to Monday 2025-03-03.
    assert m["下一步期限"] == "2025年3月3日"
    at = open_record(monkeypatch, handmade_sqlite, hm.E3, asof="2023-12-31")
    assert metrics(at)["当前审核状态（第1轮）"] == "已提交报告"
    assert "截至该日期无行政处罚记录。" in texts(at)


@pytest.mark.parametrize("code, fragment", [
    ("12345", "应为18位"),
    ("91320111MA1AAA01??", "不允许的字符"),
    ("<script>alert(1)</script>", "无效"),
])
def test_malformed_link_gets_a_clear_message(monkeypatch, handmade_sqlite, code, fragment):
    at = open_record(monkeypatch, handmade_sqlite, code)
    assert fragment in at.error[0].value and "链接中的统一社会信用代码" in at.error[0].value
    assert not at.header


def test_unknown_and_other_city_codes_get_the_same_message(monkeypatch, handmade_sqlite):
    unknown = make_uscc("320100", "MA1YYY99")  # valid format, in no table
    nanjing = "city:320100"
    at_other = open_record(monkeypatch, handmade_sqlite, hm.E3, user=nanjing)
    at_unknown = open_record(monkeypatch, handmade_sqlite, unknown, user=nanjing)
    msg_other, msg_unknown = at_other.error[0].value, at_unknown.error[0].value
    assert msg_other == f"未在您的管辖范围内找到统一社会信用代码为 {hm.E3} 的企业。"
    assert msg_unknown == msg_other.replace(hm.E3, unknown)
    body = texts(at_other)
    assert "苏州丙电镀" not in body and not at_other.dataframe and not at_other.metric
    # Their own city's enterprise is fine.
    assert open_record(monkeypatch, handmade_sqlite, hm.E1, user=nanjing).header[0].value \
        == "南京甲化工有限公司"


def test_search_by_name_and_permit_then_pick(monkeypatch, handmade_sqlite):
    at = open_record(monkeypatch, handmade_sqlite)
    assert "请在上方搜索企业" in texts(at)
    at.text_input(key="ent_query").set_value("丁印染").run()
    pick = at.selectbox(key="ent_pick")
    assert pick.options == [f"苏州丁印染有限公司（苏州市吴江区，{hm.E4}）"]
    pick.set_value(hm.E4).run()
    assert at.header[0].value == "苏州丁印染有限公司"
    at.text_input(key="ent_query").set_value(hm.E3 + "002P").run()
    assert at.selectbox(key="ent_pick").options == [f"苏州丙电镀有限公司（苏州市虎丘区，{hm.E3}）"]
    at.text_input(key="ent_query").set_value("不存在的企业").run()
    assert "未在您的管辖范围内找到与“不存在的企业”匹配的企业。" in texts(at)


def test_city_scoped_search_hides_other_cities(monkeypatch, handmade_sqlite):
    at = open_record(monkeypatch, handmade_sqlite, user="city:320100")
    at.text_input(key="ent_query").set_value("有限公司").run()
    assert [o.split("（")[0] for o in at.selectbox(key="ent_pick").options] == [
        "南京乙化工有限公司", "南京甲化工有限公司"]


def test_record_sheet_docx_reads_back(handmade_sqlite, clear_caches):
    rec = en.record(Source(handmade_sqlite, "t"), PROVINCE, hm.E1, dt.date(2024, 12, 31),
                    ClockRules())
    text, sheet_tables = word.read_back(record_sheet_docx(rec, "江苏省", sample=True))
    assert "南京甲化工有限公司清洁生产审核档案" in text
    assert "数据截至 2024年12月31日" in text and "样例数据" in text
    assert "方案 3 项，已实施 3 项，已实施方案投资 155.0 万元" in text
    assert "节能量 130.0 吨标准煤/年" in text
    profile = sheet_tables[0].set_index("项目")["内容"]
    assert profile["统一社会信用代码"] == hm.E1
    assert profile["清洁生产水平"] == "Ⅱ级 国内先进"
    assert profile["下一步期限"] == "双有企业下一轮审核（再审核）应于2029年11月20日前开展"
    rounds = sheet_tables[1]
    assert rounds[["轮次", "当前阶段", "评估"]].values.tolist() == [
        ["第1轮", "验收通过", "2024年4月10日 通过（88分）"]]
    assert sheet_tables[2]["许可证编号"].tolist() == [hm.E1 + "001P"]
    e5 = en.record(Source(handmade_sqlite, "t"), PROVINCE, hm.E5, dt.date(2024, 12, 31),
                   ClockRules())
    text, _ = word.read_back(record_sheet_docx(e5, "江苏省", sample=False))
    assert "未列入清洁生产审核名单" in text and "样例数据" not in text
