"""The provincial expert pool and the 3–5-expert panels drawn from it for each review."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sample_data import names
from sample_data.common import Context, days, norm

# Pool admission rounds and the share of today's experts admitted in each.
ADMISSIONS = ((dt.date(2020, 12, 15), 0.45), (dt.date(2021, 7, 10), 0.2),
              (dt.date(2022, 6, 20), 0.15), (dt.date(2023, 10, 15), 0.1),
              (dt.date(2025, 5, 20), 0.1))
# 记分考核: 12 points a year, deducted for faults; at 6 or less an expert is suspended.
SCORE_ODDS = ((12, 0.70), (10, 0.14), (9, 0.08), (6, 0.05), (3, 0.03))
RETIRED_ODDS = 0.04


def experts(ctx: Context, ent: pd.DataFrame, industry_codes: list[str]) -> pd.DataFrame:
    rng = ctx.rng["people"]
    n = ctx.count(160, minimum=15)
    counts = ent["industry_code"].value_counts()
    present = [c for c in industry_codes if c in counts.index]
    base = min(2, n // max(len(present), 1))
    extra = rng.multinomial(n - base * len(present),
                            norm([counts[c] ** 0.7 for c in present]))
    industry = [c for c, k in zip(present, extra) for _ in range(base + int(k))]
    admissions = [(d, w) for d, w in ADMISSIONS if d <= ctx.as_of]
    cities = sorted(ent["city_adcode"].unique())
    city_w = norm([int((ent["city_adcode"] == c).sum()) for c in cities])
    capital = next((c for c in cities if c.endswith("0100")), cities[0])
    used: set[str] = set()
    rows = []
    for i, code in enumerate(industry):
        form = names.pick(rng, names.ORGANISATIONS)
        city = capital if "{c}" not in form else cities[int(rng.choice(len(cities), p=city_w))]
        org = form.format(p=ctx.province_short, c=names.short_name(ctx.region_name[city]),
                          t=names.trade_name(rng))
        score = int(names.pick(rng, [s for s, _ in SCORE_ODDS], p=norm([w for _, w in SCORE_ODDS])))
        status = "暂停" if score <= 6 else ("退出" if rng.random() < RETIRED_ODDS else "在库")
        rows.append({
            "expert_id": i + 1,
            "name": names.unique(lambda: names.person_name(rng), used),
            "industry_code": code,
            "organisation": org,
            "title": names.pick(rng, names.TITLES, p=names.TITLE_WEIGHTS),
            "city_adcode": city,
            "admitted_date": names.pick(rng, [d for d, _ in admissions],
                                        p=norm([w for _, w in admissions])),
            "status": status,
            "score": score,
        })
    return pd.DataFrame(rows)


def _events(rounds: pd.DataFrame, clusters: list[dict], ent_industry: dict[str, str],
            cluster_industry: dict[int, str]) -> list[tuple]:
    """(audit_id, cluster_id, stage, date, industry) of every review that has happened."""
    out = []
    solo = rounds[rounds["cluster_id"].isna()]
    for r in solo.itertuples(index=False):
        for stage, col in (("评估", "evaluation_date"), ("验收", "acceptance_date")):
            d = getattr(r, col)
            if isinstance(d, dt.date):
                out.append((int(r.audit_id), None, stage, d, ent_industry[r.uscc]))
    for c in clusters:
        for stage, col in (("评估", "evaluation_date"), ("验收", "acceptance_date")):
            if c[col] is not None:
                out.append((None, c["cluster_id"], stage, c[col],
                            cluster_industry[c["cluster_id"]]))
    return out


def panels(ctx: Context, rounds: pd.DataFrame, clusters: list[dict], exp: pd.DataFrame,
           ent_industry: dict[str, str], cluster_industry: dict[int, str]) -> list[dict]:
    """3–5 experts per evaluation and acceptance, mostly from the audited industry, one 组长."""
    rng = ctx.rng["panels"]
    ids = exp["expert_id"].to_numpy()
    industry = exp["industry_code"].to_numpy()
    admitted = np.array(exp["admitted_date"].tolist(), dtype="datetime64[D]")
    active = (exp["status"] == "在库").to_numpy()
    senior = exp["title"].isin(names.SENIOR_TITLES).to_numpy()
    recent = np.datetime64(days(ctx.as_of, -365))
    rows = []
    for audit_id, cluster_id, stage, when, code in _events(rounds, clusters, ent_industry,
                                                           cluster_industry):
        day = np.datetime64(when)
        eligible = (admitted <= day) & (active | (day < recent))
        same = np.flatnonzero(eligible & (industry == code))
        other = np.flatnonzero(eligible & (industry != code))
        size = int(rng.integers(3, 6))
        k_same = min(len(same), int(rng.integers(2, size + 1)))
        chosen = list(rng.choice(same, k_same, replace=False)) if k_same else []
        k_other = min(len(other), size - k_same)
        if k_other:
            chosen += list(rng.choice(other, k_other, replace=False))
        if not chosen:
            continue
        seniors = [i for i in chosen if senior[i]]
        leader = seniors[int(rng.integers(len(seniors)))] if seniors else chosen[0]
        for i in chosen:
            rows.append({"expert_id": int(ids[i]), "audit_id": audit_id, "cluster_id": cluster_id,
                         "stage": stage, "role": "组长" if i == leader else "成员"})
    for k, row in enumerate(rows):
        row["assignment_id"] = k + 1
    return rows
