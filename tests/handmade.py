"""A small hand-built province where every count is known, for known-answer tests.

Read it as a story (the figures tests assert are derived by hand from these rows):

- 江苏省 (320000) with 南京市 (320100: 浦口区 320111) and 苏州市 (320500: 虎丘区 320505,
  吴江区 320509). Industries 化工 chemicals, 电镀 electroplating, 印染 dyeing, and a provincial
  addition 镁砂 (is_national false) that no enterprise uses.
- One park, 南京江北新材料科技园 (id 1, 国家级 化工园区, 浦口区), a square around (118.70, 32.20).
- Five enterprises: E1, E2 化工 in the park (浦口区); E3 电镀 虎丘区; E4 印染 吴江区;
  E5 电镀 吴江区, never listed.
- Batches: 2023年第一批 published 2023-03-01; 2024年第一批 published 2024-03-01.
- Rounds (clock defaults: disclosure 1 month, start 2, report 12, acceptance 24 after listing):
  R1 E1 2023-03-01 双有: disclosed 03-20, started 04-15, report 2024-02-10, evaluation
     2024-04-10 通过 (88 points), acceptance 2024-11-20 通过, Ⅱ级.       -> accepted
  R2 E2 2023-03-01 双超: disclosed 03-25, started 2023-06-10 (start due 05-01: late but done),
     no report. Report due 2024-03-01: as of 2024-12-31, 305 days overdue.
  R3 E3 2023-03-01 双有: disclosed 03-15, started 04-01, report 2023-12-20, evaluation
     2024-02-01 不合格 (62 points, veto).                                 -> evaluation failed
  R4 E4 2024-03-01 双超: disclosed 2024-03-15, never started. Start due 2024-05-01, in the
     May Day holiday (5月1日至5日), so the deadline is Monday 2024-05-06 (民法典 Art. 203):
     as of 2024-12-31, 239 days overdue.
  R5 E3 round 2, 2024-03-01 双有, re-listed from R3: disclosed 03-20, started 04-20.
     Report due 2025-03-01: in audit, not overdue as of 2024-12-31.
- Options: R1 has 3 (two 无/低费 implemented 2023-10-01: 2.0 + 3.0 万元; one 中/高费
  implemented 2024-09-01: 150.0 万元, 120 tce, 5,000 t water, 2.5 t COD); R3 has 1 proposed
  无/低费 (1.0 万元). Implemented investment in total: 155.0 万元.
- Consultancy 1 does R1 and R2; consultancy 2 does R3, R4, R5. Experts 1-3 (化工) sat on R1's
  evaluation (1 is 组长) and acceptance; experts 4-5 (电镀) on R3's evaluation.
- Permits: E1 001P (2020-06-01 → 2025-05-31), E2 001P, E3 001P and 002P, E4 001W (登记).
- Plan 2021—2023年实施方案 (period 1) with province targets for 2023: audits_completed 3,
  evaluations_passed 3, acceptances 2; city targets 2023: 南京 2, 苏州 1 (completed).
- Credit 2023: E1 环保诚信, E2 环保良好, E3 环保警示, E4 环保良好. One penalty: E3, 2024-03-10,
  未按规定实施审核, 80,000 yuan, published on 信用中国.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Engine

from queries import schema as s
from rules.identifiers import make_permit_no, make_uscc
from rules.vocab import OUTCOME_COLUMNS

D = dt.date.fromisoformat
AS_OF = D("2024-12-31")

E1 = make_uscc("320111", "MA1AAA01")
E2 = make_uscc("320111", "MA1AAA02")
E3 = make_uscc("320505", "MA1BBB03")
E4 = make_uscc("320509", "MA1CCC04")
E5 = make_uscc("320509", "MA1CCC05")

PARK_SQUARE = {"type": "Polygon", "coordinates": [[
    [118.68, 32.18], [118.72, 32.18], [118.72, 32.22], [118.68, 32.22], [118.68, 32.18]]]}


def _round(audit_id, uscc, round_no, batch_id, listing, reason, consultancy, **dates):
    row = dict(audit_id=audit_id, uscc=uscc, round_no=round_no, batch_id=batch_id,
               listing_date=D(listing), listing_reason=reason, audit_mode="单独审核",
               cluster_id=None, consultancy_id=consultancy, relisted_from=None,
               disclosure_date=None, start_date=None, report_date=None, evaluation_date=None,
               evaluation_result=None, evaluation_pass=None, evaluation_score=None,
               evaluation_veto=None, acceptance_date=None, acceptance_result=None,
               acceptance_pass=None, acceptance_score=None, acceptance_veto=None, cp_level=None)
    for k, v in dates.items():
        row[k] = D(v) if isinstance(v, str) and k.endswith("_date") else v
    return row


def _option(option_id, audit_id, cost_class, status, investment, implemented=None, **outcomes):
    row = dict(option_id=option_id, audit_id=audit_id, title=f"方案{option_id}",
               cost_class=cost_class, category="技术工艺", status=status,
               investment_wan=investment, implemented_date=D(implemented) if implemented else None)
    for col, _label, _unit in OUTCOME_COLUMNS:
        row[col] = None
    row.update(outcomes)
    return row


ROWS: dict = {
    "app_meta": [
        dict(key="province_adcode", value="320000"), dict(key="province_name", value="江苏省"),
        dict(key="is_sample", value="0"), dict(key="data_version", value="handmade-1"),
    ],
    "region": [
        dict(adcode="320000", name="江苏省", level="省", parent_adcode=None, lon=119.4, lat=32.9),
        dict(adcode="320100", name="南京市", level="市", parent_adcode="320000", lon=118.8,
             lat=32.1),
        dict(adcode="320500", name="苏州市", level="市", parent_adcode="320000", lon=120.6,
             lat=31.3),
        dict(adcode="320111", name="浦口区", level="区县", parent_adcode="320100", lon=118.6,
             lat=32.1),
        dict(adcode="320505", name="虎丘区", level="区县", parent_adcode="320500", lon=120.5,
             lat=31.3),
        dict(adcode="320509", name="吴江区", level="区县", parent_adcode="320500", lon=120.6,
             lat=31.0),
    ],
    "industry": [
        dict(code="chemicals", name="化工", is_national=True, sort_order=6),
        dict(code="electroplating", name="电镀", is_national=True, sort_order=10),
        dict(code="dyeing", name="印染", is_national=True, sort_order=7),
        dict(code="magnesia", name="镁砂", is_national=False, sort_order=14),
    ],
    "park": [
        dict(park_id=1, name="南京江北新材料科技园", level="国家级", park_type="化工园区",
             city_adcode="320100", county_adcode="320111",
             boundary_geojson=json.dumps(PARK_SQUARE), lon=118.70, lat=32.20),
    ],
    "consultancy": [
        dict(consultancy_id=1, name="江苏清源环境咨询有限公司", uscc=None, city_adcode="320100",
             staff_count=25, named_publicly=False),
        dict(consultancy_id=2, name="苏州绿衡环保科技有限公司", uscc=None, city_adcode="320500",
             staff_count=12, named_publicly=True),
    ],
    "enterprise": [
        dict(uscc=E1, name="南京甲化工有限公司", industry_code="chemicals", city_adcode="320100",
             county_adcode="320111", park_id=1, lon=118.70, lat=32.20, scale="大型",
             permit_class="重点管理", address="浦口区示例路1号"),
        dict(uscc=E2, name="南京乙化工有限公司", industry_code="chemicals", city_adcode="320100",
             county_adcode="320111", park_id=1, lon=118.71, lat=32.19, scale="中型",
             permit_class="重点管理", address="浦口区示例路2号"),
        dict(uscc=E3, name="苏州丙电镀有限公司", industry_code="electroplating",
             city_adcode="320500", county_adcode="320505", park_id=None, lon=120.52, lat=31.32,
             scale="小型", permit_class="重点管理", address="虎丘区示例路3号"),
        dict(uscc=E4, name="苏州丁印染有限公司", industry_code="dyeing", city_adcode="320500",
             county_adcode="320509", park_id=None, lon=120.64, lat=30.95, scale="中型",
             permit_class="简化管理", address="吴江区示例路4号"),
        dict(uscc=E5, name="苏州戊电镀有限公司", industry_code="electroplating",
             city_adcode="320500", county_adcode="320509", park_id=None, lon=120.66, lat=30.97,
             scale="小型", permit_class="登记管理", address="吴江区示例路5号"),
    ],
    "permit": [
        dict(permit_no=make_permit_no(E1, 1), uscc=E1, kind="许可证", issue_date=D("2020-06-01"),
             expiry_date=D("2025-05-31")),
        dict(permit_no=make_permit_no(E2, 1), uscc=E2, kind="许可证", issue_date=D("2021-01-10"),
             expiry_date=D("2026-01-09")),
        dict(permit_no=make_permit_no(E3, 1), uscc=E3, kind="许可证", issue_date=D("2019-12-01"),
             expiry_date=D("2024-11-30")),
        dict(permit_no=make_permit_no(E3, 2), uscc=E3, kind="许可证", issue_date=D("2024-12-01"),
             expiry_date=D("2029-11-30")),
        dict(permit_no=make_permit_no(E4, 1, "登记"), uscc=E4, kind="登记",
             issue_date=D("2020-08-01"), expiry_date=None),
    ],
    "listing_batch": [
        dict(batch_id=1, name="2023年第一批", year=2023, publish_date=D("2023-03-01")),
        dict(batch_id=2, name="2024年第一批", year=2024, publish_date=D("2024-03-01")),
    ],
    "cluster_audit": [],
    "audit_round": [
        _round(1, E1, 1, 1, "2023-03-01", "双有", 1, disclosure_date="2023-03-20",
               start_date="2023-04-15", report_date="2024-02-10", evaluation_date="2024-04-10",
               evaluation_result="通过", evaluation_pass=True, evaluation_score=88.0,
               evaluation_veto=False, acceptance_date="2024-11-20", acceptance_result="通过",
               acceptance_pass=True, acceptance_score=90.0, acceptance_veto=False,
               cp_level="Ⅱ级"),
        _round(2, E2, 1, 1, "2023-03-01", "双超", 1, disclosure_date="2023-03-25",
               start_date="2023-06-10"),
        _round(3, E3, 1, 1, "2023-03-01", "双有", 2, disclosure_date="2023-03-15",
               start_date="2023-04-01", report_date="2023-12-20", evaluation_date="2024-02-01",
               evaluation_result="不合格", evaluation_pass=False, evaluation_score=62.0,
               evaluation_veto=True),
        _round(4, E4, 1, 2, "2024-03-01", "双超", 2, disclosure_date="2024-03-15"),
        _round(5, E3, 2, 2, "2024-03-01", "双有", 2, relisted_from=3,
               disclosure_date="2024-03-20", start_date="2024-04-20"),
    ],
    "audit_option": [
        _option(1, 1, "无/低费", "已实施", 2.0, "2023-10-01", econ_benefit_wan=4.0,
                energy_tce=10.0),
        _option(2, 1, "无/低费", "已实施", 3.0, "2023-10-01", econ_benefit_wan=6.0,
                water_t=1000.0),
        _option(3, 1, "中/高费", "已实施", 150.0, "2024-09-01", econ_benefit_wan=80.0,
                energy_tce=120.0, water_t=5000.0, cod_t=2.5),
        _option(4, 3, "无/低费", "拟实施", 1.0),
    ],
    "expert": [
        dict(expert_id=i, name=name, industry_code=ind, organisation="示例大学", title="教授",
             city_adcode="320100", admitted_date=D("2020-01-01"), status="在库", score=12)
        for i, name, ind in [(1, "王甲", "chemicals"), (2, "李乙", "chemicals"),
                             (3, "张丙", "chemicals"), (4, "刘丁", "electroplating"),
                             (5, "陈戊", "electroplating")]
    ],
    "panel_assignment": [
        dict(assignment_id=1, expert_id=1, audit_id=1, cluster_id=None, stage="评估", role="组长"),
        dict(assignment_id=2, expert_id=2, audit_id=1, cluster_id=None, stage="评估", role="成员"),
        dict(assignment_id=3, expert_id=3, audit_id=1, cluster_id=None, stage="评估", role="成员"),
        dict(assignment_id=4, expert_id=1, audit_id=1, cluster_id=None, stage="验收", role="组长"),
        dict(assignment_id=5, expert_id=2, audit_id=1, cluster_id=None, stage="验收", role="成员"),
        dict(assignment_id=6, expert_id=3, audit_id=1, cluster_id=None, stage="验收", role="成员"),
        dict(assignment_id=7, expert_id=4, audit_id=3, cluster_id=None, stage="评估", role="组长"),
        dict(assignment_id=8, expert_id=5, audit_id=3, cluster_id=None, stage="评估", role="成员"),
    ],
    "plan_period": [
        dict(period_id=1, name="2021—2023年实施方案", start_year=2021, end_year=2023),
    ],
    "plan_target": [
        dict(target_id=1, period_id=1, year=2023, region_adcode="320000", industry_code=None,
             audits_listed=3, audits_completed=3, evaluations_passed=3, acceptances=2,
             energy_tce=None, cod_t=None, nh3n_t=None, so2_t=None, nox_t=None, vocs_t=None),
        dict(target_id=2, period_id=1, year=2023, region_adcode="320100",
             industry_code="chemicals", audits_listed=2, audits_completed=2,
             evaluations_passed=2, acceptances=1, energy_tce=100.0, cod_t=2.0, nh3n_t=None,
             so2_t=None, nox_t=None, vocs_t=None),
        dict(target_id=3, period_id=1, year=2023, region_adcode="320500",
             industry_code="electroplating", audits_listed=1, audits_completed=1,
             evaluations_passed=1, acceptances=1, energy_tce=None, cod_t=None, nh3n_t=None,
             so2_t=None, nox_t=None, vocs_t=None),
    ],
    "credit_rating": [
        dict(uscc=E1, year=2023, grade="环保诚信"), dict(uscc=E2, year=2023, grade="环保良好"),
        dict(uscc=E3, year=2023, grade="环保警示"), dict(uscc=E4, year=2023, grade="环保良好"),
    ],
    "penalty": [
        dict(penalty_id=1, uscc=E3, audit_id=3, decision_date=D("2024-03-10"),
             kind="未按规定实施审核", amount_yuan=80000.0, authority="苏州市生态环境局",
             published_credit_china=True, description="评估未通过后未按期整改"),
    ],
}


def build(engine: Engine, rows: dict | None = None) -> None:
    """Insert `rows` (default: the rows above; variants pass their own copy) into an empty
    database that has the schema."""
    rows = ROWS if rows is None else rows
    with engine.begin() as conn:
        for table in s.metadata.sorted_tables:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
