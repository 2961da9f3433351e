"""The schema on SQLite and PostgreSQL: round-trips, constraints, and the scope in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from queries import schema as s
from queries.db import get_engine, read_frame
from queries.scope import Filters, Scope, enterprise_where
from tests import handmade


def _norm(v):
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def test_every_table_round_trips(handmade_url):
    engine = get_engine(handmade_url)
    with engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            expected = handmade.ROWS.get(table.name, [])
            pk = list(table.primary_key.columns)
            got = [dict(r._mapping) for r in conn.execute(select(table).order_by(*pk))]
            got = [{k: _norm(v) for k, v in r.items()} for r in got]
            want = sorted(expected, key=lambda r: tuple(r[c.name] for c in pk))
            assert got == want, table.name


def test_all_schema_tables_are_covered_by_handmade_data():
    # Every table but cluster_audit (tests/handmade_parks.py has those), the tables of
    # migration 0003_experts (tests/handmade_experts.py has those), the derived rollups
    # (tests/test_foundation_rollup.py) and the tables of accounts and the audit log (written
    # by the app as people use it; tests/test_accounts_*.py), of imports (written by each
    # import; tests/test_intake_*.py, tests/test_quality_history.py) and the 督办 cases
    # (written by the app; tests/test_cases_*.py) carries rows, so the round trip really
    # exercises them.
    empty = [t.name for t in s.metadata.sorted_tables if not handmade.ROWS.get(t.name)]
    assert sorted(empty) == ["account", "audit_log", "audit_log_archive", "audit_outcome",
                             "audit_outcome_year", "case_attachment", "case_document",
                             "case_step", "cluster_audit", "doc_counter", "expert_contact",
                             "expert_deduction", "import_batch", "import_change",
                             "penalty_publication", "quality_snapshot", "security_setting",
                             "supervision_case",
                             "training_plan", "training_session", "user_session"]
    from tests import handmade_experts

    assert all(handmade_experts.ROWS.get(t) for t in (
        "expert_contact", "expert_deduction", "penalty_publication", "training_plan",
        "training_session"))


BAD_UPDATES = [
    (s.audit_round, {"listing_reason": "随便"}, "audit_id", 1),
    (s.audit_round, {"evaluation_pass": None}, "audit_id", 1),  # date without result
    (s.audit_round, {"cluster_id": None, "audit_mode": "园区整体审核"}, "audit_id", 2),
    (s.audit_round, {"evaluation_score": 120.0}, "audit_id", 1),
    (s.audit_option, {"investment_wan": -1.0}, "option_id", 1),
    (s.audit_option, {"status": "拟实施"}, "option_id", 1),  # implemented date but not 已实施
    (s.enterprise, {"lon": 10.0}, "uscc", handmade.E1),
    (s.enterprise, {"industry_code": "nonexistent"}, "uscc", handmade.E1),
    (s.permit, {"expiry_date": dt.date(2000, 1, 1)}, "permit_no", handmade.E1 + "001P"),
    (s.credit_rating, {"grade": "优秀"}, "uscc", handmade.E1),
    (s.region, {"parent_adcode": None}, "adcode", "320100"),
    (s.audit_round, {"evaluation_result": "不通过"}, "audit_id", 1),  # word contradicts pass
    (s.audit_round, {"relisted_from": 5}, "audit_id", 5),
    (s.permit, {"uscc": handmade.E2}, "permit_no", handmade.E1 + "001P"),  # other holder
    (s.permit, {"kind": "登记"}, "permit_no", handmade.E1 + "001P"),  # letter P is a permit
]


@pytest.mark.parametrize("table,values,key,key_value", BAD_UPDATES,
                         ids=[f"{t.name}-{'-'.join(v)}" for t, v, _, _ in BAD_UPDATES])
def test_constraints_reject_bad_rows(handmade_url, table, values, key, key_value):
    engine = get_engine(handmade_url)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(update(table).where(table.c[key] == key_value).values(**values))


def test_duplicate_plan_target_rejected_with_and_without_industry(handmade_url):
    engine = get_engine(handmade_url)
    base = dict(period_id=1, year=2023, audits_completed=1)
    for target_id, region, industry in [(90, "320000", None), (91, "320100", "chemicals")]:
        with pytest.raises(IntegrityError):
            with engine.begin() as conn:
                conn.execute(insert(s.plan_target).values(
                    target_id=target_id, region_adcode=region, industry_code=industry, **base))


@pytest.mark.parametrize("scope,filters,expected", [
    (Scope(), None, {handmade.E1, handmade.E2, handmade.E3, handmade.E4, handmade.E5}),
    (Scope("city", "320100"), None, {handmade.E1, handmade.E2}),
    (Scope("county", "320509"), None, {handmade.E4, handmade.E5}),
    (Scope("park", "1"), None, {handmade.E1, handmade.E2}),
    # Filters narrow a scope but can never widen it: 苏州 filter inside a 南京 scope is empty.
    (Scope("city", "320100"), Filters(cities=("320500",)), set()),
    (Scope(), Filters(industries=("electroplating",)), {handmade.E3, handmade.E5}),
])
def test_scope_and_filters_apply_in_sql(handmade_url, scope, filters, expected):
    stmt = select(s.enterprise.c.uscc).where(enterprise_where(scope, filters))
    got = set(read_frame(get_engine(handmade_url), stmt)["uscc"])
    assert got == expected


def test_scope_rejects_missing_code():
    with pytest.raises(ValueError):
        Scope("city")
    with pytest.raises(ValueError):
        Scope("planet", "1")


def test_an_expert_sits_once_per_panel(handmade_url):
    engine = get_engine(handmade_url)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(insert(s.panel_assignment).values(
                assignment_id=99, expert_id=1, audit_id=1, cluster_id=None, stage="评估",
                role="成员"))


def test_schema_doc_names_every_table_column_and_constraint():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text("utf-8")
    missing = [f"{t.name}.{c.name}" for t in s.metadata.sorted_tables for c in t.columns
               if f"`{c.name}`" not in doc]
    missing += [t.name for t in s.metadata.sorted_tables if f"## {t.name}" not in doc]
    named = [c.name for t in s.metadata.sorted_tables for c in t.constraints
             if c.name and c.name.startswith(("ck_", "uq_"))]
    named += [i.name for t in s.metadata.sorted_tables for i in t.indexes]
    generic = {n for n in named if "_nonneg" in n}  # documented as ck_<table>_<column>_nonneg
    missing += [n for n in named if n not in generic and f"`{n}" not in doc]
    assert missing == []
