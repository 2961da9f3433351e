"""Every validation rule on every column (issue: hardening, item 8): permit numbers (each part
of HJ 608's layout) and the watch list's rule that a re-listed round needs no action of any
kind. (The plan targets' columns are data intake's kind 计划目标, tested column by column in
tests/test_intake_places.py.) Each case fails when its rule is dropped or its boundary moved;
the seeded one-line bugs are in tests/mutations.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rules import watchlist as wl
from rules.clock import ROUND_COLUMNS, ClockRules, derive_status
from rules.identifiers import make_permit_no, make_uscc, permit_problem

# ---- permit numbers (HJ 608): each part of the layout -----------------------------------------

USCC = make_uscc("320111", "MA1AAA01")
PERMIT = make_permit_no(USCC, 1)


@pytest.mark.parametrize("position", [18, 19, 20])
@pytest.mark.parametrize("letter", ["A", "O", "Z"])
def test_the_sequence_is_three_digits(position, letter):
    forged = PERMIT[:position] + letter + PERMIT[position + 1:]
    assert permit_problem(forged) is not None, forged


@pytest.mark.parametrize("last, ok", [("P", True), ("W", True), ("Q", False), ("1", False)])
def test_the_last_character_is_p_or_w(last, ok):
    assert (permit_problem(PERMIT[:-1] + last) is None) is ok


def test_the_first_eighteen_characters_are_a_valid_uscc():
    broken = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert "前18位无效" in permit_problem(broken + "001P")
    assert permit_problem(PERMIT, USCC) is None
    other = make_uscc("320111", "MA1AAA02")
    assert "不一致" in permit_problem(PERMIT, other)
    assert permit_problem(PERMIT.lower(), USCC.lower()) is None  # written in lower case
    assert "22位" in permit_problem(PERMIT + "1") and "22位" in permit_problem(PERMIT[:-1])
    assert permit_problem("٠" * 22) is not None  # non-ASCII digits


# ---- the watch list: a re-listed round needs no action ----------------------------------------

D = dt.date.fromisoformat


def _rounds(*specs: dict) -> pd.DataFrame:
    rows = []
    for i, spec in enumerate(specs, start=1):
        row = {c: None for c in ROUND_COLUMNS}
        row.update(audit_id=i, uscc="U1", round_no=1, listing_date=D("2023-03-01"),
                   listing_reason="双超")
        row.update({k: D(v) if k.endswith("_date") and isinstance(v, str) else v
                    for k, v in spec.items()})
        rows.append(row)
    return pd.DataFrame(rows).astype(object)


def _items(as_of: str, *specs: dict) -> pd.DataFrame:
    status = derive_status(_rounds(*specs), D(as_of), ClockRules())
    return wl.round_items(status, D(as_of), ClockRules())


def test_a_relisted_round_with_a_data_issue_leaves_the_list():
    # round 1: report dated but no start date (a data issue); re-listed on 2024-03-01
    muddled = dict(disclosure_date="2023-03-10", report_date="2024-01-10")
    relisted = dict(round_no=2, listing_date="2024-03-01", relisted_from=1,
                    disclosure_date="2024-03-05", start_date="2024-03-20")
    before = _items("2024-02-29", muddled, relisted)
    assert before[["audit_id", "category"]].values.tolist() == [[1, "数据待核实"]]
    after = _items("2024-03-02", muddled, relisted)
    assert 1 not in set(after["audit_id"])  # the later round carries the clock
    assert "数据待核实" not in set(after["category"])


@pytest.mark.parametrize("spec, category", [
    (dict(disclosure_date="2023-03-10", start_date="2023-04-01"), "逾期"),
    (dict(disclosure_date="2023-03-10", start_date="2023-04-01", report_date="2023-12-01",
          evaluation_date="2024-01-10", evaluation_pass=False), "未通过"),
    (dict(disclosure_date="2023-03-10", report_date="2024-01-10"), "数据待核实"),
])
def test_no_item_of_any_kind_for_a_superseded_round(spec, category):
    alone = _items("2024-06-01", spec)
    assert category in set(alone["category"])
    relisted = dict(round_no=2, listing_date="2024-05-01", disclosure_date="2024-05-10",
                    start_date="2024-05-20")
    assert 1 not in set(_items("2024-06-01", spec, relisted)["audit_id"])


# ---- the seeded bugs of tests/mutations.py still apply -------------------------------------------

def test_every_mutant_still_applies():
    """`make mutants` runs them; here only that each original line is still in its file once
    (a refactor that moves a line must move its mutant too) and that every id is distinct."""
    from tests import mutations

    ids = [m.id for m in mutations.MUTANTS]
    assert len(ids) == len(set(ids))
    for m in mutations.MUTANTS:
        assert mutations.apply(m) != (mutations.ROOT / m.file).read_text(encoding="utf-8"), m.id
