"""What the supervisors add on top of the audits: penalties, credit grades and plan targets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sample_data import profiles
from sample_data.common import FIRST_YEAR, Context, days

# Penalty kind: (odds per qualifying round, amount range in yuan, rounding step).
PENALTY_RULES = {
    "not_audited": ("未按规定实施审核", 0.12, (50_000, 500_000), 10_000),
    "not_disclosed": ("未按规定公布信息", 0.12, (10_000, 100_000), 5_000),
    "late_disclosure": ("未按规定公布信息", 0.01, (10_000, 100_000), 5_000),
    "falsified": ("审核报告弄虚作假", 0.08, (100_000, 500_000), 10_000),
    "late_report": ("未按规定实施审核", 0.01, (50_000, 200_000), 10_000),
    "over_limit": ("超标排放", 0.003, (100_000, 1_000_000), 10_000),
}
DESCRIPTIONS = {
    "not_audited": "列入{batch}强制性清洁生产审核名单后逾期未开展审核，责令限期改正并处罚款。",
    "not_disclosed": "列入{batch}名单后未按规定公布企业相关信息，责令公开并处罚款。",
    "late_disclosure": "未在名单公布后一个月内公布企业相关信息，责令改正并处罚款。",
    "falsified": "清洁生产审核报告存在弄虚作假情形（评估否定项），责令重新审核并处罚款。",
    "late_report": "未在规定期限内完成清洁生产审核并提交审核报告，责令限期改正并处罚款。",
    "over_limit": "废水/废气污染物超过排放标准排放，责令改正并处罚款。",
}


def _qualifies(r, as_of: dt.date) -> str | None:
    """Which penalty rule, if any, this round could draw."""
    listing = r.listing_date
    if r.stall == "no_disclosure" and days(listing, 90) <= as_of:
        return "not_disclosed"
    if r.stall == "no_start" and days(listing, 90) <= as_of:
        return "not_audited"
    if r.stall == "no_report" and days(listing, 395) <= as_of:
        return "not_audited"
    if r.evaluation_veto is True:
        return "falsified"
    if isinstance(r.report_date, dt.date) and (r.report_date - listing).days > 365:
        return "late_report"
    if isinstance(r.disclosure_date, dt.date) and (r.disclosure_date - listing).days > 31:
        return "late_disclosure"
    if r.listing_reason == "双超":
        return "over_limit"
    return None


def _violation_date(r, rule: str) -> dt.date:
    """When the violation became a fact: the missed deadline, the vetoed evaluation, …"""
    listing = r.listing_date
    if rule == "not_disclosed":
        return days(listing, 31)
    if rule == "not_audited":
        return days(listing, 61 if r.stall == "no_start" else 366)
    return {"falsified": r.evaluation_date, "late_report": r.report_date,
            "late_disclosure": r.disclosure_date}.get(rule, listing)


def penalties(ctx: Context, rounds: pd.DataFrame, batch_names: dict[int, str],
              city_of: dict[str, str]) -> list[dict]:
    """A few dozen fines, mostly for enterprises that stalled, hid their data or falsified."""
    rng = ctx.rng["oversight"]
    rows = []
    for r in rounds.itertuples(index=False):
        rule = _qualifies(r, ctx.as_of)
        if rule is None:
            continue
        kind, odds, (lo, hi), step = PENALTY_RULES[rule]
        if rng.random() >= odds:
            continue
        decided = days(_violation_date(r, rule), rng.integers(20, 180))
        if rule == "over_limit":  # the violation that put a 双超 enterprise on the list
            decided = days(r.listing_date, -rng.integers(30, 300))
        if decided > ctx.as_of:
            continue
        amount = float(np.clip(round(lo * rng.lognormal(0.5, 0.6) / step) * step, lo, hi))
        city = ctx.region_name[city_of[r.uscc]]
        rows.append({
            "uscc": r.uscc,
            "audit_id": None if rule == "over_limit" else int(r.audit_id),
            "decision_date": decided,
            "kind": kind,
            "amount_yuan": amount,
            "authority": f"{city}生态环境局",
            "published_credit_china": bool(rng.random() < (0.6 if amount >= 100_000 else 0.3)),
            "description": DESCRIPTIONS[rule].format(batch=batch_names[int(r.batch_id)]),
            "_rule": rule,
        })
    rows.sort(key=lambda p: (p["decision_date"], p["uscc"]))
    for i, row in enumerate(rows):
        row["penalty_id"] = i + 1
    return rows


def _trouble_years(ctx: Context, rounds: pd.DataFrame, fines: list[dict]) -> dict[str, set]:
    """Years in which an enterprise was overdue, failed a review or was fined."""
    out: dict[str, set] = {}
    for r in rounds.itertuples(index=False):
        years = set()
        for col, passed in (("evaluation_date", r.evaluation_pass),
                            ("acceptance_date", r.acceptance_pass)):
            d = getattr(r, col)
            if isinstance(d, dt.date) and passed is False:
                years.add(d.year)
        due = days(r.listing_date, 365)
        # A round that never reports is superseded by its re-listing about a year later.
        done = r.report_date if isinstance(r.report_date, dt.date) else days(due, 365)
        done = min(done, ctx.as_of)
        if done > due:
            years.update(range(due.year, done.year + 1))
        out.setdefault(r.uscc, set()).update(years)
    for p in fines:
        out.setdefault(p["uscc"], set()).add(p["decision_date"].year)
    return out


def credit(ctx: Context, ent: pd.DataFrame, rounds: pd.DataFrame, fines: list[dict]) -> list[dict]:
    """One grade per enterprise per year; a lasting latent trait plus a pull from trouble."""
    rng = ctx.rng["oversight"]
    trouble = _trouble_years(ctx, rounds, fines)
    uscc = ent["uscc"].tolist()
    trait = rng.normal(0, 1, len(uscc))
    grades = [g for g, _ in profiles.CREDIT_SHARES]
    shares = np.array([s for _, s in profiles.CREDIT_SHARES])
    rows = []
    for year in range(FIRST_YEAR, ctx.as_of.year):  # a year is rated in the next year
        risk = np.array([year in trouble.get(u, ()) for u in uscc])
        score = 0.8 * trait + 0.6 * rng.normal(0, 1, len(uscc)) - profiles.CREDIT_RISK_SHIFT * risk
        year_shares = shares * rng.uniform(0.85, 1.15, len(shares))
        cuts = np.quantile(score, 1 - np.cumsum(year_shares / year_shares.sum())[:-1])
        grade = np.searchsorted(-cuts, -score, side="right")
        rows += [{"uscc": u, "year": year, "grade": grades[g]} for u, g in zip(uscc, grade)]
    return rows


PLAN_COUNTS = ("audits_listed", "audits_completed", "evaluations_passed", "acceptances")
PLAN_REDUCTIONS = ("energy_tce", "cod_t", "nh3n_t", "so2_t", "nox_t", "vocs_t")


def plan_periods(ctx: Context) -> list[dict]:
    """Three-year implementation plans from 2021 until the one that covers as_of."""
    rows = []
    for start in range(FIRST_YEAR, ctx.as_of.year + 1, 3):
        rows.append({"period_id": len(rows) + 1, "name": f"{start}—{start + 2}年实施方案",
                     "start_year": start, "end_year": start + 2})
    return rows


def _achieved(rounds: pd.DataFrame, options: pd.DataFrame, ent: pd.DataFrame) -> pd.DataFrame:
    """What the data achieves per year x city x industry."""
    info = ent.set_index("uscc")[["city_adcode", "industry_code"]]
    r = rounds.join(info, on="uscc")
    events = [
        ("audits_listed", r["listing_date"], True),
        # 完成审核 = evaluation passed: the default completion_milestone of rules/clock_rules.toml.
        ("audits_completed", r["evaluation_date"], r["evaluation_pass"].eq(True)),
        ("evaluations_passed", r["evaluation_date"], r["evaluation_pass"].eq(True)),
        ("acceptances", r["acceptance_date"], r["acceptance_pass"].eq(True)),
    ]
    parts = []
    for name, dates, keep in events:
        year = dates.map(lambda d: d.year if isinstance(d, dt.date) else None)
        mask = year.notna() & keep
        part = pd.DataFrame({"year": year[mask].astype(int), "city_adcode": r["city_adcode"][mask],
                             "industry_code": r["industry_code"][mask], name: 1})
        parts.append(part.groupby(["year", "city_adcode", "industry_code"]).sum())
    done = options[options["status"] == "已实施"]
    done = done.join(r.set_index("audit_id")[["city_adcode", "industry_code"]], on="audit_id")
    done = done.assign(year=pd.to_datetime(done["implemented_date"]).dt.year)
    parts.append(done.groupby(["year", "city_adcode", "industry_code"])[list(PLAN_REDUCTIONS)]
                 .sum())
    return pd.concat(parts, axis=1).fillna(0.0).sort_index()


def plan_targets(ctx: Context, periods: list[dict], rounds: pd.DataFrame, options: pd.DataFrame,
                 ent: pd.DataFrame) -> list[dict]:
    """Targets per period x year x city x industry, plus the province total (industry NULL).

    Targets are what the data achieves times a city factor (0.8–1.25), so some cities meet
    their targets and some miss. Years not finished by as_of take the previous two years' mean.
    """
    rng = ctx.rng["oversight"]
    achieved = _achieved(rounds, options, ent)
    cities = sorted(ent["city_adcode"].unique())
    factor = dict(zip(cities, rng.uniform(0.8, 1.25, len(cities))))
    pairs = ent[["city_adcode", "industry_code"]].drop_duplicates().sort_values(
        ["city_adcode", "industry_code"]).itertuples(index=False)
    pairs = list(pairs)
    columns = PLAN_COUNTS + PLAN_REDUCTIONS
    rows = []
    for period in periods:
        for year in range(period["start_year"], period["end_year"] + 1):
            total = dict.fromkeys(columns, 0.0)
            for city, code in pairs:
                base = _base(achieved, year, city, code, ctx.as_of.year)
                noise = factor[city] * rng.uniform(0.95, 1.05)
                row = {"period_id": period["period_id"], "year": year, "region_adcode": city,
                       "industry_code": code}
                for c in PLAN_COUNTS:
                    row[c] = int(round(base[c] * noise))
                for c in PLAN_REDUCTIONS:
                    row[c] = round(float(base[c] * noise), 1)
                for c in columns:
                    total[c] += row[c]
                rows.append(row)
            rows.append({"period_id": period["period_id"], "year": year,
                         "region_adcode": ctx.province, "industry_code": None,
                         **{c: int(total[c]) for c in PLAN_COUNTS},
                         **{c: round(total[c], 1) for c in PLAN_REDUCTIONS}})
    for i, row in enumerate(rows):
        row["target_id"] = i + 1
    return rows


def _base(achieved: pd.DataFrame, year: int, city: str, code: str, current: int) -> pd.Series:
    def get(y):
        key = (y, city, code)
        return achieved.loc[key] if key in achieved.index else achieved.iloc[0] * 0

    if year < current:
        return get(year)
    # The current year is unfinished and later ones have not begun: plan on recent years.
    return np.maximum((get(current - 1) + get(current - 2)) / 2, get(current))
