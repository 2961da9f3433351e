"""Display tables (Chinese headers, units, written-out dates) for 专家库, 咨询机构 and 信用与公开,
and the links between their pages. Pure builders: DataFrames in, DataFrames out; the same tables
go on screen and into Excel/Word."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from components import fmt
from components.filters import link_params
from rules import experts as xr


def link(params: dict, page: str, key: str, value: int) -> str:
    """Relative link to `page` for one expert or firm, keeping the shared filters of the URL."""
    query = {k: v for k, v in link_params(params).items() if k != key}
    query[key] = str(int(value))
    return f"{page}?{urlencode(query)}"


def _dates(values) -> list[str]:
    return [fmt.cn_date(v) if v is not None and v == v else "—" for v in values]


def _pct(values) -> list[str]:
    return [fmt.pct(v) for v in values]


def _num(values, digits: int = 0) -> list[str]:
    return [fmt.num(v, digits) for v in values]


# -- 专家库 -----------------------------------------------------------------------------------

def pool_table(df: pd.DataFrame, reviews: pd.Series, links: list[str] | None,
               contact: bool) -> pd.DataFrame:
    """The pool: one row per expert. `reviews`: this year's reviews by expert_id. `contact`:
    include phone / ID columns (already masked for non-province viewers by the query)."""
    out = pd.DataFrame({
        "姓名": df["name"].to_numpy(),
        "专业行业": df["industry"].to_numpy(),
        "工作单位": df["organisation"].fillna("—").to_numpy(),
        "职称": df["title"].fillna("—").to_numpy(),
        "所在城市": df["city"].fillna("—").to_numpy(),
        "入库日期": _dates(df["admitted_date"]),
        "状态": df["status"].to_numpy(),
        "剩余分（分）": df["remaining"].to_numpy(),
        "记分状态": df["score_state"].to_numpy(),
        "本年评审（场）": df["expert_id"].map(reviews).fillna(0).astype(int).to_numpy(),
    })
    if contact:
        out["手机号"] = df["phone"].to_numpy()
        out["身份证号"] = df["id_number"].to_numpy()
    if links is not None:
        out.insert(0, "详情", links)
    return out


def demand_table(df: pd.DataFrame, rules: xr.ExpertRules) -> pd.DataFrame:
    return pd.DataFrame({
        "行业": df["industry"].to_numpy(),
        "在库专家（名）": df["active"].to_numpy(),
        f"近{rules.demand_months}个月评审（场）": df["reviews"].to_numpy(),
        f"近{rules.demand_months}个月专家席次（人次）": df["seats"].to_numpy(),
        "每名在库专家年均席次（人次）": _num(df["per_expert"], 1),
        "供需": df["state"].to_numpy(),
    })


def deduction_table(d: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "扣分日期": _dates(d["event_date"]),
        "专家": d["expert_id"].map(names).to_numpy(),
        "扣分原因": d["reason"].to_numpy(),
        "扣分（分）": d["points"].to_numpy(),
    })


def score_table(df: pd.DataFrame) -> pd.DataFrame:
    """Experts at or near the line, the lowest first."""
    df = df.sort_values(["remaining", "expert_id"])
    return pd.DataFrame({
        "姓名": df["name"].to_numpy(), "专业行业": df["industry"].to_numpy(),
        "剩余分（分）": df["remaining"].to_numpy(), "记分状态": df["score_state"].to_numpy(),
        "库内状态": df["status"].to_numpy(),
        "提示": df["status_note"].fillna("—").to_numpy(),
    })


def workload_table(w: pd.DataFrame, names: dict[int, str], rules: xr.ExpertRules
                   ) -> pd.DataFrame:
    w = w.sort_values(["reviews", "expert_id"], ascending=[False, True])
    return pd.DataFrame({
        "专家": w["expert_id"].map(names).to_numpy(),
        "评审（场）": w["reviews"].to_numpy(),
        f"超出上限 {rules.workload_cap} 场（场）": w["over_cap"].to_numpy(),
    })


def rotation_table(r: pd.DataFrame, names: dict[int, str], firms: dict[int, str]
                   ) -> pd.DataFrame:
    return pd.DataFrame({
        "专家": r["expert_id"].map(names).to_numpy(),
        "咨询机构": r["consultancy_id"].map(firms).to_numpy(),
        "评审次数（次）": r["times"].to_numpy(),
        "最近一次": _dates(r["last_date"]),
    })


def conflict_table(c: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "评审日期": _dates(c["review_date"]),
        "专家": c["expert_name"].to_numpy(),
        "工作单位": c["organisation"].fillna("—").to_numpy(),
        "环节": c["stage"].to_numpy(),
        "被评审企业（整体审核）": c["enterprise_name"].to_numpy(),
        "咨询机构": c["consultancy_name"].fillna("—").to_numpy(),
        "回避事由": c["conflict"].to_numpy(),
    })


def seat_table(s: pd.DataFrame, conflict: pd.Series) -> pd.DataFrame:
    """One expert's seats, newest first, with the result and score the panel gave."""
    s = s.sort_values(["review_date", "assignment_id"], ascending=False)
    result = s["passed"].map({True: "通过", False: "未通过"}).fillna("—")
    return pd.DataFrame({
        "评审日期": _dates(s["review_date"]),
        "环节": s["stage"].to_numpy(), "角色": s["role"].to_numpy(),
        "被评审企业（整体审核）": s["enterprise_name"].to_numpy(),
        "所在城市": s["city"].fillna("—").to_numpy(),
        "咨询机构": s["consultancy_name"].fillna("—").to_numpy(),
        "评审结论": result.to_numpy(),
        "评审得分（分）": _num(s["review_score"], 1),
        "回避提示": s["assignment_id"].map(conflict).fillna("—").to_numpy(),
    })


def training_table(plan: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """Plan against sessions held, per audience of one year."""
    done = held.groupby("audience").agg(sessions=("session_id", "size"),
                                        attendees=("attendees", "sum"))
    p = plan.set_index("audience").join(done).fillna(0)
    return pd.DataFrame({
        "培训对象": p.index.to_numpy(),
        "计划场次（场）": p["sessions_planned"].astype(int).to_numpy(),
        "已举办（场）": p["sessions"].astype(int).to_numpy(),
        "计划人次（人次）": p["attendees_planned"].astype(int).to_numpy(),
        "已培训（人次）": p["attendees"].astype(int).to_numpy(),
        "场次完成率": _pct(p["sessions"] / p["sessions_planned"].where(
            p["sessions_planned"] > 0)),
    })


def session_table(held: pd.DataFrame) -> pd.DataFrame:
    held = held.sort_values(["session_date", "session_id"], ascending=False)
    return pd.DataFrame({
        "日期": _dates(held["session_date"]), "培训名称": held["title"].to_numpy(),
        "培训对象": held["audience"].to_numpy(),
        "举办单位": held["city"].fillna("省级").to_numpy(),
        "参训（人次）": held["attendees"].to_numpy(),
    })


# -- 咨询机构 ---------------------------------------------------------------------------------

def ranking_table(df: pd.DataFrame, links: list[str] | None) -> pd.DataFrame:
    out = pd.DataFrame({
        "排名": [("—" if pd.isna(r) else str(int(r))) for r in df["rank"]],
        "咨询机构": df["name"].to_numpy(),
        "所在城市": df["city"].fillna("—").to_numpy(),
        "综合得分（分）": _num(df["score"], 1),
        "客户企业（家）": df["clients"].to_numpy(),
        "审核轮次（轮）": df["rounds"].to_numpy(),
        "评估（轮）": df["evaluated"].to_numpy(),
        "评估通过率": _pct(df["eval_rate"]),
        "评估平均分（分）": _num(df["eval_score"], 1),
        "验收（轮）": df["accepted"].to_numpy(),
        "验收通过率": _pct(df["acc_rate"]),
        "验收平均分（分）": _num(df["acc_score"], 1),
        "逾期客户占比": _pct(df["late_share"]),
        **{f"逾期·{name}（家）": df[f"late_{m}"].to_numpy()
           for m, name in xr.MILESTONE_NAMES.items()},
        "评审未通过（轮）": df["failed"].to_numpy(),
        "其中已重新列入（轮）": df["relisted"].to_numpy(),
        "机构人员（人）": [fmt.num(v) for v in df["staff_count"]],
        "在办项目（轮）": df["active"].to_numpy(),
        "每个在办项目人员（人）": _num(df["staff_per_active"], 1),
        "雷同方案（项）": df["copied_options"].to_numpy(),
        "被公开通报": df["named_publicly"].map({True: "是", False: "否"}).to_numpy(),
    })
    if links is not None:
        out.insert(0, "详情", links)
    return out


def definitions_table(lines: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"指标定义": lines})


def copied_table(c: pd.DataFrame, firms: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "咨询机构": c["consultancy_id"].map(firms).to_numpy(),
        "方案名称": c["title"].to_numpy(),
        "投资（万元）": _num(c["investment_wan"], 2),
        "出现在客户企业（家）": c["clients"].to_numpy(),
    })


def client_table(r: pd.DataFrame) -> pd.DataFrame:
    def word(flag):
        return "—" if flag is None or flag is pd.NA or flag != flag else ("通过" if flag
                                                                         else "未通过")
    return pd.DataFrame({
        "企业名称": r["enterprise_name"].to_numpy(),
        "统一社会信用代码": r["uscc"].to_numpy(),
        "城市": r["city"].to_numpy(),
        "轮次": [f"第{int(n)}轮" for n in r["round_no"]],
        "列入日期": _dates(pd.to_datetime(r["listing_date"]).dt.date),
        "当前阶段": r["stage_label"].to_numpy(),
        "逾期（天）": [int(d) if d and d > 0 else 0 for d in r["days_overdue"].fillna(0)],
        "评估结论": [word(v) for v in r["evaluation_pass"].astype(object)],
        "评估得分（分）": _num(r["evaluation_score"].where(r["evaluation_date"].notna()), 1),
        "验收结论": [word(v) for v in r["acceptance_pass"].astype(object)],
    })


# -- 信用与公开 -------------------------------------------------------------------------------

def publication_table(p: pd.DataFrame) -> pd.DataFrame:
    published = [fmt.cn_date(d) if d is not None else ("日期未登记" if flag and s.startswith(
        "已公示") else "—") for d, flag, s in zip(p["published_date"],
                                              p["published_credit_china"], p["state"])]
    return pd.DataFrame({
        "序号": range(1, len(p) + 1),
        "企业名称": p["name"].to_numpy(),
        "统一社会信用代码": p["uscc"].to_numpy(),
        "所在地": (p["city"] + p["county"]).to_numpy(),
        "行业": p["industry"].to_numpy(),
        "违法类型": p["kind"].to_numpy(),
        "处罚依据": p["basis"].to_numpy(),
        "罚款金额（元）": _num(p["amount_yuan"]),
        "处罚决定日期": _dates(p["decision_date"]),
        "处罚机关": p["authority"].fillna("—").to_numpy(),
        "公示期限": _dates(p["due"]),
        "公示日期": published,
        "公示状态": p["state"].to_numpy(),
    })


def grade_table(g: pd.DataFrame, by: str, grades: tuple[str, ...]) -> pd.DataFrame:
    """Enterprises per grade (家) by city or industry, with the share rated 警示 or worse."""
    if g.empty:
        return pd.DataFrame(columns=[by, *[f"{x}（家）" for x in grades], "合计（家）"])
    t = g.pivot_table(index=by, columns="grade", values="year", aggfunc="size", fill_value=0)
    t = t.reindex(columns=list(grades), fill_value=0)
    total = t.sum(axis=1)
    bad = t[[x for x in grades if x not in ("环保诚信", "环保良好")]].sum(axis=1)
    out = t.rename(columns=lambda x: f"{x}（家）").reset_index()
    out = out.rename(columns={by: {"city": "城市", "industry": "行业"}[by]})
    out["合计（家）"] = total.to_numpy()
    out["警示及以下占比"] = _pct(bad / total.where(total > 0))
    return out


def expert_rules_or_stop(ctx) -> xr.ExpertRules:
    """The province's rules for experts and consultancies (rules/expert_rules.toml), or the
    page stops with what is wrong in the file: one file behind 专家库, 咨询机构 and 信用与公开."""
    import streamlit as st

    from components import safe

    try:
        return xr.load_expert_rules(ctx.meta.get("province_adcode", ""))
    except xr.ExpertRulesError as exc:
        st.error(f"专家与咨询机构管理规则配置有误：{safe.text(exc)}")
        st.stop()
