"""About 18 months of 督办 history before as_of: cases opened when a round missed a statutory
deadline or failed its evaluation, notices numbered in the order they were sent, most replies
on time, some late, a few returned for rework, most replied cases closed; the newest still open
(some waiting past their reply deadline, so 逾期未回复 shows)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from rules import cases as rc
from rules.calendar import add_working_days, extend_to_working_day
from rules.clock import add_months
from sample_data.common import Context

HISTORY_DAYS = 548  # about 18 months
OPEN_ODDS = {"逾期": 0.55, "未通过": 0.6}
MILESTONES = (("disclosure_date", 1, "信息公开"), ("start_date", 2, "启动审核"),
              ("report_date", 12, "提交审核报告"))


def _wd(d: dt.date, n: int) -> dt.date:
    return add_working_days(d, int(n), fallback=True)


def _items(rounds: pd.DataFrame, start: dt.date, as_of: dt.date) -> list[dict]:
    """Watch-list items that arose within the history window: (round, category, reason,
    statutory due date, day the item arose)."""
    out = []
    for r in rounds.itertuples():
        listing = r.listing_date
        for col, months, label in MILESTONES:
            due = extend_to_working_day(add_months(listing, months), fallback=True)
            done = getattr(r, col)
            done = done if isinstance(done, dt.date) else None
            arise = due + dt.timedelta(days=1)
            if start <= arise <= as_of - dt.timedelta(days=5) and (done is None or done > arise):
                out.append(dict(audit_id=r.audit_id, uscc=r.uscc, category="逾期",
                                label=label, due=due, arise=arise, done=done))
                break  # one case per round: its first missed deadline
        else:
            ev = r.evaluation_date if isinstance(r.evaluation_date, dt.date) else None
            if ev is not None and r.evaluation_pass is False and start <= ev <= as_of:
                out.append(dict(audit_id=r.audit_id, uscc=r.uscc, category="未通过",
                                label="评估", due=None, arise=ev, done=None))
    return out


def make_cases(ctx: Context, rounds: pd.DataFrame, ent: pd.DataFrame, province_name: str,
               demo_city: str) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """(case_document, supervision_case, case_step, doc_counter) rows."""
    rng = ctx.rng["cases"]
    as_of = ctx.as_of
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    names = dict(zip(ent["uscc"], ent["name"]))
    cities = dict(zip(ent["uscc"], ent["city_adcode"]))
    counties = dict(zip(ent["uscc"], ent["county_adcode"]))
    place = ctx.region_name
    items = sorted(_items(rounds, start, as_of), key=lambda i: (i["arise"], i["audit_id"]))
    province_office = rc.issuer_name("province", province_name)
    cases, steps = [], []
    for item in items:
        if rng.random() >= OPEN_ODDS[item["category"]]:
            continue
        opened = _wd(item["arise"], rng.integers(3, 25))
        if opened >= as_of or (item["done"] is not None and item["done"] <= opened):
            continue  # done before anyone acted: no case
        uscc = item["uscc"]
        city, county = place[cities[uscc]], place[counties[uscc]]
        by_city = cities[uscc] == demo_city and rng.random() < 0.5
        if by_city:
            actor, actor_name = "demo-city", f"演示市级用户（{city}生态环境局）"
            issuer = rc.issuer_name("city", city)
            kind, addressee = rc.addressee_choices("city", city, county, names[uscc])[
                int(rng.integers(0, 2))]
        else:
            actor, actor_name = "demo-province", f"演示省级用户（{province_office}）"
            issuer = province_office
            kind, addressee = rc.addressee_choices("province", city, county, names[uscc])[0]
        if item["category"] == "逾期":
            late = (opened - item["due"]).days
            reason = f"{item['label']}逾期 {late} 天"
        else:
            late, reason = None, "评估未通过，待整改后重新申请评估"
        case_id = len(cases) + 1
        case = dict(case_id=case_id, uscc=uscc, audit_id=int(item["audit_id"]),
                    category=item["category"], reason=reason, item_due=item["due"],
                    days_late=late, demand=rc.demand_text(item["category"]),
                    addressee_kind=kind, addressee=addressee,
                    contact=f"督办科 025-8{int(rng.integers(1000000, 9999999))}",
                    issuer=issuer, status=rc.DRAFT, doc_no=None, reply_due=None,
                    sent_date=None, replied_date=None, closed_date=None, version=1,
                    opened_by=actor, updated_by=actor)
        history = [(rc.OPEN_STEP, None, rc.DRAFT, opened, None, None)]
        sent = _wd(opened, rng.integers(1, 6))
        if sent <= as_of:
            due = rc.default_reply_due(sent, rc.CaseRules())
            history.append((rc.ISSUE, rc.DRAFT, rc.SENT, sent, due, None))
            case.update(status=rc.SENT, sent_date=sent, reply_due=due)
            status, waiting_since = rc.SENT, sent
            for _ in range(2):  # a reply, and after a return a second one
                u = rng.random()
                reply = (_wd(waiting_since, rng.integers(5, 15)) if u < 0.72
                         else _wd(due, rng.integers(3, 30)) if u < 0.9 else None)
                if reply is None or reply > as_of:
                    break
                history.append((rc.REPLY, status, rc.REPLIED, reply, None,
                                "已报送整改情况说明及证明材料"))
                case.update(status=rc.REPLIED, replied_date=reply)
                status = rc.REPLIED
                if rng.random() < 0.12 and len(history) < 5:
                    back = _wd(reply, rng.integers(2, 8))
                    if back > as_of:
                        break
                    due = rc.default_reply_due(back, rc.CaseRules())
                    history.append((rc.RETURN, rc.REPLIED, rc.RETURNED, back, due,
                                    "整改材料不全，请补充验收意见及方案实施凭证"))
                    case.update(status=rc.RETURNED, reply_due=due, replied_date=None)
                    status, waiting_since = rc.RETURNED, back
                    continue
                close = _wd(reply, rng.integers(5, 40))
                if close <= as_of and rng.random() < 0.85:
                    history.append((rc.CLOSE, rc.REPLIED, rc.CLOSED, close, None,
                                    "经核实已完成整改，予以办结"))
                    case.update(status=rc.CLOSED, closed_date=close)
                break
        for action, before, after, day, due, note in history:
            at = dt.datetime.combine(day, dt.time(1, 30)) + dt.timedelta(
                minutes=int(rng.integers(0, 480)))
            steps.append(dict(step_id=len(steps) + 1, case_id=case_id, action=action,
                              from_status=before, to_status=after, step_date=day,
                              reply_due=due, note=note, actor=actor, actor_name=actor_name,
                              at=at))
        case["opened_at"] = steps[-len(history)]["at"]
        case["updated_at"] = steps[-1]["at"]
        case["version"] = len(history)
        cases.append(case)
    # 文号 in the order the notices were sent, one sequence per year.
    counters: dict[int, int] = {}
    documents = []
    sent_at = {st["case_id"]: st["at"] for st in steps if st["action"] == rc.ISSUE}
    pattern = rc.CaseRules().doc_pattern
    for case in sorted((c for c in cases if c["sent_date"]), key=lambda c: (c["sent_date"],
                                                                            c["case_id"])):
        year = case["sent_date"].year
        counters[year] = counters.get(year, 0) + 1
        case["doc_no"] = rc.doc_no(pattern, ctx.province, year, counters[year])
        documents.append(dict(doc_no=case["doc_no"], kind=rc.NOTICE, issuer=case["issuer"],
                              addressee=case["addressee"], sent_date=case["sent_date"],
                              created_at=sent_at[case["case_id"]],
                              created_by=case["opened_by"]))
    key = rc.counter_key(pattern, ctx.province)
    counter_rows = [dict(counter_key=key, year=y, last_no=n) for y, n in sorted(counters.items())]
    columns = ["case_id", "uscc", "audit_id", "category", "reason", "item_due", "days_late",
               "demand", "addressee_kind", "addressee", "contact", "issuer", "status", "doc_no",
               "reply_due", "sent_date", "replied_date", "closed_date", "opened_at",
               "opened_by", "updated_at", "updated_by", "version"]
    return (sorted(documents, key=lambda d: d["doc_no"]),
            [{k: c[k] for k in columns} for c in cases], steps, counter_rows)

