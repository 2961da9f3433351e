"""The audit database: every table, key, constraint and index (SQLAlchemy Core; SQLite, PostgreSQL).

docs/schema.md documents each column (meaning, unit, allowed values); keep the two in step.
Coded columns are checked against rules.vocab so bad data cannot enter by any path.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)

from rules import cases, roles, vocab

metadata = MetaData()


class Day(TypeDecorator):
    """A calendar date (DATE). SQLite keeps dates as text, and a file edited by hand may hold
    text that is no date (2023年8月16日): such a value reads as no date instead of stopping every
    page that reads the table, and 数据质量 lists it (queries/quality.bad_dates)."""

    impl = Date
    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def read(value):
            if value is None or isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                return None
        return read


def _in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


def _nonneg(table: str, *columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"ck_{table}_{c}_nonneg")
            for c in columns]


def _result_matches(stage: str) -> list[CheckConstraint]:
    """A result word needs a date, and the normalised pass/fail must agree with the word."""
    passed = ", ".join(f"'{w}'" for w in vocab.PASS_WORDS)
    return [
        CheckConstraint(f"({stage}_date IS NULL) = ({stage}_pass IS NULL)",
                        name=f"ck_audit_{stage}_date_pass"),
        CheckConstraint(f"{stage}_result IS NULL OR ({stage}_date IS NOT NULL AND "
                        f"{stage}_pass = ({stage}_result IN ({passed})))",
                        name=f"ck_audit_{stage}_word"),
    ]


# Key/value facts about the loaded data: province, whether it is sample data, data version.
app_meta = Table(
    "app_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

region = Table(
    "region", metadata,
    Column("adcode", String(6), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("level", String(8), nullable=False),
    Column("parent_adcode", String(6), ForeignKey("region.adcode"), nullable=True),
    Column("lon", Float, nullable=True),  # label point (GCJ-02)
    Column("lat", Float, nullable=True),
    CheckConstraint("length(adcode) = 6", name="ck_region_adcode_len"),
    _in("level", vocab.REGION_LEVELS, "ck_region_level"),
    CheckConstraint("(level = '省') = (parent_adcode IS NULL)", name="ck_region_parent"),
)
Index("ix_region_parent", region.c.parent_adcode)

industry = Table(
    "industry", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("is_national", Boolean, nullable=False),  # one of the 13 national key industries
    Column("sort_order", Integer, nullable=False),
)

park = Table(
    "park", metadata,
    Column("park_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(128), nullable=False, unique=True),
    Column("level", String(8), nullable=False),
    Column("park_type", String(16), nullable=False),
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("county_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("boundary_geojson", Text, nullable=True),  # GeoJSON Polygon/MultiPolygon, GCJ-02
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    _in("level", vocab.PARK_LEVELS, "ck_park_level"),
    _in("park_type", vocab.PARK_TYPES, "ck_park_type"),
)
Index("ix_park_city", park.c.city_adcode)
Index("ix_park_county", park.c.county_adcode)

consultancy = Table(
    "consultancy", metadata,
    Column("consultancy_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(128), nullable=False, unique=True),
    Column("uscc", String(18), nullable=True, unique=True),
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=True),
    Column("staff_count", Integer, nullable=True),
    CheckConstraint("uscc IS NULL OR length(uscc) = 18", name="ck_consultancy_uscc_len"),
    Column("named_publicly", Boolean, nullable=False, server_default=text("false")),
    *_nonneg("consultancy", "staff_count"),
)

enterprise = Table(
    "enterprise", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("industry_code", String(32), ForeignKey("industry.code"), nullable=False),
    # city is the county's parent, kept on the row because every scoped read filters on it.
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("county_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("park_id", Integer, ForeignKey("park.park_id"), nullable=True),
    Column("lon", Float, nullable=True),  # GCJ-02
    Column("lat", Float, nullable=True),
    Column("scale", String(4), nullable=True),
    Column("permit_class", String(8), nullable=True),
    Column("address", String(256), nullable=True),
    CheckConstraint("length(uscc) = 18", name="ck_enterprise_uscc_len"),
    _in("scale", vocab.ENTERPRISE_SCALES, "ck_enterprise_scale"),
    _in("permit_class", vocab.PERMIT_CLASSES, "ck_enterprise_permit_class"),
    CheckConstraint("lon IS NULL OR (lon BETWEEN 73 AND 136)", name="ck_enterprise_lon"),
    CheckConstraint("lat IS NULL OR (lat BETWEEN 3 AND 54)", name="ck_enterprise_lat"),
)
Index("ix_enterprise_city", enterprise.c.city_adcode)
Index("ix_enterprise_county", enterprise.c.county_adcode)
Index("ix_enterprise_park", enterprise.c.park_id)
Index("ix_enterprise_industry", enterprise.c.industry_code)
Index("ix_enterprise_name", enterprise.c.name)

permit = Table(
    "permit", metadata,
    Column("permit_no", String(22), primary_key=True),
    Column("uscc", String(18), ForeignKey("enterprise.uscc"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("issue_date", Day, nullable=False),
    Column("expiry_date", Day, nullable=True),  # registrations (登记) may have none
    CheckConstraint("length(permit_no) = 22", name="ck_permit_no_len"),
    _in("kind", vocab.PERMIT_KINDS, "ck_permit_kind"),
    CheckConstraint("expiry_date IS NULL OR expiry_date > issue_date", name="ck_permit_dates"),
    CheckConstraint("substr(permit_no, 1, 18) = uscc", name="ck_permit_holder"),
    CheckConstraint("(kind = '许可证') = (substr(permit_no, 22, 1) = 'P')",
                    name="ck_permit_letter"),
)
Index("ix_permit_uscc", permit.c.uscc)

listing_batch = Table(
    "listing_batch", metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("publish_date", Day, nullable=False),
)

cluster_audit = Table(
    "cluster_audit", metadata,
    Column("cluster_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(4), nullable=False),
    Column("park_id", Integer, ForeignKey("park.park_id"), nullable=True),
    Column("industry_code", String(32), ForeignKey("industry.code"), nullable=True),
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("consultancy_id", Integer, ForeignKey("consultancy.consultancy_id"), nullable=True),
    Column("start_date", Day, nullable=True),
    Column("evaluation_date", Day, nullable=True),
    Column("evaluation_pass", Boolean, nullable=True),
    Column("acceptance_date", Day, nullable=True),
    Column("acceptance_pass", Boolean, nullable=True),
    _in("kind", vocab.CLUSTER_KINDS, "ck_cluster_kind"),
    CheckConstraint("(kind = '园区') = (park_id IS NOT NULL)", name="ck_cluster_park"),
    CheckConstraint("kind = '园区' OR industry_code IS NOT NULL", name="ck_cluster_industry"),
    CheckConstraint("(evaluation_date IS NULL) = (evaluation_pass IS NULL)",
                    name="ck_cluster_eval"),
    CheckConstraint("(acceptance_date IS NULL) = (acceptance_pass IS NULL)",
                    name="ck_cluster_acc"),
)

audit_round = Table(
    "audit_round", metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=False),
    Column("uscc", String(18), ForeignKey("enterprise.uscc"), nullable=False),
    Column("round_no", Integer, nullable=False),
    Column("batch_id", Integer, ForeignKey("listing_batch.batch_id"), nullable=False),
    Column("listing_date", Day, nullable=False),  # the statutory clock starts here
    Column("listing_reason", String(8), nullable=False),
    Column("audit_mode", String(8), nullable=False),
    Column("cluster_id", Integer, ForeignKey("cluster_audit.cluster_id"), nullable=True),
    Column("consultancy_id", Integer, ForeignKey("consultancy.consultancy_id"), nullable=True),
    Column("relisted_from", Integer, ForeignKey("audit_round.audit_id"), nullable=True),
    Column("disclosure_date", Day, nullable=True),
    Column("start_date", Day, nullable=True),
    Column("report_date", Day, nullable=True),
    Column("evaluation_date", Day, nullable=True),
    Column("evaluation_result", String(4), nullable=True),  # local wording
    Column("evaluation_pass", Boolean, nullable=True),  # normalised
    Column("evaluation_score", Float, nullable=True),
    Column("evaluation_veto", Boolean, nullable=True),  # 否定项 triggered
    Column("acceptance_date", Day, nullable=True),
    Column("acceptance_result", String(4), nullable=True),
    Column("acceptance_pass", Boolean, nullable=True),
    Column("acceptance_score", Float, nullable=True),
    Column("acceptance_veto", Boolean, nullable=True),
    Column("cp_level", String(4), nullable=True),
    UniqueConstraint("uscc", "round_no", name="uq_audit_round_no"),
    _in("listing_reason", vocab.LISTING_REASONS, "ck_audit_reason"),
    _in("audit_mode", vocab.AUDIT_MODES, "ck_audit_mode"),
    _in("evaluation_result", vocab.RESULT_WORDS, "ck_audit_eval_word"),
    _in("acceptance_result", vocab.RESULT_WORDS, "ck_audit_acc_word"),
    _in("cp_level", vocab.CP_LEVELS, "ck_audit_cp_level"),
    CheckConstraint("round_no >= 1", name="ck_audit_round_no"),
    CheckConstraint("(audit_mode = '单独审核') = (cluster_id IS NULL)", name="ck_audit_cluster"),
    *_result_matches("evaluation"),
    *_result_matches("acceptance"),
    CheckConstraint("relisted_from IS NULL OR relisted_from <> audit_id",
                    name="ck_audit_relisted_self"),
    CheckConstraint("evaluation_score IS NULL OR evaluation_score BETWEEN 0 AND 100",
                    name="ck_audit_eval_score"),
    CheckConstraint("acceptance_score IS NULL OR acceptance_score BETWEEN 0 AND 100",
                    name="ck_audit_acc_score"),
)
Index("ix_audit_uscc", audit_round.c.uscc)
Index("ix_audit_listing_date", audit_round.c.listing_date)
Index("ix_audit_batch", audit_round.c.batch_id)
Index("ix_audit_cluster", audit_round.c.cluster_id)
Index("ix_audit_consultancy", audit_round.c.consultancy_id)
Index("ix_audit_relisted", audit_round.c.relisted_from)

audit_option = Table(
    "audit_option", metadata,
    Column("option_id", Integer, primary_key=True, autoincrement=False),
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), nullable=False),
    Column("title", String(128), nullable=False),
    Column("cost_class", String(8), nullable=False),
    Column("category", String(16), nullable=False),
    Column("status", String(4), nullable=False),
    Column("investment_wan", Float, nullable=False),  # 万元
    Column("implemented_date", Day, nullable=True),
    Column("econ_benefit_wan", Float, nullable=True),  # 万元/年
    Column("energy_tce", Float, nullable=True),  # 吨标准煤/年
    Column("electricity_mwh", Float, nullable=True),  # 兆瓦时/年
    Column("water_t", Float, nullable=True),  # 吨/年
    Column("co2_t", Float, nullable=True),
    Column("cod_t", Float, nullable=True),
    Column("nh3n_t", Float, nullable=True),
    Column("so2_t", Float, nullable=True),
    Column("nox_t", Float, nullable=True),
    Column("vocs_t", Float, nullable=True),
    Column("particulates_t", Float, nullable=True),
    Column("heavy_metals_kg", Float, nullable=True),  # 千克/年
    Column("hazwaste_t", Float, nullable=True),  # reduction of generation, 吨/年
    _in("cost_class", vocab.COST_CLASSES, "ck_option_cost_class"),
    _in("category", vocab.OPTION_CATEGORIES, "ck_option_category"),
    _in("status", vocab.OPTION_STATUSES, "ck_option_status"),
    CheckConstraint("(status = '已实施') = (implemented_date IS NOT NULL)",
                    name="ck_option_implemented"),
    *_nonneg("option", "investment_wan", "energy_tce", "electricity_mwh", "water_t", "co2_t",
             "cod_t", "nh3n_t", "so2_t", "nox_t", "vocs_t", "particulates_t", "heavy_metals_kg",
             "hazwaste_t"),
)
Index("ix_option_audit", audit_option.c.audit_id)

# Per-audit totals of audit_option, rebuilt by queries/rollup.refresh after every load: the pages
# need totals per audit, and summing ~1.5 M option rows on every page view is too slow. Valid
# while app_meta.rollup_version equals app_meta.data_version; otherwise pages sum the options.
audit_outcome = Table(
    "audit_outcome", metadata,
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), primary_key=True,
           autoincrement=False),
    Column("low_cost_done", Integer, nullable=False),  # options implemented, by cost class
    Column("high_cost_done", Integer, nullable=False),
    Column("options_total", Integer, nullable=False),  # all options, whatever their status
    Column("high_cost_total", Integer, nullable=False),
    Column("last_done_date", Day, nullable=True),  # latest implemented_date of the audit
    Column("high_cost_last_done", Day, nullable=True),
    Column("investment_low_wan", Float, nullable=False),
    Column("investment_high_wan", Float, nullable=False),
    Column("no_figures_done", Integer, nullable=False),  # implemented, no outcome reported
    *[Column(col, Float, nullable=False) for col, _label, _unit in vocab.OUTCOME_COLUMNS],
)
Index("ix_outcome_last_done", audit_outcome.c.last_done_date)

# The same sums per audit and calendar year of implementation: an as-of date before an audit's
# last implementation (e.g. 31 December last year) adds up whole years from here instead of
# summing the audit's options again.
audit_outcome_year = Table(
    "audit_outcome_year", metadata,
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), primary_key=True,
           autoincrement=False),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_done_date", Day, nullable=False),  # latest implemented_date within the year
    *[Column(c.name, c.type, nullable=c.nullable) for c in audit_outcome.columns
      if c.name not in ("audit_id", "options_total", "high_cost_total", "last_done_date")],
)

expert = Table(
    "expert", metadata,
    Column("expert_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(32), nullable=False),
    Column("industry_code", String(32), ForeignKey("industry.code"), nullable=False),
    Column("organisation", String(128), nullable=True),
    Column("title", String(32), nullable=True),
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=True),
    Column("admitted_date", Day, nullable=False),
    Column("status", String(4), nullable=False),
    Column("score", Integer, nullable=False),  # 记分考核: points left, deducted for faults
    CheckConstraint("score BETWEEN 0 AND 100", name="ck_expert_score"),
    _in("status", vocab.EXPERT_STATUSES, "ck_expert_status"),
)

panel_assignment = Table(
    "panel_assignment", metadata,
    Column("assignment_id", Integer, primary_key=True, autoincrement=False),
    Column("expert_id", Integer, ForeignKey("expert.expert_id"), nullable=False),
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), nullable=True),
    Column("cluster_id", Integer, ForeignKey("cluster_audit.cluster_id"), nullable=True),
    Column("stage", String(4), nullable=False),
    Column("role", String(4), nullable=False),
    _in("stage", vocab.PANEL_STAGES, "ck_panel_stage"),
    _in("role", vocab.PANEL_ROLES, "ck_panel_role"),
    CheckConstraint("(audit_id IS NULL) <> (cluster_id IS NULL)", name="ck_panel_target"),
)
# One seat per expert, target and stage (two partial indexes: one of audit_id/cluster_id is NULL).
Index("uq_panel_audit_seat", panel_assignment.c.audit_id, panel_assignment.c.stage,
      panel_assignment.c.expert_id, unique=True,
      sqlite_where=panel_assignment.c.audit_id.isnot(None),
      postgresql_where=panel_assignment.c.audit_id.isnot(None))
Index("uq_panel_cluster_seat", panel_assignment.c.cluster_id, panel_assignment.c.stage,
      panel_assignment.c.expert_id, unique=True,
      sqlite_where=panel_assignment.c.cluster_id.isnot(None),
      postgresql_where=panel_assignment.c.cluster_id.isnot(None))
Index("ix_panel_expert", panel_assignment.c.expert_id)

plan_period = Table(
    "plan_period", metadata,
    Column("period_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False, unique=True),
    Column("start_year", Integer, nullable=False),
    Column("end_year", Integer, nullable=False),
    CheckConstraint("end_year >= start_year", name="ck_period_years"),
)

# One row per period x year x region (province, city or county) x industry (NULL = all industries).
plan_target = Table(
    "plan_target", metadata,
    Column("target_id", Integer, primary_key=True, autoincrement=False),
    Column("period_id", Integer, ForeignKey("plan_period.period_id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("region_adcode", String(6), ForeignKey("region.adcode"), nullable=False),
    Column("industry_code", String(32), ForeignKey("industry.code"), nullable=True),
    Column("audits_listed", Integer, nullable=True),
    Column("audits_completed", Integer, nullable=True),
    Column("evaluations_passed", Integer, nullable=True),
    Column("acceptances", Integer, nullable=True),
    Column("energy_tce", Float, nullable=True),
    Column("cod_t", Float, nullable=True),
    Column("nh3n_t", Float, nullable=True),
    Column("so2_t", Float, nullable=True),
    Column("nox_t", Float, nullable=True),
    Column("vocs_t", Float, nullable=True),
    *_nonneg("target", "audits_listed", "audits_completed", "evaluations_passed", "acceptances",
             "energy_tce", "cod_t", "nh3n_t", "so2_t", "nox_t", "vocs_t"),
)
Index("uq_target_industry", plan_target.c.period_id, plan_target.c.year,
      plan_target.c.region_adcode, plan_target.c.industry_code, unique=True,
      sqlite_where=plan_target.c.industry_code.isnot(None),
      postgresql_where=plan_target.c.industry_code.isnot(None))
Index("uq_target_all", plan_target.c.period_id, plan_target.c.year, plan_target.c.region_adcode,
      unique=True, sqlite_where=plan_target.c.industry_code.is_(None),
      postgresql_where=plan_target.c.industry_code.is_(None))

credit_rating = Table(
    "credit_rating", metadata,
    Column("uscc", String(18), ForeignKey("enterprise.uscc"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("grade", String(8), nullable=False),
    _in("grade", vocab.CREDIT_GRADES, "ck_credit_grade"),
)

penalty = Table(
    "penalty", metadata,
    Column("penalty_id", Integer, primary_key=True, autoincrement=False),
    Column("uscc", String(18), ForeignKey("enterprise.uscc"), nullable=False),
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), nullable=True),
    Column("decision_date", Day, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_yuan", Float, nullable=True),
    Column("authority", String(64), nullable=True),
    Column("published_credit_china", Boolean, nullable=False),
    Column("description", Text, nullable=True),
    _in("kind", vocab.PENALTY_KINDS, "ck_penalty_kind"),
    *_nonneg("penalty", "amount_yuan"),
)
Index("ix_penalty_uscc", penalty.c.uscc)
Index("ix_penalty_audit", penalty.c.audit_id)

# -- experts, training and publication (issue 18; migration 0003_experts) ----------------------

# 记分考核: one row per deduction; the points left in a year are the base (rules/
# expert_rules.toml) minus that calendar year's deductions. expert.score is the figure as last
# reported by the province; the page computes its own from these rows.
expert_deduction = Table(
    "expert_deduction", metadata,
    Column("deduction_id", Integer, primary_key=True, autoincrement=False),
    Column("expert_id", Integer, ForeignKey("expert.expert_id"), nullable=False),
    Column("event_date", Day, nullable=False),
    Column("reason", String(128), nullable=False),
    Column("points", Integer, nullable=False),
    CheckConstraint("points > 0", name="ck_deduction_points"),
)
Index("ix_deduction_expert", expert_deduction.c.expert_id)

# Personal data (个人信息保护法) apart from the expert row, so reads that do not need it never
# touch it; shown in full only to province-level users.
expert_contact = Table(
    "expert_contact", metadata,
    Column("expert_id", Integer, ForeignKey("expert.expert_id"), primary_key=True,
           autoincrement=False),
    Column("phone", String(20), nullable=True),
    Column("id_number", String(18), nullable=True),
)

# When a penalty was published (penalty.published_credit_china says whether).
penalty_publication = Table(
    "penalty_publication", metadata,
    Column("penalty_id", Integer, ForeignKey("penalty.penalty_id"), primary_key=True,
           autoincrement=False),
    Column("published_date", Day, nullable=False),
    Column("channel", String(32), nullable=False),
)

# 年度培训计划 (§五) per audience, and the sessions held.
training_plan = Table(
    "training_plan", metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("audience", String(8), primary_key=True),
    Column("sessions_planned", Integer, nullable=False),
    Column("attendees_planned", Integer, nullable=False),
    _in("audience", vocab.TRAINING_AUDIENCES, "ck_training_plan_audience"),
    *_nonneg("training_plan", "sessions_planned", "attendees_planned"),
)

training_session = Table(
    "training_session", metadata,
    Column("session_id", Integer, primary_key=True, autoincrement=False),
    Column("session_date", Day, nullable=False),
    Column("title", String(128), nullable=False),
    Column("audience", String(8), nullable=False),
    Column("attendees", Integer, nullable=False),
    Column("city_adcode", String(6), ForeignKey("region.adcode"), nullable=True),  # NULL: 省级
    _in("audience", vocab.TRAINING_AUDIENCES, "ck_training_session_audience"),
    *_nonneg("training_session", "attendees"),
)
Index("ix_training_session_date", training_session.c.session_date)


# -- data intake (数据导入): each import, and the values it replaced, so it can be undone --------

IMPORT_STATUSES = ("有效", "已撤销")
CHANGE_ACTIONS = ("新增", "修改", "删除")  # 删除: a panel seat the import removed

import_batch = Table(
    "import_batch", metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # rules.intake.KINDS code
    Column("file_name", String(256), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),  # UTC
    Column("account_id", Integer, nullable=True),  # no key: the record outlives the account
    Column("username", String(64), nullable=False),
    Column("scope_level", String(8), nullable=False),  # the importer's jurisdiction
    Column("scope_code", String(16), nullable=True),
    Column("scope_name", String(128), nullable=True),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("status", String(4), nullable=False),
    Column("undone_at", DateTime, nullable=True),
    Column("undone_by", String(64), nullable=True),
    _in("status", IMPORT_STATUSES, "ck_import_status"),
    _in("scope_level", ("province", "city", "county", "park"), "ck_import_scope_level"),
    CheckConstraint("(status = '已撤销') = (undone_at IS NOT NULL)", name="ck_import_undone"),
    *_nonneg("import", "inserted", "updated", "unchanged"),
)
Index("ix_import_created", import_batch.c.created_at)

# One row per record an import wrote: which record (table + key), the stored values it replaced
# (JSON, only the columns it changed; NULL for a record it created) and the values it wrote.
import_change = Table(
    "import_change", metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id"), nullable=False),
    Column("table_name", String(32), nullable=False),
    Column("row_key", String(64), nullable=False),  # uscc, or audit_id as text
    Column("action", String(4), nullable=False),
    Column("before_json", Text, nullable=True),
    Column("after_json", Text, nullable=False),
    _in("action", CHANGE_ACTIONS, "ck_change_action"),
    CheckConstraint("(action = '新增') = (before_json IS NULL)", name="ck_change_before"),
)
Index("ix_change_batch", import_change.c.batch_id)
Index("ix_change_row", import_change.c.table_name, import_change.c.row_key)

# 数据质量 over time: after each import and each undo, in the same transaction, the open problems
# of the quality checks (queries/quality.CHECKS) in every county of the province, one row per
# county and check with problems, and one 合计 row per county (also when 0). A jurisdiction's
# count after an event is the sum over its counties; history cannot be recomputed from the
# records, which the imports overwrote.
QUALITY_EVENTS = ("导入", "撤销")
quality_snapshot = Table(
    "quality_snapshot", metadata,
    Column("snapshot_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # UTC, the import's or the undo's time
    Column("batch_id", Integer, ForeignKey("import_batch.batch_id"), nullable=False),
    Column("event", String(4), nullable=False),
    Column("county_adcode", String(6), nullable=False),
    Column("check_name", String(32), nullable=False),  # a quality check, or 合计
    Column("problems", Integer, nullable=False),
    _in("event", QUALITY_EVENTS, "ck_quality_event"),
    *_nonneg("quality", "problems"),
)
Index("ix_quality_at", quality_snapshot.c.at)
Index("ix_quality_batch", quality_snapshot.c.batch_id)


# -- accounts, sessions and the audit log (等保 2.0) ------------------------------------------
# Times are UTC without a zone (what both databases store alike); pages show Beijing time.

ACCOUNT_STATUSES = ("启用", "停用")
SESSION_KINDS = ("本地账号", "统一认证")
LOG_OUTCOMES = ("成功", "失败", "拒绝")
_admin_roles = ", ".join(f"'{r}'" for r in roles.ADMIN_ROLES)

account = Table(
    "account", metadata,
    Column("account_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("unit", String(128), nullable=True),  # 单位
    Column("role", String(16), nullable=False),
    Column("scope_level", String(8), nullable=True),  # NULL for administrators
    Column("scope_code", String(16), nullable=True),  # adcode, or park_id as text
    Column("status", String(4), nullable=False),
    Column("password_hash", Text, nullable=True),  # argon2id; NULL = unified sign-in only
    Column("oidc_subject", String(128), nullable=True, unique=True),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime, nullable=True),
    Column("last_sign_in", DateTime, nullable=True),
    Column("must_change_password", Boolean, nullable=False, server_default=text("true")),
    Column("password_changed", DateTime, nullable=True),
    Column("is_demo", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64), nullable=True),
    # Bumped by every change: a second administrator editing the same account at once is told,
    # instead of silently overwriting the first one's change.
    Column("version", Integer, nullable=False, server_default=text("1")),
    _in("role", tuple(roles.ROLES), "ck_account_role"),
    _in("scope_level", ("province", "city", "county", "park"), "ck_account_scope_level"),
    _in("status", ACCOUNT_STATUSES, "ck_account_status"),
    CheckConstraint(f"(role IN ({_admin_roles})) = (scope_level IS NULL)",
                    name="ck_account_admin_scope"),
    CheckConstraint("(scope_level IS NULL OR scope_level = 'province') = (scope_code IS NULL)",
                    name="ck_account_scope_code"),
    CheckConstraint("failed_attempts >= 0", name="ck_account_failed_nonneg"),
)

user_session = Table(
    "user_session", metadata,
    Column("session_key", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("account_id", Integer, ForeignKey("account.account_id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ip", String(64), nullable=True),
    Column("ended_at", DateTime, nullable=True),
    Column("end_reason", String(16), nullable=True),
    _in("kind", SESSION_KINDS, "ck_session_kind"),
    CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ck_session_end"),
)
Index("ix_session_account", user_session.c.account_id)


def _log_columns(numbered: bool) -> list[Column]:
    return [
        Column("log_id", Integer, primary_key=True, autoincrement=numbered),
        Column("at", DateTime, nullable=False),
        Column("account_id", Integer, nullable=True),  # no key: the log outlives any change
        Column("username", String(64), nullable=False),  # as typed, for failed sign-ins
        Column("role", String(16), nullable=True),
        Column("action", String(32), nullable=False),
        Column("outcome", String(4), nullable=False),
        Column("target", String(256), nullable=True),  # account, document, file
        Column("scope", String(128), nullable=True),  # the jurisdiction acted in
        Column("detail", Text, nullable=True),
        Column("ip", String(64), nullable=True),
    ]


# 操作日志: written by the app, read by the audit administrator, never changed or deleted;
# entries past the retention period move to audit_log_archive in an explicit step. Triggers
# (below, and in the migration) refuse UPDATE and DELETE from any client, the app's included.
audit_log = Table(
    "audit_log", metadata, *_log_columns(numbered=True),
    _in("outcome", LOG_OUTCOMES, "ck_log_outcome"),
)
Index("ix_log_at", audit_log.c.at)
Index("ix_log_username", audit_log.c.username)

audit_log_archive = Table(
    "audit_log_archive", metadata, *_log_columns(numbered=False),
    Column("archived_at", DateTime, nullable=False),
    Column("archived_by", String(64), nullable=False),
)

security_setting = Table(
    "security_setting", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(32), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(64), nullable=False),
)

# The guards of the audit log, one list per dialect; the migration that added the tables runs
# the same statements.
LOG_GUARDS = {
    "sqlite": [
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "WHEN NOT EXISTS (SELECT 1 FROM audit_log_archive a WHERE a.log_id = OLD.log_id) "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可删除，只能归档'); END",
        "CREATE TRIGGER audit_log_archive_no_update BEFORE UPDATE ON audit_log_archive "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END",
        "CREATE TRIGGER audit_log_archive_no_delete BEFORE DELETE ON audit_log_archive "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可删除'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log' AND EXISTS "
        "(SELECT 1 FROM audit_log_archive a WHERE a.log_id = OLD.log_id) THEN RETURN OLD; "
        "END IF; "
        "RAISE EXCEPTION '操作日志不可修改或删除'; "
        "END $$",
        "CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
        "CREATE TRIGGER audit_log_truncate_guard BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()",
        "CREATE TRIGGER audit_log_archive_guard BEFORE UPDATE OR DELETE ON audit_log_archive "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
        "CREATE TRIGGER audit_log_archive_truncate_guard BEFORE TRUNCATE ON audit_log_archive "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()",
    ],
}
for _dialect, _statements in LOG_GUARDS.items():
    for _sql in _statements:
        # After the archive table exists: the audit_log guard reads it.
        event.listen(audit_log_archive, "after_create", DDL(_sql).execute_if(dialect=_dialect))


# -- 督办事项: cases from the watch list to the notice, the reply and the closing -----------------
# A case belongs to one enterprise; its jurisdiction is the enterprise's (every read joins
# enterprise and applies the viewer's scope). 逾期未回复 and 建议办结 are derived, not stored
# (rules/cases.py). Times are UTC without a zone, dates are calendar dates.

# Every document sent, by its 文号 (the key: a number is never given twice). A 督办通知书 sends
# one case; a 批量督办函 sends the cases of one city together.
case_document = Table(
    "case_document", metadata,
    Column("doc_no", String(40), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("issuer", String(64), nullable=False),  # 落款
    Column("addressee", String(128), nullable=False),  # 主送
    Column("sent_date", Day, nullable=False),  # 成文日期
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    _in("kind", cases.DOCUMENT_KINDS, "ck_case_document_kind"),
)

supervision_case = Table(
    "supervision_case", metadata,
    Column("case_id", Integer, primary_key=True, autoincrement=True),
    Column("uscc", String(18), ForeignKey("enterprise.uscc"), nullable=False),
    Column("audit_id", Integer, ForeignKey("audit_round.audit_id"), nullable=True),
    Column("category", String(16), nullable=False),  # the watch list's 类别, or 其他
    Column("reason", Text, nullable=False),  # 督办事由, from the watch list's row
    Column("item_due", Day, nullable=True),  # the statutory date the item is about
    Column("days_late", Integer, nullable=True),  # days overdue when the case was opened
    Column("demand", Text, nullable=False),  # 督办要求: what the addressee is asked to do
    Column("addressee_kind", String(16), nullable=False),
    Column("addressee", String(128), nullable=False),  # 主送
    Column("contact", String(64), nullable=True),  # 联系人及电话
    Column("issuer", String(64), nullable=False),  # 落款: the office that sends the notice
    Column("status", String(8), nullable=False),
    # 文号 of the document that sent it (a notice of its own, or a city's batch letter).
    Column("doc_no", String(40), ForeignKey("case_document.doc_no"), nullable=True),
    Column("reply_due", Day, nullable=True),
    Column("sent_date", Day, nullable=True),
    Column("replied_date", Day, nullable=True),
    Column("closed_date", Day, nullable=True),
    Column("opened_at", DateTime, nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    # Bumped by every step: a step taken on an older version is refused (two people at once).
    Column("version", Integer, nullable=False, server_default=text("1")),
    _in("category", cases.CATEGORIES, "ck_case_category"),
    _in("addressee_kind", cases.ADDRESSEE_KINDS, "ck_case_addressee_kind"),
    _in("status", cases.STATUSES, "ck_case_status"),
    CheckConstraint("(status = '待发出') = (doc_no IS NULL)", name="ck_case_doc_no"),
    CheckConstraint("(status = '待发出') = (sent_date IS NULL)", name="ck_case_sent"),
    CheckConstraint("status = '待发出' OR reply_due IS NOT NULL", name="ck_case_reply_due"),
    CheckConstraint("(status = '已办结') = (closed_date IS NOT NULL)", name="ck_case_closed"),
    CheckConstraint("version >= 1", name="ck_case_version"),
)
Index("ix_case_uscc", supervision_case.c.uscc)
Index("ix_case_status", supervision_case.c.status)
Index("ix_case_doc_no", supervision_case.c.doc_no)

case_step = Table(
    "case_step", metadata,
    Column("step_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("supervision_case.case_id"), nullable=False),
    Column("action", String(8), nullable=False),
    Column("from_status", String(8), nullable=True),  # NULL for 登记
    Column("to_status", String(8), nullable=False),
    Column("step_date", Day, nullable=False),  # the day it happened
    Column("reply_due", Day, nullable=True),  # the deadline set by 发出 / 退回重办
    Column("note", Text, nullable=True),
    Column("actor", String(64), nullable=False),  # user name
    Column("actor_name", String(64), nullable=True),  # name and unit as shown then
    Column("at", DateTime, nullable=False),
    _in("action", cases.STEPS, "ck_case_step_action"),
    _in("to_status", cases.STATUSES, "ck_case_step_to"),
)
Index("ix_case_step_case", case_step.c.case_id)

case_attachment = Table(
    "case_attachment", metadata,
    Column("attachment_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("supervision_case.case_id"), nullable=False),
    Column("step_id", Integer, ForeignKey("case_step.step_id"), nullable=True),
    Column("file_name", String(128), nullable=False),
    Column("mime", String(128), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    CheckConstraint("size_bytes > 0", name="ck_case_attachment_size"),
)
Index("ix_case_attachment_case", case_attachment.c.case_id)

# 文号 counters: the last number given per pattern and year. Taken inside the transaction that
# sends the document, and case_document.doc_no is its key, so a number is never given twice.
doc_counter = Table(
    "doc_counter", metadata,
    Column("counter_key", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_no", Integer, nullable=False),
    CheckConstraint("last_no >= 0", name="ck_doc_counter_last_no"),
)


def create_all(engine) -> None:
    """Create every table and mark the database as being at the code's schema version (the
    migrations in queries/migrations build the same schema step by step; a test keeps the two
    equal)."""
    from queries.migrate import stamp_head

    metadata.create_all(engine)
    with engine.begin() as conn:
        stamp_head(conn)


def drop_all(engine) -> None:
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
