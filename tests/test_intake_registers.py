"""Data intake of the registers (排污许可, 信用评价与处罚, 专家库, 咨询机构) on the hand-built
databases (tests/handmade.py, tests/handmade_experts.py), on SQLite and PostgreSQL: the preview's
categories exactly, the write, a blank cell keeps and （清空） clears, undo restores exactly, the
jurisdiction, the pre-filled template round-trips to 无变化, and the command line's exit code."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from components.export import template_bytes
from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from rules import intake as ri
from rules.identifiers import make_permit_no, make_uscc
from tests import handmade_experts
from tests.handmade import E1, E2, E3, E4, E5
from tests.intake_files import xlsx

PROVINCE = Scope()
SUZHOU = Scope("city", "320500")
NANJING = Scope("city", "320100")
HUQIU = Scope("county", "320505")
TODAY = dt.date(2024, 12, 31)
ACTOR = intake.Actor("测试员")
NOWHERE = make_uscc("320509", "MA1YYY09")  # an enterprise no one has listed




def src(url: str) -> Source:
    return Source(url, "")


def table_rows(url: str, table) -> list:
    frame = read_frame(get_engine(url), select(table).order_by(*table.primary_key.columns))
    return frame.astype(str).values.tolist()


def snapshot(url: str, *tables) -> dict:
    out = {t.name: table_rows(url, t) for t in (*tables, s.import_batch, s.import_change)}
    with get_engine(url).connect() as conn:
        out["version"] = conn.execute(select(s.app_meta.c.value)
                                      .where(s.app_meta.c.key == "data_version")).scalar()
    return out


def statuses(pv) -> list[str]:
    return [r.status for r in pv.rows]


def messages(planned) -> list[str]:
    return [p.message for p in planned.problems if not p.warning]


def round_trip(url: str, scope: Scope, code: str):
    """The jurisdiction's records → the pre-filled template → the preview of that file."""
    kind = intake.kind_of(code)
    current = intake.current_rows(src(url), scope, code)
    data = template_bytes(kind, intake.template_choices(src(url), scope, code), current)
    return current, intake.preview(src(url), scope, code, data, "模板.xlsx", today=TODAY)


# ---- 排污许可 ----------------------------------------------------------------------------------

PERMIT_HEADER = ["许可证编号", "统一社会信用代码", "企业名称", "许可类型", "发证日期", "有效期至"]
P_E3_1, P_E3_2, P_E4_W = make_permit_no(E3, 1), make_permit_no(E3, 2), make_permit_no(E4, 1, "登记")
P_E5_W = make_permit_no(E5, 1, "登记")
BAD_HOLDER = E3[:17] + ("0" if E3[17] != "0" else "1")  # the last check character wrong


def permits(*rows) -> bytes:
    return xlsx(PERMIT_HEADER, rows)


def permit(url: str, number: str) -> dict | None:
    with get_engine(url).connect() as conn:
        row = conn.execute(select(s.permit).where(s.permit.c.permit_no == number)
                           ).mappings().first()
    return dict(row) if row else None


def test_permit_preview_exact(handmade_url):
    data = permits(
        [P_E5_W, None, "苏州戊电镀有限公司", "登记", "2024-06-01"],  # 新增 (registration)
        [P_E3_1, E3, None, None, None, "2024-12-31"],  # 修改 expiry
        [P_E4_W, E4, "苏州丁印染有限公司", "登记", "2020-08-01"],  # 无变化
        [make_permit_no(E1, 1), E1, None, "许可证"],  # 拒绝: 南京's
        [make_permit_no(E5, 2), None, None, "登记", "2024-06-01"],  # 拒绝: letter P, kind 登记
        [make_permit_no(E5, 3), None, None, "许可证", "2024-06-01"],  # 拒绝: no expiry
        [BAD_HOLDER + "001P", None, None, "许可证"],  # 拒绝: the embedded USCC fails its check
        [make_permit_no(E5, 4), E4, None, "许可证", "2024-06-01", "2029-05-31"],  # 拒绝: holder
        [make_permit_no(NOWHERE, 1), None, None, "许可证", "2024-06-01", "2029-05-31"],  # 拒绝
        [P_E5_W, None, None, "登记", "2024-07-01"],  # 拒绝: duplicate of row 2
        [make_permit_no(E5, 5), None, None, "许可证", "2024-06-01", "2024-06-01"],  # 拒绝: order
        [make_permit_no(E5, 6), None, "苏州戊电镀厂", "许可证", "2024-06-01", "2030-06-01"],  # 新增
    )
    pv = intake.preview(src(handmade_url), SUZHOU, "permits", data, "许可.xlsx", today=TODAY)
    assert pv.problems == []
    assert statuses(pv) == ["新增", "修改", "无变化"] + ["拒绝"] * 8 + ["新增"]
    assert {k: pv.count(k) for k in intake.STATUSES} == {"新增": 2, "修改": 1, "无变化": 1,
                                                         "拒绝": 8}
    assert pv.rows[0].write == {"permit_no": P_E5_W, "uscc": E5, "kind": "登记",
                                "issue_date": dt.date(2024, 6, 1), "expiry_date": None}
    assert pv.rows[1].changes == [("有效期至", dt.date(2024, 11, 30), dt.date(2024, 12, 31))]
    assert pv.rows[1].label == "苏州丙电镀有限公司"
    said = [messages(r) for r in pv.rows]
    outside = intake_registers_no_holder("本辖区（苏州市）", E1)
    assert said[3] == [outside]
    assert said[4] == ["许可类型「登记」与编号末位字母 P 不一致：末位 P 为许可证、W 为登记，"
                       "此编号应为「许可证」。"]
    assert said[5] == ["许可证须填写有效期至（登记可不填）。"]
    assert said[6] == ["排污许可证编号前18位无效：统一社会信用代码校验码错误。"
                       "请按排污许可证（登记回执）核对。"]
    assert pv.rows[6].problems[0].column == "许可证编号"
    assert said[7] == [f"与许可证编号前18位（{E5}）不一致：编号中含持证企业的统一社会信用代码，"
                       "请核对代码或编号。"]
    # an enterprise nobody has and one in 南京 read alike
    assert said[8] == [intake_registers_no_holder("本辖区（苏州市）", NOWHERE)]
    assert said[9] == ["与第 2 行重复（许可证编号相同），请合并为一行。"]
    assert said[10] == ["有效期至（2024-06-01）应晚于发证日期（2024-06-01），请核对两个日期。"]
    # a permit longer than five years and a name unlike the register's: warnings only
    assert [p.message for p in pv.rows[11].warnings] == [
        "企业名称与名录不同（名录中为「苏州戊电镀有限公司」），请核对；名称不会被修改。",
        "有效期超过5年（2024-06-01 至 2030-06-01），排污许可证有效期为5年，请核对。"]


def intake_registers_no_holder(area: str, uscc: str) -> str:
    from queries.intake_registers import NO_HOLDER

    return NO_HOLDER.format(area=area, uscc=uscc)


def test_permit_confirm_blank_keeps_clear_clears_and_undo(handmade_url):
    before = snapshot(handmade_url, s.permit)
    out = intake.confirm(src(handmade_url), SUZHOU, "permits",
                         permits([P_E5_W, E5, None, "登记", "2024-06-01", "2034-05-31"],
                                 [P_E3_2, None, None, None, "2024-12-02"],
                                 [P_E4_W, None, None, None, None, "2025-07-31"]),
                         "许可.xlsx", ACTOR, today=TODAY)
    assert out.ok and out.message == "已导入第 1 次：新增 1 条、修改 2 条、无变化 0 条。"
    assert permit(handmade_url, P_E5_W) == dict(
        permit_no=P_E5_W, uscc=E5, kind="登记", issue_date=dt.date(2024, 6, 1),
        expiry_date=dt.date(2034, 5, 31))
    e3 = permit(handmade_url, P_E3_2)  # the blank expiry kept
    assert (e3["issue_date"], e3["expiry_date"]) == (dt.date(2024, 12, 2), dt.date(2029, 11, 30))
    assert permit(handmade_url, P_E4_W)["expiry_date"] == dt.date(2025, 7, 31)
    changes = read_frame(get_engine(handmade_url), select(s.import_change)
                         .order_by(s.import_change.c.change_id))
    assert sorted(zip(changes["table_name"], changes["row_key"], changes["action"],
                      changes["before_json"].fillna(""), strict=True)) == sorted([
        ("permit", P_E5_W, "新增", ""),
        ("permit", P_E3_2, "修改", '{"issue_date": "2024-12-01"}'),
        ("permit", P_E4_W, "修改", '{"expiry_date": null}')])
    cleared = intake.confirm(src(handmade_url), SUZHOU, "permits",
                             permits([P_E4_W, None, None, None, None, "（清空）"]), "二.xlsx",
                             ACTOR, today=TODAY)
    assert cleared.ok and permit(handmade_url, P_E4_W)["expiry_date"] is None
    # a permit (not a registration) cannot lose its expiry date
    pv = intake.preview(src(handmade_url), SUZHOU, "permits",
                        permits([P_E3_2, None, None, None, None, "（清空）"]), today=TODAY)
    assert statuses(pv) == ["拒绝"]
    assert messages(pv.rows[0]) == ["许可证须填写有效期至（登记可不填）。"]
    assert intake.undo(src(handmade_url), SUZHOU, cleared.batch_id, ACTOR).ok
    assert intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR).ok
    after = snapshot(handmade_url, s.permit)
    assert after["permit"] == before["permit"] and after["version"] != before["version"]


def test_permit_jurisdiction(handmade_url):
    before = snapshot(handmade_url, s.permit)
    # a county cannot touch a permit of another county of its city, nor a city another city's
    pv = intake.preview(src(handmade_url), HUQIU, "permits",
                        permits([P_E3_1, None, None, None, "2019-12-02"],
                                [P_E4_W, None, None, None, "2020-08-02"]), today=TODAY)
    assert statuses(pv) == ["修改", "拒绝"]
    assert messages(pv.rows[1]) == [intake_registers_no_holder("本辖区（虎丘区）", E4)]
    data = permits([make_permit_no(E3, 1), None, None, None, "2019-12-02"])
    refused = intake.confirm(src(handmade_url), NANJING, "permits", data, "x.xlsx", ACTOR,
                             today=TODAY)
    assert not refused.ok and refused.preview.rows[0].problems[0].message == \
        intake_registers_no_holder("本辖区（南京市）", E3)
    assert snapshot(handmade_url, s.permit) == before
    assert intake.preview(src(handmade_url), PROVINCE, "permits", data, today=TODAY).rows[0] \
        .status == "修改"


def test_permit_template_round_trip(handmade_url):
    current, pv = round_trip(handmade_url, SUZHOU, "permits")
    assert list(current["许可证编号"]) == [P_E3_1, P_E3_2, P_E4_W]
    assert pv.problems == [] and statuses(pv) == ["无变化"] * 3
    current, pv = round_trip(handmade_url, PROVINCE, "permits")
    assert len(current) == 5 and statuses(pv) == ["无变化"] * 5


def test_permit_command_line_dry_run(handmade_sqlite, tmp_path, capsys):
    url = ["--url", handmade_sqlite]
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(permits([P_E5_W, None, None, "许可证", "2024-06-01", "2029-05-31"]))
    assert intake.main(["import", "permits", str(bad), "--dry-run", *url]) == 1
    assert "许可类型「许可证」与编号末位字母 W 不一致" in capsys.readouterr().out
    good = tmp_path / "好.xlsx"
    good.write_bytes(permits([P_E5_W, None, None, "登记", "2024-06-01"]))
    assert intake.main(["import", "permits", str(good), "--dry-run", *url]) == 0
    assert permit(handmade_sqlite, P_E5_W) is None
    out = tmp_path / "t.xlsx"
    assert intake.main(["template", "permits", "--out", str(out), *url]) == 0
    assert intake.preview(src(handmade_sqlite), PROVINCE, "permits", out.read_bytes()
                          ).problems[0].message.startswith("文件只有表头")


# ---- 信用评价与处罚 ------------------------------------------------------------------------------

CREDIT_HEADER = ["统一社会信用代码", "记录类型", "企业名称", "评价年度（年）", "信用等级",
                 "处罚决定日期", "处罚类型", "罚款金额（元）", "处罚机关", "已在信用中国公示",
                 "处罚事由", "审核轮次（轮）", "公示日期"]
R, P = "信用评价", "行政处罚"


def credit(*rows) -> bytes:
    return xlsx(CREDIT_HEADER, rows)


def penalty_rows(url: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        return [dict(m) for m in conn.execute(select(s.penalty).order_by(
            s.penalty.c.penalty_id)).mappings()]


def grade(url: str, uscc: str, year: int) -> str | None:
    with get_engine(url).connect() as conn:
        return conn.execute(select(s.credit_rating.c.grade).where(
            s.credit_rating.c.uscc == uscc, s.credit_rating.c.year == year)).scalar()


@pytest.fixture
def experts_url(db_url):
    """tests/handmade_experts.py (more experts, consultancies, penalties with publication dates)
    on each backend."""
    handmade_experts.build(get_engine(db_url))
    return db_url


def test_credit_preview_exact(handmade_url):
    data = credit(
        [E3, R, None, 2024, "环保良好"],  # 2 新增
        [E4, R, None, 2023, "环保警示"],  # 3 修改
        [E3, R, "苏州丙电镀有限公司", 2023, "环保警示"],  # 4 无变化
        [E3, P, None, None, None, "2024-03-10", "未按规定实施审核", 50000],  # 5 修改
        [E4, P, None, None, None, "2024/9/27", "未按规定公布信息", 8, "苏州市生态环境局", "否",
         "未公布企业信息", 1],  # 6 新增 (with the 万元 warning)
        [E1, R, None, 2023, "环保良好"],  # 7 拒绝: 南京's
        [E3, R, None, None, "环保良好"],  # 8 拒绝: no year
        [E3, P, None, 2024, None, "2024-05-01", "其他", None, None, "否"],  # 9 拒绝: a year
        [E5, P, None, None, None, "2024-05-01", "其他", 1000],  # 10 拒绝: 公示 not said
        [E4, P, None, None, None, "2024-09-27", "未按规定公布信息"],  # 11 拒绝: duplicate of 6
        [E3, P, None, None, None, "2024-05-02", "其他", None, None, "是", None, 3],  # 12 拒绝
        [E3, R, None, 2025, "环保良好"],  # 13 拒绝: a year not yet rated
        [NOWHERE, R, None, 2023, "环保良好"],  # 14 拒绝: nobody's
    )
    pv = intake.preview(src(handmade_url), SUZHOU, "credit", data, "信用.xlsx", today=TODAY)
    assert pv.problems == []
    assert statuses(pv) == ["新增", "修改", "无变化", "修改", "新增"] + ["拒绝"] * 8
    assert pv.rows[0].write == {"uscc": E3, "year": 2024, "grade": "环保良好"}
    assert (pv.rows[0].table, pv.rows[0].row_key) == ("credit_rating", f"{E3}|2024")
    assert pv.rows[1].changes == [("信用等级", "环保良好", "环保警示")]
    assert (pv.rows[3].row_key, pv.rows[3].write, pv.rows[3].before) == (
        "1", {"amount_yuan": 50000.0}, {"amount_yuan": 80000.0})
    assert pv.rows[4].row_key == "2" and pv.rows[4].write == {
        "penalty_id": 2, "uscc": E4, "decision_date": dt.date(2024, 9, 27),
        "kind": "未按规定公布信息", "amount_yuan": 8.0, "authority": "苏州市生态环境局",
        "published_credit_china": False, "description": "未公布企业信息", "audit_id": 4}
    assert [p.message for p in pv.rows[4].warnings] == [
        "罚款金额 8 元偏小，像是按万元填写：本列单位为元（8 万元应填 80000），请核对。"]
    said = [messages(r) for r in pv.rows]
    assert said[5] == [intake_registers_no_holder("本辖区（苏州市）", E1)]
    assert said[6] == ["信用评价行须填写「评价年度」：它与统一社会信用代码一起识别一条评价。"]
    assert said[7] == ["行政处罚行不填写「评价年度」（这些列属于信用评价）：请核对记录类型，"
                       "或把它们分成两行。"]
    assert said[8] == ["新增行政处罚须填写：已在信用中国公示（是/否）。"]
    assert said[9] == ["与第 6 行重复（统一社会信用代码、处罚决定日期、处罚类型相同），"
                       "请合并为一行。"]
    assert said[10] == ["该企业没有第 3 轮审核，请核对轮次（无关可留空）。"]
    assert said[11] == ["评价年度 2025 年晚于今年，尚未评价的年度不能填写。"]
    assert said[12] == [intake_registers_no_holder("本辖区（苏州市）", NOWHERE)]
    frame = pv.frame()
    assert list(frame.columns[:3]) == ["行号", "结果", "统一社会信用代码、记录类型"]
    assert frame["变化或原因"][3] == "罚款金额：80000 → 50000"


def test_credit_confirm_blank_keeps_clear_clears_and_undo(handmade_url):
    before = snapshot(handmade_url, s.credit_rating, s.penalty)
    out = intake.confirm(src(handmade_url), SUZHOU, "credit", credit(
        [E3, R, None, 2024, "环保良好"],
        [E4, R, None, 2023, "环保警示"],
        [E3, P, None, None, None, "2024-03-10", "未按规定实施审核", None, None, None,
         "（清空）", "（清空）"],
        [E4, P, None, None, None, "2024-09-27", "未按规定公布信息", 30000, "苏州市生态环境局",
         "否", None, 1],
        [E4, P, None, None, None, "2024-10-08", "其他", None, None, "是"]),
        "信用.xlsx", ACTOR, today=TODAY)
    assert out.ok and out.message == "已导入第 1 次：新增 3 条、修改 2 条、无变化 0 条。"
    assert (grade(handmade_url, E3, 2024), grade(handmade_url, E4, 2023)) == ("环保良好",
                                                                              "环保警示")
    rows = penalty_rows(handmade_url)
    assert [r["penalty_id"] for r in rows] == [1, 2, 3]  # new numbers after the largest
    # blanks kept the amount, authority and 公示; （清空） cleared the description and the round
    assert {k: rows[0][k] for k in ("amount_yuan", "authority", "published_credit_china",
                                    "description", "audit_id")} == {
        "amount_yuan": 80000.0, "authority": "苏州市生态环境局", "published_credit_china": True,
        "description": None, "audit_id": None}
    assert (rows[1]["uscc"], rows[1]["audit_id"], rows[1]["amount_yuan"]) == (E4, 4, 30000.0)
    assert (rows[2]["kind"], rows[2]["published_credit_china"], rows[2]["amount_yuan"]) == (
        "其他", True, None)
    assert intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR).ok
    after = snapshot(handmade_url, s.credit_rating, s.penalty)
    assert (after["credit_rating"], after["penalty"]) == (before["credit_rating"],
                                                          before["penalty"])
    # the same file again: the penalties get the next numbers again, nothing collides
    again = intake.confirm(src(handmade_url), SUZHOU, "credit", credit(
        [E4, P, None, None, None, "2024-10-08", "其他", None, None, "是"]), "x", ACTOR,
        today=TODAY)
    assert again.ok and [r["penalty_id"] for r in penalty_rows(handmade_url)] == [1, 2]


def test_credit_a_small_fine_is_said_once(handmade_url):
    data = credit([E4, P, None, None, None, "2024-10-08", "其他", 5, None, "否"])
    first = intake.confirm(src(handmade_url), SUZHOU, "credit", data, "x", ACTOR, today=TODAY)
    assert first.ok and len(first.preview.warnings) == 1  # confirmed by the official
    again = intake.preview(src(handmade_url), SUZHOU, "credit", data, today=TODAY)
    assert statuses(again) == ["无变化"] and again.warnings == []


def test_credit_publication_date(experts_url):
    from queries import credit as qcredit
    from queries.scope import Filters

    tables = (s.penalty, s.penalty_publication)
    before = snapshot(experts_url, *tables)
    late = [E4, P, None, None, None, "2024-09-27", "未按规定公布信息", None, None, "是", None, None,
            "2024-12-02"]  # P2, due 2024-10-12: published late
    data = credit(late,
                  [E3, P, None, None, None, "2024-03-10", "未按规定实施审核", None, None, None,
                   None, None, "2024-03-14"],  # P1: its date corrected
                  [E4, P, None, None, None, "2024-12-20", "其他", 50000, None, "是", None, None,
                   "2024-12-23"])  # a new penalty published at once
    pv = intake.preview(src(experts_url), SUZHOU, "credit", data, today=TODAY)
    assert statuses(pv) == ["修改", "修改", "新增"]
    assert pv.rows[0].changes == [("已在信用中国公示", "否", "是"),
                                  ("公示日期", None, dt.date(2024, 12, 2))]
    assert pv.rows[1].write == {} and pv.rows[1].more == [intake.Write(
        "penalty_publication", "1", "修改", {"published_date": dt.date(2024, 3, 14)},
        {"published_date": dt.date(2024, 3, 15)})]
    assert pv.rows[2].more == [intake.Write("penalty_publication", "5", "新增", {
        "penalty_id": 5, "published_date": dt.date(2024, 12, 23), "channel": "信用中国"})]
    out = intake.confirm(src(experts_url), SUZHOU, "credit", data, "x", ACTOR, today=TODAY)
    assert out.ok
    pubs = qcredit.publication_list(Source(experts_url, "after"), SUZHOU, Filters(as_of=TODAY), 7)
    assert dict(zip(pubs["penalty_id"], pubs["state"], strict=True)) == {
        1: "已公示", 2: "已公示（超期）"}  # (其他 is not a penalty to publish)
    assert intake.undo(src(experts_url), SUZHOU, out.batch_id, ACTOR).ok
    after = snapshot(experts_url, *tables)
    assert (after["penalty"], after["penalty_publication"]) == (before["penalty"],
                                                                before["penalty_publication"])
    refused = intake.preview(src(experts_url), SUZHOU, "credit", credit(
        [*late[:9], "否", *late[10:]], [*late[:5], "2024-12-05", *late[6:]]), today=TODAY)
    assert [messages(r) for r in refused.rows] == [
        ["填写了公示日期，「已在信用中国公示」须为 是。"],
        ["公示日期 2024-12-02 应在处罚决定日期（2024-12-05）与今天之间，请核对。"]]


def test_credit_published_cannot_be_taken_back(experts_url):
    pv = intake.preview(src(experts_url), PROVINCE, "credit", credit(
        [E3, P, None, None, None, "2024-03-10", "未按规定实施审核", None, None, "否"],
        [E4, P, None, None, None, "2024-09-27", "未按规定公布信息", None, None, "是"]),
        today=TODAY)
    assert statuses(pv) == ["拒绝", "修改"]
    assert messages(pv.rows[0]) == ["该处罚已记录于 2024-03-15 在信用中国公示，不能改为“否”；"
                                    "如公示记录有误，请联系省级用户更正。"]


def test_credit_jurisdiction(handmade_url):
    before = snapshot(handmade_url, s.credit_rating, s.penalty)
    data = credit([E3, R, None, 2023, "环保诚信"], [E4, R, None, 2023, "环保诚信"],
                  [E3, P, None, None, None, "2024-03-10", "未按规定实施审核", 1000])
    pv = intake.preview(src(handmade_url), HUQIU, "credit", data, today=TODAY)
    assert statuses(pv) == ["修改", "拒绝", "修改"]
    refused = intake.confirm(src(handmade_url), NANJING, "credit", data, "x", ACTOR, today=TODAY)
    assert not refused.ok and statuses(refused.preview) == ["拒绝"] * 3
    assert {p.message for r in refused.preview.rows for p in r.problems} == {
        intake_registers_no_holder("本辖区（南京市）", u) for u in (E3, E4)}
    assert snapshot(handmade_url, s.credit_rating, s.penalty) == before


def test_credit_template_round_trip(experts_url):
    current, pv = round_trip(experts_url, SUZHOU, "credit")
    assert list(zip(current["记录类型"], current["统一社会信用代码"], strict=True)) == [
        (R, E3), (R, E4), (P, E3), (P, E4)]
    assert pv.problems == [] and statuses(pv) == ["无变化"] * 4
    current, pv = round_trip(experts_url, PROVINCE, "credit")
    assert len(current) == 8 and statuses(pv) == ["无变化"] * 8
    # over the row limit: every penalty stays, the oldest ratings are left out
    with get_engine(experts_url).begin() as conn:
        conn.execute(s.credit_rating.insert().values(uscc=E1, year=2024, grade="环保良好"))
    cut = intake.current_rows(src(experts_url), PROVINCE, "credit", limit=6)
    assert list(zip(cut["记录类型"], cut["评价年度（年）"], strict=True))[:2] == [(R, 2024),
                                                                                (R, 2023)]
    assert list(cut["记录类型"]).count(P) == 4 and len(cut) == 6


def test_credit_command_line_dry_run(handmade_sqlite, tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(credit([E3, R, None, 2024, "环保良好"], [E3, R, None, 2024, "红牌"]))
    assert intake.main(["import", "credit", str(bad), "--dry-run", "--url", handmade_sqlite]) == 1
    printed = capsys.readouterr().out
    assert "拒绝：工作表「数据」第 3 行「信用等级」列：值「红牌」：不是可选值" in printed
    assert grade(handmade_sqlite, E3, 2024) is None


# ---- 专家库 ------------------------------------------------------------------------------------

EXPERT_HEADER = ["专家编号", "姓名", "专业行业", "工作单位", "职称", "所在城市", "入库日期", "状态",
                 "记分考核剩余分（分）", "联系电话", "身份证号"]
ID_A = "32010219850505123" + ric.calc_check_digit("32010219850505123?")  # (the ? is ignored)
ID_X = next(b + "X" for b in (f"32010219900101{i:03d}" for i in range(1000))
            if ric.is_valid(b + "X"))  # one whose check character is X
ID_BAD = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
NEW_EXPERT = [None, "赵新", "化工", "南京大学", "教授", "南京市", "2024-06-01", "在库", 12]


def experts(*rows) -> bytes:
    return xlsx(EXPERT_HEADER, rows)


def expert(url: str, expert_id: int) -> tuple[dict | None, dict | None]:
    with get_engine(url).connect() as conn:
        row = conn.execute(select(s.expert).where(s.expert.c.expert_id == expert_id)
                           ).mappings().first()
        contact = conn.execute(select(s.expert_contact).where(
            s.expert_contact.c.expert_id == expert_id)).mappings().first()
    return (dict(row) if row else None), (dict(contact) if contact else None)


def test_expert_preview_exact(experts_url):
    data = experts(
        [*NEW_EXPERT, "13700001111", ID_A],  # 2 新增 (number 10) with a contact
        [1, "王甲", None, None, None, None, None, "暂停"],  # 3 修改 status
        [4, "刘丁", None, None, None, None, None, None, None, None, ID_A],  # 4 修改 contact
        [8, "郑辛", None, None, None, None, None, None, None, "025-83456789"],  # 5 new contact
        [9, "孙壬", "印染", "南京大学", "教授", "南京市", "2021-01-01", "暂停", 12],  # 6 无变化
        [None, "郑辛", "印染", "苏州大学", "教授", "苏州市", "2024-01-01", "在库", 12],  # 7 新增
        [99, "某某"],  # 8 拒绝: no such number
        [None, "钱新", "化工"],  # 9 拒绝: what a new expert needs
        [None, "赵新", "化工", "南京大学"],  # 10 拒绝: the same person as row 2
        [2, "李乙", None, None, None, None, None, None, None, "12345"],  # 11 拒绝: phone
        [3, "张丙", None, None, None, None, None, None, None, None, ID_BAD],  # 12 拒绝
        [5, "陈戊", "钢铁"],  # 13 拒绝: no such industry
        [None, "孙新", "印染", None, None, None, "2025-02-01", "在库", 12],  # 14 拒绝: future
    )
    pv = intake.preview(src(experts_url), PROVINCE, "experts", data, "专家.xlsx", today=TODAY)
    assert pv.problems == []
    assert statuses(pv) == ["新增", "修改", "修改", "修改", "无变化", "新增"] + ["拒绝"] * 7
    assert pv.rows[0].write == {
        "expert_id": 10, "name": "赵新", "industry_code": "chemicals", "organisation": "南京大学",
        "title": "教授", "city_adcode": "320100", "admitted_date": dt.date(2024, 6, 1),
        "status": "在库", "score": 12}
    assert pv.rows[0].more == [intake.Write("expert_contact", "10", "新增", {
        "expert_id": 10, "phone": "13700001111", "id_number": ID_A})]
    assert pv.rows[1].changes == [("状态", "在库", "暂停")] and pv.rows[1].more == []
    assert pv.rows[2].write == {} and pv.rows[2].more == [intake.Write(
        "expert_contact", "4", "修改", {"id_number": ID_A}, {"id_number": None})]
    assert pv.rows[3].more[0].action == "新增" and pv.rows[3].changes == [
        ("联系电话", None, "025-83456789")]
    assert pv.rows[5].row_key == "11" and [p.message for p in pv.rows[5].warnings] == [
        "专家库中已有姓名、工作单位相同的专家（编号 8）：如是同一人，请填写其专家编号，"
        "否则将新增一名专家。"]
    said = [messages(r) for r in pv.rows]
    assert said[6] == ["专家编号 99 不在专家库中：新入库的专家请不填编号，导入时自动编号。"]
    assert said[7] == ["新入库专家须填写：入库日期、状态、记分考核剩余分。"]
    assert said[8] == ["与第 2 行重复（姓名、工作单位（均未填专家编号）相同），请合并为一行。"]
    assert said[9] == ["不是有效的电话号码：手机填11位数字，"
                       "固定电话填区号-号码（如 025-83456789）。"]
    assert said[10] == ["身份证号校验位或出生日期错误，请核对。"]
    assert said[11] == ["未找到。请填写行业库中的行业名称（见下拉列表）。"]
    assert said[12] == ["入库日期 2025-02-01 晚于今天，尚未发生的日期不能填写。"]


def test_expert_confirm_blank_keeps_clear_clears_and_undo(experts_url):
    tables = (s.expert, s.expert_contact)
    before = snapshot(experts_url, *tables)
    # a stored expert's first contact comes before the new expert: parents are inserted first
    out = intake.confirm(src(experts_url), PROVINCE, "experts", experts(
        [8, "郑辛", None, None, None, None, None, None, None, "13600002222"],
        [*NEW_EXPERT, "13700001111", ID_A],
        [1, "王甲", None, "（清空）", None, "（清空）", None, None, 6, None, "（清空）"],
        [4, "刘丁", None, None, None, None, None, None, None, None, ID_X.lower()],
        [2, "李乙（改名）"]),
        "专家.xlsx", ACTOR, today=TODAY)
    assert out.ok and out.message == "已导入第 1 次：新增 1 条、修改 4 条、无变化 0 条。"
    assert expert(experts_url, 4)[1]["id_number"] == ID_X  # as the card prints it
    assert [p.message for p in out.preview.warnings] == [
        "专家编号 2 在库中的姓名为「李乙」，将改为「李乙（改名）」：如不是改名，请核对专家编号。"]
    assert expert(experts_url, 8)[1] == {"expert_id": 8, "phone": "13600002222",
                                         "id_number": None}
    new, contact = expert(experts_url, 10)
    assert (new["name"], new["industry_code"], contact["id_number"]) == ("赵新", "chemicals", ID_A)
    one, one_contact = expert(experts_url, 1)  # blanks kept, （清空） cleared
    assert (one["name"], one["title"], one["organisation"], one["city_adcode"], one["score"]) == (
        "王甲", "教授", None, None, 6)
    assert one_contact == {"expert_id": 1, "phone": "13812345678", "id_number": None}
    undone = intake.undo(src(experts_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：7 条记录已恢复到导入前。"
    after = snapshot(experts_url, *tables)
    assert (after["expert"], after["expert_contact"]) == (before["expert"],
                                                          before["expert_contact"])


def test_experts_and_consultancies_are_the_provinces(experts_url, tmp_path):
    from rules import intake_registers as rr

    for code, data in (("experts", experts([1, "王甲", None, None, None, None, None, "暂停"])),
                       ("consultancies", xlsx(["机构名称", "机构人员（人）"],
                                              [["苏州三号咨询有限公司", 6]]))):
        before = snapshot(experts_url, s.expert, s.consultancy)
        refused = ri.import_refused(intake.kind_of(code), "city")
        assert refused == (f"「{intake.kind_of(code).name}」是全省统一管理的名录，只有省级用户可以"
                           "导入或下载含现有记录的模板。本辖区如有新增或变动，请报省级主管部门导入。")
        for scope in (SUZHOU, HUQIU):
            pv = intake.preview(src(experts_url), scope, code, data, today=TODAY)
            assert [p.message for p in pv.problems] == [refused] and pv.rows == []
            out = intake.confirm(src(experts_url), scope, code, data, "x", ACTOR, today=TODAY)
            assert not out.ok and out.message == "文件未通过校验，未写入任何数据。"
            # no pre-filled template either: it would hand a city the whole register
            assert intake.current_rows(src(experts_url), scope, code).empty
        assert snapshot(experts_url, s.expert, s.consultancy) == before
        assert intake.preview(src(experts_url), PROVINCE, code, data, today=TODAY).ok
    assert rr.EXPERTS.province_only and not rr.PERMITS.province_only


def test_expert_template_round_trip(experts_url):
    current, pv = round_trip(experts_url, PROVINCE, "experts")
    assert list(current["专家编号"]) == list(range(1, 10))
    assert list(current["身份证号"][:1]) == ["320102198001011234"]  # in full, for the province
    assert pv.problems == [] and statuses(pv) == ["无变化"] * 9


def test_expert_command_line_dry_run(tmp_path, capsys):
    from tests.conftest import sqlite_with

    url = sqlite_with(tmp_path, handmade_experts.build, "experts.db")
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(experts(NEW_EXPERT, [99, "某某"]))
    assert intake.main(["import", "experts", str(bad), "--dry-run", "--url", url]) == 1
    assert "专家编号 99 不在专家库中" in capsys.readouterr().out
    assert expert(url, 10) == (None, None)


# ---- 咨询机构 ----------------------------------------------------------------------------------

CONS_HEADER = ["机构名称", "统一社会信用代码", "所在城市", "机构人员（人）", "被公开通报"]
C_NEW, C_FOUR = make_uscc("320200", "MA1CAN01"), make_uscc("320100", "MA1CAN04")


def consultancies(*rows) -> bytes:
    return xlsx(CONS_HEADER, rows)


def consultancy(url: str, cid: int) -> dict | None:
    with get_engine(url).connect() as conn:
        row = conn.execute(select(s.consultancy).where(s.consultancy.c.consultancy_id == cid)
                           ).mappings().first()
    return dict(row) if row else None


def test_consultancy_preview_exact(experts_url):
    data = consultancies(
        ["无锡新咨询有限公司", C_NEW, "南京市", 10],  # 2 新增 (number 5)
        ["苏州三号咨询有限公司", None, None, 6],  # 3 修改 staff
        ["苏州绿衡环保科技有限公司", None, "苏州市", 12, "是"],  # 4 无变化
        ["南京四号咨询有限公司", C_FOUR],  # 5 修改: its code
        ["南京四号咨询股份有限公司", C_FOUR],  # 6 拒绝: the code of row 5 again
        ["某咨询", BAD_HOLDER],  # 7 拒绝: checksum
        ["某咨询二", None, None, -1],  # 8 拒绝: negative
        ["某咨询三", None, "火星市"],  # 9 拒绝: no such city
        ["苏州三号咨询有限公司"],  # 10 拒绝: duplicate of row 3
        ["某咨询四", None, None, None, "也许"],  # 11 拒绝: 是/否
    )
    pv = intake.preview(src(experts_url), PROVINCE, "consultancies", data, today=TODAY)
    assert pv.problems == []
    assert statuses(pv) == ["新增", "修改", "无变化", "修改"] + ["拒绝"] * 6
    assert pv.rows[0].write == {"consultancy_id": 5, "name": "无锡新咨询有限公司", "uscc": C_NEW,
                                "city_adcode": "320100", "staff_count": 10,
                                "named_publicly": False}
    assert pv.rows[1].changes == [("机构人员", 5, 6)]
    assert (pv.rows[3].row_key, pv.rows[3].write) == ("4", {"uscc": C_FOUR})
    said = [messages(r) for r in pv.rows]
    assert said[4] == ["与第 5 行统一社会信用代码相同，请合并为一行。"]
    assert said[5] == ["统一社会信用代码校验码错误。请按营业执照核对。"]
    assert said[6] == ["超出范围：应在 0—100000 人之间。"]
    assert said[7] == ["未找到。请填写设区市名称（如 苏州市）或6位行政区划代码。"]
    assert said[8] == ["与第 3 行重复（机构名称相同），请合并为一行。"]
    assert said[9] == ["不是可选值。可选：是、否。"]


def test_consultancy_confirm_rename_blank_keeps_clear_and_undo(experts_url):
    before = snapshot(experts_url, s.consultancy)
    first = intake.confirm(src(experts_url), PROVINCE, "consultancies", consultancies(
        ["无锡新咨询有限公司", C_NEW, "南京市", 10],
        ["南京四号咨询有限公司", C_FOUR],
        ["苏州三号咨询有限公司", None, "（清空）", "（清空）"]), "一.xlsx", ACTOR, today=TODAY)
    assert first.ok and first.message == "已导入第 1 次：新增 1 条、修改 2 条、无变化 0 条。"
    three = consultancy(experts_url, 3)  # cleared city and staff; 被公开通报 kept
    assert (three["city_adcode"], three["staff_count"], three["named_publicly"]) == (
        None, None, False)
    # by its code a firm may be renamed; a name of one firm with the code of another is refused
    pv = intake.preview(src(experts_url), PROVINCE, "consultancies", consultancies(
        ["南京四号咨询股份有限公司", C_FOUR, None, None, "是"],
        ["江苏清源环境咨询有限公司", C_NEW]), today=TODAY)
    assert statuses(pv) == ["修改", "拒绝"]
    assert pv.rows[0].changes == [("机构名称", "南京四号咨询有限公司", "南京四号咨询股份有限公司"),
                                  ("被公开通报", "否", "是")]
    assert [p.message for p in pv.rows[0].warnings] == [
        "机构名称将由「南京四号咨询有限公司」改为「南京四号咨询股份有限公司」（按统一社会信用代码识别），"
        "请核对。"]
    assert messages(pv.rows[1]) == [
        "机构名称「江苏清源环境咨询有限公司」已属于库中另一家机构（编号 1），"
        "而此代码属于「无锡新咨询有限公司」：请核对名称和代码。"]
    second = intake.confirm(src(experts_url), PROVINCE, "consultancies", consultancies(
        ["南京四号咨询股份有限公司", C_FOUR, None, None, "是"]), "二.xlsx", ACTOR, today=TODAY)
    assert second.ok and consultancy(experts_url, 4)["named_publicly"] is True
    for batch in (second, first):
        assert intake.undo(src(experts_url), PROVINCE, batch.batch_id, ACTOR).ok
    assert snapshot(experts_url, s.consultancy)["consultancy"] == before["consultancy"]


def test_consultancy_template_round_trip(experts_url):
    current, pv = round_trip(experts_url, PROVINCE, "consultancies")
    assert list(current["被公开通报"]) == ["否", "是", "否", "否"]
    assert pv.problems == [] and statuses(pv) == ["无变化"] * 4


def test_consultancy_command_line_dry_run(tmp_path, capsys):
    from tests.conftest import sqlite_with

    url = sqlite_with(tmp_path, handmade_experts.build, "experts.db")
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(consultancies(["无锡新咨询有限公司", C_NEW], ["某咨询二", None, None, -1]))
    assert intake.main(["import", "consultancies", str(bad), "--dry-run", "--url", url]) == 1
    assert "拒绝 1 条" in capsys.readouterr().out
    assert consultancy(url, 5) is None


# ---- what the pages read shows the imports ----------------------------------------------

def test_the_pages_show_what_was_imported(experts_url):
    from queries import consultancies as qcons
    from queries import credit as qcredit
    from queries import enterprise as qent
    from queries import experts as qexp
    from queries.scope import Filters
    from rules.clock import load_clock_rules

    source = src(experts_url)
    for code, data, scope in (
            ("permits", permits([P_E5_W, None, None, "登记", "2024-06-01"]), SUZHOU),
            ("credit", credit([E5, R, None, 2024, "环保不良"],
                              [E5, P, None, None, None, "2024-12-20", "未按规定实施审核",
                               50000, "苏州市生态环境局", "否"]), SUZHOU),
            ("experts", experts(NEW_EXPERT), PROVINCE),
            ("consultancies", consultancies(["无锡新咨询有限公司", C_NEW, "南京市", 10]),
             PROVINCE)):
        assert intake.confirm(source, scope, code, data, "x", ACTOR, today=TODAY).ok, code
    source = Source(experts_url, "after")  # a new data version: the pages' caches miss
    rec = qent.record(source, SUZHOU, E5, TODAY, load_clock_rules("320000"))
    assert list(rec["permits"]["permit_no"]) == [P_E5_W]
    assert list(rec["credit"]["grade"]) == ["环保不良"]
    assert list(rec["penalties"]["amount_yuan"]) == [50000.0]
    pubs = qcredit.publication_list(source, SUZHOU, Filters(as_of=TODAY), 7)
    assert pubs[pubs["uscc"] == E5]["state"].tolist() == ["待公示"]
    assert "赵新" in set(qexp.pool(source, PROVINCE)["name"])
    assert "无锡新咨询有限公司" in set(qcons.firms(source, PROVINCE)["name"])


def test_data_quality_runs_the_register_rules(handmade_url):
    from queries import quality
    from queries.scope import Filters

    with get_engine(handmade_url).begin() as conn:  # what the import refuses, stored otherwise
        conn.execute(s.permit.insert().values(permit_no=make_permit_no(E5, 1), uscc=E5,
                                              kind="许可证", issue_date=dt.date(2024, 1, 1)))
        conn.execute(s.penalty.insert().values(
            penalty_id=9, uscc=E4, decision_date=dt.date(2024, 5, 6), kind="其他",
            amount_yuan=8.0, published_credit_china=False))
    found = quality.problems(src(handmade_url), SUZHOU, Filters(as_of=TODAY), "320000")
    mine = found[found["检查项"].isin([quality.PERMIT_EXPIRY, quality.FINE_IN_WAN])]
    assert mine[["检查项", "统一社会信用代码", "问题说明"]].values.tolist() == [
        [quality.PERMIT_EXPIRY, E5,
         f"{make_permit_no(E5, 1)}：许可证须填写有效期至（登记可不填）。"],
        [quality.FINE_IN_WAN, E4,
         "2024-05-06 的处罚：罚款金额 8 元偏小，像是按万元填写：本列单位为元"
         "（8 万元应填 80000），请核对。"]]
    assert quality.problems(src(handmade_url), NANJING, Filters(as_of=TODAY), "320000")[
        "检查项"].isin([quality.PERMIT_EXPIRY, quality.FINE_IN_WAN]).sum() == 0


# ---- a file of another kind ------------------------------------------------------------------

REGISTERS = ("permits", "credit", "experts", "consultancies")


@pytest.mark.parametrize("chosen", [*REGISTERS, "enterprises"])
def test_a_template_of_another_kind_is_named(handmade_sqlite, chosen):
    for code in (*REGISTERS, "enterprises"):
        if code == chosen:
            continue
        kind = intake.kind_of(code)
        pv = intake.preview(src(handmade_sqlite), PROVINCE, chosen, template_bytes(kind))
        assert [p.message for p in pv.problems][0].startswith(f"这是「{kind.name}」的文件"), (
            chosen, code)


# ---- the page ----------------------------------------------------------------------------------

def test_page_offers_the_registers_to_the_province_only(monkeypatch, tmp_path):
    from tests.apptest import open_page
    from tests.conftest import sqlite_with

    url = sqlite_with(tmp_path, handmade_experts.build, "experts.db")
    at = open_page(monkeypatch, url, "pages/intake.py", user="province")
    options = at.selectbox(key="intake_kind").options  # (other families' kinds may sit between)
    mine = ["排污许可", "信用评价与处罚", "专家库", "咨询机构"]
    assert [o for o in options if o in mine] == mine
    at.selectbox(key="intake_kind").set_value("experts").run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")][0] == "下载专家库空白模板（.xlsx）"
    at = open_page(monkeypatch, url, "pages/intake.py", user="city:320500")
    options = at.selectbox(key="intake_kind").options
    assert "专家库" not in options and "咨询机构" not in options and "信用评价与处罚" in options
    assert any(c.value == "专家库、咨询机构是全省统一管理的名录，由省级用户导入。"
               for c in at.caption)


UNUSED = (E2,)
