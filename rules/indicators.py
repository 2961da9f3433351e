"""指标口径: every figure the product shows, defined once.

Each indicator has an id, a Chinese name, a unit, what is counted, which date decides, how the
jurisdiction and the sidebar filters apply, and where it is computed. Pages, the map tooltip,
charts, the Word documents and the Excel files take names, units and help text from here; the
指标说明 page lists them all with the clock rules in force.

Where two counts are both useful they are two indicators whose names say the difference:
enterprises (家) vs rounds (轮); rounds *due* this year (and of those, done) vs rounds *done* this
year; cumulative completions per 100 listed enterprises (the league) vs completion of a plan
target (the plan pages); all of an enterprise's rounds vs its latest round (the map).

Help texts depend on the province's clock (rules/clock.ClockRules): what "completed" means, the
report deadline, the re-audit rule. They never show configuration keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.clock import ClockRules
from rules.vocab import OUTCOME_COLUMNS

PAGE_PATH = "/indicators"  # the 指标说明 page (pages/indicators.py)
LINK = f" 详见[指标说明]({PAGE_PATH})。"  # ends every help text on a page
COMPLETION_WORDS = {"report": "提交审核报告", "evaluation": "评估通过", "acceptance": "验收通过"}

# Who and what a count covers, in the same words everywhere.
SCOPE_ROUNDS = ("您的管辖范围内、符合左侧城市、行业、园区筛选的企业的审核轮次；选了列入年度时只计"
                "该年度批次列入的轮次。")
SCOPE_ROUNDS_ALL_YEARS = ("您的管辖范围内、符合左侧城市、行业、园区筛选的企业的审核轮次；"
                          "不受列入年度筛选影响（某年完成的审核不论哪年列入都计入该年）。")
SCOPE_ENTERPRISES = ("您的管辖范围内、符合左侧城市、行业、园区筛选的企业；选了列入年度时只计该年度"
                     "批次列入的企业。")
SCOPE_OPTIONS = "您的管辖范围内、符合左侧城市、行业、园区筛选的企业的方案。"
SCOPE_PARKS = "您的管辖范围内、符合左侧城市、园区筛选的园区。"
AS_OF_LISTED = "列入日期（名单公布日期）不晚于截至日期。"
AS_OF_STATE = "按截至日期当天的状态计算（截至日期之后的事件不计）。"


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str        # as a heading or a KPI label
    unit: str        # 家 / 轮 / 项 / 万元 / 吨标准煤/年 / % …
    counts: str      # what is counted; may use {done} {report_months} {reaudit} {warn_days}
    date_rule: str   # which date decides
    scope_rule: str  # how the jurisdiction and the filters apply
    computed_by: str  # the query that computes it
    shown_on: tuple[str, ...] = ()  # pages and documents that show it

    @property
    def label(self) -> str:
        """The name with its unit, for a column header or a table row: 列入审核企业（家）."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name


def clock_words(clock: ClockRules) -> dict[str, str]:
    months = clock.reaudit_months
    span = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    reasons = "、".join(clock.reaudit_reasons) or "（未设定）"
    return {"done": COMPLETION_WORDS[clock.completion_milestone],
            "report_months": str(clock.report_months),
            "reaudit": f"列入原因为{reasons}的企业上一轮审核验收通过（未验收的按评估通过）之日起满"
                       f"{span}",
            "warn_days": str(clock.reaudit_warn_days),
            "rest_days": ("期限最后一日遇法定休假日的顺延至休假日后的第一个工作日"
                          if clock.extend_on_rest_days else "期限遇法定休假日不顺延")}


_OV, _PLAN, _MAP, _DATA, _PARKS = "总览", "计划对标与年报", "地图", "数据概况", "园区评比"
_BRIEF, _REPORT = "领导简报（Word、Excel）", "年度实施情况报告（Word、Excel）"
_SUP = "审核进度与督办"
_SUP_FILTERS = "在“审核进度与督办”页还随该页的列入原因、审核方式筛选变化。"
_CASES = "督办台账"
_CASE_DATE = "按今天的状态（督办台账记录的是办理过程，不随截至日期回溯）。"
_CASE_SCOPE = "您的管辖范围内、符合左侧城市筛选的企业的督办事项；不受行业、园区、列入年度筛选影响。"
_ROUND_STATUS = "queries.audits.rounds_with_status（rules.clock.derive_status）"

_LIST = [
    # ---- enterprises and rounds at the as-of date --------------------------------------------
    Indicator("listed_enterprises", "列入审核企业", "家",
              "已列入强制性清洁生产审核名单的企业，同一企业多轮审核只计一次。", AS_OF_LISTED,
              SCOPE_ENTERPRISES, f"{_ROUND_STATUS} → queries.overview.kpis、"
              "queries.inventory.record_counts", (_OV, _BRIEF, _DATA, _MAP)),
    Indicator("rounds", "列入审核轮次", "轮",
              "已列入名单的审核轮次（一家企业每列入一次为一轮）。", AS_OF_LISTED, SCOPE_ROUNDS,
              "queries.inventory.record_counts、queries.supervision.kpis",
              (_DATA, _SUP, _BRIEF)),
    Indicator("rounds_in_progress", "进行中", "轮",
              "尚未评估、验收结束的审核轮次（已列入、已公开、已启动、已提交报告或已评估待验收），"
              "不含已被新一轮取代的轮次。", AS_OF_STATE, SCOPE_ROUNDS + _SUP_FILTERS,
              "queries.supervision.kpis", (_SUP,)),
    Indicator("overdue_rounds", "逾期轮次", "轮",
              "至少一个法定节点已过期限仍未完成的审核轮次（逾期天数>0，{rest_days}），不含已被新一轮"
              "取代的轮次。与“逾期企业”不同：一家企业有两轮逾期时计2轮、1家。", AS_OF_STATE,
              SCOPE_ROUNDS + _SUP_FILTERS, "queries.supervision.kpis", (_SUP,)),
    Indicator("failed_pending", "未通过待处理", "轮",
              "评估或验收未通过、尚未列入新一轮的审核轮次。", AS_OF_STATE,
              SCOPE_ROUNDS + _SUP_FILTERS, "queries.supervision.kpis", (_SUP,)),
    Indicator("watch_items", "督办清单事项", "项",
              "督办清单中的事项：逾期、即将到期、未通过、再审核到期等需要督促的节点，数据显示已办理后"
              "自动移出。与“在办督办事项”不同：那是已在督办台账登记、由人办理的事项。",
              AS_OF_STATE, SCOPE_ROUNDS + _SUP_FILTERS,
              "queries.supervision.watch（rules.watchlist）", (_SUP,)),
    Indicator("cases_total", "督办事项", "项",
              "督办台账中登记的督办事项，含已办结的；同一企业同一类别可有多项。",
              _CASE_DATE, _CASE_SCOPE, "queries.cases.case_list（rules.cases）", (_CASES,)),
    Indicator("cases_open", "在办督办事项", "项",
              "督办台账中已登记、尚未办结的督办事项（待发出、已发出、已回复、退回重办、逾期未回复）。",
              "按今天的状态（督办台账记录的是办理过程，不随截至日期回溯）。",
              "您的管辖范围内、符合左侧城市筛选的企业的督办事项；不受行业、园区、列入年度筛选影响。",
              "queries.cases.case_list（rules.cases）", (_OV, "督办台账")),
    Indicator("cases_overdue_reply", "逾期未回复督办事项", "项",
              "在办督办事项中，督办通知已发出、超过回复期限（按工作日计，遇法定节假日顺延）仍未收到"
              "回复的事项。",
              "按今天的状态（督办台账记录的是办理过程，不随截至日期回溯）。",
              "您的管辖范围内、符合左侧城市筛选的企业的督办事项；不受行业、园区、列入年度筛选影响。",
              "queries.cases.case_list（rules.cases）", (_OV, "督办台账")),
    Indicator("cases_waiting", "待回复督办事项", "项",
              "督办通知已发出（或退回重办）、尚未收到回复的督办事项，含逾期未回复的。",
              _CASE_DATE, _CASE_SCOPE, "queries.cases.case_list（rules.cases）", (_CASES,)),
    Indicator("cases_suggest_close", "建议办结督办事项", "项",
              "在办督办事项中，督办清单里该企业已没有同类事项（数据显示已办理）的；只是建议，"
              "办结要由人确认。“其他”类别的事项不作建议。",
              "按今天的督办清单。", _CASE_SCOPE, "queries.cases.suggested_close", (_CASES,)),
    Indicator("cases_closed", "已办结督办事项", "项",
              "督办台账中已办结的督办事项。", _CASE_DATE, _CASE_SCOPE,
              "queries.cases.case_list（rules.cases）", (_CASES,)),
    Indicator("cases_ageing", "待回复账龄", "项",
              "待回复督办事项按超过回复期限的天数分段计数（未到期、逾期1–15天、16–30天、"
              "30天以上；回复期限按工作日计）。",
              _CASE_DATE, _CASE_SCOPE, "queries.cases.ageing（rules.cases）", (_CASES,)),
    Indicator("due_rounds", "本年到期审核", "轮",
              "审核报告应提交日期（列入名单后{report_months}个月）落在截至日期所在年度的审核轮次，"
              "不论是否已完成。",
              "应提交报告的日期所在年度 = 截至日期所在年度。", SCOPE_ROUNDS,
              "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("due_rounds_done", "本年到期审核中已完成", "轮",
              "“本年到期审核”中截至日期已{done}的轮次（不论在哪一年完成）。与“当年完成审核”"
              "不同：后者按完成日期所在年度计。",
              "应提交报告的日期所在年度 = 截至日期所在年度，且完成日期不晚于截至日期。",
              SCOPE_ROUNDS, "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("completed_in_year", "当年完成审核", "轮",
              "{done}（完成审核）的日期落在该年度1月1日至12月31日（或截至日期，取较早者）的审核"
              "轮次，不论哪年列入、何时到期；总览中“当年”为截至日期所在年度。用于对照年度计划目标。",
              "完成日期（{done}之日）所在年度。", SCOPE_ROUNDS_ALL_YEARS,
              "queries.overview.plan_progress、queries.plan.yearly_actuals",
              (_OV, _BRIEF, _PLAN, _REPORT)),
    Indicator("completed_total", "累计完成审核", "轮",
              "截至日期已{done}的审核轮次，累计数。", "完成日期不晚于截至日期。", SCOPE_ROUNDS,
              "queries.overview.kpis、queries.overview.league、queries.geo.region_metrics",
              (_OV, _BRIEF, _MAP)),
    Indicator("started", "已启动审核", "轮",
              "已启动审核（含已提交报告、已评估、已验收）的审核轮次，累计数。", AS_OF_STATE,
              SCOPE_ROUNDS, "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("reported", "已提交审核报告", "轮",
              "已提交审核报告（含已评估、已验收）的审核轮次，累计数。", AS_OF_STATE, SCOPE_ROUNDS,
              "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("eval_passed", "评估通过", "轮",
              "评估结论为通过/合格的审核轮次（含其后已验收的），累计数。", AS_OF_STATE,
              SCOPE_ROUNDS, "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("eval_failed", "评估未通过", "轮",
              "评估结论为不通过/不合格的审核轮次，累计数（须重新审核）。", AS_OF_STATE,
              SCOPE_ROUNDS, "queries.overview.kpis、queries.overview.league", (_OV, _BRIEF)),
    Indicator("accepted", "验收通过", "轮",
              "验收结论为通过/合格的审核轮次，累计数。", AS_OF_STATE, SCOPE_ROUNDS,
              "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("overdue_enterprises", "逾期企业", "家",
              "至少有一轮审核的一个法定节点（信息公开、启动审核、提交报告、评估、验收）已过期限仍未"
              "完成的企业（逾期天数>0，按法定时限计算，{rest_days}）；同一企业只计一次，按其逾期"
              "最久的一轮分为0–30天、31–90天、>90天。", AS_OF_STATE, SCOPE_ENTERPRISES,
              "queries.overview.kpis、queries.overview.league、queries.geo.region_metrics",
              (_OV, _BRIEF, _MAP)),
    Indicator("reaudit_lapsed", "再审核逾期", "家",
              "{reaudit}（遇法定休假日顺延）仍未列入新一轮审核名单的企业；不计入“逾期企业”。到期前"
              "{warn_days}天起先计入“再审核即将到期”。",
              AS_OF_STATE, SCOPE_ENTERPRISES, "queries.overview.kpis", (_OV, _BRIEF)),
    Indicator("reaudit_soon", "再审核即将到期", "家",
              "再审核期限将在{warn_days}天内到期、尚未列入新一轮名单的企业。", AS_OF_STATE,
              SCOPE_ENTERPRISES, "queries.overview.kpis", (_OV, _BRIEF)),
    # ---- comparisons between places -----------------------------------------------------------
    Indicator("completed_per_100", "每百家列入企业累计完成审核", "轮",
              "累计完成审核轮次 ÷ 列入审核企业 × 100。衡量审核工作的累计进展，与计划目标无关；"
              "与“规划期目标完成率”不是同一指标，两者的排名可以不同。",
              "同“累计完成审核”和“列入审核企业”。", SCOPE_ROUNDS,
              "queries.overview.league", (_OV, _BRIEF)),
    Indicator("overdue_per_100", "每百家列入企业中的逾期企业", "家",
              "逾期企业 ÷ 列入审核企业 × 100。", AS_OF_STATE, SCOPE_ENTERPRISES,
              "queries.overview.league", (_OV, _BRIEF)),
    Indicator("latest_completed", "最近一轮已完成的企业", "家",
              "最近一轮审核截至日期已{done}的企业。一家企业有两轮时只看最近一轮，所以少于"
              "“累计完成审核”的轮次。", AS_OF_STATE, SCOPE_ENTERPRISES,
              "queries.geo.region_metrics、queries.geo.park_metrics", (_MAP,)),
    Indicator("latest_completed_share", "最近一轮已完成的企业占比", "%",
              "最近一轮已完成的企业 ÷ 列入审核企业。", AS_OF_STATE, SCOPE_ENTERPRISES,
              "queries.geo.region_metrics、queries.geo.park_metrics", (_MAP,)),
    Indicator("overdue_share", "逾期企业占比", "%",
              "逾期企业 ÷ 列入审核企业（等于“每百家列入企业中的逾期企业”÷100）。", AS_OF_STATE,
              SCOPE_ENTERPRISES, "queries.geo.region_metrics、queries.geo.park_metrics", (_MAP,)),
    Indicator("latest_accepted_share", "最近一轮验收通过的企业占比", "%",
              "最近一轮审核已验收通过的企业 ÷ 列入审核企业。", AS_OF_STATE, SCOPE_ENTERPRISES,
              "queries.geo.region_metrics", (_MAP,)),
    # ---- plans ----------------------------------------------------------------------------------
    Indicator("year_target_rate", "年度目标完成率", "%",
              "当年完成审核 ÷ 该年度完成审核目标（总览为截至日期所在年度）。目标按所选城市或全省"
              "取“全部行业”目标行，没有时取"
              "分行业目标之和，全省没有时取各市目标之和。",
              "完成日期所在年度 = 截至日期所在年度（计划年度）。", SCOPE_ROUNDS_ALL_YEARS,
              "queries.overview.plan_progress", (_OV, _BRIEF)),
    Indicator("period_completed", "规划期完成审核", "轮",
              "规划期首年1月1日至截至日期（或规划期末，取较早者）{done}的审核轮次；各年之和，某年"
              "的数等于该年的“当年完成审核”。", "完成日期所在年度。", SCOPE_ROUNDS_ALL_YEARS,
              "queries.plan.yearly_actuals → queries.plan.scoreboard", (_PLAN,)),
    Indicator("period_target_rate", "规划期目标完成率", "%",
              "规划期内实际完成 ÷ 规划期目标（各年目标之和）。衡量对计划的完成程度；与“每百家"
              "列入企业累计完成审核”不是同一指标。", "完成日期所在年度。", SCOPE_ROUNDS_ALL_YEARS,
              "queries.plan.scoreboard", (_PLAN,)),
    Indicator("period_projection", "按当前进度预计期末", "",
              "按规划期开始至截至日期的平均进度外推到规划期末的数量（单位同所选对标指标，件数取整）。",
              "规划期首日至截至日期。", SCOPE_ROUNDS_ALL_YEARS, "rules.plan_projection.project",
              (_PLAN,)),
    # ---- events of one year (plan page, annual report) -------------------------------------------
    Indicator("listed_in_year", "当年列入名单", "轮",
              "列入日期在该年度内的审核轮次。", "列入日期所在年度（截至该年12月31日或截至日期）。",
              SCOPE_ROUNDS_ALL_YEARS, "queries.plan.yearly_actuals", (_PLAN, _REPORT, _OV)),
    Indicator("started_in_year", "当年启动审核", "轮",
              "启动日期在该年度内的审核轮次。", "启动日期所在年度。", SCOPE_ROUNDS_ALL_YEARS,
              "queries.plan.yearly_actuals", (_REPORT,)),
    Indicator("eval_passed_in_year", "当年评估通过", "轮",
              "评估日期在该年度内且评估通过的审核轮次。", "评估日期所在年度。",
              SCOPE_ROUNDS_ALL_YEARS, "queries.plan.yearly_actuals", (_PLAN, _REPORT, _OV)),
    Indicator("eval_failed_in_year", "当年评估未通过", "轮",
              "评估日期在该年度内且评估未通过的审核轮次。", "评估日期所在年度。",
              SCOPE_ROUNDS_ALL_YEARS, "queries.plan.yearly_actuals", (_REPORT,)),
    Indicator("accepted_in_year", "当年验收通过", "轮",
              "验收日期在该年度内且验收通过的审核轮次。", "验收日期所在年度。",
              SCOPE_ROUNDS_ALL_YEARS, "queries.plan.yearly_actuals", (_PLAN, _REPORT, _OV)),
    Indicator("accept_failed_in_year", "当年验收未通过", "轮",
              "验收日期在该年度内且验收未通过的审核轮次。", "验收日期所在年度。",
              SCOPE_ROUNDS_ALL_YEARS, "queries.plan.yearly_actuals", (_REPORT,)),
    Indicator("listed_by_year_end", "截至年末累计列入名单企业", "家",
              "截至报告年度12月31日（或截至日期，取较早者）已列入名单的企业，同一企业只计一次；"
              "其后列入的企业不计。", "列入日期不晚于报告年度年末。", SCOPE_ENTERPRISES,
              "queries.plan.listed_enterprises", (_REPORT, _PLAN)),
    # ---- options and outcomes --------------------------------------------------------------------
    Indicator("low_cost_done", "已实施无/低费方案", "项",
              "状态为“已实施”且实施完成日期不晚于截至日期的无/低费方案。",
              "实施完成日期（“本年”“当年”为该日期所在年度）。", SCOPE_OPTIONS,
              "queries.audits.option_sums_by_year", (_OV, _BRIEF, _PLAN, _REPORT)),
    Indicator("high_cost_done", "已实施中/高费方案", "项",
              "状态为“已实施”且实施完成日期不晚于截至日期的中/高费方案。",
              "实施完成日期（“本年”“当年”为该日期所在年度）。", SCOPE_OPTIONS,
              "queries.audits.option_sums_by_year", (_OV, _BRIEF, _PLAN, _REPORT)),
    Indicator("investment_wan", "完成投资", "万元",
              "已实施方案（无/低费和中/高费）填报的投资额之和。",
              "实施完成日期。", SCOPE_OPTIONS, "queries.audits.option_sums_by_year",
              (_OV, _BRIEF, _REPORT)),
    *[Indicator(col, label, unit,
                f"已实施方案填报的{label}之和（年效益、年削减量；污染物为排放量削减；未填报的不计入）。",
                "实施完成日期。", SCOPE_OPTIONS, "queries.audits.option_sums_by_year",
                (_OV, _BRIEF, _PLAN, _REPORT, _MAP))
      for col, label, unit in OUTCOME_COLUMNS],
    # ---- parks -----------------------------------------------------------------------------------
    Indicator("park_members", "成员企业", "家",
              "登记为该园区成员的企业（不论是否列入审核名单）。",
              "按当前登记（成员关系没有日期）。",
              SCOPE_PARKS, "queries.parks.scorecard", (_PARKS, "园区详情")),
    Indicator("park_audited", "已完成审核企业", "家",
              "园区成员企业中，至少有一轮审核截至日期已{done}的，或参加的园区整体审核已通过的企业；"
              "同一企业只计一次。与“累计完成审核”（轮）不同：按企业计，且计入整体审核。",
              AS_OF_STATE, SCOPE_PARKS, "queries.parks.scorecard（rules.park_rules）",
              (_PARKS, "园区详情")),
    Indicator("park_audit_rate", "审核完成率", "%",
              "已完成审核企业 ÷ 已列入审核名单的成员企业（园区评比、园区详情）。与地图的“最近一轮"
              "已完成的企业占比”不同：计入通过的园区整体审核，且不只看最近一轮。", AS_OF_STATE,
              SCOPE_PARKS, "queries.parks.scorecard（rules.park_rules）", (_PARKS, "园区详情")),
    Indicator("cluster_audits", "园区整体审核", "个",
              "已启动的园区整体审核（启动日期不晚于截至日期；其后才启动的不计）。",
              "启动日期不晚于截至日期。", SCOPE_PARKS, "queries.parks.clusters",
              (_PARKS, "园区详情", _REPORT)),
]
INDICATORS: dict[str, Indicator] = {i.id: i for i in _LIST}
assert len(INDICATORS) == len(_LIST), "indicator ids must be unique"

# The 指标说明 page's sections, in the order of _LIST.
GROUPS = (
    ("企业与审核轮次（截至日期的状态）", ("listed_enterprises", "rounds", "due_rounds",
                                   "due_rounds_done", "completed_in_year", "completed_total",
                                   "started", "reported", "eval_passed", "eval_failed",
                                   "accepted", "overdue_enterprises", "reaudit_lapsed",
                                   "reaudit_soon")),
    ("督办（审核进度与督办、督办台账）", ("rounds_in_progress", "overdue_rounds",
                                   "failed_pending", "watch_items", "cases_total", "cases_open",
                                   "cases_waiting", "cases_overdue_reply", "cases_suggest_close",
                                   "cases_closed", "cases_ageing")),
    ("地区之间的比较（总览排名、地图）", ("completed_per_100", "overdue_per_100",
                                   "latest_completed", "latest_completed_share",
                                   "overdue_share", "latest_accepted_share")),
    ("计划对标", ("year_target_rate", "period_completed", "period_target_rate",
              "period_projection")),
    ("某一年度发生的事项（计划对标、年度报告）", ("listed_in_year", "started_in_year",
                                       "eval_passed_in_year", "eval_failed_in_year",
                                       "accepted_in_year", "accept_failed_in_year",
                                       "listed_by_year_end")),
    ("清洁生产方案与绩效", ("low_cost_done", "high_cost_done", "investment_wan",
                   *(c for c, _l, _u in OUTCOME_COLUMNS))),
    ("园区", ("park_members", "park_audited", "park_audit_rate", "cluster_audits")),
)
assert sorted(i for _g, ids in GROUPS for i in ids) == sorted(INDICATORS), "every indicator once"


def get(indicator_id: str) -> Indicator:
    return INDICATORS[indicator_id]


def name(indicator_id: str) -> str:
    return INDICATORS[indicator_id].name


def unit(indicator_id: str) -> str:
    return INDICATORS[indicator_id].unit


def label(indicator_id: str) -> str:
    return INDICATORS[indicator_id].label


def definition(indicator_id: str, clock: ClockRules) -> str:
    """What is counted, with the province's clock words filled in."""
    return INDICATORS[indicator_id].counts.format(**clock_words(clock))


def help_text(indicator_id: str, clock: ClockRules, link: bool = True) -> str:
    """The help of a number: its definition, the deciding date and, on a page (`link`), where
    every indicator is explained."""
    i = INDICATORS[indicator_id]
    text = f"{definition(indicator_id, clock)}时间口径：{i.date_rule.format(**clock_words(clock))}"
    return text + (LINK if link else "")


def definitions(ids, clock: ClockRules) -> list[str]:
    """“名称（单位）：定义” lines for a document's 指标口径 section."""
    return [f"{label(i)}：{definition(i, clock)}" for i in ids]


def clock_rules_in_force(clock: ClockRules) -> list[tuple[str, str]]:
    """The statutory clock as (rule, value) rows in words, for the 指标说明 page."""
    w = clock_words(clock)
    acceptance = (f"列入名单后{clock.acceptance_months}个月" if clock.acceptance_basis == "listing"
                  else f"评估后{clock.acceptance_months}个月")
    rows = [("信息公开期限", f"列入名单后{clock.disclosure_months}个月"),
            ("启动审核期限", f"列入名单后{clock.start_months}个月"),
            ("提交审核报告期限", f"列入名单后{clock.report_months}个月"),
            ("评估期限", f"提交审核报告后{clock.evaluation_months}个月" if clock.evaluation_months
             else "不单独设定期限"),
            ("验收期限", acceptance),
            ("“完成审核”的标准", w["done"]),
            ("再审核期限", w["reaudit"]),
            ("再审核到期提示", f"到期前{clock.reaudit_warn_days}天起"),
            ("期限遇法定休假日", w["rest_days"])]
    if clock.batches:
        rows.append(("按批次固定的期限", "、".join(name for name, _ in clock.batches)
                     + "（见“数据概况”）"))
    return rows


def table_rows(clock: ClockRules) -> list[dict[str, str]]:
    """Every indicator as a row of the 指标说明 page's Excel, by section. (Where it is computed
    is for developers: it stays in the code, not in what users read.)"""
    return [{"类别": group, "指标": i.name, "单位": i.unit or "同所选指标",
             "统计什么": definition(i.id, clock),
             "按哪个日期": i.date_rule.format(**clock_words(clock)),
             "范围与筛选": i.scope_rule, "出现在": "、".join(i.shown_on) or "—"}
            for group, ids in GROUPS for i in (INDICATORS[x] for x in ids)]
