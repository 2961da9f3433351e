"""The hand-built province (tests/handmade.py) plus a second plan period, for the plan tests.

handmade.ROWS is copied, never changed. Added: period 2 "2024—2025年实施方案" with targets
- 江苏省 all industries: 2024 completed 2, evaluations 1, acceptances 1;
  2025 completed 2, evaluations 0, acceptances 1;
- 南京市 化工 2024: completed 1, energy 100 吨标准煤; 苏州市 电镀 2024: completed 1.
Derived by hand as of 2024-12-31 (366 of the period's 731 days elapsed): R1 passed evaluation
2024-04-10 (completed, evaluation passed) and acceptance 2024-11-20; R3 failed evaluation
2024-02-01; option 3 (120 tce) implemented 2024-09-01.
"""

from __future__ import annotations

import copy

from sqlalchemy.engine import Engine

from tests import handmade


def _target(target_id, year, region, industry=None, **values):
    row = dict(target_id=target_id, period_id=2, year=year, region_adcode=region,
               industry_code=industry, audits_listed=None, audits_completed=None,
               evaluations_passed=None, acceptances=None, energy_tce=None, cod_t=None,
               nh3n_t=None, so2_t=None, nox_t=None, vocs_t=None)
    row.update(values)
    return row


ROWS = copy.deepcopy(handmade.ROWS)
ROWS["plan_period"].append(dict(period_id=2, name="2024—2025年实施方案", start_year=2024,
                                end_year=2025))
ROWS["plan_target"] += [
    _target(11, 2024, "320000", audits_completed=2, evaluations_passed=1, acceptances=1),
    _target(12, 2025, "320000", audits_completed=2, evaluations_passed=0, acceptances=1),
    _target(13, 2024, "320100", "chemicals", audits_completed=1, energy_tce=100.0),
    _target(14, 2024, "320500", "electroplating", audits_completed=1),
]


def build(engine: Engine) -> None:
    """Insert the rows above into an empty database that has the schema."""
    handmade.build(engine, ROWS)
