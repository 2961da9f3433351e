"""queries/experts.py, queries/consultancies.py and queries/credit.py on the hand-built database
(tests/handmade_experts.py, where every figure below is derived) on SQLite and PostgreSQL: who is
visible in each jurisdiction, masking, seats, scores, conflicts, workload, demand, the firms'
figures and ranking, copied options, the publication list and training."""

from __future__ import annotations

import datetime as dt

import pytest

from queries import consultancies as qc
from queries import credit as qcr
from queries import experts as qx
from queries.db import Source, get_engine
from queries.scope import Filters, Scope
from rules import credit as cr
from rules import experts as xr
from rules.clock import ClockRules

D = dt.date.fromisoformat
AS_OF = D("2024-12-31")
PROVINCE, SUZHOU, HUQIU, PARK1 = (Scope(), Scope("city", "320500"), Scope("county", "320505"),
                                  Scope("park", "1"))


@pytest.fixture
def src(db_url):
    from tests import handmade_experts

    handmade_experts.build(get_engine(db_url))
    return Source(db_url, "handmade-experts")


def _f(as_of=AS_OF, **kw) -> Filters:
    return Filters(as_of=as_of, **kw)


# -- experts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("scope, ids", [
    (PROVINCE, list(range(1, 10))),
    (SUZHOU, [4, 5, 6, 8]),   # sat on R3 (苏州), or based in 苏州 (8)
    (HUQIU, [4, 5, 6]),       # a county: only those who reviewed its enterprises
    (PARK1, [1, 2, 3, 7]),    # R1's panels (E1 in park 1)
])
def test_visible_experts_per_jurisdiction(src, scope, ids):
    assert qx.pool(src, scope)["expert_id"].tolist() == ids


def test_contacts_in_full_only_for_the_province(src):
    p = qx.pool(src, PROVINCE).set_index("expert_id")
    assert (p.loc[1, "phone"], p.loc[1, "id_number"]) == ("13812345678", "320102198001011234")
    assert (p.loc[4, "phone"], p.loc[4, "id_number"]) == ("13900001111", "—")
    assert p.loc[2, "phone"] == "—"
    c = qx.pool(src, SUZHOU).set_index("expert_id")
    assert (c.loc[4, "phone"], c.loc[4, "id_number"]) == ("139****1111", "—")
    assert "13812345678" not in c.to_string()


def test_deductions_only_of_visible_experts(src):
    assert sorted(qx.deductions(src, PROVINCE)["deduction_id"]) == [1, 2, 3, 4, 5, 6]
    assert sorted(qx.deductions(src, SUZHOU)["deduction_id"]) == [5, 6]


def test_scores_known_answers(src):
    s = qx.scores(qx.pool(src, PROVINCE), qx.deductions(src, PROVINCE), AS_OF,
                  xr.ExpertRules()).set_index("expert_id")
    assert s["remaining"].to_dict() == {1: 6, 2: 8, 3: 12, 4: 10, 5: 12, 6: 12, 7: 12, 8: 12,
                                        9: 12}
    assert s.loc[1, "score_state"] == xr.SCORE_CROSSED and s.loc[2, "score_state"] == \
        xr.SCORE_NEAR and s.loc[4, "score_state"] == xr.SCORE_OK
    assert s["status_note"].dropna().to_dict() == {1: "已达暂停线但仍在库，应暂停"}
    last_year = qx.scores(qx.pool(src, PROVINCE), qx.deductions(src, PROVINCE),
                          D("2023-12-31"), xr.ExpertRules()).set_index("expert_id")
    assert last_year.loc[3, "remaining"] == 6 and last_year.loc[1, "remaining"] == 12


def test_seats_by_scope_filters_and_date(src):
    assert len(qx.seats(src, PROVINCE, _f())) == 10
    suzhou = qx.seats(src, SUZHOU, _f())
    assert sorted(suzhou["expert_id"]) == [4, 5, 6] and set(suzhou["audit_id"]) == {3}
    assert len(qx.seats(src, PROVINCE, _f(industries=("chemicals",)))) == 7
    assert len(qx.seats(src, PROVINCE, _f(cities=("320500",)))) == 3
    early = qx.seats(src, PROVINCE, _f(D("2024-04-09")))
    assert sorted(early["assignment_id"]) == [7, 8, 9]  # R1's evaluation was on 04-10
    assert len(qx.seats(src, PROVINCE, _f(D("2024-04-10")))) == 6
    r3 = qx.seats(src, PROVINCE, _f()).set_index("assignment_id").loc[7]
    assert (r3["passed"], r3["review_score"], r3["consultancy_name"]) == \
        (False, 62.0, "苏州绿衡环保科技有限公司")


def test_conflicts_workload_and_rotation_known_answers(src):
    seats = qx.seats(src, PROVINCE, _f())
    c = xr.conflicts(seats, xr.ExpertRules()).set_index("assignment_id")["conflict"]
    assert c.to_dict() == {9: xr.CONFLICT_CONSULTANCY, 10: xr.CONFLICT_OWN_ORG}
    assert len(xr.conflicts(seats, xr.ExpertRules(conflict_own_city=True))) == 8
    w = xr.workload(seats, 2024, xr.ExpertRules(workload_cap=1)).set_index("expert_id")
    assert w["reviews"].to_dict() == {1: 2, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1}
    assert w["over_cap"].to_dict() == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0}
    rot = xr.rotation(seats, AS_OF, xr.ExpertRules(rotation_count=2))
    assert rot[["expert_id", "consultancy_id", "times"]].values.tolist() == \
        [[1, 1, 2], [2, 1, 2], [3, 1, 2]]
    assert xr.rotation(qx.seats(src, SUZHOU, _f()), AS_OF,
                       xr.ExpertRules(rotation_count=2)).empty  # 苏州: one review each


def test_demand_known_answers(src):
    d = qx.demand(qx.seats(src, PROVINCE, _f()), qx.pool(src, PROVINCE), AS_OF,
                  xr.ExpertRules()).set_index("industry")
    assert d.loc["化工", ["active", "reviews", "seats"]].tolist() == [4, 2, 7]
    assert d.loc["化工", "per_expert"] == 1.8
    assert d.loc["电镀", ["active", "reviews", "seats"]].tolist() == [3, 1, 3]
    assert d.loc["印染", ["active", "reviews", "state"]].tolist() == [1, 0, "近期无评审"]
    tight = qx.demand(qx.seats(src, PROVINCE, _f()), qx.pool(src, PROVINCE), AS_OF,
                      xr.ExpertRules(workload_cap=1)).set_index("industry")
    assert tight.loc["化工", "state"] == "紧缺" and tight.loc["电镀", "state"] == "充足"


def test_training_by_jurisdiction_and_date(src):
    def held(scope, as_of=AS_OF):
        return sorted(qx.training(src, scope, 2024, as_of)[1]["session_id"])

    assert held(PROVINCE) == [1, 2, 3]
    assert held(SUZHOU) == [1, 2]
    assert held(HUQIU) == [1, 2]  # the county's city
    assert held(PARK1) == [1, 3]  # park 1 lies in 南京
    assert held(PROVINCE, D("2024-06-14")) == [1]
    plan = qx.training(src, SUZHOU, 2024, AS_OF)[0].set_index("audience")
    assert plan["sessions_planned"].to_dict() == {"专家": 2, "企业": 1}
    assert qx.training_years(src) == [2024]


# -- consultancies ----------------------------------------------------------------------------

CLOCK = ClockRules()
LOOSE = xr.ExpertRules(rank_min_reviews=1, copy_min_clients=2)


def test_firm_figures_and_ranking_province(src):
    t = qc.table(src, PROVINCE, _f(), CLOCK, LOOSE).set_index("consultancy_id")
    assert list(t.index) == [1, 2, 3, 4]
    one, two = t.loc[1], t.loc[2]
    assert (one["clients"], one["rounds"], one["evaluated"], one["eval_rate"],
            one["acc_rate"], one["late_clients"]) == (3, 3, 1, 1.0, 1.0, 1)
    assert (one["late_report"], one["active"], one["staff_per_active"]) == (1, 2, 12.5)
    assert (one["copied_options"], one["score"], one["rank"]) == (2, 90.0, 1)
    assert (two["clients"], two["rounds"], two["evaluated"], two["eval_rate"]) == (2, 3, 1, 0.0)
    assert pd_isna(two["acc_rate"]) and two["late_start"] == 1 and two["late_share"] == 0.5
    assert (two["failed"], two["relisted"], two["active"], two["eval_score"]) == (1, 1, 1, 62.0)
    assert (two["score"], two["rank"]) == (30.0, 2)
    assert t.loc[[3, 4], "rank"].isna().all() and t.loc[3, "rounds"] == 0
    strict = qc.table(src, PROVINCE, _f(), CLOCK, xr.ExpertRules())
    assert strict["rank"].isna().all()  # fewer than 5 evaluations each


def test_firms_in_a_city_count_only_its_work(src):
    t = qc.table(src, SUZHOU, _f(), CLOCK, LOOSE).set_index("consultancy_id")
    assert list(t.index) == [2, 1, 3]  # 1 worked on R6, 2 and 3 are based here; 4 is not
    assert t.loc[2, "rank"] == 1  # the only one evaluated in 苏州; ranked first, unranked last
    assert (t.loc[1, "clients"], t.loc[1, "rounds"], t.loc[1, "evaluated"]) == (1, 1, 0)
    assert t.loc[1, "copied_options"] == 0 and pd_isna(t.loc[1, "rank"])
    assert list(qc.table(src, HUQIU, _f(), CLOCK, LOOSE)["consultancy_id"]) == [2]
    assert qc.clients(src, SUZHOU, _f(), CLOCK, 1)["audit_id"].tolist() == [6]
    assert sorted(qc.clients(src, PROVINCE, _f(), CLOCK, 1)["audit_id"]) == [1, 2, 6]


def test_copied_options_threshold_scope_and_date(src):
    got = qc.copied_options(src, PROVINCE, _f(), LOOSE)
    assert sorted(got["title"]) == ["方案1", "方案3"] and set(got["clients"]) == {2}
    assert set(got["consultancy_id"]) == {1}  # 加强管理 has no figures: not a signal
    assert qc.copied_options(src, PROVINCE, _f(), xr.ExpertRules(copy_min_clients=3)).empty
    assert qc.copied_options(src, SUZHOU, _f(), LOOSE).empty
    assert qc.copied_options(src, PROVINCE, _f(D("2024-09-30")), LOOSE).empty  # R6 unreported


# -- credit -------------------------------------------------------------------------------

def test_publication_list_known_answers(src):
    p = qcr.publication_list(src, PROVINCE, _f(), 7).set_index("penalty_id")
    assert list(p.index) == [2, 4, 1]  # most urgent first; 超标排放 (3) is not on the list
    assert p["state"].to_dict() == {2: cr.PUB_OVERDUE, 4: cr.PUB_LATE_DONE, 1: cr.PUB_DONE}
    assert p["due"].to_dict() == {2: D("2024-10-12"), 4: D("2024-06-13"), 1: D("2024-03-19")}
    assert p.loc[1, "basis"] == "《清洁生产促进法》第三十九条"
    assert list(qcr.publication_list(src, SUZHOU, _f(), 7)["penalty_id"]) == [2, 1]
    assert list(qcr.publication_list(src, PROVINCE, _f(industries=("dyeing",)), 7)
                ["penalty_id"]) == [2]
    oct12 = qcr.publication_list(src, PROVINCE, _f(D("2024-10-12")), 7).set_index("penalty_id")
    assert oct12.loc[2, "state"] == cr.PUB_DUE
    march = qcr.publication_list(src, PROVINCE, _f(D("2024-03-14")), 7)
    assert march["penalty_id"].tolist() == [1] and march["state"].tolist() == [cr.PUB_DUE]
    assert march["published_date"].tolist() == [None]


def test_credit_grades_by_scope(src):
    assert len(qcr.grades(src, PROVINCE, _f())) == 4
    suzhou = qcr.grades(src, SUZHOU, _f())
    assert sorted(suzhou["grade"]) == ["环保良好", "环保警示"]
    assert qcr.grades(src, PROVINCE, _f(D("2022-12-31"))).empty  # 2023 ratings not yet


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_cluster_panels_count_where_a_member_is(src):
    """A 行业整体审核 in 苏州 (its member: R6, E5) reviewed by expert 9 (南京) on 2024-11-01:
    the seat counts for 苏州 and the province, not for 南京 nor before the review."""
    from sqlalchemy import insert, update

    from queries import schema as s

    with src.engine.begin() as conn:
        conn.execute(insert(s.cluster_audit).values(
            cluster_id=1, name="苏州印染行业整体审核", kind="行业", park_id=None,
            industry_code="dyeing", city_adcode="320500", consultancy_id=1,
            start_date=D("2024-03-01"), evaluation_date=D("2024-11-01"), evaluation_pass=True,
            acceptance_date=None, acceptance_pass=None))
        conn.execute(update(s.audit_round).where(s.audit_round.c.audit_id == 6)
                     .values(audit_mode="行业整体审核", cluster_id=1))
        conn.execute(insert(s.panel_assignment).values(
            assignment_id=11, expert_id=9, audit_id=None, cluster_id=1, stage="评估",
            role="组长"))
    src = Source(src.url, "with-cluster")
    suzhou = qx.seats(src, SUZHOU, _f()).set_index("assignment_id")
    assert suzhou.loc[11, ["expert_id", "enterprise_name", "industry", "consultancy_name"]] \
        .tolist() == [9, "苏州印染行业整体审核", "印染", "江苏清源环境咨询有限公司"]
    assert 11 in set(qx.seats(src, PROVINCE, _f())["assignment_id"])
    assert 11 not in set(qx.seats(src, Scope("city", "320100"), _f())["assignment_id"])
    assert 11 not in set(qx.seats(src, SUZHOU, _f(D("2024-10-31")))["assignment_id"])
    assert 9 in set(qx.pool(src, SUZHOU)["expert_id"])
    assert 9 not in set(qx.pool(src, HUQIU)["expert_id"])  # 虎丘区 has no member
