"""The audit kinds of data intake (rules/intake_audits.py, queries/intake_audits.py) on the
hand-built province (tests/handmade.py), SQLite and PostgreSQL: exact preview counts, what a
confirmed import writes, a blank cell keeps and （清空） clears, undo restores every table
exactly, a city cannot reach another city's enterprise, the pre-filled template reads back as
无变化, and the command line refuses a file with a rejected row."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from components.export import template_bytes
from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from rules import intake as ri
from rules.identifiers import make_uscc
from tests.handmade import E1, E2, E3, E4, E5
from tests.intake_files import xlsx

SUZHOU, NANJING, PROVINCE = Scope("city", "320500"), Scope("city", "320100"), Scope()
TODAY = dt.date(2024, 12, 31)
ACTOR = intake.Actor("测试员")
D = dt.date.fromisoformat
UNKNOWN = make_uscc("320505", "MA1XXX99")  # a valid code no enterprise has




def src(url: str) -> Source:
    return Source(url, "")


TABLES = (s.listing_batch, s.audit_round, s.panel_assignment, s.audit_option, s.audit_outcome,
          s.audit_outcome_year)


def snapshot(url: str) -> dict:
    """Every row of the tables the audit kinds write (and the rollups)."""
    engine = get_engine(url)
    return {t.name: read_frame(engine, select(t).order_by(*t.primary_key.columns))
            .astype(str).values.tolist() for t in TABLES}


def one(url: str, table, **where) -> dict | None:
    with get_engine(url).connect() as conn:
        row = conn.execute(select(table).where(*[table.c[k] == v for k, v in where.items()])
                           ).mappings().first()
    return dict(row) if row else None


def statuses(pv) -> list[tuple[int, str]]:
    return [(r.row, r.status) for r in pv.rows]


def messages(p) -> list[str]:
    """The errors of a planned row (warnings apart)."""
    return [x.message for x in p.problems if not x.warning]


# ---- 名单批次与列入企业 ------------------------------------------------------------------------

LIST_HEADER = ["统一社会信用代码", "审核轮次", "企业名称", "名单批次", "批次年度", "发布日期",
               "列入日期", "列入原因", "审核方式", "整体审核名称", "咨询机构"]


def listings(*rows) -> bytes:
    return xlsx(LIST_HEADER, rows)


LISTING_FILE = listings(
    # new round 1 of E5 in a batch this file creates (its date is the listing date)
    [E5, None, None, "2024年第二批", 2024, "2024-09-02", None, "双超", "单独审核"],
    # E3 is already in 2024年第一批 (round 2): the same round, nothing to change
    [E3, None, None, "2024年第一批"],
    # E2's round 1 is still open: round 2 in the new batch, re-listed from round 1 (a warning)
    [E2, None, None, "2024年第二批", None, None, None, "双超", "单独审核", None,
     "苏州绿衡环保科技有限公司"],
    # round 1 of E1 given by number: its consultancy cleared, the rest kept
    [E1, 1, None, None, None, None, None, None, None, None, "（清空）"],
)


def test_listings_preview_exact(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", LISTING_FILE, "名单.xlsx",
                        today=TODAY)
    assert pv.problems == [] and pv.ok
    assert statuses(pv) == [(2, "新增"), (3, "无变化"), (4, "新增"), (5, "修改")]
    assert {k: pv.count(k) for k in intake.STATUSES} == {"新增": 2, "修改": 1, "无变化": 1,
                                                         "拒绝": 0}
    new_e5, _same, new_e2, changed = pv.rows
    assert new_e5.write == {"audit_id": 6, "uscc": E5, "round_no": 1, "relisted_from": None,
                            "batch_id": 3, "listing_date": D("2024-09-02"),
                            "listing_reason": "双超", "audit_mode": "单独审核",
                            "cluster_id": None, "consultancy_id": None}
    assert [(w.table, w.row_key, w.action, w.values) for w in new_e5.more] == [
        ("listing_batch", "3", "新增", {"batch_id": 3, "name": "2024年第二批", "year": 2024,
                                       "publish_date": D("2024-09-02")})]
    # the batch the file creates once serves the later row too
    assert new_e2.write["batch_id"] == 3 and new_e2.more == []
    assert (new_e2.write["audit_id"], new_e2.write["round_no"],
            new_e2.write["relisted_from"], new_e2.write["consultancy_id"]) == (7, 2, 2, 2)
    assert [p.message for p in new_e2.warnings] == [
        "该企业第 1 轮审核尚未完成（未验收通过，也未判定不通过）：列入后由第 2 轮接续，"
        "第 1 轮不再计逾期。逾期未完成的企业列入下一批名单属正常情况，否则请核对。"]
    assert changed.write == {"consultancy_id": None} and changed.before == {"consultancy_id": 1}
    assert changed.changes == [("咨询机构", "江苏清源环境咨询有限公司", None)]
    frame = pv.frame()
    assert frame["变化或原因"][0].startswith(
        "新建名单批次：2024年第二批（2024年，2024年9月2日发布）；"
        "名单批次：2024年第二批；列入日期：2024年9月2日")


def test_listings_confirm_writes_and_undo_restores_exactly(handmade_url):
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "listings", LISTING_FILE, "名单.xlsx",
                         ACTOR, today=TODAY)
    assert out.ok and out.message == "已导入第 1 次：新增 2 条、修改 1 条、无变化 1 条。"
    assert one(handmade_url, s.listing_batch, batch_id=3) == {
        "batch_id": 3, "name": "2024年第二批", "year": 2024, "publish_date": D("2024-09-02")}
    r7 = one(handmade_url, s.audit_round, audit_id=7)
    assert (r7["uscc"], r7["round_no"], r7["batch_id"], r7["listing_date"], r7["relisted_from"],
            r7["consultancy_id"], r7["disclosure_date"]) == (E2, 2, 3, D("2024-09-02"), 2, 2,
                                                             None)
    r1 = one(handmade_url, s.audit_round, audit_id=1)
    assert (r1["consultancy_id"], r1["listing_reason"], r1["batch_id"],
            r1["acceptance_result"]) == (None, "双有", 1, "通过")  # blanks kept
    # the same file again: every round is found, nothing to write
    again = intake.preview(src(handmade_url), PROVINCE, "listings", LISTING_FILE, today=TODAY)
    assert [r.status for r in again.rows] == ["无变化"] * 4
    undone = intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：4 条记录已恢复到导入前。"
    assert snapshot(handmade_url) == before


def test_undo_refused_while_a_later_listing_uses_the_batch_it_created(handmade_url):
    first = intake.confirm(src(handmade_url), PROVINCE, "listings", listings(
        [E5, None, None, "2024年第二批", 2024, "2024-09-02", None, "双超", "单独审核"]), "一",
        ACTOR, today=TODAY)
    second = intake.confirm(src(handmade_url), PROVINCE, "listings", listings(
        [E4, None, None, "2024年第二批", None, None, None, "双超", "单独审核"]), "二", ACTOR,
        today=TODAY)
    assert first.ok and second.ok
    before = snapshot(handmade_url)
    out = intake.undo(src(handmade_url), PROVINCE, first.batch_id, ACTOR)
    assert not out.ok and out.message == (
        "不能撤销第 1 次导入：它新增的记录（企业、名单批次、审核轮次等）已有之后录入的审核、许可、"
        "方案等关联记录。未做任何修改。")
    assert snapshot(handmade_url) == before
    assert intake.undo(src(handmade_url), PROVINCE, second.batch_id, ACTOR).ok
    assert intake.undo(src(handmade_url), PROVINCE, first.batch_id, ACTOR).ok
    assert one(handmade_url, s.listing_batch, batch_id=3) is None


def test_listings_checks(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E5, None, None, "2025年第一批", None, None, None, "双超", "单独审核"],  # no year, date
        [E5, None, None, "2024年第一批", None, None, "2024-02-01", "双超", "单独审核"],
        [E5, 3, None, "2024年第一批", None, None, None, "双超", "单独审核"],  # a gap
        [E4, None, None, "2024年第一批", 2023],  # the stored batch's year is 2024
        [E5, None, None, "2025年第一批", 2025, "2025-01-06", None, "双超", "单独审核"],
        [E2, 1, None, None, None, None, "2023-03-30"],  # after its disclosure (03-25)
        [E2, None, None, "2024年第一批", None, None, None, "双超", "园区整体审核"],
        [E3, 1, None, None, None, None, "2024-03-05"],  # after round 2's listing date
        [UNKNOWN, None, None, "2024年第一批", None, None, None, "双超", "单独审核"],
    ), today=TODAY)
    assert [r.status for r in pv.rows] == ["拒绝"] * 9
    said = [messages(r) for r in pv.rows]
    assert said[0] == ["库中没有名单批次「2025年第一批」：新建批次须同时填写「批次年度」和"
                       "「发布日期」；已有批次请按下拉列表填写名称。"]
    assert said[1] == ["列入日期 2024-02-01 早于名单批次「2024年第一批」的发布日期 2024-03-01，"
                       "请核对。"]
    assert said[2] == ["轮次不连续：该企业已有 0 轮审核，新列入的应为第 1 轮（或留空自动编号）。"]
    assert said[3] == ["与名单批次「2024年第一批」的批次年度（2024）不一致："
                       "已有批次的年度和发布日期不能通过导入修改，请核对或留空。"]
    assert said[4] == ["发布日期 2025-01-06 晚于今天，尚未公布的名单不能导入。"]
    assert said[5] == ["信息公开日期（2023-03-25）早于列入名单日期（2023-03-30），请核对两个日期。"]
    assert said[6] == ["审核方式为园区整体审核，须填写「整体审核名称」。"]
    assert said[7][0] == ("列入日期 2024-03-05 晚于或等于该企业第 2 轮的列入日期（2024-03-01），"
                          "轮次与日期先后不符，请核对轮次。")
    assert said[7][1] == ("信息公开日期（2023-03-15）早于列入名单日期（2024-03-05），"
                          "请核对两个日期。")
    assert said[8] == [NO_ENT.format(area="", uscc=UNKNOWN)]


NO_ENT = "未找到{area}统一社会信用代码为 {uscc} 的企业：请核对代码；新企业请先导入企业名录。"


def test_listings_after_a_passed_round_a_new_audit_is_not_a_relisting(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E1, None, None, "2024年第二批", 2024, "2024-12-02", None, "双有", "单独审核"],
        [E5, None, None, "2024年第一批", None, None, None, "双超"],  # no 审核方式
        [E3, 2, None, "2024年第一批"],
        [E3, None, None, "2024年第一批"]), today=TODAY)  # the same round as the row above
    assert statuses(pv) == [(2, "新增"), (3, "拒绝"), (4, "无变化"), (5, "拒绝")]
    assert (pv.rows[0].write["round_no"], pv.rows[0].write["relisted_from"]) == (2, None)
    assert pv.rows[0].warnings == []  # round 1 passed acceptance: nothing left open
    assert messages(pv.rows[1]) == ["新列入须填写：审核方式。"]
    assert messages(pv.rows[3]) == [f"与第 4 行是同一轮审核（{E3} 第 2 轮），请合并为一行。"]


def test_listings_a_batch_name_two_stored_batches_share_when_folded(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.listing_batch.insert().values(batch_id=3, name="2024年 第一批", year=2024,
                                                     publish_date=D("2024-03-02")))
    assert rejected(handmade_url, "listings", listings(
        [E5, None, None, "2024年第一批", 2024, "2024-03-01", None, "双超", "单独审核"])) == [
        "名称不唯一（库中有写法相近的批次），请按下拉列表填写。"]


def test_listings_future_date_and_later_listing_warning(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E5, None, None, "2024年第一批", None, None, "2025-01-02", "双超", "单独审核"],
        [E4, 1, None, None, None, None, "2024-03-05"]), today=TODAY)
    assert [r.status for r in pv.rows] == ["拒绝", "修改"]
    assert messages(pv.rows[0])[0] == "列入日期 2025-01-02 晚于今天，尚未发生的日期不能填写。"
    assert [p.message for p in pv.rows[1].warnings] == [
        "列入日期晚于名单发布日期（2024-03-01）：审核时限从列入日期起算，请确认。"]
    late = listings([E4, 1, None, None, None, None, "2024-03-05"])
    assert intake.confirm(src(handmade_url), PROVINCE, "listings", late, "x", ACTOR,
                          today=TODAY).ok
    again = intake.preview(src(handmade_url), PROVINCE, "listings", late, today=TODAY)
    assert [r.status for r in again.rows] == ["无变化"] and again.warnings == []


def test_listings_city_scope_looks_like_not_found(handmade_url):
    before = snapshot(handmade_url)
    data = listings([E1, None, None, "2024年第一批", None, None, None, "双有", "单独审核"],
                    [UNKNOWN, None, None, "2024年第一批", None, None, None, "双有", "单独审核"],
                    [E4, 1, None, None, None, None, None, "双有"])
    pv = intake.preview(src(handmade_url), SUZHOU, "listings", data, today=TODAY)
    assert statuses(pv) == [(2, "拒绝"), (3, "拒绝"), (4, "修改")]
    area = "本辖区（苏州市）"
    assert messages(pv.rows[0]) == [NO_ENT.format(area=area, uscc=E1)]
    assert messages(pv.rows[1]) == [NO_ENT.format(area=area, uscc=UNKNOWN)]
    assert "南京" not in str(pv.frame().values.tolist())
    assert not intake.confirm(src(handmade_url), SUZHOU, "listings", data, "x", ACTOR,
                              today=TODAY).ok
    assert snapshot(handmade_url) == before


def roundtrip(url: str, scope: Scope, code: str):
    """The pre-filled template of the jurisdiction, read back: what the import would do."""
    kind = ri.KINDS[code]
    rows = intake.current_rows(src(url), scope, code)
    data = template_bytes(kind, intake.template_choices(src(url), scope, code), rows)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["填写说明", kind.sheet, "填写示例",
                                                          "选项"]
    return rows, intake.preview(src(url), scope, code, data, "t.xlsx", today=TODAY)


def test_listings_template_round_trip(handmade_url):
    rows, pv = roundtrip(handmade_url, SUZHOU, "listings")
    assert list(zip(rows["统一社会信用代码"], rows["审核轮次（轮）"], rows["名单批次"],
                    strict=True)) == [(E3, 1, "2023年第一批"), (E3, 2, "2024年第一批"),
                                      (E4, 1, "2024年第一批")]
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化"] * 3
    _rows, pv = roundtrip(handmade_url, PROVINCE, "listings")
    assert [r.status for r in pv.rows] == ["无变化"] * 5
    notes = {r["列名"]: r for r in ri.instructions(ri.KINDS["listings"])}
    assert notes["审核轮次（轮）"]["是否必填"] == "选填（留空时自动确定，见含义）"
    assert notes["统一社会信用代码"]["是否必填"] == "必填（识别记录）"
    assert notes["列入原因"]["可选值或格式"] == "双超、双有、高耗能、自愿"
    assert notes["咨询机构"]["是否必填"] == "选填，可填（清空）清除"


def cli(url: str, tmp_path, code: str, data: bytes, *flags) -> int:
    path = tmp_path / f"{code}.xlsx"
    path.write_bytes(data)
    return intake.main(["import", code, str(path), "--url", url, *flags])


def test_listings_command_line(handmade_url, tmp_path, capsys):
    before = snapshot(handmade_url)
    bad = listings([E5, None, None, "2025年第一批", None, None, None, "双超", "单独审核"])
    assert cli(handmade_url, tmp_path, "listings", bad, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "拒绝：第 2 行「名单批次」列：值「2025年第一批」：库中没有名单批次" in out
    assert "拒绝 1 条" in out and "未写入任何数据" in out
    good = listings([E5, None, None, "2024年第一批", None, None, None, "双超", "单独审核"])
    assert cli(handmade_url, tmp_path, "listings", good, "--dry-run") == 0
    assert snapshot(handmade_url) == before
    assert cli(handmade_url, tmp_path, "listings", good) == 0
    assert one(handmade_url, s.audit_round, uscc=E5)["round_no"] == 1


def test_listings_moving_a_round_to_another_batch_moves_its_listing_date(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E4, 1, None, "2024年第二批", 2024, "2024-03-08"],  # a later list, created
        [E2, 1, None, None, 2023, "2023-03-01"]), today=TODAY)  # the stored batch, as it is
    assert statuses(pv) == [(2, "修改"), (3, "无变化")]
    assert pv.rows[0].write == {"batch_id": 3, "listing_date": D("2024-03-08")}
    assert [p.message for p in pv.rows[0].warnings] == []
    assert rejected(handmade_url, "listings", listings([E2, 1, None, None, None, "2023-03-02"])
                    ) == ["与名单批次「2023年第一批」的发布日期（2023-03-01）不一致：已有批次的年度"
                          "和发布日期不能通过导入修改，请核对或留空。"]
    # a batch whose date falls in another year than its name says: a warning
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E5, None, None, "2024年第三批", 2024, "2023-12-29", None, "自愿", "单独审核"]),
        today=TODAY)
    assert [p.message for p in pv.warnings] == [
        "批次年度 2024 与发布日期 2023-12-29 不在同一年，请核对。"]


@pytest.mark.parametrize("mode", ["园区整体审核"])
def test_listings_cluster_mode(handmade_url, mode):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.cluster_audit.insert().values(
            cluster_id=1, name="江北新材料园整体审核", kind="园区", park_id=1,
            city_adcode="320100"))
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E2, 1, None, None, None, None, None, None, mode, "江北新材料园整体审核"],
        [E4, 1, None, None, None, None, None, None, mode, "江北新材料园整体审核"]), today=TODAY)
    assert [r.status for r in pv.rows] == ["修改", "拒绝"]
    assert pv.rows[0].write == {"audit_mode": mode, "cluster_id": 1}
    assert messages(pv.rows[1]) == [
        "整体审核「江北新材料园整体审核」不在企业所在的苏州市，请核对。"]
    out = intake.confirm(src(handmade_url), PROVINCE, "listings", listings(
        [E2, 1, None, None, None, None, None, None, mode, "江北新材料园整体审核"]), "c", ACTOR,
        today=TODAY)
    assert out.ok
    assert rejected(handmade_url, "listings", listings(
        [E1, 1, None, None, None, None, None, None, "行业整体审核", "江北新材料园整体审核"])) == [
        "「江北新材料园整体审核」是园区整体审核，与审核方式「行业整体审核」不符。"]
    with get_engine(handmade_url).begin() as conn:  # E1 leaves the park
        conn.execute(s.enterprise.update().where(s.enterprise.c.uscc == E1).values(park_id=None))
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E1, 1, None, None, None, None, None, None, mode, "江北新材料园整体审核"]), today=TODAY)
    assert [p.message for p in pv.warnings] == [
        "企业不在该园区整体审核所属的园区内（见企业名录），请核对。"]
    # back to a single audit: the cluster goes with it
    pv = intake.preview(src(handmade_url), PROVINCE, "listings", listings(
        [E2, 1, None, None, None, None, None, None, "单独审核"]), today=TODAY)
    assert pv.rows[0].write == {"audit_mode": "单独审核", "cluster_id": None}


# ---- 评估与验收结论 -------------------------------------------------------------------------

RES_HEADER = ["统一社会信用代码", "审核轮次", "企业名称", "评估日期", "评估结论", "评估得分",
              "评估否定项", "评估专家组成员", "验收日期", "验收结论", "验收得分", "验收否定项",
              "验收专家组成员", "清洁生产水平"]


def results(*rows) -> bytes:
    return xlsx(RES_HEADER, rows)


def panel(url: str, audit_id: int, stage: str) -> list[tuple[int, int, str]]:
    pa = s.panel_assignment
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(pa.c.assignment_id, pa.c.expert_id, pa.c.role)
            .where(pa.c.audit_id == audit_id, pa.c.stage == stage)
            .order_by(pa.c.assignment_id))]


RESULT_FILE = results(
    # R5 (E3 round 2) evaluated: date, word, score, no veto, a new panel led by 陈戊
    [E3, 2, None, "2024-12-20", "合格", 90, "否", "刘丁，陈戊（组长）、王甲"],
    # R1: 张丙's seat on the evaluation panel goes to 陈戊; the rest kept
    [E1, 1, None, None, None, None, None, "王甲（组长）、李乙、陈戊"],
    # R3: its score cleared, veto kept
    [E3, 1, None, None, None, "（清空）"],
    # R2 as it is (nothing filled but the key)
    [E2, 1],
)


def test_results_preview_exact(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "results", RESULT_FILE, "结论.xlsx",
                        today=TODAY)
    assert pv.problems == [] and pv.ok
    assert statuses(pv) == [(2, "修改"), (3, "修改"), (4, "修改"), (5, "无变化")]
    r5, r1, r3, _r2 = pv.rows
    assert r5.write == {"evaluation_date": D("2024-12-20"), "evaluation_result": "合格",
                        "evaluation_score": 90.0, "evaluation_veto": False,
                        "evaluation_pass": True}
    assert [(w.table, w.row_key, w.action, w.values) for w in r5.more] == [
        ("panel_assignment", "9", "新增", {"assignment_id": 9, "expert_id": 4, "audit_id": 5,
                                          "cluster_id": None, "stage": "评估", "role": "成员"}),
        ("panel_assignment", "10", "新增", {"assignment_id": 10, "expert_id": 5, "audit_id": 5,
                                           "cluster_id": None, "stage": "评估", "role": "组长"}),
        ("panel_assignment", "11", "新增", {"assignment_id": 11, "expert_id": 1, "audit_id": 5,
                                           "cluster_id": None, "stage": "评估", "role": "成员"})]
    assert r5.changes[-1] == ("评估专家组成员", None, "陈戊（组长）、刘丁、王甲")
    assert r1.write == {} and [(w.row_key, w.action, w.values, w.before) for w in r1.more] == [
        ("3", "修改", {"expert_id": 5}, {"expert_id": 3})]
    assert r1.changes == [("评估专家组成员", "王甲（组长）、李乙、张丙",
                           "王甲（组长）、李乙、陈戊")]
    assert r3.write == {"evaluation_score": None} and r3.before == {"evaluation_score": 62.0}


def test_results_confirm_and_undo_restore_panels_exactly(handmade_url):
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "results", RESULT_FILE, "结论.xlsx",
                         ACTOR, today=TODAY)
    assert out.ok and out.message == "已导入第 1 次：新增 0 条、修改 3 条、无变化 1 条。"
    r5 = one(handmade_url, s.audit_round, audit_id=5)
    assert (r5["evaluation_date"], r5["evaluation_result"], r5["evaluation_pass"],
            r5["evaluation_score"], r5["evaluation_veto"], r5["start_date"]) == (
        D("2024-12-20"), "合格", True, 90.0, False, D("2024-04-20"))
    assert panel(handmade_url, 5, "评估") == [(9, 4, "成员"), (10, 5, "组长"), (11, 1, "成员")]
    assert panel(handmade_url, 1, "评估") == [(1, 1, "组长"), (2, 2, "成员"), (3, 5, "成员")]
    assert panel(handmade_url, 1, "验收") == [(4, 1, "组长"), (5, 2, "成员"), (6, 3, "成员")]
    r3 = one(handmade_url, s.audit_round, audit_id=3)
    assert (r3["evaluation_score"], r3["evaluation_veto"], r3["evaluation_result"]) == (
        None, True, "不合格")  # cleared; blanks kept
    undone = intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：6 条记录已恢复到导入前。"
    assert snapshot(handmade_url) == before


def rejected(url: str, code: str, data: bytes) -> list[str]:
    """The errors of a one-row file (which must be rejected)."""
    pv = intake.preview(src(url), PROVINCE, code, data, today=TODAY)
    assert [r.status for r in pv.rows] == ["拒绝"]
    return messages(pv.rows[0])


def test_results_checks(handmade_url):
    def said(*row):
        return rejected(handmade_url, "results", results(row))

    assert said(E2, 1, None, "2024-06-01") == [
        "填写了评估日期，还须填写评估结论（通过/不通过/合格/不合格）。"]
    assert said(E2, 1, None, None, "通过") == ["填写了评估结论，还须填写评估日期。"]
    assert said(E4, 1, None, None, None, None, "否") == [
        "填写了评估否定项，还须填写评估日期和结论。"]
    assert said(E3, 2, None, "2024-12-20", "合格", 90, "是") == [
        "评估触发了否定项，评估结论应为不通过或不合格，请核对。"]
    assert said(E3, 1, None, None, None, None, None, "、") == [
        "没有可识别的专家姓名；要删除专家组请填写（清空）。"]
    assert said(E1, 1, None, None, None, None, None, "王甲（组长）、李乙(组长)，赵无；王甲") == [
        "专家「赵无」不在专家库中，请核对姓名或填写专家编号。", "专家「王甲」重复填写。",
        "只能有一位组长（只在一位专家的姓名后注明（组长））。"]
    assert said(E2, 1, None, None, None, None, None, None, None, None, None, None, None,
                "Ⅰ级") == ["填写了清洁生产水平，但该轮审核尚未验收通过："
                          "清洁生产水平在验收通过时认定，请核对或留空。"]
    assert said(E4, 1, None, None, None, None, None, "王甲、李乙、张丙") == [
        "填写了评估专家组，还须填写评估日期。"]
    assert said(E2, 1, None, "2025-01-02", "通过") == [
        "评估日期 2025-01-02 晚于今天，尚未发生的日期不能填写。"]
    assert said(E3, 1, None, "2023-12-01") == [
        "评估日期（2023-12-01）早于提交报告日期（2023-12-20），请核对两个日期。"]
    assert said(E1, 1, None, None, None, 101) == [
        "超出范围：应在 0—100 分之间。"]
    pv = intake.preview(src(handmade_url), PROVINCE, "results", results([E1, 1], [E1, 1]),
                        today=TODAY)
    assert messages(pv.rows[1]) == [
        "与第 2 行重复（统一社会信用代码、审核轮次相同），请合并为一行。"]


def test_results_a_smaller_panel_or_none_and_undo_brings_the_seats_back(handmade_url):
    before = snapshot(handmade_url)
    data = results(
        [E1, 1, None, None, None, None, None, "李乙、张丙（组长）"],  # 王甲 leaves; 张丙 leads
        [E3, 1, None, None, None, None, None, "（清空）"])  # R3's panel removed
    pv = intake.preview(src(handmade_url), PROVINCE, "results", data, today=TODAY)
    assert statuses(pv) == [(2, "修改"), (3, "修改")]
    assert [(w.row_key, w.action, w.values, w.before) for w in pv.rows[0].more] == [
        ("3", "修改", {"role": "组长"}, {"role": "成员"}),
        ("1", "删除", {}, {"assignment_id": 1, "expert_id": 1, "audit_id": 1,
                          "cluster_id": None, "stage": "评估", "role": "组长"})]
    assert pv.rows[0].warnings[0].message == "评估专家组 2 人：专家组一般为 3—5 人，请核对。"
    assert pv.rows[1].changes == [("评估专家组成员", "刘丁（组长）、陈戊", None)]
    out = intake.confirm(src(handmade_url), PROVINCE, "results", data, "x", ACTOR, today=TODAY)
    assert out.ok
    again = intake.preview(src(handmade_url), PROVINCE, "results", data, today=TODAY)
    assert [r.status for r in again.rows] == ["无变化"] * 2 and again.warnings == []
    assert panel(handmade_url, 1, "评估") == [(2, 2, "成员"), (3, 3, "组长")]
    assert panel(handmade_url, 3, "评估") == []
    assert panel(handmade_url, 1, "验收") == [(4, 1, "组长"), (5, 2, "成员"), (6, 3, "成员")]
    changes = read_frame(get_engine(handmade_url), select(s.import_change.c.action))
    assert sorted(changes["action"]) == ["修改", "删除", "删除", "删除"]
    undone = intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：4 条记录已恢复到导入前。"
    assert snapshot(handmade_url) == before


def test_migration_0006_lets_an_import_record_a_removal(empty_url_for_migration):
    """A database at 0005 (with an import recorded) upgraded: its rows kept, 删除 accepted,
    any other word still refused."""
    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError

    from queries import migrate

    url = empty_url_for_migration
    engine = create_engine(url)
    insert = text("INSERT INTO import_change (batch_id, table_name, row_key, action, before_json,"
                  " after_json) VALUES (1, 'panel_assignment', :k, :a, '{}', '{}')")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0005_intake")
        conn.execute(text(
            "INSERT INTO import_batch (kind, file_name, sha256, created_at, username, "
            "scope_level, inserted, updated, unchanged, status) VALUES ('results', 'f', 's', "
            "'2024-01-01', 'u', 'province', 0, 1, 0, '有效')"))
        conn.execute(insert, {"k": "1", "a": "修改"})
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0006_intake_delete")
        conn.execute(insert, {"k": "2", "a": "删除"})
        assert conn.execute(text("SELECT row_key, action FROM import_change ORDER BY change_id")
                            ).all() == [("1", "修改"), ("2", "删除")]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"k": "3", "a": "清除"})
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url_for_migration(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("pg_url")


def test_results_ambiguous_expert_and_panel_size_warning(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.expert.insert().values(
            expert_id=6, name="王甲", industry_code="dyeing", admitted_date=D("2020-01-01"),
            status="在库", score=12))
    assert rejected(handmade_url, "results", results(
        [E1, 1, None, None, None, None, None, "王甲、李乙、张丙"])) == [
        "专家库中有不止一位「王甲」，请改填其专家编号。"]
    pv = intake.preview(src(handmade_url), PROVINCE, "results", results(
        [E1, 1, None, None, None, None, None, None, None, None, None, None, "1、2、3、4、5、6"]),
        today=TODAY)
    assert [r.status for r in pv.rows] == ["修改"]
    assert [p.message for p in pv.warnings] == ["验收专家组 6 人：专家组一般为 3—5 人，请核对。"]
    # the pre-filled template writes the number where the name is shared
    rows = intake.current_rows(src(handmade_url), PROVINCE, "results")
    assert rows["评估专家组成员"][0] == "1（组长）、李乙、张丙"


def test_results_a_suspended_or_later_admitted_expert_is_a_warning(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.expert.insert().values(
            expert_id=6, name="赵己", industry_code="electroplating",
            admitted_date=D("2024-06-01"), status="暂停", score=2))
    pv = intake.preview(src(handmade_url), PROVINCE, "results", results(
        [E3, 1, None, None, None, None, None, "刘丁（组长）、陈戊、赵己"]), today=TODAY)
    assert [r.status for r in pv.rows] == ["修改"]
    assert [p.message for p in pv.warnings] == [
        "专家「赵己」在专家库中的状态为「暂停」，请核对。",
        "专家「赵己」2024-06-01 才入库，晚于评估日期（2024-02-01），请核对。"]


def test_results_city_scope_looks_like_not_found(handmade_url):
    before = snapshot(handmade_url)
    data = results([E1, 1, None, None, None, 91], [E5, 1, None, None, None, 91],
                   [E3, 1, None, None, None, 63])
    pv = intake.preview(src(handmade_url), SUZHOU, "results", data, today=TODAY)
    assert statuses(pv) == [(2, "拒绝"), (3, "拒绝"), (4, "修改")]
    assert messages(pv.rows[0]) == [intake.NOT_FOUND.format(area="本辖区（苏州市）", round=1,
                                                            uscc=E1)]
    assert messages(pv.rows[1]) == [intake.NOT_FOUND.format(area="本辖区（苏州市）", round=1,
                                                            uscc=E5)]
    assert not intake.confirm(src(handmade_url), SUZHOU, "results", data, "x", ACTOR,
                              today=TODAY).ok
    assert snapshot(handmade_url) == before


def test_results_template_round_trip(handmade_url):
    rows, pv = roundtrip(handmade_url, PROVINCE, "results")
    assert rows["验收专家组成员"][0] == "王甲（组长）、李乙、张丙"
    assert [None if pd.isna(v) else v for v in rows["评估否定项"][:3]] == ["否", None, "是"]
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化"] * 5
    _rows, pv = roundtrip(handmade_url, SUZHOU, "results")
    assert [r.status for r in pv.rows] == ["无变化"] * 3


def test_results_command_line(handmade_url, tmp_path, capsys):
    before = snapshot(handmade_url)
    bad = results([E2, 1, None, "2024-06-01"])
    assert cli(handmade_url, tmp_path, "results", bad, "--dry-run") == 1
    assert "拒绝：第 2 行：填写了评估日期，还须填写评估结论" in capsys.readouterr().out
    assert cli(handmade_url, tmp_path, "results", RESULT_FILE, "--dry-run") == 0
    assert snapshot(handmade_url) == before
    assert cli(handmade_url, tmp_path, "results", RESULT_FILE) == 0
    assert panel(handmade_url, 5, "评估")[1] == (10, 5, "组长")


# ---- 清洁生产方案 -----------------------------------------------------------------------------

OPT_HEADER = ["统一社会信用代码", "审核轮次", "方案名称", "企业名称", "方案类别", "方案类型",
              "实施状态", "投资（万元）", "实施完成日期", "经济效益（万元/年）",
              "节能量（吨标准煤/年）", "COD减排量", "节水量（吨/年）"]


def options(*rows) -> bytes:
    return xlsx(OPT_HEADER, rows)


OPTION_FILE = options(
    # R5 (E3 round 2, started 2024-04-20, not evaluated): a new implemented option
    [E3, 2, "镀液回收", None, "中/高费", "设备", "已实施", 50, "2024-12-01", 20, 30, 1.5],
    # R1's 方案3 back to 实施中: its date goes with it; its water figure cleared
    [E1, 1, "方案3", None, None, None, "实施中", None, None, None, None, None, "（清空）"],
    # R1's 方案1 as it is
    [E1, 1, "方案1", None, "无/低费", "技术工艺", "已实施", 2, "2023-10-01", 4, 10],
)


def test_options_preview_exact(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "options", OPTION_FILE, "方案.xlsx",
                        today=TODAY)
    assert pv.problems == [] and pv.ok
    assert statuses(pv) == [(2, "新增"), (3, "修改"), (4, "无变化")]
    new, changed, _same = pv.rows
    assert new.write == {"option_id": 5, "audit_id": 5, "title": "镀液回收",
                         "cost_class": "中/高费", "category": "设备", "status": "已实施",
                         "investment_wan": 50.0, "implemented_date": D("2024-12-01"),
                         "econ_benefit_wan": 20.0, "energy_tce": 30.0, "electricity_mwh": None,
                         "water_t": None, "co2_t": None, "cod_t": 1.5, "nh3n_t": None,
                         "so2_t": None, "nox_t": None, "vocs_t": None, "particulates_t": None,
                         "heavy_metals_kg": None, "hazwaste_t": None}
    assert changed.write == {"status": "实施中", "implemented_date": None, "water_t": None}
    assert changed.before == {"status": "已实施", "implemented_date": D("2024-09-01"),
                              "water_t": 5000.0}
    assert changed.changes == [("实施状态", "已实施", "实施中"),
                               ("实施完成日期", D("2024-09-01"), None), ("节水量", 5000.0, None)]


def test_options_checks(handmade_url):
    def said(*row):
        return rejected(handmade_url, "options", options(row))

    assert said(E3, 2, "新方案", None, "无/低费", "管理") == ["新增方案须填写：实施状态、投资。"]
    assert said(E3, 2, "新方案", None, "无/低费", "管理", "已实施", 1) == [
        "实施状态为已实施，须填写实施完成日期。"]
    assert said(E3, 2, "新方案", None, "无/低费", "管理", "拟实施", 1, "2024-06-01") == [
        "实施状态为「拟实施」，不应填写实施完成日期（已实施的方案才有完成日期），"
        "请核对状态或清空日期。"]
    assert said(E3, 2, "新方案", None, "无/低费", "管理", "已实施", 1, "2024-04-19") == [
        "实施完成日期 2024-04-19 早于该轮审核的启动审核日期（2024-04-20），请核对日期或审核轮次。"]
    assert said(E4, 1, "新方案", None, "无/低费", "管理", "已实施", 1, "2024-02-29") == [
        "实施完成日期 2024-02-29 早于该轮审核的列入名单日期（2024-03-01），请核对日期或审核轮次。"]
    assert said(E3, 2, "新方案", None, "无/低费", "管理", "已实施", 1, "2025-01-01") == [
        "实施完成日期 2025-01-01 晚于今天，尚未完成的方案请填写实施状态为实施中。"]
    assert said(E3, 2, "新方案", None, "无/低费", "管理", "拟实施", -1) == [
        "不能小于 0 万元（减排量、投资等填写正数）。"]
    assert said(E3, 2, "新方案", None, "低费", "管理", "拟实施", 1) == [
        "不是可选值。可选：无/低费、中/高费。"]
    assert said(E5, 1, "新方案", None, "无/低费", "管理", "拟实施", 1) == [
        intake.NOT_FOUND.format(area="", round=1, uscc=E5)]
    pv = intake.preview(src(handmade_url), PROVINCE, "options", options(
        [E1, 1, "方案1"], [E1, 1, "方案 1"]), today=TODAY)
    assert messages(pv.rows[1]) == ["与第 2 行是同一项方案，请合并为一行。"]


def test_options_warnings_yuan_and_before_evaluation(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "options", options(
        [E3, 1, "方案4", None, None, None, None, 1500],  # 无/低费: over 1,000 万元
        [E1, 1, "大项目", None, "中/高费", "设备", "拟实施", 150000],  # over 100,000 万元
        [E1, 1, "中项目", None, "中/高费", "设备", "拟实施", 90000],  # large, but plausible
        [E1, 1, "早实施", None, "中/高费", "设备", "已实施", 80, "2024-03-01"]), today=TODAY)
    assert [r.status for r in pv.rows] == ["修改", "新增", "新增", "新增"] and pv.ok
    assert [[p.message for p in r.warnings] for r in pv.rows] == [
        ["投资 1500 万元，无/低费方案少见如此之大：是否按“元”填写了？投资的单位是万元"
         "（1 万元 = 10000 元）。"],
        ["投资 150000 万元，中/高费方案少见如此之大：是否按“元”填写了？投资的单位是万元"
         "（1 万元 = 10000 元）。"],
        [],
        ["中/高费方案一般在评估（2024-04-10）之后实施，请核对实施完成日期。"]]


def test_options_two_stored_options_of_one_title_cannot_be_told_apart(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.audit_option.insert().values(
            option_id=5, audit_id=3, title="方案4", cost_class="无/低费", category="管理",
            status="拟实施", investment_wan=2.0))
    assert rejected(handmade_url, "options", options([E3, 1, "方案4", None, None, None, None,
                                                      3])) == [
        "该轮审核库中已有 2 项名为「方案4」的方案，无法确定修改哪一项，请联系省级用户核实。"]


def test_options_a_confirmed_large_figure_is_not_questioned_again(handmade_url):
    big = options([E1, 1, "大项目", None, "中/高费", "设备", "拟实施", 150000])
    assert intake.confirm(src(handmade_url), PROVINCE, "options", big, "x", ACTOR,
                          today=TODAY).ok
    pv = intake.preview(src(handmade_url), PROVINCE, "options", big, today=TODAY)
    assert [r.status for r in pv.rows] == ["无变化"] and pv.warnings == []


def test_options_city_scope_looks_like_not_found(handmade_url):
    before = snapshot(handmade_url)
    data = options([E1, 1, "方案1", None, None, None, None, 9],
                   [E3, 1, "方案4", None, None, None, None, 2])
    pv = intake.preview(src(handmade_url), SUZHOU, "options", data, today=TODAY)
    assert statuses(pv) == [(2, "拒绝"), (3, "修改")]
    assert messages(pv.rows[0]) == [intake.NOT_FOUND.format(area="本辖区（苏州市）", round=1,
                                                            uscc=E1)]
    assert not intake.confirm(src(handmade_url), SUZHOU, "options", data, "x", ACTOR,
                              today=TODAY).ok
    assert snapshot(handmade_url) == before


def test_options_template_round_trip(handmade_url):
    rows, pv = roundtrip(handmade_url, PROVINCE, "options")
    assert list(rows["方案名称"]) == ["方案1", "方案2", "方案3", "方案4"]
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化"] * 4
    notes = {r["列名"]: r for r in ri.instructions(ri.KINDS["options"])}
    assert notes["投资（万元）"]["可选值或格式"] == "数字，不小于 0"
    assert notes["经济效益（万元/年）"]["可选值或格式"] == "数字"  # may be negative
    _rows, pv = roundtrip(handmade_url, SUZHOU, "options")
    assert [r.status for r in pv.rows] == ["无变化"]


def test_options_command_line(handmade_url, tmp_path, capsys):
    before = snapshot(handmade_url)
    bad = options([E3, 2, "新方案", None, "无/低费", "管理", "已实施", 1])
    assert cli(handmade_url, tmp_path, "options", bad, "--dry-run") == 1
    assert "拒绝：第 2 行「实施完成日期」列：实施状态为已实施" in capsys.readouterr().out
    assert cli(handmade_url, tmp_path, "options", OPTION_FILE, "--dry-run") == 0
    assert snapshot(handmade_url) == before
    assert cli(handmade_url, tmp_path, "options", OPTION_FILE) == 0
    assert one(handmade_url, s.audit_option, option_id=5)["title"] == "镀液回收"


def test_an_imported_option_reaches_the_pages_and_undo_takes_it_back(handmade_url):
    """Known answers through the queries the overview and the enterprise record use: R1's
    options give 155 万元 invested by 2024-12-31 (tests/handmade.py); the import adds a
    medium/high-cost option of 50 万元 to R5 (E3, 苏州) implemented 2024-12-01 and moves R1's
    方案3 (150 万元, 120 tce, 5,000 t water) back to 实施中."""
    from queries import enterprise
    from queries import overview as ov
    from queries.scope import Filters
    from rules.clock import ClockRules
    from tests.handmade import AS_OF

    f = Filters(as_of=AS_OF)
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "options", OPTION_FILE, "方案.xlsx",
                         ACTOR, today=TODAY)
    assert out.ok
    now = Source(handmade_url, out.version)
    with get_engine(handmade_url).connect() as conn:  # the rollups were rebuilt with it
        meta = dict(conn.execute(select(s.app_meta.c.key, s.app_meta.c.value)).all())
    assert meta["rollup_version"] == meta["data_version"] == out.version
    assert one(handmade_url, s.audit_outcome, audit_id=5)["investment_high_wan"] == 50.0
    a = ov.achievements(now, PROVINCE, f).set_index("key")
    assert a.loc["high", ["本年", "累计"]].tolist() == [1.0, 1.0]  # R5's, not R1's any more
    assert a.loc["investment_wan", ["本年", "累计"]].tolist() == [50.0, 55.0]
    assert a.loc["energy_tce", ["本年", "累计"]].tolist() == [30.0, 40.0]
    assert a.loc["cod_t", "累计"] == 1.5 and a.loc["water_t", "累计"] == 1000.0
    suzhou = ov.achievements(now, SUZHOU, f).set_index("key")
    assert suzhou.loc["investment_wan", "累计"] == 50.0
    record = enterprise.record(now, SUZHOU, E3, AS_OF, ClockRules())
    assert (record["totals"]["options"], record["totals"]["implemented"],
            record["totals"]["investment_wan"], record["totals"]["energy_tce"]) == (2, 1, 50.0,
                                                                                    30.0)
    assert intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR).ok
    after = snapshot(handmade_url)
    for name in ("listing_batch", "audit_round", "panel_assignment", "audit_option"):
        assert after[name] == before[name]
    with get_engine(handmade_url).connect() as conn:
        version = conn.execute(select(s.app_meta.c.value)
                               .where(s.app_meta.c.key == "data_version")).scalar()
    back = Source(handmade_url, version)
    a = ov.achievements(back, PROVINCE, f).set_index("key")
    assert a.loc["investment_wan", ["本年", "累计"]].tolist() == [150.0, 155.0]
    assert one(handmade_url, s.audit_outcome, audit_id=5) is None
    assert one(handmade_url, s.audit_outcome, audit_id=1)["investment_high_wan"] == 150.0


# ---- the page ----------------------------------------------------------------------------------

def test_the_intake_page_offers_the_audit_kinds_and_undoes_an_option_import(monkeypatch,
                                                                               handmade_sqlite):
    from tests.apptest import html_tables, open_page, texts

    at = open_page(monkeypatch, handmade_sqlite, "pages/intake.py", user="city:320500")
    for code, name in (("listings", "名单批次与列入企业"), ("results", "评估与验收结论"),
                       ("options", "清洁生产方案")):
        at.selectbox(key="intake_kind").set_value(code).run()
        assert not at.exception
        assert [b.label for b in at.get("download_button")] == [
            f"下载{name}空白模板（.xlsx）", "下载含本辖区现有记录的模板（.xlsx）"]
        assert ri.KINDS[code].note in texts(at)
    out = intake.confirm(src(handmade_sqlite), SUZHOU, "options", options(
        [E3, 2, "镀液回收", None, "中/高费", "设备", "已实施", 50, "2024-12-01"]), "方案.xlsx",
        ACTOR, today=TODAY)
    assert out.ok
    at = open_page(monkeypatch, handmade_sqlite, "pages/intake.py", user="city:320500")
    past = html_tables(at)["intake_batches"]
    assert list(past["数据类型"]) == ["清洁生产方案"] and list(past["新增（条）"]) == ["1"]
    at.button(key="intake_undo").click().run()
    assert not at.exception and "已撤销第 1 次导入" in texts(at)
    assert one(handmade_sqlite, s.audit_option, option_id=5) is None


# ---- 数据质量: the same rules over stored data ----------------------------------------------

def test_quality_finds_a_veto_beside_a_pass_and_an_option_done_before_the_audit(handmade_url):
    from queries import quality
    from queries.scope import Filters

    engine = get_engine(handmade_url)
    with engine.begin() as conn:
        o, a = s.audit_option, s.audit_round
        conn.execute(o.update().where(o.c.option_id == 1)
                     .values(implemented_date=D("2023-04-01")))  # R1 started 2023-04-15
        conn.execute(a.update().where(a.c.audit_id == 1).values(acceptance_veto=True))
    got = quality.problems(Source(handmade_url, "q"), PROVINCE, Filters(as_of=TODAY), "320000")
    mine = got[got["检查项"].isin([quality.VETO, quality.OPTION_EARLY])]
    assert mine[["检查项", "统一社会信用代码", "问题说明"]].values.tolist() == [
        [quality.VETO, E1, "第 1 轮：验收触发了否定项，验收结论应为不通过或不合格，请核对。"],
        [quality.OPTION_EARLY, E1, "第 1 轮「方案1」：实施完成日期 2023-04-01 早于该轮审核的"
                                   "启动审核日期（2023-04-15），请核对日期或审核轮次。"]]
    assert quality.problems(Source(handmade_url, "q"), SUZHOU, Filters(as_of=TODAY),
                            "320000")["检查项"].isin([quality.VETO, quality.OPTION_EARLY]
                                                   ).sum() == 0
