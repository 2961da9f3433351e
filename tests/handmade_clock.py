"""tests/handmade.py plus what the complete clock needs: a re-audit that lapsed, one coming due
within the warning window, and a deadline on National Day. Known answers derived by hand below.

Added to handmade.ROWS (nothing there is changed):

- Batch 3 "2019年第一批" published 2019-04-01; batch 4 "2024年第二批" published 2024-09-02.
- G6 南京己化工有限公司 (化工, 浦口区, no park), 双有: round R6 listed 2019-04-01, disclosed
  04-20, started 05-10, report 2019-10-15, evaluation 2019-11-20 通过, acceptance 2019-12-20
  通过. Re-audit due 2024-12-20 (a Friday): **lapsed** on 2024-12-31 by 11 days.
- G7 苏州庚电镀有限公司 (电镀, 虎丘区), 双有: round R7 listed 2019-04-01, disclosed 04-25,
  started 05-20, report 2019-12-10, evaluation 2020-01-10 通过, acceptance 2020-03-16 通过.
  Re-audit due 2025-03-16, a Sunday: **moved to Monday 2025-03-17**; on 2024-12-31 it is 76
  days ahead, inside the 180-day warning window (which opened on 2024-09-18).
- G8 苏州辛印染有限公司 (印染, 吴江区), 双超: round R8 listed 2024-09-02, nothing since.
  Disclosure due 2024-10-02, in the National Day holiday (10月1日至7日): **moved to
  2024-10-08**, 84 days overdue on 2024-12-31 (90 without the extension); start due 2024-11-02,
  a Saturday: moved to Monday 2024-11-04, 57 days overdue. Reason: "信息公开逾期 84 天；启动审核
  逾期 57 天", days overdue 84 (31–90天).

As of 2024-12-31 the overview counts 再审核逾期 1 家 (G6) and 1 more coming due (G7); overdue
enterprises 3 (E2 305 days, E4 239, G8 84). A year earlier (2023-12-31) nothing had lapsed and
nothing was coming due (G6's window opened on 2024-06-23).
"""

from __future__ import annotations

import copy

from sqlalchemy.engine import Engine

from rules.identifiers import make_uscc
from tests import handmade
from tests.handmade import D, _round

AS_OF = handmade.AS_OF
G6 = make_uscc("320111", "MA1EEE06")
G7 = make_uscc("320505", "MA1EEE07")
G8 = make_uscc("320509", "MA1EEE08")


def _enterprise(uscc, name, industry, city, county, lon, lat):
    return dict(uscc=uscc, name=name, industry_code=industry, city_adcode=city,
                county_adcode=county, park_id=None, lon=lon, lat=lat, scale="中型",
                permit_class="重点管理", address="示例路8号")


def _passed(audit_id, uscc, disclosure, start, report, evaluation, acceptance):
    return _round(audit_id, uscc, 1, 3, "2019-04-01", "双有", 1, disclosure_date=disclosure,
                  start_date=start, report_date=report, evaluation_date=evaluation,
                  evaluation_result="通过", evaluation_pass=True, evaluation_score=86.0,
                  evaluation_veto=False, acceptance_date=acceptance, acceptance_result="通过",
                  acceptance_pass=True, acceptance_score=88.0, acceptance_veto=False,
                  cp_level="Ⅱ级")


ROWS: dict = copy.deepcopy(handmade.ROWS)
ROWS["listing_batch"] += [
    dict(batch_id=3, name="2019年第一批", year=2019, publish_date=D("2019-04-01")),
    dict(batch_id=4, name="2024年第二批", year=2024, publish_date=D("2024-09-02")),
]
ROWS["enterprise"] += [
    _enterprise(G6, "南京己化工有限公司", "chemicals", "320100", "320111", 118.65, 32.15),
    _enterprise(G7, "苏州庚电镀有限公司", "electroplating", "320500", "320505", 120.50,
                31.30),
    _enterprise(G8, "苏州辛印染有限公司", "dyeing", "320500", "320509", 120.62, 30.93),
]
ROWS["audit_round"] += [
    _passed(6, G6, "2019-04-20", "2019-05-10", "2019-10-15", "2019-11-20", "2019-12-20"),
    _passed(7, G7, "2019-04-25", "2019-05-20", "2019-12-10", "2020-01-10", "2020-03-16"),
    _round(8, G8, 1, 4, "2024-09-02", "双超", 2),
]


def build(engine: Engine) -> None:
    """Insert the rows above into an empty database that has the schema."""
    handmade.build(engine, ROWS)
