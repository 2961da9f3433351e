"""The hand-built database (tests/handmade.py) plus what 专家库, 咨询机构 and 信用与公开 read.
Every figure the tests assert is derived by hand below (as of 2024-12-31 unless said).

Added to the story:
- R6: E5 (苏州吴江, 电镀) listed 2024-03-01 (batch 2), 双有, by consultancy 1, disclosed 03-10,
  started 04-01, report 2024-10-01: reported, nothing overdue. Consultancy 1 thereby worked in
  苏州 (visible to a 苏州 official, who sees only R6 of it).
- Consultancies 3 (苏州, no rounds: visible to 苏州 as based there) and 4 (南京, no rounds: not).
- Options on R6 copying R1's figure for figure: option 5 = option 3 (方案3, 150.0 万元, 120 tce,
  5,000 t water, 2.5 t COD) and option 6 = option 1 (方案1, 2.0 万元, 10 tce); options 8 (R1) and
  9 (R6) are the same figure-less 加强管理 (0.5 万元) and prove nothing. With copy_min_clients = 2
  consultancy 1 has 2 copied options in 2 clients; with 3, none; within 苏州 (R6 only), none.
- Experts 1–5 as in handmade (南京, 示例大学). Expert 6 (苏州) works for consultancy 2 and sat on
  R3's evaluation (its report): conflict 评审本单位咨询的项目. Expert 7 (南京) works for E1 and sat
  on R1's acceptance: conflict 评审本单位企业. Expert 8 is based in 苏州 and never sat; expert 9 in
  南京, never sat. Visible: province 1–9; 苏州 4, 5, 6 (R3) and 8 (based there); 虎丘区 4, 5, 6.
  With conflict_own_city: 6 more (experts 1–3 on R1, 南京 on 南京, twice each: eval + acceptance;
  expert 7 on R1 too) and expert 6 on R3 (苏州 on 苏州) gets both reasons.
- Deductions: expert 1 3 points on 2024-02-01 and 3 on 2024-06-01 -> 6 left, 已达暂停线 while 在库;
  expert 2 4 points on 2024-05-01 -> 8, 接近暂停线 (≤ 6 + 3); expert 3 6 points on 2023-05-01 ->
  12 in 2024 (6 as of 2023-12-31); expert 4 2 points on 2024-12-31 (the as-of day counts) -> 10;
  expert 5 3 points on 2025-01-05 (after the as-of date) -> 12.
- Workload 2024: expert 1 sat twice (R1 evaluation 2024-04-10, acceptance 2024-11-20), as did 2
  and 3; experts 4, 5, 6 once (R3 2024-02-01); 7 once. Rotation: experts 1, 2, 3 reviewed
  consultancy 1 twice within 12 months; expert 7 once.
- Contacts: expert 1 13812345678 / 320102198001011234; expert 4 13900001111, no ID number.
- Penalties (kinds under the law only): P1 E3 2024-03-10 (Sunday) published 03-15: due the 7th
  working day after, 2024-03-19 -> 已公示. P2 E4 2024-09-27 未按规定公布信息, not published: due
  2024-10-12 (9-29 and 10-12 are make-up working days, 10-1…7 National Day) -> 逾期未公示 as of
  2024-12-31, 待公示 as of 2024-10-12. P3 E1 超标排放: not on the list. P4 E2 2024-06-03
  审核报告弄虚作假 published 06-20: due 2024-06-13 (6-10 端午节) -> 已公示（超期）.
- Training 2024 plan: 专家 2 sessions / 60; 企业 1 / 100. Held: 2024-05-10 专家 30 (province),
  2024-06-15 企业 50 (苏州), 2024-07-01 企业 40 (南京), 2025-01-10 专家 (after the as-of date).
"""

from __future__ import annotations

import copy

from tests import handmade
from tests.handmade import E1, E2, E3, E4, E5, D

ROWS = copy.deepcopy(handmade.ROWS)
ROWS["consultancy"] += [
    dict(consultancy_id=3, name="苏州三号咨询有限公司", uscc=None, city_adcode="320500",
         staff_count=5, named_publicly=False),
    dict(consultancy_id=4, name="南京四号咨询有限公司", uscc=None, city_adcode="320100",
         staff_count=8, named_publicly=False),
]
ROWS["audit_round"].append(handmade._round(
    6, E5, 1, 2, "2024-03-01", "双有", 1, disclosure_date="2024-03-10",
    start_date="2024-04-01", report_date="2024-10-01"))
ROWS["audit_option"] += [
    handmade._option(5, 6, "中/高费", "拟实施", 150.0, energy_tce=120.0, water_t=5000.0,
                     cod_t=2.5),
    handmade._option(6, 6, "无/低费", "拟实施", 2.0, econ_benefit_wan=4.0, energy_tce=10.0),
    handmade._option(8, 1, "无/低费", "拟实施", 0.5),
    handmade._option(9, 6, "无/低费", "拟实施", 0.5),
]
for o in ROWS["audit_option"]:
    if o["option_id"] in (5, 6):
        o["title"] = {5: "方案3", 6: "方案1"}[o["option_id"]]
    if o["option_id"] in (8, 9):
        o["title"] = "加强管理"
ROWS["expert"] += [
    dict(expert_id=6, name="周己", industry_code="electroplating",
         organisation="苏州绿衡环保科技有限公司", title="高级工程师", city_adcode="320500",
         admitted_date=D("2021-01-01"), status="在库", score=12),
    dict(expert_id=7, name="吴庚", industry_code="chemicals", organisation="南京甲化工有限公司",
         title="高级工程师", city_adcode="320100", admitted_date=D("2021-01-01"), status="在库",
         score=12),
    dict(expert_id=8, name="郑辛", industry_code="dyeing", organisation="苏州大学",
         title="教授", city_adcode="320500", admitted_date=D("2021-01-01"), status="在库",
         score=12),
    dict(expert_id=9, name="孙壬", industry_code="dyeing", organisation="南京大学",
         title="教授", city_adcode="320100", admitted_date=D("2021-01-01"), status="暂停",
         score=12),
]
ROWS["panel_assignment"] += [
    dict(assignment_id=9, expert_id=6, audit_id=3, cluster_id=None, stage="评估", role="成员"),
    dict(assignment_id=10, expert_id=7, audit_id=1, cluster_id=None, stage="验收", role="成员"),
]
ROWS["expert_deduction"] = [
    dict(deduction_id=i, expert_id=x, event_date=D(day), reason=why, points=p)
    for i, x, day, why, p in [
        (1, 1, "2024-02-01", "无故缺席评审会", 3), (2, 1, "2024-06-01", "评审前未审阅审核报告", 3),
        (3, 2, "2024-05-01", "评审意见不规范", 4), (4, 3, "2023-05-01", "泄露评审信息", 6),
        (5, 4, "2024-12-31", "评审意见不规范", 2), (6, 5, "2025-01-05", "无故缺席评审会", 3)]
]
ROWS["expert_contact"] = [
    dict(expert_id=1, phone="13812345678", id_number="320102198001011234"),
    dict(expert_id=4, phone="13900001111", id_number=None),
]
ROWS["penalty"] += [
    dict(penalty_id=2, uscc=E4, audit_id=4, decision_date=D("2024-09-27"), kind="未按规定公布信息",
         amount_yuan=30000.0, authority="苏州市生态环境局", published_credit_china=False,
         description="未公布企业信息"),
    dict(penalty_id=3, uscc=E1, audit_id=None, decision_date=D("2024-05-06"), kind="超标排放",
         amount_yuan=200000.0, authority="南京市生态环境局", published_credit_china=False,
         description="超标排放"),
    dict(penalty_id=4, uscc=E2, audit_id=2, decision_date=D("2024-06-03"), kind="审核报告弄虚作假",
         amount_yuan=100000.0, authority="南京市生态环境局", published_credit_china=True,
         description="弄虚作假"),
]
ROWS["penalty_publication"] = [
    dict(penalty_id=1, published_date=D("2024-03-15"), channel="信用中国"),
    dict(penalty_id=4, published_date=D("2024-06-20"), channel="信用中国"),
]
ROWS["training_plan"] = [
    dict(year=2024, audience="专家", sessions_planned=2, attendees_planned=60),
    dict(year=2024, audience="企业", sessions_planned=1, attendees_planned=100),
]
ROWS["training_session"] = [
    dict(session_id=1, session_date=D("2024-05-10"), title="2024年专家培训", audience="专家",
         attendees=30, city_adcode=None),
    dict(session_id=2, session_date=D("2024-06-15"), title="苏州企业培训", audience="企业",
         attendees=50, city_adcode="320500"),
    dict(session_id=3, session_date=D("2024-07-01"), title="南京企业培训", audience="企业",
         attendees=40, city_adcode="320100"),
    dict(session_id=4, session_date=D("2025-01-10"), title="2025年专家培训", audience="专家",
         attendees=35, city_adcode=None),
]
UNUSED = (E2, E3)  # named in the story above


def build(engine) -> None:
    handmade.build(engine, ROWS)
