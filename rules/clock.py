"""The statutory clock of an audit round and the status every page shows (domain.md §3, §4, §10).

Deadlines run in calendar months from the date the provincial list is published (listing_date),
or fall on fixed dates a province sets for a listing batch. A deadline whose last day is a rest
day moves to the next working day (民法典 Art. 203, the official calendar in rules/calendar.py).
Provinces differ, so the month counts, the acceptance basis, the batch dates, the optional
evaluation deadline and the re-audit warning window come from rules/clock_rules.toml.
`derive_status` is the single place that decides stage, deadlines, overdue days and reasons; it
is vectorised because pages run it on tens of thousands of rounds per render.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from rules.calendar import CalendarError, extend_to_working_days, load_calendar
from rules.vocab import LISTING_REASONS

# --------------------------------------------------------------------------------------------
# Rules (configuration)
# --------------------------------------------------------------------------------------------

MILESTONES = ("disclosure", "start", "report", "evaluation", "acceptance")
MILESTONE_LABELS = {"disclosure": "信息公开", "start": "启动审核", "report": "提交审核报告",
                    "evaluation": "评估", "acceptance": "验收"}
ACCEPTANCE_BASES = ("listing", "evaluation")
COMPLETION_MILESTONES = ("report", "evaluation", "acceptance")
_MONTH_KEYS = ("disclosure_months", "start_months", "report_months", "acceptance_months",
               "reaudit_months")
_MAX_MONTHS = 1200  # keeps date arithmetic far from datetime64 overflow
_MAX_WARN_DAYS = 3650
_BATCH_YEARS = (1990, 2100)  # a fixed date outside these years is a typing error
_BATCH_NAME_MAX = 64  # listing_batch.name is String(64)
DEFAULT_RULES_FILE = Path(__file__).with_name("clock_rules.toml")


class ClockRulesError(ValueError):
    """The clock configuration is unusable; the message (Chinese) names the offending key."""


@dataclass(frozen=True)
class ClockRules:
    disclosure_months: int = 1      # publish enterprise info within 1 month of listing
    start_months: int = 2           # start the audit within 2 months
    report_months: int = 12         # submit report / apply for evaluation within 12 months
    # Optional: the evaluation is due N months after the report was submitted (None: the
    # evaluation has no deadline of its own, as in most provinces).
    evaluation_months: int | None = None
    # "listing": acceptance due N months after listing (Liaoning, 24);
    # "evaluation": N months after the evaluation (Wuhan, 12).
    acceptance_basis: str = "listing"
    acceptance_months: int = 24
    reaudit_months: int = 60        # next audit at most 5 years after the previous one ...
    reaudit_reasons: tuple[str, ...] = ("双有",)  # ... for these listing reasons
    reaudit_warn_days: int = 180    # the watch list warns this many days before a re-audit is due
    # What counts as "audit completed" for plans/KPIs: "report" | "evaluation" (passed) |
    # "acceptance" (passed).
    completion_milestone: str = "evaluation"
    # 民法典 Art. 203: a deadline ending on a rest day ends on the next working day instead.
    extend_on_rest_days: bool = True
    # Fixed due dates per listing batch (Hebei style), by batch name (listing_batch.name):
    # ((name, ((milestone, date), ...)), ...), sorted; a mapping {name: {milestone: date}} is
    # accepted and normalised. A batch's date overrides the month count for that milestone.
    batches: tuple = ()

    def __post_init__(self) -> None:
        if isinstance(self.reaudit_reasons, list):  # TOML arrays arrive as lists
            object.__setattr__(self, "reaudit_reasons", tuple(self.reaudit_reasons))
        for f in fields(self):
            problem = _value_problem(f.name, getattr(self, f.name))
            if problem:
                raise ClockRulesError(problem)
        if isinstance(self.batches, Mapping):  # hashable and order-free, like the rest
            order = {m: i for i, m in enumerate(MILESTONES)}
            object.__setattr__(self, "batches", tuple(sorted(
                (str(name), tuple(sorted(dates.items(), key=lambda kv: order[kv[0]])))
                for name, dates in self.batches.items())))

    @property
    def batch_dates(self) -> dict[str, dict[str, date]]:
        """{batch name: {milestone: fixed due date}}."""
        return {name: dict(dates) for name, dates in self.batches}


def _batch_problem(value: object) -> str | None:
    """Why a `batches` table is not acceptable (Chinese), or None."""
    hint = ("batches 应为按批次名称分列的表，例如 [\"130000\".batches.\"2023年第一批\"] 下写 "
            "report = 2024-03-31（日期不加引号）")
    if isinstance(value, tuple):  # already normalised
        try:
            value = {name: dict(dates) for name, dates in value}
        except (TypeError, ValueError):
            return hint
    if not isinstance(value, Mapping):
        return f"{hint}，实际为 {value!r}"
    for name, dates in value.items():
        label = f"batches 中的批次“{name}”"
        if not isinstance(name, str) or not name.strip() or len(name) > _BATCH_NAME_MAX:
            return f"{label}：批次名称应为1–{_BATCH_NAME_MAX}个字符，与名单批次的名称一致"
        if not isinstance(dates, Mapping) or not dates:
            return f"{label} 应列出至少一个节点的应完成日期，如 report = 2024-03-31"
        for key, day in dates.items():
            if key not in MILESTONES:
                return (f"{label} 中有未知节点 {key}；可用的节点："
                        f"{'、'.join(f'{m}（{MILESTONE_LABELS[m]}）' for m in MILESTONES)}")
            if isinstance(day, datetime) or not isinstance(day, date):
                return (f"{label} 的 {key} 应为日期（不加引号，如 {key} = 2024-03-31），"
                        f"实际为 {day!r}")
            if not _BATCH_YEARS[0] <= day.year <= _BATCH_YEARS[1]:
                low, high = _BATCH_YEARS
                return f"{label} 的 {key} 日期 {day} 不在 {low}—{high} 年之间"
        given = [(m, dates[m]) for m in MILESTONES if m in dates]
        for (m1, d1), (m2, d2) in zip(given, given[1:]):
            if d2 < d1:
                return (f"{label} 的期限先后颠倒：{m2}（{MILESTONE_LABELS[m2]}，{d2}）早于 "
                        f"{m1}（{MILESTONE_LABELS[m1]}，{d1}）")
    return None


def _value_problem(key: str, value: object) -> str | None:
    """Why `value` is not acceptable for `key`, in Chinese; None when it is fine."""
    if key in _MONTH_KEYS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_MONTHS:
            return f"{key} 应为 0–{_MAX_MONTHS} 之间的整数（月数），实际为 {value!r}"
    elif key == "evaluation_months":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= _MAX_MONTHS):
            return (f"evaluation_months 应为 1–{_MAX_MONTHS} 之间的整数（提交审核报告后的月数）；"
                    f"不设评估期限时删去此项，实际为 {value!r}")
    elif key == "reaudit_warn_days":
        if (isinstance(value, bool) or not isinstance(value, int)
                or not 0 <= value <= _MAX_WARN_DAYS):
            return (f"reaudit_warn_days 应为 0–{_MAX_WARN_DAYS} 之间的整数（再审核到期前提前提醒的"
                    f"天数），实际为 {value!r}")
    elif key == "extend_on_rest_days":
        if not isinstance(value, bool):
            return (f"extend_on_rest_days 应为 true（期限最后一日遇法定休假日顺延至休假日后的第一个"
                    f"工作日）或 false（不顺延），实际为 {value!r}")
    elif key == "batches":
        return _batch_problem(value)
    elif key == "acceptance_basis":
        if value not in ACCEPTANCE_BASES:
            return (f"acceptance_basis 应为 \"listing\"（自列入名单起算）或 \"evaluation\""
                    f"（自评估起算），实际为 {value!r}")
    elif key == "completion_milestone":
        if value not in COMPLETION_MILESTONES:
            return (f"completion_milestone 应为 \"report\"（提交报告）、\"evaluation\"（评估通过）"
                    f"或 \"acceptance\"（验收通过），实际为 {value!r}")
    elif key == "reaudit_reasons":
        if not isinstance(value, (tuple, list)) or any(v not in LISTING_REASONS for v in value):
            return (f"reaudit_reasons 应为列入原因的列表，可选值：{'、'.join(LISTING_REASONS)}，"
                    f"实际为 {value!r}")
    return None


def load_clock_rules(province_adcode: str, path: str | Path | None = None) -> ClockRules:
    """Clock rules for a province: the file's [default] table overlaid with its ["<adcode>"] table.

    `path` defaults to env CLOCK_RULES_FILE, else the rules/clock_rules.toml shipped in the repo.
    A city or county adcode falls back to its province's table. Fixed batch dates (`batches`)
    belong to a province: batch names are that province's lists.
    """
    path = Path(path or os.environ.get("CLOCK_RULES_FILE") or DEFAULT_RULES_FILE)
    where = f"清洁生产审核时限配置文件 {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ClockRulesError(f"无法读取{where}：{e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ClockRulesError(f"{where} 不是有效的 TOML：{e}") from e

    known = {f.name for f in fields(ClockRules)}
    for section, table in data.items():
        is_province = len(section) == 6 and section.isdigit() and section.endswith("0000")
        if section != "default" and not is_province:
            raise ClockRulesError(f"{where} 中有未知的配置节 [{section}]：只允许 [default] 和"
                                  f"以6位省级行政区划代码命名的节，如 [\"420000\"]")
        if not isinstance(table, dict):
            raise ClockRulesError(f"{where} 中 {section} 应为一个配置节（表）")
        for key, value in table.items():
            if key not in known:
                raise ClockRulesError(f"{where} 的 [{section}] 中有未知配置项 {key}；"
                                      f"可用的配置项：{'、'.join(sorted(known))}")
            if key == "batches" and section == "default":
                raise ClockRulesError(f"{where} 的 [default] 中不能写 batches：固定期限按名单批次"
                                      f"设定，只能写在省份的节中，如 [\"130000\".batches]")
            problem = _value_problem(key, value)
            if problem:
                raise ClockRulesError(f"{where} 的 [{section}] 中：{problem}")

    province = data.get(str(province_adcode).strip()[:2] + "0000", {})
    rules = ClockRules(**{**data.get("default", {}), **province})
    try:  # the clock cannot run without the official calendar: say so with the rules
        load_calendar()
    except CalendarError as e:
        raise ClockRulesError(str(e)) from e
    return rules


def batch_dates_text(rules: ClockRules, name: str) -> str | None:
    """A batch's fixed due dates in words (信息公开 2021年4月30日；提交审核报告 2022年3月31日),
    or None when the rules fix none for it."""
    dates = rules.batch_dates.get(name)
    if not dates:
        return None
    return "；".join(f"{MILESTONE_LABELS[m]} {d.year}年{d.month}月{d.day}日"
                    for m, d in dates.items())


def batch_problems(rules: ClockRules, batches: pd.DataFrame) -> list[str]:
    """What is wrong with the rules' fixed batch dates against the database's listing batches
    (columns name, publish_date), in Chinese: a batch name the database does not hold (its dates
    would silently apply to nothing), a fixed date before the batch was published."""
    out = []
    published = dict(zip(batches["name"], pd.to_datetime(batches["publish_date"]).dt.date))
    for name, dates in rules.batch_dates.items():
        if name not in published:
            out.append(f"时限配置中为名单批次“{name}”设定了固定期限，但数据库中没有这一批次，"
                       f"该设定未起作用；请核对批次名称（应与“数据概况”中的批次名称一致）。")
            continue
        for m, day in dates.items():
            if day < published[name]:
                out.append(f"时限配置中名单批次“{name}”的{MILESTONE_LABELS[m]}期限 "
                           f"{day.year}年{day.month}月{day.day}日 早于该批次的公布日期，请核对。")
    return out


# --------------------------------------------------------------------------------------------
# Month arithmetic and due dates
# --------------------------------------------------------------------------------------------

_NAT = np.datetime64("NaT", "D")


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of datetime64[D] values, in integer arithmetic (H. Hinnant's algorithm;
    several times faster than numpy's datetime64[M] casts, which dominate a 50k-row render)."""
    z = days.astype(np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


def _from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146097 + doe - 719468).astype("datetime64[D]")


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _month_adder(days: np.ndarray):
    """add(n): datetime64[D] values plus n calendar months, clamped to month end (NaT stays NaT).
    The dates are decomposed once, since several deadlines count from the same date."""
    nat = np.isnat(days)
    year, month, day = _civil(np.where(nat, np.datetime64(0, "D"), days))
    months = year * 12 + month - 1

    def add(n: int) -> np.ndarray:
        y, m = np.divmod(months + n, 12)
        m += 1
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        last = _MONTH_DAYS[m - 1] + ((m == 2) & leap)
        return np.where(nat, _NAT, _from_civil(y, m, np.minimum(day, last)))

    return add


def _shift_months(days: np.ndarray, n: int) -> np.ndarray:
    return _month_adder(days)(n)


def _day(d: date | datetime | str) -> np.datetime64:
    ts = pd.Timestamp(d)
    if pd.isna(ts):
        raise ValueError(f"无效日期：{d!r}")
    return np.datetime64(ts.date(), "D")


def add_months(d: date, n: int) -> date:
    """Calendar months, clamped to month end: 2024-01-31 + 1 month = 2024-02-29."""
    return _shift_months(np.array([_day(d)]), n)[0].item()


def _deadline_arrays(listing: np.ndarray, report: np.ndarray, evaluation: np.ndarray,
                     batch: np.ndarray | None, rules: ClockRules) -> tuple[dict, dict]:
    """(original, due): datetime64[D] arrays per milestone, the one rule for both APIs.

    original: by the month counts, or the listing batch's fixed date where the rules give one;
    NaT where no deadline applies (no evaluation deadline configured, or one that counts from a
    report or evaluation not yet held). due: the original moved to the next working day when it
    falls on a rest day and the rules extend (民法典 Art. 203). `report` and `evaluation` are the
    dates those steps happened (NaT if not yet); `batch` the batch names (None: no batch known).
    """
    # Few distinct listing dates (one per batch): month arithmetic on those, then spread out.
    codes, listed_on = pd.factorize(listing, use_na_sentinel=False)
    from_listing = _month_adder(np.asarray(listed_on, dtype="datetime64[D]"))
    original = {
        "disclosure": from_listing(rules.disclosure_months)[codes],
        "start": from_listing(rules.start_months)[codes],
        "report": from_listing(rules.report_months)[codes],
        "evaluation": (_shift_months(report, rules.evaluation_months)
                       if rules.evaluation_months else np.full(len(listing), _NAT)),
        "acceptance": (from_listing(rules.acceptance_months)[codes]
                       if rules.acceptance_basis == "listing"
                       else _shift_months(evaluation, rules.acceptance_months)),
    }
    if rules.batches and batch is not None:
        batch_codes, names = pd.factorize(pd.Series(batch, dtype=object))
        index = {name: i for i, name in enumerate(names)}
        for name, dates in rules.batches:
            if name not in index:
                continue
            hit = batch_codes == index[name]
            for m, day in dates:
                original[m] = np.where(hit, np.datetime64(day, "D"), original[m])
    if not rules.extend_on_rest_days:
        return original, original
    return original, {m: _extend_distinct(v) for m, v in original.items()}


def _extend_distinct(days: np.ndarray) -> np.ndarray:
    """extend_to_working_days on the distinct values only (deadlines repeat across rounds)."""
    codes, distinct = pd.factorize(days, use_na_sentinel=False)
    return extend_to_working_days(np.asarray(distinct, dtype="datetime64[D]"))[codes]


def deadlines(listing_date: date, rules: ClockRules, *, report_date: date | None = None,
              evaluation_date: date | None = None, batch: str | None = None
              ) -> dict[str, tuple[date | None, date | None]]:
    """Deadlines of one round: {milestone: (original, due)} in MILESTONES order; `due` is the one
    that counts (moved off a rest day), `original` the date before that move. (None, None) where
    no deadline applies: evaluation without an evaluation deadline (or before the report),
    acceptance counted from an evaluation not yet held."""
    def one(d):
        return np.array([_NAT if d is None or pd.isna(d) else _day(d)])

    original, due = _deadline_arrays(one(listing_date), one(report_date), one(evaluation_date),
                                     None if batch is None else np.array([batch], dtype=object),
                                     rules)

    def plain(v):
        return None if np.isnat(v[0]) else v[0].item()

    return {m: (plain(original[m]), plain(due[m])) for m in MILESTONES}


def due_dates(listing_date: date, evaluation_date: date | None, rules: ClockRules, *,
              report_date: date | None = None, batch: str | None = None
              ) -> dict[str, date | None]:
    """The deadlines that count for one round (after any rest-day extension), by milestone.
    Evaluation is None without an evaluation deadline; acceptance is None when it counts from an
    evaluation not yet held."""
    return {m: pair[1] for m, pair in deadlines(
        listing_date, rules, report_date=report_date, evaluation_date=evaluation_date,
        batch=batch).items()}


def reaudit_dates(basis: np.ndarray, rules: ClockRules) -> tuple[np.ndarray, np.ndarray]:
    """(original, due) of the re-audit: `basis` (the date the last audit passed) plus
    rules.reaudit_months, and that date moved off a rest day when the rules extend."""
    # Few distinct dates (a few per working day of the years covered): compute those only.
    codes, distinct = pd.factorize(basis, use_na_sentinel=False)
    distinct = np.asarray(distinct, dtype="datetime64[D]")
    original = _shift_months(distinct, rules.reaudit_months)
    due = extend_to_working_days(original) if rules.extend_on_rest_days else original
    return original[codes], due[codes]


# --------------------------------------------------------------------------------------------
# Status of rounds
# --------------------------------------------------------------------------------------------

STAGES = ("listed", "disclosed", "started", "reported", "evaluation_failed", "evaluated",
          "acceptance_failed", "accepted")
STAGE_LABELS = {"listed": "已列入名单", "disclosed": "已信息公开", "started": "审核中",
                "reported": "已提交报告", "evaluation_failed": "评估未通过",
                "evaluated": "评估通过", "acceptance_failed": "验收未通过", "accepted": "验收通过"}
MAP_STATUSES = ("listed", "in_audit", "reported", "evaluated", "accepted", "overdue", "failed")
MAP_STATUS_LABELS = {"listed": "已列入", "in_audit": "审核中", "reported": "已提交报告",
                     "evaluated": "已评估", "accepted": "已验收", "overdue": "逾期",
                     "failed": "未通过"}
OVERDUE_BUCKETS = ("0–30天", "31–90天", ">90天")  # en dash; 0–30 holds 1..30 days

ROUND_COLUMNS = ("audit_id", "uscc", "round_no", "listing_date", "listing_reason",
                 "disclosure_date", "start_date", "report_date", "evaluation_date",
                 "evaluation_pass", "acceptance_date", "acceptance_pass")
STATUS_COLUMNS = ("stage", "stage_label", "next_milestone", "next_due", "next_due_original",
                  "days_overdue", "overdue_bucket", "reason", "map_status", "completed",
                  "completed_date", "data_issue", "later_round_listed", "reaudit_due",
                  "reaudit_due_original", "reaudit_state")
REAUDIT_STATES = ("soon", "lapsed")  # within the warning window; past the re-audit deadline

# Dates along the chain of one round, in order; index 0 is the listing.
_CHAIN = ("listing", "disclosure", "start", "report", "evaluation", "acceptance")
_DATE_NAMES = {"listing": "列入", "disclosure": "信息公开", "start": "启动", "report": "报告",
               "evaluation": "评估", "acceptance": "验收"}
_OVERDUE_NAMES = {"disclosure": "信息公开", "start": "启动审核", "report": "审核报告",
                  "evaluation": "评估", "acceptance": "验收"}
# Chain index of the furthest date implied by each stage code (failed results still happened).
_STAGE_REACH = np.array([0, 1, 2, 3, 4, 4, 5, 5])
(_LISTED, _DISCLOSED, _STARTED, _REPORTED, _EVAL_FAILED, _EVALUATED, _ACC_FAILED,
 _ACCEPTED) = range(8)


def _to_days(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of dates as datetime64[D] (NaT when empty), and where a value was unreadable."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if s.dtype.kind == "M":
        days = s.to_numpy().astype("datetime64[D]")
        return days, np.zeros(len(days), dtype=bool)
    try:
        parsed = pd.to_datetime(s, errors="coerce", format="ISO8601")
    except (TypeError, ValueError, OverflowError):  # mixed time zones and the like
        parsed = pd.to_datetime(s.map(_one_timestamp), errors="coerce")
    days = parsed.to_numpy().astype("datetime64[D]")
    # Unreadable = a value that is neither empty nor blank but did not parse; checked only where
    # parsing gave NaT, which keeps the common case fast.
    unreadable = np.isnat(days)
    if unreadable.any():
        empty = s[unreadable]
        unreadable[unreadable] = (empty.notna() & ~empty.isin([""])).to_numpy()
    return days, unreadable


def _one_timestamp(v: object) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(v)
        return ts.tz_localize(None) if ts.tzinfo else ts
    except (TypeError, ValueError, OverflowError):
        return pd.NaT


def _flag(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(is True, is False) of a nullable pass flag; anything else counts as no result."""
    if s.dtype == bool:
        yes = s.to_numpy()
        return yes, ~yes
    if isinstance(s.dtype, pd.BooleanDtype):
        yes = s.to_numpy(dtype=bool, na_value=False)
        return yes, s.notna().to_numpy() & ~yes
    return s.isin([True]).to_numpy(), s.isin([False]).to_numpy()  # object/float: 1.0 is True


def _pack(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Pack small non-negative int arrays into one int64 key (bit widths given)."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    shift = 0
    for values, width in parts:
        key |= values.astype(np.int64) << shift
        shift += width
    return key


def _unpack(key: int, widths: list[int]) -> list[int]:
    out = []
    for width in widths:
        out.append(key & ((1 << width) - 1))
        key >>= width
    return out


def _data_issues(raw: dict, known: dict, unreadable: dict, flags: dict) -> np.ndarray:
    """Chinese description of what is wrong with each round's data, or None."""
    n = len(raw["listing"])
    parts: list[tuple[np.ndarray, int]] = []
    # Unreadable dates: one bit per milestone.
    for k in _CHAIN[1:]:
        parts.append((unreadable[k], 1))
    # Order: disclosure vs listing; then each chain date vs the nearest earlier date present.
    parts.append((known["disclosure"] & (raw["disclosure"] < raw["listing"]), 1))
    prev, prev_idx = raw["listing"], np.zeros(n, dtype=np.int64)
    for i, k in enumerate(("start", "report", "evaluation", "acceptance"), start=1):
        bad = known[k] & (raw[k] < prev)
        parts.append((np.where(bad, prev_idx + 1, 0), 3))  # 0 = fine, else 1 + chain position
        prev = np.where(known[k], raw[k], prev)
        prev_idx = np.where(known[k], i, prev_idx)
    # Missing earlier dates while a later one is present (furthest by date, not by result).
    furthest = np.zeros(n, dtype=np.int64)
    for i, k in enumerate(_CHAIN[1:], start=1):
        furthest = np.where(known[k], i, furthest)
    for i, k in enumerate(_CHAIN[1:5], start=1):
        parts.append((~known[k] & (furthest > i), 1))
    parts.append((furthest, 3))
    # Results without dates, dates without results, and an acceptance after a failed evaluation.
    for k in ("evaluation", "acceptance"):
        has_flag = flags[k][0] | flags[k][1]
        parts.append((has_flag & np.isnat(raw[k]) & ~unreadable[k], 1))
        parts.append((known[k] & ~has_flag, 1))
    parts.append((known["evaluation"] & flags["evaluation"][1] & known["acceptance"], 1))

    widths = [w for _, w in parts]
    codes, keys = pd.factorize(_pack(parts))  # a handful of distinct combinations
    texts = np.array([_issue_text(_unpack(int(k), widths)) for k in keys], dtype=object)
    return texts[codes]


def _issue_text(v: list[int]) -> str | None:
    """Decode one packed data-issue key (layout of _data_issues) into Chinese text."""
    names = [_DATE_NAMES[k] for k in _CHAIN]
    msgs = [f"{names[i]}日期无法识别" for i in range(1, 6) if v[i - 1]]
    if v[5]:
        msgs.append("信息公开日期早于列入日期")
    chain = ("listing", "start", "report", "evaluation", "acceptance")
    for j, code in enumerate(v[6:10], start=1):
        if code:
            msgs.append(f"{_DATE_NAMES[chain[j]]}日期早于{_DATE_NAMES[chain[code - 1]]}日期")
    missing = [names[i] for i in range(1, 5) if v[9 + i]]
    if missing:
        msgs.append(f"缺少{'、'.join(missing)}日期但已有{names[v[14]]}日期")
    if v[15]:
        msgs.append("有评估结果但缺少评估日期")
    if v[16]:
        msgs.append("有评估日期但缺少评估结果")
    if v[17]:
        msgs.append("有验收结果但缺少验收日期")
    if v[18]:
        msgs.append("有验收日期但缺少验收结果")
    if v[19]:
        msgs.append("评估未通过但已有验收记录")
    return "；".join(msgs) or None


def _reaudit_text(reason: str, months: int, days: int) -> str:
    span = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    return f"{reason}企业距上轮审核已满{span}未再审核（再审核逾期 {days} 天）"


def _late_text(days: np.ndarray) -> str:
    """Each missed milestone with its days (one row of late_days), most days first; a tie
    keeps the order of the chain."""
    late = sorted((-int(d), i) for i, d in enumerate(days) if d > 0)
    return "；".join(f"{_OVERDUE_NAMES[MILESTONES[i]]}逾期 {-d} 天" for d, i in late)


def derive_status(rounds: pd.DataFrame, as_of: date, rules: ClockRules) -> pd.DataFrame:
    """Status of every round listed on or before `as_of`, seen as of that date.

    Returns a new frame (same index) of the rounds with listing_date <= as_of (an unreadable
    listing date drops the round): the input columns, with dates normalised to datetime64 and
    pass flags to nullable booleans, plus STATUS_COLUMNS. Anything dated after `as_of` is treated
    as not yet happened and is blanked in the output. A later milestone implies the earlier ones
    (the gap is reported in data_issue, not as overdue). Later rounds of the same enterprise are
    found in this frame (same uscc, higher round_no, listed by `as_of`). Bad data never raises;
    a missing column does (ValueError). A `batch_name` column (listing_batch.name) is needed
    when the rules fix dates per batch.

    next_milestone is the next statutory milestone (disclosure, start, report, evaluation where
    a deadline applies to it, acceptance) and next_due its deadline, moved off a rest day when the
    rules extend (next_due_original: before the move): NaT when acceptance counts from an
    evaluation not yet held, or after a failed acceptance; both empty when the round is over
    (accepted, or evaluation failed: the enterprise must be audited again). days_overdue counts
    from the earliest missed deadline; reason names every missed milestone, most days first.
    reaudit_due (and _original) is when the next audit is due for listing reasons under the
    re-audit rule, once the round passed; reaudit_state "soon" within the warning window (the due
    day included), "lapsed" after it, None otherwise or when a later round was listed.
    """
    missing = [c for c in ROUND_COLUMNS if c not in rounds.columns]
    if missing:  # a programming error, not bad data
        raise ValueError(f"derive_status 缺少列：{', '.join(missing)}")
    today = _day(as_of)

    listing, _ = _to_days(rounds["listing_date"])
    keep = listing <= today
    df = rounds.loc[keep]  # a new frame (copy-on-write)
    n = len(df)
    raw, unreadable, known = {"listing": listing[keep]}, {}, {}
    for k in _CHAIN[1:]:
        raw[k], unreadable[k] = _to_days(df[f"{k}_date"])
        known[k] = raw[k] <= today  # NaT compares False
    flags = {k: _flag(df[f"{k}_pass"]) for k in ("evaluation", "acceptance")}

    # Stage: the furthest milestone reached; a result counts only with its date known by as_of.
    # A date without a result still implies the step before it: an acceptance is only held
    # after a passed evaluation, an evaluation only after the report.
    e_pass, e_fail = (known["evaluation"] & f for f in flags["evaluation"])
    a_pass, a_fail = (known["acceptance"] & f for f in flags["acceptance"])
    stage = np.select(
        [a_pass, a_fail, e_pass, e_fail, known["acceptance"],
         known["evaluation"] | known["report"], known["start"], known["disclosure"]],
        [_ACCEPTED, _ACC_FAILED, _EVALUATED, _EVAL_FAILED, _EVALUATED, _REPORTED, _STARTED,
         _DISCLOSED], _LISTED).astype(np.int64)
    reach = _STAGE_REACH[stage]

    # Later rounds of the same enterprise listed by as_of supersede this one: a failed or overdue
    # enterprise is put on the next list, and the new round carries the clock from then on.
    enterprise, _ = pd.factorize(df["uscc"])  # missing uscc -> -1, never superseded
    round_no = pd.to_numeric(df["round_no"], errors="coerce").to_numpy(dtype=float)
    latest = np.full(enterprise.max(initial=-1) + 2, -np.inf)
    np.fmax.at(latest, enterprise + 1, round_no)
    later = (round_no < latest[enterprise + 1]) & (enterprise >= 0)

    # Deadlines. The evaluation deadline counts from the report and an acceptance deadline on
    # the evaluation basis from the evaluation, each only once that step has happened.
    batch = None
    if rules.batches:
        if "batch_name" not in df.columns:  # a programming error: fixed dates need the batch
            raise ValueError("derive_status 缺少列：batch_name（时限配置为名单批次设定了固定期限）")
        batch = df["batch_name"].to_numpy(dtype=object)
    original, due = _deadline_arrays(
        raw["listing"], np.where(known["report"], raw["report"], _NAT),
        np.where(known["evaluation"], raw["evaluation"], _NAT), batch, rules)
    # Statutory milestones still ahead. The evaluation only where a deadline applies to it;
    # after a failed evaluation the round is over (re-audit), after a failed acceptance it
    # awaits rectification.
    pending = {"disclosure": reach < 1, "start": reach < 2, "report": reach < 3,
               "evaluation": (reach < 4) & ~np.isnat(due["evaluation"]),
               "acceptance": (stage <= _EVALUATED) & (stage != _EVAL_FAILED)}
    pending = {m: p & ~later for m, p in pending.items()}
    ahead = [pending[m] for m in MILESTONES]
    next_idx = np.select(ahead + [(stage == _ACC_FAILED) & ~later],
                         list(range(len(MILESTONES))) + [MILESTONES.index("acceptance")], -1)
    next_due = np.select(ahead, [due[m] for m in MILESTONES], _NAT)
    next_original = np.select(ahead, [original[m] for m in MILESTONES], _NAT)
    # Every missed milestone with its days; days_overdue counts from the earliest missed
    # deadline, i.e. the largest of them.
    late_days = np.zeros((n, len(MILESTONES)), dtype=np.int64)
    for i, m in enumerate(MILESTONES):
        missed = pending[m] & (due[m] < today)  # NaT compares False
        late_days[missed, i] = (today - due[m][missed]).astype(np.int64)
    days = late_days.max(axis=1, initial=0)
    late = days > 0

    bucket = np.full(n, None, dtype=object)
    bucket[(days >= 1) & (days <= 30)] = OVERDUE_BUCKETS[0]
    bucket[(days >= 31) & (days <= 90)] = OVERDUE_BUCKETS[1]
    bucket[days > 90] = OVERDUE_BUCKETS[2]

    # Reasons needing action. Overdue and failed exclude each other (a failed round has no
    # deadline ahead); a lapsed re-audit can come on top of an overdue acceptance.
    reason = np.full(n, None, dtype=object)
    if late.any():
        # Few distinct combinations of late milestones and days: format each once.
        combos, inverse = np.unique(late_days[late], axis=0, return_inverse=True)
        texts = np.array([_late_text(row) for row in combos], dtype=object)
        reason[late] = texts[inverse.ravel()]
    reason[(stage == _EVAL_FAILED) & ~later] = "评估未通过，待重新审核"
    reason[(stage == _ACC_FAILED) & ~later] = "验收未通过，待整改"
    # Re-audit: for listing reasons under the rule, the round passed acceptance (or evaluation,
    # if never accepted); the next audit is due reaudit_months later. Lapsed when that day has
    # passed and no new round has been listed; within reaudit_warn_days of it, coming due.
    listed_for = df["listing_reason"].to_numpy(dtype=object)
    basis = np.select([stage == _ACCEPTED, stage == _EVALUATED],
                      [raw["acceptance"], raw["evaluation"]], _NAT)
    basis = np.where(np.isin(listed_for, list(rules.reaudit_reasons)), basis, _NAT)
    re_original, re_due = reaudit_dates(basis, rules)
    re_open = ~np.isnat(re_due) & ~later
    lapsed = re_open & (re_due < today)
    soon = re_open & ~lapsed & (re_due <= today + np.timedelta64(rules.reaudit_warn_days, "D"))
    if lapsed.any():
        re_days = (today - re_due[lapsed]).astype(np.int64)
        codes, pairs = pd.factorize(pd.Series(listed_for[lapsed].astype(str)) + "|"
                                    + re_days.astype(str))
        texts = np.array([_reaudit_text(r, rules.reaudit_months, int(d))
                          for r, d in (p.split("|") for p in pairs)], dtype=object)
        message = texts[codes]
        both = late[lapsed]
        reason[lapsed] = np.where(both, reason[lapsed].astype(str) + "；" + message, message)
    reaudit_state = np.select([lapsed, soon], ["lapsed", "soon"], "").astype(object)
    reaudit_state[reaudit_state == ""] = None

    map_status = np.select(
        [(stage == _EVAL_FAILED) | (stage == _ACC_FAILED), days > 0, stage == _ACCEPTED,
         stage == _EVALUATED, stage == _REPORTED, stage >= _DISCLOSED],
        ["failed", "overdue", "accepted", "evaluated", "reported", "in_audit"], "listed")

    # Completion; a missing milestone date is bounded by the next known later date.
    first_stage = {"report": _REPORTED, "evaluation": _EVALUATED, "acceptance": _ACCEPTED}
    chain_from = {"report": ("report", "evaluation", "acceptance"),
                  "evaluation": ("evaluation", "acceptance"), "acceptance": ("acceptance",)}
    completed = stage >= first_stage[rules.completion_milestone]  # stage codes are ordered
    steps = chain_from[rules.completion_milestone]
    completed_on = np.select([known[k] for k in steps], [raw[k] for k in steps], _NAT)
    completed_on = np.where(completed, completed_on, _NAT)

    # The round as it stood on as_of: later dates (and their results) are blanked, so a page
    # never shows a date the status ignores. A result without any date stays visible.
    df["listing_date"] = raw["listing"].astype("datetime64[s]")
    for k in _CHAIN[1:]:
        df[f"{k}_date"] = np.where(known[k], raw[k], _NAT).astype("datetime64[s]")
    for k in ("evaluation", "acceptance"):
        yes, no = flags[k]
        shown = known[k] | np.isnat(raw[k])
        df[f"{k}_pass"] = pd.arrays.BooleanArray(yes & shown, ~((yes | no) & shown))

    def text(values: np.ndarray) -> pd.Series:  # object dtype keeps None (pandas 3 infers str)
        return pd.Series(values, index=df.index, dtype=object)

    df["stage"] = text(np.array(STAGES, dtype=object)[stage])
    df["stage_label"] = text(np.array([STAGE_LABELS[s] for s in STAGES], dtype=object)[stage])
    df["next_milestone"] = text(np.array([*MILESTONES, None], dtype=object)[next_idx])
    df["next_due"] = next_due.astype("datetime64[s]")
    df["next_due_original"] = next_original.astype("datetime64[s]")
    df["days_overdue"] = days
    df["overdue_bucket"] = text(bucket)
    df["reason"] = text(reason)
    df["map_status"] = text(map_status.astype(object))
    df["completed"] = completed
    df["completed_date"] = completed_on.astype("datetime64[s]")
    df["data_issue"] = text(_data_issues(raw, known, unreadable, flags) if n else np.array([]))
    df["later_round_listed"] = later
    df["reaudit_due"] = re_due.astype("datetime64[s]")
    df["reaudit_due_original"] = re_original.astype("datetime64[s]")
    df["reaudit_state"] = text(reaudit_state)
    return df


def status_of(round: Mapping, as_of: date, rules: ClockRules) -> dict:
    """derive_status for one round given as a mapping (missing keys count as empty).

    Dates come back as datetime.date or None. A round not listed by `as_of` gets stage None.
    No other rounds are known, so a failed evaluation always reads as awaiting re-audit.
    """
    row = {c: None for c in ROUND_COLUMNS} | dict(round)
    frame = pd.DataFrame([row], columns=list(row)).astype(object)
    result = derive_status(frame, as_of, rules)
    if result.empty:
        return row | {c: None for c in STATUS_COLUMNS} | {
            "days_overdue": 0, "completed": False, "later_round_listed": False}
    return {k: _plain(v) for k, v in result.iloc[0].items()}


def _plain(v: object) -> object:
    """A frame cell as a plain Python value: date or None for dates, bool/int for numpy."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v.item() if isinstance(v, np.generic) else v
