"""What needs action now (督办清单), built on the clock's status, plus the deadline facts the
enterprise record shows (milestones against due dates, permits, when the next audit is due).

The statutory clock itself (stage, due dates, days overdue, the reason in words) is
rules.clock.derive_status; this module only *selects* from it and adds what the clock does not
know: discharge permits that lapsed or are about to, deadlines coming up soon, and rounds whose
data must be checked. Every item says why it is on the list, and an item disappears as soon as
the data shows the action taken (a milestone date entered, a new round listed, a new permit).
Pure functions: no database, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from rules.calendar import cn_date, extension_note
from rules.clock import MILESTONE_LABELS, ClockRules, deadlines

PERMIT_WARN_DAYS = 90   # a permit expiring within this many days is flagged (许可证即将到期)
DUE_SOON_DAYS = 30      # a statutory deadline within this many days is flagged (即将到期)
# The re-audit's warning window is a clock rule (ClockRules.reaudit_warn_days, default 180).

# Categories of the watch list, most urgent first.
CATEGORIES = ("逾期", "未通过", "再审核逾期", "许可证过期", "即将到期", "再审核即将到期",
              "许可证即将到期", "数据待核实")
REAUDIT_MILESTONE = "再审核"  # the next audit, as a milestone row
_RANK = {c: i for i, c in enumerate(CATEGORIES)}

ITEM_COLUMNS = ("category", "audit_id", "uscc", "reason", "due_date", "days_overdue",
                "days_left")
_IN_PROGRESS = ("listed", "disclosed", "started", "reported")


def _empty_items() -> pd.DataFrame:
    return pd.DataFrame({"category": pd.Series(dtype=object),
                         "audit_id": pd.Series(dtype="Int64"), "uscc": pd.Series(dtype=object),
                         "reason": pd.Series(dtype=object),
                         "due_date": pd.Series(dtype="datetime64[s]"),
                         "days_overdue": pd.Series(dtype="int64"),
                         "days_left": pd.Series(dtype="Int64")})


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def _days(later: pd.Series, earlier: pd.Timestamp | pd.Series) -> pd.Series:
    return (later - earlier).dt.days


def _cn_dates(s: pd.Series) -> pd.Series:
    """Dates as 2024年2月18日 (text; empty where missing)."""
    return (s.dt.year.astype("Int64").astype(str) + "年" + s.dt.month.astype("Int64").astype(str)
            + "月" + s.dt.day.astype("Int64").astype(str) + "日").where(s.notna(), "")


def extension_notes(due: pd.Series, original: pd.Series) -> pd.Series:
    """Per row, why the clock's due date differs from the original one (原期限X遇…，依法顺延),
    None where they agree. Few distinct pairs: each note is written once."""
    moved = due.notna() & original.notna() & (due != original)
    out = pd.Series(None, index=due.index, dtype=object)
    if moved.any():
        pairs = pd.Series(list(zip(original[moved].dt.date, due[moved].dt.date)),
                          index=due.index[moved])
        notes = {p: extension_note(*p) for p in set(pairs)}
        out[moved] = pairs.map(notes)
    return out


def _moved(due: pd.Series, original: pd.Series) -> pd.Series:
    """'；' + the extension note where a deadline moved, else '' (to append to a reason)."""
    notes = extension_notes(due, original)
    return ("；" + notes).where(notes.notna(), "")


# --------------------------------------------------------------------------------------------
# Permits (排污许可证, valid 5 years; 登记 has no expiry)
# --------------------------------------------------------------------------------------------

def permit_states(permits: pd.DataFrame, as_of: date,
                  warn_days: int = PERMIT_WARN_DAYS) -> pd.DataFrame:
    """Each permit as of `as_of`: state 有效 / 即将到期 / 已过期 / 未生效 and days_left.

    The expiry date is the last valid day. A permit without expiry (a registration) stays valid.
    Input columns: permit_no, uscc, kind, issue_date, expiry_date.
    """
    df = permits.copy()
    today = _ts(as_of)
    issue = pd.to_datetime(df["issue_date"], errors="coerce")
    expiry = pd.to_datetime(df["expiry_date"], errors="coerce")
    left = _days(expiry, today)
    state = np.select(
        [issue > today, expiry.notna() & (left < 0), expiry.notna() & (left <= warn_days)],
        ["未生效", "已过期", "即将到期"], "有效")
    df["issue_date"], df["expiry_date"] = issue, expiry
    df["state"] = pd.Series(state, index=df.index, dtype=object)
    df["days_left"] = left.astype("Int64")
    return df


def permit_alerts(permits: pd.DataFrame, as_of: date,
                  warn_days: int = PERMIT_WARN_DAYS) -> pd.DataFrame:
    """One item per enterprise whose discharge permits need action as of `as_of`.

    - 许可证过期: every permit issued by `as_of` has expired (no valid one is left);
    - 许可证即将到期: the valid permit that lasts longest ends within `warn_days`.
    A newer permit (any site sequence) or a registration without expiry clears the item.
    Permits issued after `as_of` do not count yet.
    """
    states = permit_states(permits, as_of, warn_days)
    states = states[states["state"] != "未生效"]
    if states.empty:
        return _empty_items()
    states = states.astype({"permit_no": object, "uscc": object})
    today = _ts(as_of)
    valid = states["state"].isin(["有效", "即将到期"])
    # Enterprises with a valid permit that never expires (a registration) are covered.
    covered = set(states.loc[valid & states["expiry_date"].isna(), "uscc"])
    # The permit that lasts longest per enterprise, among valid ones and among all issued.
    by_expiry = states.sort_values(["uscc", "expiry_date", "permit_no"], na_position="first")
    last_valid = by_expiry[valid.loc[by_expiry.index]].groupby("uscc").tail(1)
    last_any = by_expiry.groupby("uscc").tail(1)

    expired = last_any[~last_any["uscc"].isin(set(last_valid["uscc"]) | covered)]
    days = (today - expired["expiry_date"]).dt.days.astype("int64")
    expired_items = pd.DataFrame({
        "category": "许可证过期", "uscc": expired["uscc"], "due_date": expired["expiry_date"],
        "days_overdue": days, "days_left": pd.Series(pd.NA, index=expired.index, dtype="Int64"),
        "reason": ("排污许可证 " + expired["permit_no"] + " 已于"
                   + _cn_dates(expired["expiry_date"]) + "到期，已过期 "
                   + days.astype(str) + " 天，无有效许可证")})
    soon = last_valid[~last_valid["uscc"].isin(covered)
                      & (last_valid["days_left"] <= warn_days)]
    left = soon["days_left"].astype("int64")
    soon_items = pd.DataFrame({
        "category": "许可证即将到期", "uscc": soon["uscc"], "due_date": soon["expiry_date"],
        "days_overdue": 0, "days_left": left.astype("Int64"),
        "reason": ("排污许可证 " + soon["permit_no"] + " 将于"
                   + _cn_dates(soon["expiry_date"]) + "到期（剩 "
                   + left.astype(str) + " 天）")})
    found = [f for f in (expired_items, soon_items) if not f.empty]
    if not found:
        return _empty_items()
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values("uscc", kind="stable").reset_index(drop=True)
    out["audit_id"] = pd.Series([pd.NA] * len(out), dtype="Int64")
    out["due_date"] = pd.to_datetime(out["due_date"])
    out["days_overdue"] = out["days_overdue"].astype("int64")
    out["reason"] = out["reason"].astype(object)
    return out[list(ITEM_COLUMNS)]


# --------------------------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------------------------

def reaudit_due(status: pd.DataFrame) -> pd.Series:
    """When each round's enterprise must be audited again: the clock's reaudit_due (the date the
    round passed acceptance, else evaluation, plus the re-audit period, moved off a rest day),
    for listing reasons under the re-audit rule. NaT where no re-audit deadline applies."""
    return status["reaudit_due"].astype("datetime64[s]")


def round_items(status: pd.DataFrame, as_of: date, rules: ClockRules,
                due_soon_days: int = DUE_SOON_DAYS) -> pd.DataFrame:
    """Watch-list items from the clock's status of rounds (rules.clock.derive_status output).

    A round superseded by a later round of the same enterprise (re-listed) needs no action: the
    later round carries the clock. Otherwise:
    - 逾期: a statutory milestone is overdue (the clock's reason, e.g. "启动审核逾期 45 天");
    - 未通过: evaluation failed (awaiting re-audit) or acceptance failed (awaiting rectification);
    - 再审核逾期: a 双有 enterprise's last audit passed more than the re-audit period ago;
    - 即将到期: the next statutory deadline falls within `due_soon_days` (today included);
    - 再审核即将到期: the re-audit falls due within rules.reaudit_warn_days (the due day
      included; the clock's reaudit_state "soon");
    - 数据待核实: the clock found the round's dates inconsistent (data_issue).
    Due dates are the clock's (moved off rest days); a moved one says so in the reason.
    """
    today = _ts(as_of)
    live = status[~status["later_round_listed"].astype(bool)]
    parts = []

    def take(mask, category, reason, due, overdue, left=None):
        sel = live[mask]
        parts.append(pd.DataFrame({
            "category": category, "audit_id": sel["audit_id"], "uscc": sel["uscc"],
            "reason": reason[mask] if isinstance(reason, pd.Series) else reason,
            "due_date": due[mask], "days_overdue": overdue[mask],
            "days_left": (left[mask] if left is not None
                          else pd.Series(pd.NA, index=sel.index, dtype="Int64")),
        }))

    days = live["days_overdue"].astype("int64")
    late = days > 0
    missed_due = today - pd.to_timedelta(days, unit="D")
    take(late, "逾期", live["reason"], missed_due.where(late), days)

    failed = live["stage"].isin(["evaluation_failed", "acceptance_failed"]) & live["reason"].notna()
    nat = pd.Series(pd.NaT, index=live.index, dtype="datetime64[s]")
    take(failed & ~late, "未通过", live["reason"], nat, days)

    # A lapsed re-audit (the clock's reason says so, with its days); its due date is shown too.
    re_due = reaudit_due(live)
    lapsed = (live["reaudit_state"] == "lapsed") & ~late & ~failed
    take(lapsed, "再审核逾期", live["reason"] + _moved(re_due, live["reaudit_due_original"]),
         re_due, _days(today, re_due).fillna(0).astype("int64"))

    left = _days(live["next_due"], today)
    soon = ~late & live["next_due"].notna() & (left >= 0) & (left <= due_soon_days)
    milestone = live["next_milestone"].map(MILESTONE_LABELS)
    soon_reason = (milestone + "将于" + _cn_dates(live["next_due"]) + "到期（剩 "
                   + left.astype("Int64").astype(str) + " 天"
                   + _moved(live["next_due"], live["next_due_original"]) + "）")
    take(soon, "即将到期", soon_reason, live["next_due"], days, left.astype("Int64"))

    re_left = _days(re_due, today)
    coming = live["reaudit_state"] == "soon"
    coming_reason = (live["listing_reason"] + "企业下一轮审核（再审核）应于" + _cn_dates(re_due)
                     + "前开展（剩 " + re_left.astype("Int64").astype(str) + " 天"
                     + _moved(re_due, live["reaudit_due_original"]) + "）")
    take(coming, "再审核即将到期", coming_reason, re_due, days, re_left.astype("Int64"))

    issue = live["data_issue"].notna()
    take(issue, "数据待核实", "数据待核实：" + live["data_issue"].fillna(""), nat, days)

    out = pd.concat(parts, ignore_index=True)
    out["audit_id"] = out["audit_id"].astype("Int64")
    out["days_overdue"] = out["days_overdue"].astype("int64")
    out["days_left"] = out["days_left"].astype("Int64")
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out[list(ITEM_COLUMNS)]


def watch_items(round_part: pd.DataFrame, permit_part: pd.DataFrame) -> pd.DataFrame:
    """Both kinds of items, most urgent first: by category, then days overdue (longest first),
    then the nearest due date."""
    frames = [f for f in (round_part, permit_part) if not f.empty]
    if not frames:
        return round_part.iloc[0:0].copy()
    out = pd.concat(frames, ignore_index=True)
    out["_rank"] = out["category"].map(_RANK)
    out = out.sort_values(["_rank", "days_overdue", "due_date", "uscc", "audit_id"],
                          ascending=[True, False, True, True, True], na_position="last",
                          kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# One round's milestones against their due dates, and the next audit
# --------------------------------------------------------------------------------------------

def _is_false(v) -> bool:
    return v is not None and not pd.isna(v) and not bool(v)


def milestone_rows(round_: Mapping, as_of: date, rules: ClockRules) -> list[dict]:
    """The milestones of one round (as the clock sees it on `as_of`) against their due dates.

    Each row: milestone label, due date (the clock's: moved off a rest day; None where the
    statutory clock sets none: evaluation without an evaluation deadline, or acceptance counted
    from an evaluation not yet held), `original` (the due date before the move, else None), `note`
    (why it moved), actual date, and the verdict in words: 按期完成 / 逾期 N 天完成 / 未到期 /
    已逾期 N 天 / 已完成 (no deadline) / 未进行. A round under the re-audit rule that passed ends
    with the next audit's row (REAUDIT_MILESTONE). Missing or out-of-order dates are shown as they
    are; the clock reports them as data issues.
    """
    today = _ts(as_of).date()

    def day(v):
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()

    listing = day(round_["listing_date"])
    batch = round_.get("batch_name")
    due = deadlines(listing, rules, report_date=day(round_.get("report_date")),
                    evaluation_date=day(round_.get("evaluation_date")),
                    batch=batch if isinstance(batch, str) else None)
    eval_failed = (day(round_.get("evaluation_date")) is not None
                   and _is_false(round_.get("evaluation_pass")))
    rows = [dict(milestone="列入名单", due=None, original=None, note=None, actual=listing,
                 verdict="—")]

    def row(label, deadline, original, actual, verdict):
        moved = original if original != deadline else None
        return dict(milestone=label, due=deadline, original=moved,
                    note=extension_note(moved, deadline) if moved else None, actual=actual,
                    verdict=verdict)

    for m in ("disclosure", "start", "report", "evaluation", "acceptance"):
        actual = day(round_.get(f"{m}_date"))
        original, deadline = due[m]
        if m == "acceptance" and eval_failed and actual is None:
            rows.append(row(MILESTONE_LABELS[m], None, None, None,
                            "不适用（评估未通过，应重新审核）"))
            continue
        if actual is not None:
            if deadline is None:
                verdict = "已完成"
            elif actual <= deadline:
                verdict = "按期完成"
            else:
                verdict = f"逾期 {(actual - deadline).days} 天完成"
            if m in ("evaluation", "acceptance"):
                passed = round_.get(f"{m}_pass")
                if passed is not None and not pd.isna(passed):
                    verdict += "（通过）" if bool(passed) else "（未通过）"
        elif deadline is None:
            verdict = "未进行"
        elif deadline < today:
            verdict = f"已逾期 {(today - deadline).days} 天"
        else:
            verdict = f"未到期（剩 {(deadline - today).days} 天）"
        rows.append(row(MILESTONE_LABELS[m], deadline, original, actual, verdict))

    re_due = day(round_.get("reaudit_due"))
    if re_due is not None:
        if bool(round_.get("later_round_listed")):
            verdict = "已列入下一轮审核"
        elif re_due < today:
            verdict = f"已逾期 {(today - re_due).days} 天"
        elif round_.get("reaudit_state") == "soon":
            verdict = f"即将到期（剩 {(re_due - today).days} 天）"
        else:
            verdict = f"未到期（剩 {(re_due - today).days} 天）"
        rows.append(row(REAUDIT_MILESTONE, re_due, day(round_.get("reaudit_due_original")),
                        None, verdict))
    return rows


def next_audit(status: pd.DataFrame, as_of: date, rules: ClockRules) -> tuple[date | None, str]:
    """When the enterprise must act next, from the clock's status of all its rounds.

    The latest round decides: in progress -> its next statutory deadline; failed -> re-audit or
    rectification; evaluation passed -> the acceptance deadline (and the re-audit date); accepted
    -> the re-audit deadline for listing reasons under the re-audit rule (with a warning inside
    the rules' window), otherwise no statutory re-audit date (a new listing restarts the clock).
    Dates are the clock's, moved off rest days.
    """
    if status.empty:
        return None, "未列入清洁生产审核名单"
    latest = status.sort_values("round_no").iloc[-1]
    stage, reason = latest["stage"], latest["listing_reason"]
    re_due = reaudit_due(status.loc[[latest.name]]).iloc[0]
    today = _ts(as_of)
    if stage == "evaluation_failed":
        return None, f"第{latest['round_no']}轮评估未通过，应重新开展审核"
    if stage == "acceptance_failed":
        return None, f"第{latest['round_no']}轮验收未通过，待整改后重新验收"
    if stage in _IN_PROGRESS:
        due = latest["next_due"]
        label = MILESTONE_LABELS.get(latest["next_milestone"], "")
        if pd.isna(due):
            return None, f"第{latest['round_no']}轮审核进行中"
        text = f"第{latest['round_no']}轮审核进行中：{label}应于{cn_date(due)}前完成"
        if due < today:
            text += f"（已逾期 {(today - due).days} 天）"
        return due.date(), text
    re_text = ""
    if pd.notna(re_due):
        re_text = f"{reason}企业下一轮审核（再审核）应于{cn_date(re_due)}前开展"
        if re_due < today:
            re_text += f"（已逾期 {(today - re_due).days} 天）"
        elif latest["reaudit_state"] == "soon":
            re_text += (f"（剩 {(re_due - today).days} 天，已进入提前"
                        f"{rules.reaudit_warn_days}天的提醒期）")
    if stage == "evaluated" and pd.notna(latest["next_due"]):
        due = latest["next_due"]
        text = f"第{latest['round_no']}轮评估通过，验收应于{cn_date(due)}前完成"
        if due < today:
            text += f"（已逾期 {(today - due).days} 天）"
        return due.date(), text + (f"；{re_text}" if re_text else "")
    if re_text:
        return re_due.date(), re_text
    if stage == "evaluated":
        return None, f"第{latest['round_no']}轮评估通过，待验收"
    return None, f"无法定再审核期限（列入原因：{reason}）；如再次列入名单将重新起算"
