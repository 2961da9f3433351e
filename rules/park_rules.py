"""Pure rules of the park-level review (园区整体审核): when a cluster audit counts, how a park's
figures are normalised so a small and a large park compare fairly, and how the reasons of member
rounds group into common problems.

- A **passed** park/industry cluster audit counts as one audit for each member enterprise
  (domain.md §4). "Passed" follows the province's completion milestone (rules/clock.py):
  acceptance passed when completion is counted at acceptance, otherwise evaluation passed (or
  acceptance passed, which implies it). Only results dated on or before the as-of date count.
- An enterprise is counted once per park however many rounds it has (alone and in a cluster).
- Per-enterprise figures divide by the park's member enterprises; rates by the members that have
  been listed; an empty denominator gives NaN (shown as "—"), never zero or infinity.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd


def _passed_by(flag: pd.Series, when: pd.Series, as_of: dt.date) -> np.ndarray:
    dates = pd.to_datetime(when, errors="coerce")
    on_time = (dates <= pd.Timestamp(as_of)).to_numpy(dtype=bool)
    return flag.isin([True, 1]).to_numpy(dtype=bool) & on_time


def cluster_passed(clusters: pd.DataFrame, as_of: dt.date, completion_milestone: str
                   ) -> pd.Series:
    """Whether each cluster audit has passed as of `as_of` (bool Series on the same index).

    Needs evaluation_pass, evaluation_date, acceptance_pass, acceptance_date.
    """
    accepted = _passed_by(clusters["acceptance_pass"], clusters["acceptance_date"], as_of)
    if completion_milestone == "acceptance":
        passed = accepted
    else:
        evaluated = _passed_by(clusters["evaluation_pass"], clusters["evaluation_date"], as_of)
        passed = evaluated | accepted
    return pd.Series(passed, index=clusters.index, dtype=bool)


def counts_as_audit(completed: pd.Series, in_passed_cluster: pd.Series) -> pd.Series:
    """A round counts as a completed audit when it completed on its own clock, or when it is a
    member round of a passed cluster audit."""
    return completed.fillna(False).astype(bool) | in_passed_cluster.fillna(False).astype(bool)


def per_enterprise(total, enterprises):
    """total / enterprises; NaN where there are no enterprises. Scalars or aligned Series."""
    if np.isscalar(enterprises):
        return float(total) / float(enterprises) if enterprises else float("nan")
    n = pd.to_numeric(enterprises).astype("float64")
    t = pd.to_numeric(total).astype("float64")
    return t / n.where(n > 0)


def per_hundred(total, enterprises):
    """Per 100 enterprises (每百家)."""
    return per_enterprise(total, enterprises) * 100


def share(part, whole):
    """part / whole as a fraction (0.5 = 50 %); NaN when whole is 0."""
    return per_enterprise(part, whole)


_DAYS = re.compile(r"\s*\d+\s*天$")


def problem_kinds(reason: str | None) -> list[str]:
    """The kinds of problem in one round's reason text (rules.clock wording), without the day
    counts: "审核报告逾期 305 天；双有企业距上轮审核已满5年未再审核" ->
    ["审核报告逾期", "双有企业距上轮审核已满5年未再审核"]."""
    if reason is None or (isinstance(reason, float) and np.isnan(reason)) or not str(reason):
        return []
    kinds = []
    for part in str(reason).split("；"):
        part = _DAYS.sub("", part.strip())
        if part.startswith("评估未通过"):
            part = "评估未通过"
        elif part.startswith("验收未通过"):
            part = "验收未通过"
        if part and part not in kinds:
            kinds.append(part)
    return kinds


def rank_within(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Rank 1 = best; NaN values get no rank. Ties share the best rank ("min")."""
    return values.rank(ascending=not higher_is_better, method="min", na_option="keep")


# --------------------------------------------------------------------------------------------
# Park vs park comparison: every metric is a ratio, so park size drops out.
# --------------------------------------------------------------------------------------------

class Metric:
    """A normalised park metric: numerator column / denominator column (× scale)."""

    def __init__(self, key: str, label: str, unit: str, numerator: str, denominator: str,
                 higher_is_better: bool, scale: float = 1.0, percent: bool = False):
        self.key, self.label, self.unit = key, label, unit
        self.numerator, self.denominator = numerator, denominator
        self.higher_is_better, self.scale, self.percent = higher_is_better, scale, percent

    @property
    def title(self) -> str:
        return f"{self.label}（{self.unit}）"


COMPARISON_METRICS: tuple[Metric, ...] = (
    Metric("audit_rate", "审核完成率", "%", "audited_enterprises", "listed_enterprises", True,
           percent=True),
    Metric("overdue_per100", "每百家企业逾期轮次", "轮/百家", "overdue_rounds", "enterprises",
           False, scale=100),
    Metric("options_per_ent", "家均已实施方案", "项/家", "options_done", "enterprises", True),
    Metric("investment_per_ent", "家均实施投资", "万元/家", "investment_wan", "enterprises", True),
    Metric("energy_per_ent", "家均节能量", "吨标准煤/年·家", "energy_tce", "enterprises", True),
    Metric("cod_per_ent", "家均COD减排量", "吨/年·家", "cod_t", "enterprises", True),
    Metric("so2_per_ent", "家均二氧化硫减排量", "吨/年·家", "so2_t", "enterprises", True),
    Metric("nox_per_ent", "家均氮氧化物减排量", "吨/年·家", "nox_t", "enterprises", True),
    Metric("vocs_per_ent", "家均VOCs减排量", "吨/年·家", "vocs_t", "enterprises", True),
    Metric("cp_top_share", "Ⅰ、Ⅱ级清洁生产企业占比", "%", "cp_top", "enterprises", True,
           percent=True),
    Metric("credit_good_share", "环保诚信、良好企业占比", "%", "credit_good", "credit_rated", True,
           percent=True),
)
METRICS_BY_KEY = {m.key: m for m in COMPARISON_METRICS}


def normalise(card: pd.DataFrame) -> pd.DataFrame:
    """The comparison metrics of each park (a fraction for percentages), NaN where the park has
    no enterprises to divide by."""
    out = pd.DataFrame(index=card.index)
    for m in COMPARISON_METRICS:
        out[m.key] = per_enterprise(card[m.numerator], card[m.denominator]) * m.scale
    return out


def standing(same_type: pd.DataFrame, park_id: int) -> pd.DataFrame:
    """One park among the parks of its type on every comparison metric: metric key, value,
    median of the type, rank (1 = best; NaN when the park has no value) and how many parks of the
    type have a value. `same_type` holds the scorecard rows of the type with the metric columns."""
    rows = []
    me = same_type[same_type["park_id"] == park_id]
    for m in COMPARISON_METRICS:
        values = same_type[m.key].astype("float64")
        ranks = rank_within(values, m.higher_is_better)
        value = float(me[m.key].iloc[0]) if len(me) else float("nan")
        rank = float(ranks[me.index[0]]) if len(me) else float("nan")
        rows.append({"metric": m.key, "value": value, "median": float(values.median()),
                     "rank": rank, "of": int(values.notna().sum())})
    return pd.DataFrame(rows)
