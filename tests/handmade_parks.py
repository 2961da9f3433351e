"""tests/handmade.py plus what the park review needs: a second and a third park, a park cluster
audit with member rounds, a member also audited alone, an enterprise inside a polygon that is not
a member, and a member outside its park's polygon. Known answers are derived by hand below.

Added to handmade.ROWS (nothing there is changed):

- Park 2 苏州吴江化工新材料产业园 (省级 化工园区, 苏州市 吴江区 320509): the square
  lon 120.65–120.70 × lat 30.96–31.00. Park 3 苏州高新技术产业开发区 (国家级 高新技术产业开发区,
  虎丘区 320505): no boundary, no members.
- E6 化工, E7 印染, E8 化工: members of park 2 (吴江区). E6 (120.67, 30.98) and E7 (120.68, 30.99)
  lie inside the square; **E8 (120.75, 31.05) lies outside it**. **E5** (handmade, 120.66, 30.97,
  no park) lies inside it without being a member. E4 (120.64, 30.95) is outside.
- Cluster audit 1 (园区, park 2): started 2024-04-01, evaluation 2024-10-15 通过, no acceptance.
  Members listed 2024-03-01 (batch 2) with audit_mode 园区整体审核:
  R7 E6 round 2 (disclosed 03-15, started 04-01, report 09-01), R8 E7 round 1 (same, Ⅲ级),
  R9 E8 round 1 (disclosed 03-20, started 04-01, no report: report due 2025-03-01).
- **E6 was also audited alone**: R6 E6 round 1, 2023-03-01 (batch 1) 双超: disclosed 03-10,
  started 04-01, report 2023-12-01, evaluation 2024-01-15 通过 (85), Ⅱ级; acceptance due
  2025-03-01.
- Options: R6: 无/低费 设备 implemented 2023-08-01 4.0 万元 20 tce; 中/高费 废弃物 implemented
  2024-06-01 60.0 万元 1.5 t COD 3.0 t VOCs. R8: 无/低费 管理 implemented 2024-07-01 1.0 万元
  800 t water; 无/低费 管理 implemented 2024-08-01 0.5 万元 200 t water; 中/高费 技术工艺 拟实施
  200.0 万元.
- Credit: E6 2023 环保良好 and 2024 环保诚信 (latest counts); E7 2024 环保警示; E8 none.
- Penalty 2: E7, 2024-11-01, 超标排放, 50,000 yuan.

Known answers as of 2024-12-31 (clock defaults, completion = evaluation passed):

| park | members | listed | rounds | overdue | audited | options | invest | energy | COD |
|---|---|---|---|---|---|---|---|---|---|
| 1 | 2 | 2 | 2 (R1 accepted, R2 started) | 1 | 1 (E1) | 3 | 155.0 | 130 | 2.5 |
| 2 | 3 | 3 | 4 (R6 evaluated, R7 R8 reported, R9 started) | 0 | 3 | 4 | 65.5 | 20 | 1.5 |
| 3 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

Park 2 counts E6 once although it has two audits (R6 alone, R7 in the cluster); E7 and E8 count
because the cluster audit passed evaluation (on 2024-10-15: as of 2024-06-30 they do not).
Per enterprise: investment 77.5 (park 1) and 21.83 (park 2) 万元/家; audit rate 50 % and 100 %;
overdue rounds per 100 enterprises 50.0 and 0.0; Ⅰ/Ⅱ级 share 50 % (E1) and 33.3 % (E6);
诚信/良好 share of rated members 100 % (E1, E2) and 50 % (E6 of E6, E7).
"""

from __future__ import annotations

import copy
import json

from sqlalchemy.engine import Engine

from rules.identifiers import make_uscc
from tests import handmade
from tests.handmade import D, _option, _round

AS_OF = handmade.AS_OF
E1, E2, E3, E4, E5 = handmade.E1, handmade.E2, handmade.E3, handmade.E4, handmade.E5
E6 = make_uscc("320509", "MA1DDD06")
E7 = make_uscc("320509", "MA1DDD07")
E8 = make_uscc("320509", "MA1DDD08")

PARK1, PARK2, PARK3 = "南京江北新材料科技园", "苏州吴江化工新材料产业园", "苏州高新技术产业开发区"
PARK2_SQUARE = {"type": "Polygon", "coordinates": [[
    [120.65, 30.96], [120.70, 30.96], [120.70, 31.00], [120.65, 31.00], [120.65, 30.96]]]}


def _enterprise(uscc, name, industry, lon, lat, park_id=2):
    return dict(uscc=uscc, name=name, industry_code=industry, city_adcode="320500",
                county_adcode="320509", park_id=park_id, lon=lon, lat=lat, scale="中型",
                permit_class="重点管理", address="吴江区示例园区路")


def _member(audit_id, uscc, round_no, **dates):
    row = _round(audit_id, uscc, round_no, 2, "2024-03-01", "双有", 2, **dates)
    row.update(audit_mode="园区整体审核", cluster_id=1)
    return row


def _opt(option_id, audit_id, cost_class, category, status, investment, implemented=None,
         **outcomes):
    row = _option(option_id, audit_id, cost_class, status, investment, implemented, **outcomes)
    row["category"] = category
    return row


ROWS: dict = copy.deepcopy(handmade.ROWS)
ROWS["park"] += [
    dict(park_id=2, name=PARK2, level="省级", park_type="化工园区", city_adcode="320500",
         county_adcode="320509", boundary_geojson=json.dumps(PARK2_SQUARE), lon=120.675,
         lat=30.98),
    dict(park_id=3, name=PARK3, level="国家级", park_type="高新技术产业开发区",
         city_adcode="320500", county_adcode="320505", boundary_geojson=None, lon=120.55,
         lat=31.30),
]
ROWS["enterprise"] += [
    _enterprise(E6, "苏州己化工有限公司", "chemicals", 120.67, 30.98),
    _enterprise(E7, "苏州庚印染有限公司", "dyeing", 120.68, 30.99),
    _enterprise(E8, "苏州辛化工有限公司", "chemicals", 120.75, 31.05),
]
ROWS["cluster_audit"] = [
    dict(cluster_id=1, name=f"{PARK2}2024年园区整体清洁生产审核", kind="园区", park_id=2,
         industry_code=None, city_adcode="320500", consultancy_id=2,
         start_date=D("2024-04-01"), evaluation_date=D("2024-10-15"), evaluation_pass=True,
         acceptance_date=None, acceptance_pass=None),
]
ROWS["audit_round"] += [
    _round(6, E6, 1, 1, "2023-03-01", "双超", 2, disclosure_date="2023-03-10",
           start_date="2023-04-01", report_date="2023-12-01", evaluation_date="2024-01-15",
           evaluation_result="通过", evaluation_pass=True, evaluation_score=85.0,
           evaluation_veto=False, cp_level="Ⅱ级"),
    _member(7, E6, 2, disclosure_date="2024-03-15", start_date="2024-04-01",
            report_date="2024-09-01"),
    _member(8, E7, 1, disclosure_date="2024-03-15", start_date="2024-04-01",
            report_date="2024-09-01", cp_level="Ⅲ级"),
    _member(9, E8, 1, disclosure_date="2024-03-20", start_date="2024-04-01"),
]
ROWS["audit_option"] += [
    _opt(5, 6, "无/低费", "设备", "已实施", 4.0, "2023-08-01", energy_tce=20.0),
    _opt(6, 6, "中/高费", "废弃物", "已实施", 60.0, "2024-06-01", cod_t=1.5, vocs_t=3.0),
    _opt(7, 8, "无/低费", "管理", "已实施", 1.0, "2024-07-01", water_t=800.0),
    _opt(8, 8, "无/低费", "管理", "已实施", 0.5, "2024-08-01", water_t=200.0),
    _opt(9, 8, "中/高费", "技术工艺", "拟实施", 200.0),
]
ROWS["credit_rating"] += [
    dict(uscc=E6, year=2023, grade="环保良好"), dict(uscc=E6, year=2024, grade="环保诚信"),
    dict(uscc=E7, year=2024, grade="环保警示"),
]
ROWS["penalty"] += [
    dict(penalty_id=2, uscc=E7, audit_id=None, decision_date=D("2024-11-01"), kind="超标排放",
         amount_yuan=50000.0, authority="苏州市生态环境局", published_credit_china=False,
         description="废水超标排放"),
]
ROWS["app_meta"] = [r if r["key"] != "data_version" else dict(key="data_version",
                                                              value="handmade-parks-1")
                    for r in ROWS["app_meta"]]


def build(engine: Engine) -> None:
    """Insert the rows above into an empty database that has the schema."""
    handmade.build(engine, ROWS)
