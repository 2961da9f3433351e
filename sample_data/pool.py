"""Issue 18 on top of the pool and the audits: deductions that explain each expert's score,
contact data, a few conflicts of interest, two consultancies that copy reports, the dates
penalties were published, and the annual training plan with its sessions. Uses its own random
stream ("pool"), so everything generated before stays exactly as it was."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from rules.calendar import add_working_days
from rules.vocab import OUTCOME_COLUMNS, TRAINING_AUDIENCES
from sample_data.common import FIRST_YEAR, Context, days

REASONS = (("评审意见不规范、未逐项说明", 1), ("无故缺席评审会", 2), ("评审前未审阅审核报告", 2),
           ("未发现审核报告中的明显错误", 3), ("泄露评审信息", 6), ("评审中未按规定回避", 3))
PAST_ODDS = 0.25  # experts with deductions in earlier years (history, not in today's score)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643


def _id_number(rng, city: str, born: dt.date) -> str:
    body = f"{city}{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS))
    return body + "10X98765432"[total % 11]


def _split(rng, total: int) -> list[int]:
    """Deductions that add up to `total`: one to three events of the usual sizes."""
    parts = []
    while total > 0:
        p = min(total, int(rng.choice([1, 2, 3, 6], p=[0.35, 0.35, 0.2, 0.1])))
        parts.append(p)
        total -= p
    return parts


def _reason(rng, points: int) -> str:
    fits = [r for r, p in REASONS if p == points] or [r for r, _ in REASONS]
    return fits[int(rng.integers(len(fits)))]


def deductions(ctx: Context, exp: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Deductions this year that explain `score` (12 minus the points lost), some in earlier
    years, and one expert who crossed the line last week and is still 在库 (what the page
    must catch). Returns the experts (score/status adjusted) and the deduction rows."""
    rng = ctx.rng["pool"]
    exp = exp.copy()
    start = dt.date(ctx.as_of.year, 1, 1)
    span = max((ctx.as_of - start).days, 1)
    rows = []
    late = exp.index[(exp["status"] == "在库") & (exp["score"] == 9)][:1]
    for r in exp.itertuples():
        for p in _split(rng, 12 - int(r.score)):
            rows.append({"expert_id": int(r.expert_id),
                         "event_date": days(start, int(rng.integers(0, span))),
                         "reason": _reason(rng, p), "points": p})
        if rng.random() < PAST_ODDS and ctx.as_of.year > FIRST_YEAR:
            year = int(rng.integers(FIRST_YEAR, ctx.as_of.year))
            p = int(rng.choice([1, 2, 3]))
            rows.append({"expert_id": int(r.expert_id),
                         "event_date": dt.date(year, int(rng.integers(1, 13)),
                                               int(rng.integers(1, 29))),
                         "reason": _reason(rng, p), "points": p})
    for i in late:  # 3 more points a week ago: 9 -> 6, at the line, status not yet updated
        exp.loc[i, "score"] = 6
        rows.append({"expert_id": int(exp.loc[i, "expert_id"]),
                     "event_date": max(days(ctx.as_of, -7), start),
                     "reason": _reason(rng, 3), "points": 3})
    rows.sort(key=lambda d: (d["event_date"], d["expert_id"]))
    for k, row in enumerate(rows):
        row["deduction_id"] = k + 1
    return exp, rows


def contacts(ctx: Context, exp: pd.DataFrame) -> list[dict]:
    """A mobile number for everyone, an ID number for most (fictitious, check digit valid)."""
    rng = ctx.rng["pool"]
    rows = []
    for r in exp.itertuples():
        prefix = str(int(rng.choice([135, 136, 138, 139, 150, 152, 158, 159, 177, 186, 189])))
        born = dt.date(int(rng.integers(1960, 1990)), int(rng.integers(1, 13)),
                       int(rng.integers(1, 29)))
        rows.append({"expert_id": int(r.expert_id),
                     "phone": prefix + f"{int(rng.integers(0, 10**8)):08d}",
                     "id_number": (_id_number(rng, r.city_adcode, born)
                                   if rng.random() < 0.9 else None)})
    return rows


def conflicts(ctx: Context, exp: pd.DataFrame, panels: list[dict], rounds: pd.DataFrame,
              cons: pd.DataFrame, ent_names: dict[str, str]) -> pd.DataFrame:
    """Two experts who work for a consultancy whose reports they reviewed, and one who works
    for an enterprise they reviewed (the organisation is the conflict's evidence)."""
    rng = ctx.rng["pool"]
    exp = exp.copy()
    by_audit = rounds.set_index("audit_id")
    cons_name = dict(zip(cons["consultancy_id"], cons["name"]))
    seats = [p for p in panels if p["audit_id"] is not None]
    if not seats:
        return exp
    order = rng.permutation(len(seats))
    changed: set[int] = set()
    for kind in ("consultancy", "consultancy", "enterprise"):
        for k in order:
            seat = seats[int(k)]
            r = by_audit.loc[seat["audit_id"]]
            if seat["expert_id"] in changed or (kind == "consultancy" and pd.isna(
                    r["consultancy_id"])):
                continue
            org = (cons_name[int(r["consultancy_id"])] if kind == "consultancy"
                   else ent_names[r["uscc"]])
            exp.loc[exp["expert_id"] == seat["expert_id"], "organisation"] = org
            changed.add(seat["expert_id"])
            break
    return exp


def copied_options(ctx: Context, rounds: pd.DataFrame, opts: pd.DataFrame,
                   ent_industry: dict[str, str]) -> tuple[pd.DataFrame, list[int]]:
    """The two consultancies with the lowest evaluation pass rate (among those with 10 or more
    evaluations) reuse one client's options in about half of their other clients of the same
    industry: same titles, investment and reductions. Returns the options and the two ids."""
    rng = ctx.rng["pool"]
    done = rounds[rounds["evaluation_date"].notna() & rounds["consultancy_id"].notna()]
    rate = done.groupby("consultancy_id")["evaluation_pass"].agg(["mean", "size"])
    worst = [int(i) for i in rate[rate["size"] >= 10].sort_values(["mean", "size"]).index[:2]]
    opts = opts.copy()
    copy_cols = ["title", "category", "investment_wan", *[c for c, _l, _u in OUTCOME_COLUMNS]]
    by_audit = {a: idx for a, idx in opts.groupby("audit_id").groups.items()}
    for firm in worst:
        mine = rounds[(rounds["consultancy_id"] == firm) & rounds["audit_id"].isin(by_audit)]
        mine = mine.assign(industry=mine["uscc"].map(ent_industry))
        for _code, group in mine.groupby("industry"):
            if len(group) < 3:
                continue
            ids = group["audit_id"].tolist()
            template = opts.loc[by_audit[ids[0]]].head(4)
            for audit_id in ids[1:]:
                if rng.random() >= 0.5:
                    continue
                rows = opts.loc[by_audit[audit_id]]
                for t in template.itertuples():
                    if t.title in set(opts.loc[by_audit[audit_id], "title"]):
                        continue  # already there: a title stays unique within a report
                    # an option of the same cost class takes the copied text and figures, so
                    # each report keeps its mix of no/low- and medium/high-cost options
                    free = rows.index[(rows["cost_class"] == t.cost_class)
                                      & ~rows["title"].isin(template["title"])]
                    if len(free):
                        opts.loc[free[0], copy_cols] = template.loc[t.Index, copy_cols].to_numpy()
                        rows = opts.loc[by_audit[audit_id]]
    return opts, worst


def publications(ctx: Context, fines: list[dict]) -> list[dict]:
    """Publication dates: mostly within 7 working days, some late; most penalties left
    unpublished by the first draw are published late (after months), a few recent or stubborn
    ones stay unpublished (what the 信用与公开 list must show). Marks `fines` accordingly."""
    rng = ctx.rng["pool"]
    rows = []
    for p in fines:
        if p["published_credit_china"]:
            n = int(rng.integers(1, 8)) if rng.random() < 0.8 else int(rng.integers(8, 25))
        elif (ctx.as_of - p["decision_date"]).days > 90 and rng.random() < 0.8:
            n = int(rng.integers(20, 60))
        else:
            continue
        when = add_working_days(p["decision_date"], n, fallback=True)
        if when > ctx.as_of:
            continue
        p["published_credit_china"] = True
        rows.append({"penalty_id": p["penalty_id"], "published_date": when,
                     "channel": "信用中国"})
    return rows


TRAINING_TITLES = {
    "专家": "清洁生产审核评估验收专家业务培训",
    "咨询机构": "清洁生产审核咨询机构技术人员培训",
    "企业": "重点行业企业清洁生产审核培训",
    "管理人员": "清洁生产审核管理人员业务培训",
}
PLAN_SESSIONS = {"专家": 2, "咨询机构": 2, "企业": 4, "管理人员": 2}
PLAN_ATTENDEES = {"专家": 60, "咨询机构": 80, "企业": 300, "管理人员": 100}


def training(ctx: Context, cities: list[str]) -> tuple[list[dict], list[dict]]:
    """A plan per year and audience, and the sessions held: past years about as planned, the
    current year partly done by the as-of date; enterprise sessions often held by a city."""
    rng = ctx.rng["pool"]
    plans, sessions = [], []
    for year in range(FIRST_YEAR, ctx.as_of.year + 1):
        for aud in TRAINING_AUDIENCES:
            n_plan = PLAN_SESSIONS[aud] + int(rng.integers(0, 2))
            plans.append({"year": year, "audience": aud, "sessions_planned": n_plan,
                          "attendees_planned": PLAN_ATTENDEES[aud] * n_plan
                          // PLAN_SESSIONS[aud]})
            held = max(0, n_plan + int(rng.integers(-1, 2)))
            for _ in range(held):
                when = dt.date(year, int(rng.integers(3, 12)), int(rng.integers(1, 29)))
                if when > ctx.as_of:
                    continue
                city = (cities[int(rng.integers(len(cities)))]
                        if aud == "企业" and rng.random() < 0.6 else None)
                size = PLAN_ATTENDEES[aud] / PLAN_SESSIONS[aud]
                sessions.append({"session_date": when, "title": f"{year}年{TRAINING_TITLES[aud]}",
                                 "audience": aud, "city_adcode": city,
                                 "attendees": int(max(5, rng.normal(size, size * 0.2)))})
    sessions.sort(key=lambda s: (s["session_date"], s["audience"]))
    for k, row in enumerate(sessions):
        row["session_id"] = k + 1
    return plans, sessions
