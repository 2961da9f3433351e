"""Audit options (方案) with investments, statuses and reductions, vectorised over all rounds.

Every round that submitted its report gets 15–40 no/low-cost and 2–8 medium/high-cost options
drawn from its industry's catalogue. Per-audit reduction totals are lognormal by industry profile
and enterprise size, split over the options whose title can deliver them (Dirichlet-like gamma
weights, medium/high-cost options carrying most), then scaled so the mean per audit matches
domain.md §5 within a seed-dependent ±10 %.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from queries import schema
from sample_data import profiles
from sample_data.common import Context
from sample_data.option_titles import HIGH, LOW, TAG_COLUMNS, titles_for

LOW_COUNT, HIGH_COUNT = (15, 40), (2, 8)
PROFILE_COLUMNS = tuple(profiles.OUTCOME_MEANS)  # same order as INDUSTRY_PROFILE tuples
DECIMALS = {"econ_benefit_wan": 2, "investment_wan": 2, "energy_tce": 2, "electricity_mwh": 2,
            "water_t": 1, "co2_t": 2}  # other reductions: 3


class Catalogue:
    """All option titles in play, with their reduction tags as a boolean matrix."""

    def __init__(self, industry_codes):
        self.titles, self.pools, index = [], {}, {}
        for code in industry_codes:
            pools = []
            for pool in titles_for(code):
                ids, weights = [], []
                for t in pool:
                    key = (t.title, t.cost_class)
                    if key not in index:
                        index[key] = len(self.titles)
                        self.titles.append(t)
                    ids.append(index[key])
                    weights.append(2.5 if t.specific else 1.0)
                w = np.array(weights)
                pools.append((np.array(ids), w / w.sum()))
            self.pools[code] = pools
        tags = ("e", "el", *TAG_COLUMNS)
        self.tag = {g: np.array([g in t.tags for t in self.titles]) for g in tags}
        self.high = np.array([t.cost_class == HIGH for t in self.titles])


def _days(a: np.ndarray) -> np.ndarray:
    return a.astype("timedelta64[D]").astype(float)


def _dates(values) -> np.ndarray:
    return np.array(list(values), dtype="datetime64[D]")


def make_options(ctx: Context, rounds: pd.DataFrame, ent: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng["options"]
    rep = rounds[rounds["report_date"].notna()].sort_values("audit_id")
    if rep.empty:  # as_of so early that no report has been submitted yet
        return pd.DataFrame({c.name: [] for c in schema.audit_option.columns})
    info = ent.set_index("uscc").loc[rep["uscc"]]
    industry = info["industry_code"].to_numpy()
    size = info["scale"].map(profiles.SCALE_SIZE).to_numpy(float)
    cat = Catalogue(sorted(set(industry)))

    # Which options each audit proposes.
    aud, tid = [], []
    for a, code in enumerate(industry):
        for (ids, p), (lo, hi) in zip(cat.pools[code], (LOW_COUNT, HIGH_COUNT)):
            k = min(int(rng.integers(lo, hi + 1)), len(ids))
            tid.append(rng.choice(ids, k, replace=False, p=p))
            aud.append(np.full(k, a))
    a = np.concatenate(aud) if aud else np.empty(0, int)
    t = np.concatenate(tid) if tid else np.empty(0, int)
    n_aud, high = len(rep), cat.high[t]

    invest = np.where(
        high,
        # median 60 万元 per medium/high-cost option for a mid-size firm: a few hundred 万元 per
        # audit on average, in line with what provinces report.
        np.clip(rng.lognormal(math.log(60) + 0.5 * np.log(size[a]), 1.0), 10, 3000),
        np.clip(rng.lognormal(math.log(1.5), 0.9, len(a)), 0.1, 10),
    )
    weight = rng.gamma(1.5, 1.0, len(a)) * np.where(high, 4.0, 0.4)

    def split(total: np.ndarray, tag: str) -> np.ndarray:
        """Share an audit total among its options carrying `tag`; NaN for the others."""
        w = weight * cat.tag[tag][t]
        sums = np.bincount(a, weights=w, minlength=n_aud)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = total[a] * w / sums[a]
        return np.where(w > 0, out, np.nan)

    profile = np.array([profiles.INDUSTRY_PROFILE.get(c, profiles.DEFAULT_PROFILE)
                        for c in industry])
    spread = rng.lognormal(0.0, profiles.OUTCOME_SIGMA, profile.shape)
    totals = profile * size[:, None] * spread
    totals[profile == 0] = np.nan  # irrelevant to the industry: stays NULL
    jitter = rng.uniform(0.9, 1.1, len(PROFILE_COLUMNS))
    values = {}
    elec_share = np.array([profiles.ELECTRICITY_SHARE.get(c, profiles.DEFAULT_ELECTRICITY_SHARE)
                           for c in industry])
    fuel = split(totals[:, 0] * (1 - elec_share), "e")
    elec = split(totals[:, 0] * elec_share, "el")
    energy = np.where(np.isnan(fuel) & np.isnan(elec), np.nan, np.nan_to_num(fuel) +
                      np.nan_to_num(elec))
    k = _calibration(energy, n_aud, profiles.OUTCOME_MEANS["energy_tce"] * jitter[0])
    fuel, elec, energy = fuel * k, elec * k, energy * k
    values["energy_tce"] = energy
    values["electricity_mwh"] = elec / profiles.TCE_PER_MWH
    values["co2_t"] = np.where(
        np.isnan(energy), np.nan,
        profiles.CO2_PER_TCE * np.nan_to_num(fuel)
        + profiles.CO2_PER_MWH * np.nan_to_num(values["electricity_mwh"]),
    )
    tag_of = {column: tag for tag, column in TAG_COLUMNS.items()}
    for j, column in enumerate(PROFILE_COLUMNS[1:], start=1):
        v = split(totals[:, j], tag_of[column])
        values[column] = v * _calibration(v, n_aud, profiles.OUTCOME_MEANS[column] * jitter[j])
    price = profiles.PRICE_WAN
    econ = (price["fuel_tce"] * np.nan_to_num(fuel)
            + price["electricity_mwh"] * np.nan_to_num(values["electricity_mwh"])
            + price["water_t"] * np.nan_to_num(values["water_t"])
            + invest * rng.uniform(0.03, 0.2, len(a))
            + np.where(high, 0.0, rng.uniform(0.1, 3.0, len(a))))

    status, implemented = _status(rng, ctx, rep, a, high)
    df = pd.DataFrame({
        "option_id": np.arange(1, len(a) + 1),
        "audit_id": rep["audit_id"].to_numpy()[a],
        "title": [cat.titles[i].title for i in t],
        "cost_class": np.where(high, HIGH, LOW),
        "category": [cat.titles[i].category for i in t],
        "status": status,
        "investment_wan": invest,
        "implemented_date": implemented,
        "econ_benefit_wan": econ,
        **{c: values[c] for c in ("energy_tce", "electricity_mwh", "water_t", "co2_t")},
        **{c: values[c] for c in PROFILE_COLUMNS[1:] if c != "water_t"},
    })
    for column in df.columns:
        if df[column].dtype.kind == "f":
            df[column] = df[column].round(DECIMALS.get(column, 3))
    return df


def _calibration(v: np.ndarray, n_audits: int, target_mean: float) -> float:
    """Factor that makes the per-audit mean of a column equal the target."""
    total = np.nansum(v)
    return target_mean * n_audits / total if total > 0 else 0.0


def _status(rng, ctx: Context, rep: pd.DataFrame, a: np.ndarray, high: np.ndarray):
    """Option status by the round's stage, and the implementation date of implemented ones."""
    start = _dates(rep["start_date"])[a]
    report = _dates(rep["report_date"])[a]
    evaluation = _dates(rep["evaluation_date"])[a]
    acceptance = _dates(rep["acceptance_date"])[a]
    eval_pass = rep["evaluation_pass"].fillna(False).to_numpy(bool)[a]
    acc_pass = rep["acceptance_pass"].fillna(False).to_numpy(bool)[a]
    as_of = np.datetime64(ctx.as_of)
    u, v = rng.random(len(a)), rng.random(len(a))
    status = np.full(len(a), "拟实施", dtype=object)
    when = np.full(len(a), np.datetime64("NaT"), dtype="datetime64[D]")

    # No/low-cost options are done during the audit, between start and report.
    accepted = ~np.isnat(acceptance)
    low_date = start + (v * _days(report - start)).astype("timedelta64[D]")
    low_done = ~high & ((u < 0.88) | (accepted & (u < 0.97)))
    status[~high & ~low_done] = np.where(u < 0.93, "实施中", np.where(u < 0.97, "拟实施", "放弃"))[
        ~high & ~low_done]
    status[low_done], when[low_done] = "已实施", low_date[low_done]

    # Medium/high-cost options are built after the evaluation.
    after_eval = evaluation + (v * _days(acceptance - evaluation)).astype("timedelta64[D]")
    done_ok = high & accepted & acc_pass & (u < 0.94)
    done_bad = high & accepted & ~acc_pass & (u < 0.6)
    status[high & accepted] = "放弃"
    status[high & accepted & ~acc_pass & (u >= 0.6) & (u < 0.85)] = "实施中"
    for mask in (done_ok, done_bad):
        status[mask], when[mask] = "已实施", after_eval[mask]
    planned = evaluation + (30 + v * 510).astype("timedelta64[D]")
    open_ok = high & ~accepted & ~np.isnat(evaluation) & eval_pass
    built = open_ok & (planned <= as_of)
    status[built], when[built] = "已实施", planned[built]
    status[open_ok & ~built] = np.where(_days(planned - as_of) <= 180, "实施中", "拟实施")[
        open_ok & ~built]
    failed = high & ~np.isnat(evaluation) & ~eval_pass
    status[failed] = np.where(u < 0.7, "拟实施", "放弃")[failed]
    waiting = high & np.isnat(evaluation)
    status[waiting] = np.where(u < 0.85, "拟实施", "实施中")[waiting]
    return status, when
