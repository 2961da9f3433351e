"""Seeded one-line bugs (mutants) and the tests that must catch each.

    make mutants                          # every mutant, one after the other (~17 min)
    python -m tests.mutations a_park b_county   # some, by id
    python -m tests.mutations --list

Each mutant replaces one line of the code by a plausible mistake (a clause dropped, the wrong
column compared, a date boundary moved by a day, a rule switched off), runs only the tests
that guard that line (SQLite cases; the PostgreSQL ones share the same clauses), expects them
to fail, and puts the line back. A mutant that survives is a test missing. The five the issue
names come first. `make test` only checks that every mutant still applies
(tests/test_hardening_rules.py::test_every_mutant_still_applies): running them is this command.

Do not run it while editing the files it mutates: it rewrites them in place for a moment (each
is restored in a `finally`, and a leftover mutant is reported by `git diff`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCOPE = "tests/test_hardening_scope.py"
RULES = "tests/test_hardening_rules.py"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    original: str
    mutant: str
    tests: tuple[str, ...]  # pytest arguments: files and a -k expression


def scope(k: str) -> tuple[str, ...]:
    return (SCOPE, "-k", f"sqlite and ({k})")


def rules(k: str) -> tuple[str, ...]:
    return (RULES, "-k", k)


def places(k: str) -> tuple[str, ...]:
    return ("tests/test_intake_places.py", "-k", k)


def cases_q(k: str) -> tuple[str, ...]:
    return ("tests/test_cases_queries.py", "-k", f"sqlite and ({k})")


MUTANTS = [
    # ---- the five the issue names --------------------------------------------------------------
    Mutant("a_park_filter", "queries/scope.py",
           "            clauses.append(ent.c.park_id.in_(filters.parks))",
           "            pass", scope("enterprise_scope")),
    Mutant("b_county_city", "queries/parks.py",
           "        clause = P.c.county_adcode == scope.code",
           "        clause = P.c.city_adcode == scope.code", scope("park_scope")),
    Mutant("c_permit_letters", "rules/identifiers.py",
           '(?P<seq>[0-9]{3})', '(?P<seq>[0-9A-Z]{3})', rules("sequence")),
    Mutant("d_negative_decimal", "rules/intake.py",
           "        return _adapter(col.kind, col.low, col.high, col.max_len)"
           ".validate_python(value)",
           "        return _adapter(col.kind, None if col.kind == 'number' else col.low, "
           "col.high, col.max_len).validate_python(value)", places("negative")),
    Mutant("e_relisted_data_issue", "rules/watchlist.py",
           '    live = status[~status["later_round_listed"].astype(bool)]',
           "    live = status", rules("relisted or superseded")),
    # ---- their kin: every scope and filter clause -----------------------------------------------
    Mutant("scope_city_column", "queries/scope.py",
           "        return ent.c.city_adcode == scope.code",
           "        return ent.c.county_adcode == scope.code", scope("enterprise_scope")),
    Mutant("scope_county_column", "queries/scope.py",
           "        return ent.c.county_adcode == scope.code",
           "        return ent.c.city_adcode == scope.code", scope("enterprise_scope")),
    Mutant("scope_park_dropped", "queries/scope.py",
           "    return ent.c.park_id == int(scope.code)", "    return true()",
           scope("enterprise_scope")),
    Mutant("filter_city_dropped", "queries/scope.py",
           "            clauses.append(ent.c.city_adcode.in_(filters.cities))", "            pass",
           scope("enterprise_scope")),
    Mutant("filter_industry_dropped", "queries/scope.py",
           "            clauses.append(ent.c.industry_code.in_(filters.industries))",
           "            pass", scope("enterprise_scope")),
    Mutant("park_city_column", "queries/parks.py",
           "        clause = P.c.city_adcode == scope.code",
           "        clause = P.c.county_adcode == scope.code", scope("park_scope")),
    Mutant("park_scope_dropped", "queries/parks.py",
           "        clause = P.c.park_id == int(scope.code)", "        clause = true()",
           scope("park_scope")),
    Mutant("park_city_filter_dropped", "queries/parks.py",
           "            clause = and_(clause, P.c.city_adcode.in_(filters.cities))",
           "            pass", scope("park_scope")),
    Mutant("park_park_filter_dropped", "queries/parks.py",
           "            clause = and_(clause, P.c.park_id.in_(filters.parks))", "            pass",
           scope("park_scope")),
    Mutant("park_members_any_park", "queries/parks.py",
           "                        E.c.park_id.in_(select(P.c.park_id).where(park_where(scope, "
           "filters)))))",
           "                        E.c.park_id.isnot(None)))",
           (SCOPE, "-k", "sqlite and (park_members or registered_to_a_park)")),
    Mutant("park_credit_year", "queries/parks.py",
           "              .where(and_(in_parks, cr.c.year <= filters.as_of.year))",
           "              .where(and_(in_parks, cr.c.year < filters.as_of.year))",
           scope("latest_credit")),
    Mutant("park_clusters_scope", "queries/parks.py",
           '            .where(and_(CA.c.kind == "园区", park_where(scope, filters),',
           '            .where(and_(CA.c.kind == "园区",', scope("park_cluster_audits")),
    Mutant("park_clusters_started", "queries/parks.py",
           '                        CA.c.start_date <= filters.as_of))',
           '                        CA.c.start_date.is_not(None)))',
           ("tests/test_indicators_consistency.py", "-k", "not_started")),
    Mutant("overview_cases_city", "pages/overview.py",
           "qc.CaseFilters(cities=f.cities, statuses=rc.OPEN_SHOWN))",
           "qc.CaseFilters(statuses=rc.OPEN_SHOWN))",
           ("tests/test_cases_pages.py", "-k", "overview_counts")),
    Mutant("park_clusters_as_of", "queries/parks.py",
           '        df[f"{k}_date"] = d.where(d <= as_of)',
           '        df[f"{k}_date"] = d.where(d < as_of)', scope("park_cluster_audits")),
    Mutant("regions_city_counties", "queries/plan.py",
           "        return or_(reg.c.adcode == scope.code, reg.c.parent_adcode == scope.code)",
           "        return reg.c.adcode == scope.code", scope("regions_an_official")),
    Mutant("regions_county_column", "queries/plan.py",
           "        return reg.c.adcode == scope.code",
           "        return reg.c.parent_adcode == scope.code", scope("regions_an_official")),
    Mutant("regions_park_everything", "queries/plan.py",
           "    return false()  # a park viewer has no region of their own",
           "    return true()", scope("regions_an_official or plan_targets")),
    Mutant("targets_city_filter_dropped", "queries/plan.py",
           "        where = and_(where, or_(r.c.adcode.in_(filters.cities),",
           "        where = and_(where, or_(true(),", scope("plan_targets")),
    Mutant("targets_industry_filter_dropped", "queries/plan.py",
           "        where = and_(where, t.c.industry_code.in_(filters.industries))",
           "        pass", scope("plan_targets")),
    Mutant("clusters_start_boundary", "queries/plan.py",
           "            .where(c.c.start_date <= cap,", "            .where(c.c.start_date < cap,",
           scope("cluster_audits_of_a_report_year")),
    Mutant("clusters_members_scope", "queries/plan.py",
           "               .where(enterprise_where(scope, filters), r.c.cluster_id.isnot(None),",
           "               .where(r.c.cluster_id.isnot(None),",
           scope("cluster_audits_of_a_report_year")),
    Mutant("listed_as_of_boundary", "queries/plan.py",
           "    listed = (select(r.c.uscc).where(r.c.listing_date <= filters.as_of).distinct()",
           "    listed = (select(r.c.uscc).where(r.c.listing_date < filters.as_of).distinct()",
           scope("listed_enterprises")),
    Mutant("rounds_sql_as_of", "queries/audits.py",
           "    clause = and_(enterprise_where(scope, filters), R.c.listing_date <= filters.as_of)",
           "    clause = and_(enterprise_where(scope, filters), R.c.listing_date < filters.as_of)",
           scope("rounds_in_scope")),
    Mutant("rounds_sql_years", "queries/audits.py",
           "            .where(s.listing_batch.c.year.in_(filters.listing_years))))",
           "            .where(s.listing_batch.c.year.notin_(filters.listing_years))))",
           scope("rounds_in_scope or option_totals")),
    Mutant("rounds_frame_as_of", "queries/audits.py",
           '    keep = df["listing_date"] <= filters.as_of',
           '    keep = df["listing_date"] < filters.as_of', scope("rounds_in_scope")),
    Mutant("rounds_frame_years", "queries/audits.py",
           '        keep &= df["batch_year"].isin(filters.listing_years)', "        pass",
           scope("rounds_in_scope")),
    Mutant("status_years", "queries/audits.py",
           '        status = status[status["batch_year"].isin(filters.listing_years)]',
           "        pass", scope("rounds_with_status")),
    Mutant("options_implemented_boundary", "queries/audits.py",
           '    done = and_(o.c.status == "已实施", o.c.implemented_date <= as_of)',
           '    done = and_(o.c.status == "已实施", o.c.implemented_date < as_of)',
           scope("option_totals")),
    Mutant("record_profile_scope", "queries/enterprise.py",
           "            .where(and_(scope_where(scope), E.c.uscc == uscc)))",
           "            .where(E.c.uscc == uscc))", scope("record_only_within_scope")),
    Mutant("record_reads_scope", "queries/enterprise.py",
           "    return select(E.c.uscc).where(and_(scope_where(scope), E.c.uscc == uscc))",
           "    return select(E.c.uscc).where(E.c.uscc == uscc)",
           scope("each_read_of_a_record")),
    Mutant("record_rounds_as_of", "queries/enterprise.py",
           "            .where(and_(R.c.uscc.in_(_in_scope(scope, uscc)), R.c.listing_date <= "
           "as_of))",
           "            .where(and_(R.c.uscc.in_(_in_scope(scope, uscc)), R.c.listing_date < "
           "as_of))", scope("record_as_of")),
    Mutant("record_permits_as_of", "queries/enterprise.py",
           "s.permit.c.issue_date <= as_of))", "s.permit.c.issue_date < as_of))",
           scope("record_as_of")),
    Mutant("record_credit_year", "queries/enterprise.py",
           "s.credit_rating.c.year <= as_of.year))", "s.credit_rating.c.year < as_of.year))",
           scope("record_as_of")),
    Mutant("record_penalty_as_of", "queries/enterprise.py",
           "pen.c.decision_date <= as_of))", "pen.c.decision_date < as_of))",
           scope("record_as_of")),
    Mutant("watch_permits_as_of", "queries/supervision.py",
           "            .where(and_(enterprise_where(scope, filters), p.c.issue_date <= "
           "filters.as_of))",
           "            .where(and_(enterprise_where(scope, filters), p.c.issue_date < "
           "filters.as_of))", scope("permits_for_the_watch_list")),
    # ---- every validation rule -------------------------------------------------------------------
    Mutant("template_negative_all", "rules/intake_places.py",
           '             kind="int" if whole else "number", unit=unit, low=0,',
           '             kind="int" if whole else "number", unit=unit, low=-1,',
           places("negative")),
    Mutant("template_whole", "rules/intake.py",
           '            return _adapter("int", None, None, col.max_len).validate_python(value)',
           '            return _adapter("number", None, None, col.max_len).validate_python(value)',
           places("fractions")),
    Mutant("template_largest", "rules/intake_places.py",
           "             high=MAX_WHOLE if whole else MAX_DECIMAL, clearable=True,",
           "             high=(MAX_WHOLE if whole else MAX_DECIMAL) - 1, clearable=True,",
           places("largest")),
    Mutant("template_period_start", "queries/intake_places.py",
           "        if not first <= year <= last:", "        if not first < year <= last:",
           places("sqlite and year_within")),
    Mutant("template_period_end", "queries/intake_places.py",
           "        if not first <= year <= last:", "        if not first <= year < last:",
           places("sqlite and year_within")),
    Mutant("template_duplicates", "rules/intake.py",
           "            if r.key in seen:", "            if False:", places("duplicates")),
    Mutant("template_all_industries", "queries/intake.py",
           '    lookup["industry_or_all"] = {**lookup["industry"], _key(ALL_INDUSTRIES): "", '
           '_key("全部"): ""}',
           '    lookup["industry_or_all"] = {**lookup["industry"], _key(ALL_INDUSTRIES): ""}',
           places("sqlite and industry_by_name")),
    Mutant("targets_city_scope", "queries/intake.py",
           "        return adcode == scope.code or refs.county_city.get(adcode) == scope.code",
           "        return True", places("sqlite and a_city_imports_only_its_city")),
    Mutant("parks_city_scope", "queries/intake_places.py",
           "        return city == scope.code", "        return True",
           places("sqlite and a_city_creates_and_changes_only_its_parks")),
    Mutant("parks_county_in_city", "queries/intake_places.py",
           "        if refs.county_city.get(county) != city:", "        if False:",
           places("sqlite and parks_preview_categories_exact")),
    Mutant("clusters_city_scope", "queries/intake_places.py",
           '    return scope.level == "city" and city == scope.code', "    return True",
           places("sqlite and a_city_imports_only_its_clusters")),
    Mutant("clusters_members_leave", "queries/intake_places.py",
           "    for audit_id in sorted(wanted | current):", "    for audit_id in sorted(wanted):",
           places("sqlite and (clusters_preview or blank_cells_keep_the_cluster)")),
    Mutant("permit_last_letter", "rules/identifiers.py",
           '    if m["letter"] not in PERMIT_LETTERS.values():', "    if False:",
           rules("last_character")),
    Mutant("permit_owner", "rules/identifiers.py",
           '    if uscc is not None and m["uscc"] != str(uscc).strip().upper():',
           "    if False:", rules("first_eighteen")),
    Mutant("upload_rows_boundary", "rules/uploads.py",
           "    if count <= limits.max_rows + 1:", "    if count <= limits.max_rows:",
           ("tests/test_hardening_upload.py", "-k", "hiding")),
    Mutant("asof_upper_bound", "components/filters.py",
           "        elif not bounds[0] <= day <= bounds[1]:", "        elif not bounds[0] <= day:",
           ("tests/test_hardening_params.py", "-k", "boundaries")),
    Mutant("excel_formula_prefix", "components/export.py",
           'FORMULA_START = ("=", "+", "-", "@", "\\t", "\\r")',
           'FORMULA_START = ("=", "+", "@")',
           ("tests/test_hardening_markup.py", "-k", "numbers_stay")),
    # ---- 督办事项 (issue 17): every scope clause, the version check, the deadline rules --------
    Mutant("case_list_scope", "queries/cases.py",
           "    clauses = [scope_where(scope)]", "    clauses = [scope_where(Scope())]",
           cases_q("city_sees")),
    Mutant("case_detail_scope", "queries/cases.py",
           " " * 61 + "scope_where(scope))))", " " * 61 + "True)))",
           cases_q("city_sees")),
    Mutant("case_attachment_scope", "queries/cases.py",
           " " * 39 + "scope_where(scope)))).first()", " " * 39 + "True))).first()",
           cases_q("city_sees")),
    Mutant("case_open_scope", "queries/cases.py",
           " " * 56 + "scope_where(viewer.scope)))).scalar()", " " * 56 + "True))).scalar()",
           cases_q("city_sees")),
    Mutant("case_step_scope", "queries/cases.py",
           "            .where(and_(c.c.case_id == case_id, scope_where(viewer.scope)))",
           "            .where(and_(c.c.case_id == case_id))", cases_q("city_sees")),
    Mutant("case_batch_scope", "queries/cases.py",
           "            .where(and_(c.c.case_id.in_(ids), scope_where(viewer.scope)))",
           "            .where(and_(c.c.case_id.in_(ids)))", cases_q("batch_letter")),
    Mutant("case_batch_candidates_scope", "queries/cases.py",
           "        scope_where(scope), e.c.city_adcode == city_adcode, c.c.status == rc.DRAFT,",
           "        e.c.city_adcode == city_adcode, c.c.status == rc.DRAFT,",
           cases_q("candidates")),
    Mutant("case_document_scope", "queries/cases.py",
           " " * 64 + "scope_where(scope)))", " " * 64 + "True))",
           cases_q("batch_letter")),
    Mutant("case_enterprise_scope", "queries/cases.py",
           "            .where(and_(e.c.uscc == uscc, scope_where(scope)))).first()",
           "            .where(and_(e.c.uscc == uscc))).first()", cases_q("city_sees")),
    Mutant("case_version_check", "queries/cases.py",
           "    case_id = row.case_id\n    if row.version != version:",
           "    case_id = row.case_id\n    if False:", cases_q("second_writer")),
    Mutant("case_reply_due_past", "rules/cases.py",
           "    if due < today:", "    if due < today - dt.timedelta(days=1):",
           ("tests/test_cases_rules.py", "-k", "deadline_validation")),
    Mutant("bad_date_read_strictly", "queries/schema.py",
           '        if dialect.name != "sqlite":', "        if True:",
           ("tests/test_hardening_bad_dates.py",)),
    Mutant("bad_date_rounds_strict", "queries/audits.py",
           'format="ISO8601", errors="coerce")', 'format="ISO8601")',
           ("tests/test_hardening_bad_dates.py", "-k", "opens")),
    Mutant("bad_date_check_city_scope", "queries/quality.py",
           "                          .where(enterprise_where(scope, filters)))\n"
           "        for r in rows",
           "                          )\n        for r in rows",
           ("tests/test_hardening_bad_dates.py", "-k", "names_each")),
]


def apply(m: Mutant) -> str:
    """The file's text with the mutant in place (exactly one occurrence of the original)."""
    text = (ROOT / m.file).read_text(encoding="utf-8")
    if text.count(m.original) != 1:
        raise ValueError(f"{m.id}: the original line occurs {text.count(m.original)} times in "
                         f"{m.file}")
    return text.replace(m.original, m.mutant)


def run(m: Mutant, timeout: int = 600) -> tuple[str, float]:
    """'caught' (a test failed), 'SURVIVED' (all passed) or 'error …'; and the seconds taken."""
    path = ROOT / m.file
    original = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    try:
        path.write_text(apply(m), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                               "no:cacheprovider", *m.tests], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
    finally:
        path.write_text(original, encoding="utf-8")
    took = time.perf_counter() - started
    if done.returncode == 1:
        return "caught", took
    if done.returncode == 0:
        return "SURVIVED", took
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return f"error (pytest exit {done.returncode}: {tail[0][:80]})", took


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__.split(
        "\n\n")[0])
    p.add_argument("ids", nargs="*", help="mutants to run (default: all)")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = p.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.ids or m.id in args.ids]
    if args.list:
        for m in chosen:
            print(f"{m.id:32} {m.file}")
        return 0
    survivors = []
    for m in chosen:
        verdict, took = run(m)
        print(f"{m.id:32} {verdict:9} {took:5.1f} s  {m.file}", flush=True)
        if verdict != "caught":
            survivors.append(m.id)
    print(f"{len(chosen) - len(survivors)}/{len(chosen)} mutants caught"
          + (f"; not caught: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
