"""Expert pool and consultancy rules (环办科财〔2020〕27号 §五, §三): the 记分考核 threshold,
workload cap, rotation, conflicts of interest, copy-paste signals, the consultancy ranking, the
credit publication deadline and the masking of personal data. Pure functions over DataFrames;
thresholds per province in rules/expert_rules.toml (like the clock)."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_RULES_FILE = Path(__file__).with_name("expert_rules.toml")
_INT_LIMITS = {  # key: (lowest, highest, what it is)
    "score_base": (1, 1000, "每年基础分"),
    "suspend_at": (0, 1000, "暂停线（剩余分）"),
    "warn_margin": (0, 1000, "接近暂停线的提示分差"),
    "workload_cap": (1, 1000, "每名专家每年评审场次上限"),
    "rotation_count": (2, 1000, "提示轮换的次数"),
    "rotation_months": (1, 240, "轮换统计的月数"),
    "demand_months": (1, 120, "供需统计的月数"),
    "copy_min_clients": (2, 1000, "提示雷同的客户数"),
    "rank_min_reviews": (1, 1000, "参加排名的最少评估轮次"),
    "publish_working_days": (1, 365, "公示期限（工作日）"),
}
_WEIGHTS = ("rank_weight_evaluation", "rank_weight_acceptance", "rank_weight_on_time")


class ExpertRulesError(ValueError):
    """A rules file that cannot be used; the message is for the user, in Chinese."""


def _problem(key: str, value: object) -> str | None:
    if key in _INT_LIMITS:
        lo, hi, what = _INT_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            return f"{key}（{what}）应为 {lo}–{hi} 之间的整数，实际为 {value!r}"
    elif key in _WEIGHTS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            return f"{key}（排名权重）应为 0–1 之间的数，实际为 {value!r}"
    elif key == "conflict_own_city":
        if not isinstance(value, bool):
            return f"conflict_own_city 应为 true（本市企业需回避）或 false，实际为 {value!r}"
    return None


@dataclass(frozen=True)
class ExpertRules:
    score_base: int = 12
    suspend_at: int = 6
    warn_margin: int = 3
    workload_cap: int = 40
    rotation_count: int = 8
    rotation_months: int = 12
    conflict_own_city: bool = False
    demand_months: int = 12
    copy_min_clients: int = 3
    rank_min_reviews: int = 5
    publish_working_days: int = 7
    rank_weight_evaluation: float = 0.4
    rank_weight_acceptance: float = 0.3
    rank_weight_on_time: float = 0.3

    def __post_init__(self) -> None:
        for f in fields(self):
            problem = _problem(f.name, getattr(self, f.name))
            if problem:
                raise ExpertRulesError(problem)
        if self.suspend_at >= self.score_base:
            raise ExpertRulesError(f"suspend_at（暂停线 {self.suspend_at} 分）应小于 score_base"
                                   f"（基础分 {self.score_base} 分）")
        total = sum(getattr(self, w) for w in _WEIGHTS)
        if abs(total - 1) > 1e-6:
            raise ExpertRulesError(f"三项排名权重之和应为 1，实际为 {total:g}")


def load_expert_rules(province_adcode: str, path: str | Path | None = None) -> ExpertRules:
    """[default] overlaid with the province's ["<adcode>"] table; every problem in Chinese."""
    path = Path(path or os.environ.get("EXPERT_RULES_FILE") or DEFAULT_RULES_FILE)
    where = f"专家与咨询机构管理规则文件 {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ExpertRulesError(f"无法读取{where}：{e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ExpertRulesError(f"{where} 不是有效的 TOML：{e}") from e
    known = {f.name for f in fields(ExpertRules)}
    for section, table in data.items():
        is_province = len(section) == 6 and section.isdigit() and section.endswith("0000")
        if section != "default" and not is_province:
            raise ExpertRulesError(f"{where} 中有未知的配置节 [{section}]：只允许 [default] 和"
                                   f"以6位省级行政区划代码命名的节，如 [\"320000\"]")
        if not isinstance(table, dict):
            raise ExpertRulesError(f"{where} 中 {section} 应为一个配置节（表）")
        for key, value in table.items():
            if key not in known:
                raise ExpertRulesError(f"{where} 的 [{section}] 中有未知配置项 {key}；"
                                       f"可用的配置项：{'、'.join(sorted(known))}")
            problem = _problem(key, value)
            if problem:
                raise ExpertRulesError(f"{where} 的 [{section}] 中：{problem}")
    province = data.get(str(province_adcode).strip()[:2] + "0000", {})
    try:
        return ExpertRules(**{**data.get("default", {}), **province})
    except ExpertRulesError as e:
        raise ExpertRulesError(f"{where}：{e}") from None


# -- 记分考核 -----------------------------------------------------------------------------------

SCORE_OK, SCORE_NEAR, SCORE_CROSSED = "正常", "接近暂停线", "已达暂停线"


def remaining_scores(expert_ids, deductions: pd.DataFrame, as_of: dt.date,
                     rules: ExpertRules) -> pd.Series:
    """Points left per expert in the scoring year of `as_of` (a calendar year): the base minus
    the deductions dated from 1 January to `as_of`, never below 0. `deductions` has
    expert_id, event_date, points."""
    start = dt.date(as_of.year, 1, 1)
    d = deductions
    if len(d):
        d = d[(d["event_date"] >= start) & (d["event_date"] <= as_of)]
    lost = d.groupby("expert_id")["points"].sum() if len(d) else pd.Series(dtype="int64")
    ids = pd.Index(list(expert_ids), name="expert_id")
    return (rules.score_base - lost.reindex(ids, fill_value=0)).clip(lower=0).astype("int64")


def score_state(remaining: pd.Series, rules: ExpertRules) -> pd.Series:
    """正常 / 接近暂停线 / 已达暂停线 (remaining ≤ suspend_at)."""
    return pd.Series(np.select([remaining <= rules.suspend_at,
                                remaining <= rules.suspend_at + rules.warn_margin],
                               [SCORE_CROSSED, SCORE_NEAR], SCORE_OK), index=remaining.index)


def status_mismatch(status: str, state: str) -> str | None:
    """An expert over the line still in the pool (or suspended without crossing it)."""
    if state == SCORE_CROSSED and status == "在库":
        return "已达暂停线但仍在库，应暂停"
    return None


# -- workload, rotation, conflicts ---------------------------------------------------------------

def workload(seats: pd.DataFrame, year: int, rules: ExpertRules) -> pd.DataFrame:
    """Reviews per expert in `year` (each seat is one review) against the cap: expert_id,
    reviews, over_cap (reviews above the cap, 0 if within)."""
    mine = seats[seats["review_date"].map(lambda d: d.year) == year] if len(seats) else seats
    n = mine.groupby("expert_id").size() if len(mine) else pd.Series(dtype="int64")
    out = n.rename("reviews").reset_index()
    out["over_cap"] = (out["reviews"] - rules.workload_cap).clip(lower=0)
    return out


def rotation(seats: pd.DataFrame, as_of: dt.date, rules: ExpertRules) -> pd.DataFrame:
    """Expert x consultancy pairs reviewed `rotation_count` times or more within the last
    `rotation_months` months up to `as_of`: expert_id, consultancy_id, times, last_date."""
    from rules.clock import add_months

    since = add_months(as_of, -rules.rotation_months)
    s = seats[seats["consultancy_id"].notna()] if len(seats) else seats
    if len(s):
        s = s[(s["review_date"] > since) & (s["review_date"] <= as_of)]
    if not len(s):
        return pd.DataFrame(columns=["expert_id", "consultancy_id", "times", "last_date"])
    g = (s.groupby(["expert_id", "consultancy_id"])
         .agg(times=("review_date", "size"), last_date=("review_date", "max")).reset_index())
    g = g[g["times"] >= rules.rotation_count]
    g["consultancy_id"] = g["consultancy_id"].astype("int64")
    return g.sort_values(["times", "expert_id"], ascending=[False, True]).reset_index(drop=True)


CONFLICT_OWN_ORG = "评审本单位企业"
CONFLICT_CONSULTANCY = "评审本单位咨询的项目"
CONFLICT_OWN_CITY = "评审本人所在城市的企业"


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.fillna("").astype(str).str.strip(), b.fillna("").astype(str).str.strip()
    return (a != "") & (a == b)


def conflicts(seats: pd.DataFrame, rules: ExpertRules) -> pd.DataFrame:
    """Seats with a conflict of interest and the reasons (、-joined): the expert's organisation
    is the enterprise reviewed, or the consultancy that wrote the report; or (when the province
    says so) the expert lives in the enterprise's city. `seats` has organisation,
    enterprise_name, consultancy_name, expert_city_adcode, city_adcode."""
    if not len(seats):
        return seats.assign(conflict=pd.Series(dtype=object))
    checks = [(CONFLICT_OWN_ORG, _same(seats["organisation"], seats["enterprise_name"])),
              (CONFLICT_CONSULTANCY, _same(seats["organisation"], seats["consultancy_name"]))]
    if rules.conflict_own_city:
        checks.append((CONFLICT_OWN_CITY, _same(seats["expert_city_adcode"],
                                                seats["city_adcode"])))
    reasons = pd.Series([""] * len(seats), index=seats.index)
    for label, hit in checks:
        reasons = reasons.where(~hit, reasons + np.where(reasons == "", "", "、") + label)
    return seats[reasons != ""].assign(conflict=reasons[reasons != ""])


def supply_demand(active: pd.Series, reviews: pd.Series, seats_needed: pd.Series,
                  rules: ExpertRules) -> pd.DataFrame:
    """Per industry: active experts, reviews and seats in the demand window, seats per active
    expert scaled to a year, and 紧缺 when that exceeds the yearly workload cap (or no expert)."""
    df = pd.DataFrame({"active": active, "reviews": reviews, "seats": seats_needed}).fillna(0)
    df = df.astype("int64")
    yearly = df["seats"] * 12 / rules.demand_months
    df["per_expert"] = (yearly / df["active"].where(df["active"] > 0)).round(1)
    short = (df["seats"] > 0) & ((df["active"] == 0) | (df["per_expert"] > rules.workload_cap))
    df["state"] = np.where(short, "紧缺", np.where(df["seats"] == 0, "近期无评审", "充足"))
    return df


# -- consultancies ------------------------------------------------------------------------------

FIGURES = ("energy_tce", "electricity_mwh", "water_t", "cod_t", "nh3n_t", "so2_t", "nox_t",
           "vocs_t", "particulates_t", "heavy_metals_kg", "hazwaste_t")
FINGERPRINT = ("title", "investment_wan", *FIGURES)


ACTIVE_STAGES = ("started", "reported", "evaluated")  # started, not yet accepted or failed
MILESTONE_NAMES = {"disclosure": "信息公开", "start": "启动审核", "report": "提交报告",
                   "evaluation": "评估", "acceptance": "验收"}


def firm_figures(status: pd.DataFrame) -> pd.DataFrame:
    """Per consultancy, from rounds with their clock status as of a date (rules.clock.
    derive_status: later dates already blanked): clients, rounds, evaluation and acceptance pass
    rates and mean scores, the share of clients overdue (all, and at each milestone), failed
    rounds and how many of them were listed again, and active rounds. Index consultancy_id."""
    df = status[status["consultancy_id"].notna()].copy()
    df["consultancy_id"] = df["consultancy_id"].astype("int64")
    evaluated = df["evaluation_date"].notna()
    accepted = df["acceptance_date"].notna()
    failed = df["evaluation_pass"].eq(False).fillna(False) | \
        df["acceptance_pass"].eq(False).fillna(False)
    late = df["days_overdue"].fillna(0) > 0
    g = df.assign(
        evaluated=evaluated, eval_passed=evaluated & df["evaluation_pass"].eq(True).fillna(False),
        eval_score=df["evaluation_score"].where(evaluated),
        accepted=accepted, acc_passed=accepted & df["acceptance_pass"].eq(True).fillna(False),
        acc_score=df["acceptance_score"].where(accepted),
        failed=failed, relisted=failed & df["later_round_listed"].fillna(False).astype(bool),
        active=df["stage"].isin(ACTIVE_STAGES),
        late_uscc=df["uscc"].where(late),
        **{f"late_{m}": df["uscc"].where(late & (df["next_milestone"] == m))
           for m in MILESTONE_NAMES},
    ).groupby("consultancy_id")
    out = pd.DataFrame({
        "clients": g["uscc"].nunique(), "rounds": g.size(),
        "evaluated": g["evaluated"].sum(), "eval_passed": g["eval_passed"].sum(),
        "eval_score": g["eval_score"].mean(),
        "accepted": g["accepted"].sum(), "acc_passed": g["acc_passed"].sum(),
        "acc_score": g["acc_score"].mean(),
        "failed": g["failed"].sum(), "relisted": g["relisted"].sum(),
        "active": g["active"].sum(), "late_clients": g["late_uscc"].nunique(),
        **{f"late_{m}": g[f"late_{m}"].nunique() for m in MILESTONE_NAMES},
    })
    out["eval_rate"] = out["eval_passed"] / out["evaluated"].where(out["evaluated"] > 0)
    out["acc_rate"] = out["acc_passed"] / out["accepted"].where(out["accepted"] > 0)
    out["late_share"] = out["late_clients"] / out["clients"].where(out["clients"] > 0)
    return out


def rank_score(eval_rate: pd.Series, acc_rate: pd.Series, overdue_share: pd.Series,
               rules: ExpertRules) -> pd.Series:
    """综合得分 0–100: weighted evaluation pass rate, acceptance pass rate and share of clients
    not overdue. A rate with no reviews yet counts as the province-neutral 0.5, so a new firm
    is neither rewarded nor punished for having nothing reviewed."""
    parts = (rules.rank_weight_evaluation * eval_rate.fillna(0.5)
             + rules.rank_weight_acceptance * acc_rate.fillna(0.5)
             + rules.rank_weight_on_time * (1 - overdue_share.fillna(0)))
    return (parts * 100).round(1)


RANK_DEFINITIONS = (
    "评估通过率 = 评估结论为通过（合格）的轮次 ÷ 已评估轮次；验收通过率同理。",
    "逾期客户占比 = 截至统计日有节点逾期的客户企业 ÷ 在本辖区的客户企业。",
    "综合得分 = 评估通过率 × {e:g} + 验收通过率 × {a:g} + （1 − 逾期客户占比）× {t:g}，"
    "再乘以 100；尚无验收的按 0.5 计；本辖区评估不足 {m} 轮的机构样本太少，不参加排名。",
    "每个在办项目人员 = 机构人员数 ÷ 在办审核轮次（已启动，尚未验收、也未评审不通过）。",
    "雷同方案：同一机构 {n} 家及以上客户的方案名称、投资额和各项减排量完全相同"
    "（只计报有减排量的方案）。",
)


def rank_definitions(rules: ExpertRules) -> list[str]:
    return [d.format(e=rules.rank_weight_evaluation, a=rules.rank_weight_acceptance,
                     t=rules.rank_weight_on_time, n=rules.copy_min_clients,
                     m=rules.rank_min_reviews)
            for d in RANK_DEFINITIONS]


# -- personal data (个人信息保护法) --------------------------------------------------------------

def mask_phone(phone: object) -> str:
    """13812345678 -> 138****5678; missing -> "—"."""
    s = "" if phone is None or phone != phone else str(phone).strip()
    if not s:
        return "—"
    return s[:3] + "****" + s[-4:] if len(s) >= 8 else "*" * len(s)


def mask_id(number: object) -> str:
    """An 18-character ID number keeps its first 6 and last 4 characters."""
    s = "" if number is None or number != number else str(number).strip()
    if not s:
        return "—"
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) > 10 else "*" * len(s)
