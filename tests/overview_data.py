"""tests/handmade.py plus the rows the overview's plan and data-quality tests need.

Added to handmade.ROWS (which is left untouched):
- plan period 2 "2024—2025年实施方案" with 2024 targets: province (all industries)
  audits_listed 2, audits_completed 4, evaluations_passed 2, acceptances 1; 南京市 all
  industries audits_completed 2; 苏州市 by industry: 电镀 1 + 印染 1 (no all-industries row).
- R6: E5 (电镀, 苏州市吴江区), listed 2024-03-01 (batch 2) 双超, disclosed 03-10, started
  04-01, NO report date, evaluation 2024-10-15 通过. It is completed in 2024 (evaluation),
  and its data issue reads "缺少报告日期但已有评估日期".

Known answers as of 2024-12-31 (completion = evaluation passed):
- province: completed in 2024 = R1 (04-10) + R6 (10-15) = 2 of 4 -> 50.0 %, year over -> behind;
  evaluations passed in 2024 = 2 of 2 -> on track; acceptances 1 of 1; listed in 2024 = R4, R5,
  R6 = 3 of 2.
- 苏州市 (city scope or filter): target 1 + 1 = 2 (分行业目标之和), completed 1 (R6).
- province, industry 印染: no province row for 印染 -> sum of cities = 1 (各市目标之和),
  completed 0.
"""

from __future__ import annotations

import copy

from sqlalchemy.engine import Engine

from tests import handmade
from tests.handmade import E5, D, _round


def rows(sample: bool = False) -> dict:
    """The rows; `sample` marks the database as sample data (app_meta.is_sample = "1")."""
    out = copy.deepcopy(handmade.ROWS)
    meta = {"data_version": "overview-1"} | ({"is_sample": "1"} if sample else {})
    out["app_meta"] = [{**m, "value": meta.get(m["key"], m["value"])} for m in out["app_meta"]]
    out["audit_round"].append(
        _round(6, E5, 1, 2, "2024-03-01", "双超", 2, disclosure_date="2024-03-10",
               start_date="2024-04-01", evaluation_date="2024-10-15", evaluation_result="通过",
               evaluation_pass=True, evaluation_score=80.0, evaluation_veto=False))
    out["plan_period"].append(
        dict(period_id=2, name="2024—2025年实施方案", start_year=2024, end_year=2025))
    blank = dict(energy_tce=None, cod_t=None, nh3n_t=None, so2_t=None, nox_t=None, vocs_t=None)
    out["plan_target"] += [
        dict(target_id=11, period_id=2, year=2024, region_adcode="320000", industry_code=None,
             audits_listed=2, audits_completed=4, evaluations_passed=2, acceptances=1, **blank),
        dict(target_id=12, period_id=2, year=2024, region_adcode="320100", industry_code=None,
             audits_listed=None, audits_completed=2, evaluations_passed=None, acceptances=None,
             **blank),
        dict(target_id=13, period_id=2, year=2024, region_adcode="320500",
             industry_code="electroplating", audits_listed=None, audits_completed=1,
             evaluations_passed=None, acceptances=None, **blank),
        dict(target_id=14, period_id=2, year=2024, region_adcode="320500",
             industry_code="dyeing", audits_listed=None, audits_completed=1,
             evaluations_passed=None, acceptances=None, **blank),
    ]
    return out


def build(engine: Engine, sample: bool = False) -> None:
    handmade.build(engine, rows(sample))


__all__ = ["D", "build", "rows"]
