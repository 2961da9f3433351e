"""Listing batches, cluster audits, and every enterprise's audit rounds on the statutory clock.

Each round draws a full timeline from its listing date (disclosure 1 month, start 2 months,
report 12 months, evaluation 1–3 months after the report, acceptance within 24 months of
listing) for an on-time, late or stalled enterprise, then forgets everything after `as_of`. Failed
and stalled rounds put the enterprise on a later list; 双有 enterprises come back after 5 years.
"""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np
import pandas as pd

from rules.calendar import extend_to_working_day
from sample_data import profiles
from sample_data.common import FIRST_YEAR, Context, days, norm, weighted
from sample_data.places import Park

STEPS = ("disclosure_date", "start_date", "report_date", "evaluation_date", "acceptance_date")
NUMERALS = "一二三四"


def batches(ctx: Context) -> pd.DataFrame:
    """One or two lists a year (spring, autumn), published on working days, none after as_of.

    The first year's lists have fixed dates (the draws are still made, so the random stream
    stays the same): 4 January, soon after the notice of October 2020, whose faster 双有
    enterprises pass acceptance early enough for their 5-year re-audit to come due within the
    warning window of the default as_of; and 1 September, whose disclosure deadline falls on
    National Day (1 October, moved to 8 October by 民法典 Art. 203).
    """
    rng = ctx.rng["audits"]
    rows = []
    for year in range(FIRST_YEAR, ctx.as_of.year + 1):
        dates = [days(dt.date(year, 3, 10), rng.integers(0, 60))]
        if year == FIRST_YEAR or rng.random() < profiles.SECOND_BATCH_ODDS:
            dates.append(days(dt.date(year, 9, 1), rng.integers(0, 60)))
        if year == FIRST_YEAR:
            dates = list(profiles.FIRST_LISTS)
        dates = [extend_to_working_day(d, fallback=True) for d in dates]
        for k, d in enumerate(dates):
            if d <= ctx.as_of:
                rows.append({"name": f"{year}年第{NUMERALS[k]}批", "year": year, "publish_date": d})
    df = pd.DataFrame(rows)
    df.insert(0, "batch_id", range(1, len(df) + 1))
    return df


def draw_timeline(rng, listing: dt.date, behaviour: str, stall: str | None = None,
                  eval_odds: float | None = None) -> dict:
    """Milestone dates of one round as the enterprise would live them, ignoring as_of."""
    if behaviour == "late":
        d = days(listing, rng.integers(5, 30) if rng.random() < 0.6 else rng.integers(31, 121))
        if rng.random() < 0.5:
            s = max(days(d, rng.integers(1, 16)), days(listing, rng.integers(20, 60)))
        else:
            s = max(d, days(listing, rng.integers(61, 201)))
        r = days(listing, rng.integers(366, 561))
        e = days(r, rng.integers(25, 121))
        a = days(e, rng.integers(150, 421))
    else:
        d = days(listing, rng.integers(5, 30))
        s = max(d, days(listing, rng.integers(20, 60)))
        r = days(listing, rng.integers(240, 365))
        e = days(r, rng.integers(20, 91))
        a = min(days(e, rng.integers(120, 331)), days(listing, 729 - rng.integers(0, 30)))
    t = dict(zip(STEPS, (d, s, r, e, a)))
    if eval_odds is None:
        eval_odds = profiles.EVAL_PASS.get(behaviour, profiles.EVAL_PASS["on_time"])
    eval_pass = rng.random() < eval_odds
    t["evaluation_pass"] = eval_pass
    t["acceptance_pass"] = rng.random() < profiles.ACCEPT_PASS
    if not eval_pass:
        t["acceptance_date"] = None
    stop = {"no_disclosure": 0, "no_start": 1, "no_report": 2}.get(stall)
    if stop is not None:
        for step in STEPS[stop:]:
            t[step] = None
    return t


def truncate(t: dict, as_of: dt.date) -> dict:
    """What is known on as_of: the first step not yet reached blanks itself and all later ones."""
    t = dict(t)
    reached = True
    for step in STEPS:
        reached = reached and t[step] is not None and t[step] <= as_of
        if not reached:
            t[step] = None
    if t["evaluation_date"] is None:
        t["evaluation_pass"] = None
    if t["acceptance_date"] is None:
        t["acceptance_pass"] = None
    return t


def _score(rng, passed: bool, mean: float) -> tuple[float, bool]:
    """A score out of 100 and whether a veto item (否定项) was triggered."""
    if passed:
        return round(float(np.clip(rng.normal(mean, 5.5), 70, 98)), 1), False
    if rng.random() < 0.4:
        return round(float(np.clip(rng.normal(75, 6), 60, 90)), 1), True
    return round(float(rng.uniform(60, 69.5)), 1), False


def _results(rng, t: dict, words: tuple[str, str]) -> dict:
    """Local wording, normalised pass, score, veto and the cleaner production level reached."""
    out = dict.fromkeys(
        ("evaluation_result", "evaluation_score", "evaluation_veto", "acceptance_result",
         "acceptance_score", "acceptance_veto", "cp_level"))
    for stage, mean in (("evaluation", 84.0), ("acceptance", 86.0)):
        passed = t[f"{stage}_pass"]
        if passed is None:
            continue
        out[f"{stage}_result"] = words[0] if passed else words[1]
        out[f"{stage}_score"], out[f"{stage}_veto"] = _score(rng, passed, mean)
    if t["acceptance_pass"]:
        out["cp_level"] = weighted(rng, profiles.CP_LEVEL_ODDS)
    return out


class Rounds:
    """Builds clusters and rounds; kept as one object because both share the same clock."""

    def __init__(self, ctx: Context, ent: pd.DataFrame, parks: list[Park], batch: pd.DataFrame,
                 cons: pd.DataFrame, industry_names: dict[str, str]):
        self.ctx, self.ent, self.parks = ctx, ent, parks
        self.rows = list(ent[["uscc", "city_adcode"]].itertuples(index=False))
        self.industry_names = industry_names
        self.rng = ctx.rng["audits"]
        self.batch_ids = batch["batch_id"].tolist()
        self.batch_dates = batch["publish_date"].tolist()
        self.cons_ids = cons["consultancy_id"].to_numpy()
        self.cons_city = cons["city_adcode"].to_numpy()
        # A few consultancies do many audits (Zipf-like), mostly in their own city.
        self.cons_base = 1.0 / np.arange(1, len(cons) + 1) ** 0.8
        self.words = self._wording()
        self.rounds: list[dict] = []
        self.clusters: list[dict] = []

    def _wording(self) -> dict[str, tuple[str, str]]:
        cities = sorted(self.ent["city_adcode"].unique())
        names = self.ctx.region_name
        known = [c for c in cities if names[c] in profiles.QUALIFIED_WORDING_CITIES]
        if not known:  # a province without a table: a share of cities, at random
            k = int(round(len(cities) * profiles.QUALIFIED_WORDING_SHARE))
            known = sorted(self.rng.choice(cities, k, replace=False).tolist()) if k else []
        return {c: ("合格", "不合格") if c in known else ("通过", "不通过") for c in cities}

    def consultancy(self, city: str) -> int:
        w = self.cons_base * np.where(self.cons_city == city, 4.0, 1.0)
        return int(self.cons_ids[int(self.rng.choice(len(w), p=norm(w)))])

    def next_batch(self, after: dt.date) -> int | None:
        i = bisect.bisect_left(self.batch_dates, after)
        return i if i < len(self.batch_dates) else None

    def first_batches(self) -> np.ndarray:
        """The batch of each enterprise's first listing: the 2021 backlog first, spring > autumn."""
        w = []
        for i, d in enumerate(self.batch_dates):
            spring = i == 0 or self.batch_dates[i - 1].year != d.year
            w.append(profiles.YEAR_WEIGHT.get(d.year, profiles.LATER_YEAR_WEIGHT)
                     * (0.6 if spring else 0.4))
        return self.rng.choice(len(w), len(self.ent), p=norm(w))

    def reasons(self) -> list[str]:
        out = []
        for code in self.ent["industry_code"]:
            if code in profiles.ENERGY_INTENSIVE:
                kind = "energy_intensive"
            elif code in profiles.HAZARDOUS_INDUSTRIES:
                kind = "hazardous"
            else:
                kind = "other"
            out.append(weighted(self.rng, zip(profiles.REASONS, profiles.REASON_ODDS[kind])))
        return out

    # -- clusters ---------------------------------------------------------------------------

    def plan_clusters(self, first: np.ndarray) -> dict[int, int]:
        """Choose park and industry clusters; returns enterprise index -> cluster index."""
        ctx, rng, ent = self.ctx, self.rng, self.ent
        cutoff = days(ctx.as_of, -540)  # clusters old enough to have results
        eligible = [i for i, d in enumerate(self.batch_dates) if d <= cutoff]
        eligible = eligible or list(range(len(self.batch_dates)))
        member_of: dict[int, int] = {}
        groups = []  # (kind, park, industry, city, members)
        park_ids = ent["park_id"].to_numpy()
        by_park = [(p, np.flatnonzero(park_ids == p.park_id)) for p in self.parks]
        by_park = [(p, m) for p, m in by_park if len(m) >= profiles.CLUSTER_SIZE[0] + 1]
        n_park = min(ctx.count(profiles.BASE_PARK_CLUSTERS, minimum=1), len(by_park))
        if n_park:
            sizes = np.array([len(m) for _, m in by_park], dtype=float)
            for i in sorted(rng.choice(len(by_park), n_park, replace=False, p=norm(sizes))):
                p, members = by_park[i]
                groups.append(("园区", p, None, p.city_adcode, members))
        taken = {int(k) for g in groups for k in g[4]}
        free = ent[~ent.index.isin(taken) & ent["industry_code"].isin(profiles.CLUSTER_INDUSTRIES)]
        pairs = free.groupby(["city_adcode", "industry_code"]).indices
        pairs = sorted((k, v) for k, v in pairs.items() if len(v) > profiles.CLUSTER_SIZE[0])
        n_ind = min(ctx.count(profiles.BASE_INDUSTRY_CLUSTERS, minimum=1), len(pairs))
        if n_ind:
            sizes = np.array([len(v) for _, v in pairs], dtype=float)
            for i in sorted(rng.choice(len(pairs), n_ind, replace=False, p=norm(sizes))):
                (city, code), rows = pairs[i]
                groups.append(("行业", None, code, city, free.index.to_numpy()[rows]))
        for kind, park, code, city, members in groups:
            lo, hi = profiles.CLUSTER_SIZE
            k = min(len(members), int(rng.integers(lo, hi + 1)))
            chosen = np.sort(rng.choice(members, k, replace=False))
            b = int(rng.choice(eligible))
            cid = len(self.clusters) + 1
            name = (f"{park.name}整体清洁生产审核" if park else
                    f"{ctx.region_name[city]}{self.industry_names[code]}行业整体清洁生产审核")
            beh = "late" if rng.random() < 0.15 else "on_time"
            t = draw_timeline(rng, self.batch_dates[b], beh,
                              eval_odds=profiles.CLUSTER_EVAL_PASS)
            t = truncate(t, ctx.as_of)
            self.clusters.append({
                "cluster_id": cid, "name": name, "kind": kind,
                "park_id": park.park_id if park else None, "industry_code": code,
                "city_adcode": city, "consultancy_id": self.consultancy(city),
                "start_date": t["start_date"], "evaluation_date": t["evaluation_date"],
                "evaluation_pass": t["evaluation_pass"], "acceptance_date": t["acceptance_date"],
                "acceptance_pass": t["acceptance_pass"],
                "_timeline": t, "_behaviour": beh, "_batch": b,
            })
            for e in chosen:
                member_of[int(e)] = len(self.clusters) - 1
                first[int(e)] = b
        return member_of

    def _member_timeline(self, cluster: dict) -> dict:
        t = dict(cluster["_timeline"])
        listing = self.batch_dates[cluster["_batch"]]
        latest = 29 if t["start_date"] is None else min(29, (t["start_date"] - listing).days)
        t["disclosure_date"] = days(listing, self.rng.integers(5, max(latest, 5) + 1))
        return truncate(t, self.ctx.as_of)

    # -- rounds -----------------------------------------------------------------------------

    def build(self) -> tuple[list[dict], pd.DataFrame]:
        first = self.first_batches()
        reasons = self.reasons()
        member_of = self.plan_clusters(first)
        for e in range(len(self.ent)):
            self._chain(e, int(first[e]), reasons[e], member_of.get(e))
        # Audit ids follow the listing date, so a re-listed round always points to a smaller id.
        self.rounds.sort(key=lambda r: (r["listing_date"], r["batch_id"], r["uscc"], r["round_no"]))
        ids = {r["key"]: i + 1 for i, r in enumerate(self.rounds)}
        for r in self.rounds:
            r["audit_id"] = ids[r["key"]]
            r["relisted_from"] = ids[r["parent"]] if r["parent"] is not None else None
        return self.clusters, pd.DataFrame(self.rounds)

    def _chain(self, e: int, b: int, reason: str, cluster: int | None) -> None:
        """All rounds of one enterprise: the first listing, then re-listings while they fail."""
        rng, as_of = self.rng, self.ctx.as_of
        row = self.rows[e]
        parent, round_no = None, 1
        while True:
            listing = self.batch_dates[b]
            if cluster is not None:
                c = self.clusters[cluster]
                behaviour, stall = c["_behaviour"], None
                t = self._member_timeline(c)
                mode = "园区整体审核" if c["kind"] == "园区" else "行业整体审核"
                consultancy = c["consultancy_id"] if t["start_date"] else None
            else:
                behaviour = weighted(rng, profiles.BEHAVIOUR_ODDS)
                stall = weighted(rng, profiles.STALL_ODDS) if behaviour == "stalled" else None
                t = truncate(draw_timeline(rng, listing, behaviour, stall), as_of)
                mode = "单独审核"
                consultancy = self.consultancy(row.city_adcode) if t["start_date"] else None
            key = len(self.rounds)
            self.rounds.append({
                "key": key, "parent": parent, "ent_pos": e, "behaviour": behaviour,
                "stall": stall, "uscc": row.uscc, "round_no": round_no,
                "batch_id": self.batch_ids[b], "listing_date": listing, "listing_reason": reason,
                "audit_mode": mode,
                "cluster_id": self.clusters[cluster]["cluster_id"] if cluster is not None
                else None,
                "consultancy_id": consultancy,
                **{step: t[step] for step in STEPS},
                "evaluation_pass": t["evaluation_pass"], "acceptance_pass": t["acceptance_pass"],
                **_results(rng, t, self.words[row.city_adcode]),
            })
            trigger, relisted = self._next_trigger(t, listing, behaviour, reason)
            if trigger is None or trigger > as_of or round_no >= profiles.MAX_ROUNDS:
                return
            nb = self.next_batch(trigger)
            if nb is None or (not relisted and self.batch_dates[nb].year != trigger.year):
                return
            parent = key if relisted else None
            b, round_no, cluster = nb, round_no + 1, None

    def _next_trigger(self, t: dict, listing: dt.date, behaviour: str, reason: str):
        """When the enterprise goes on a later list, and whether that is a re-listing."""
        rng = self.rng
        if t["evaluation_pass"] is False:
            return days(t["evaluation_date"], rng.integers(20, 91)), True
        if t["acceptance_pass"] is False:
            return days(t["acceptance_date"], rng.integers(20, 91)), True
        if behaviour == "stalled":
            return days(listing, rng.integers(385, 426)), True
        if (reason == "双有" and t["acceptance_pass"]
                and rng.random() < profiles.FIVE_YEAR_RELIST_ODDS):
            # The 5-year rule, not a failure: listed again in the year before the five years
            # since acceptance end; the others are not listed yet, so their re-audit comes due.
            a = t["acceptance_date"]
            return dt.date(a.year + 4, a.month, 1), False
        return None, False
