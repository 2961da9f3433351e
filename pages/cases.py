"""督办台账: the cases of the jurisdiction from the notice to the reply and the closing — the
list (by city, status, category, reply deadline), ageing of unanswered notices, per-city counts
and the Excel ledger; one case (?case=) with its steps, attachments, notice and the next step;
a new case (?new=<统一社会信用代码>&cat=<类别>) prefilled from the watch list."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import case_docs, case_table, downloads, export, fmt, safe
from components.context import get_context
from components.filters import park_id_of
from queries import cases as qc
from queries import supervision as sv
from queries.scope import Filters
from rules import cases as rc
from rules import indicators as ind
from rules.roles import SUPERVISE

SHOWN = 500  # ledger rows sent to the browser; the Excel file has them all

ctx = get_context()
today = qc.today()
rules = rc.CaseRules.from_env()
may_act = ctx.viewer.may(SUPERVISE)
province = ctx.meta.get("province_adcode", "")
st.title("督办台账")
st.caption(f"{safe.text(ctx.area_name)} · 今天 {fmt.cn_date(today)} · 回复期限按工作日计算"
           f"（默认 {rules.reply_days} 个工作日，遇法定节假日顺延、调休上班日计入）")
if ctx.is_sample:
    st.info("样例数据：企业名称均为虚构，督办记录仅供演示。")
flash = st.session_state.pop("cases_flash", None)
if flash:
    getattr(st, flash[0])(safe.text(flash[1]))


def watch_now():
    """The whole watch list of the jurisdiction as of the sidebar's date (no page filters):
    what 建议办结 and a new case's reason are read from."""
    return sv.watch(ctx.source, ctx.scope, Filters(as_of=ctx.filters.as_of), ctx.clock,
                    sv.PageFilters())


# -- actions (callbacks run before the page is drawn again, with the values the person saw) ----

def do_open(uscc: str, audit_id, item_due, days_late) -> None:
    s = st.session_state
    kind, addressee = s["case_new_to"]
    try:
        case_id = qc.open_case(
            ctx.source.engine, ctx.viewer, uscc=uscc, category=s["case_new_cat"],
            reason=s["case_new_reason"], demand=s["case_new_demand"], addressee_kind=kind,
            addressee=addressee, reply_due=s["case_new_due"], today=today,
            issuer=rc.issuer_name(ctx.scope.level, ctx.area_name), audit_id=audit_id,
            item_due=item_due, days_late=days_late, contact=s["case_new_contact"],
            note=s["case_new_note"])
    except rc.CaseError as exc:
        s["cases_flash"] = ("error", str(exc))
        return
    s["cases_flash"] = ("success", f"已登记督办事项（编号 {case_id}），状态为待发出。")
    st.query_params.clear()
    st.query_params["case"] = str(case_id)


def do_step(case_id: int, version: int, step: str) -> None:
    s = st.session_state
    files = [(f.name, f.getvalue()) for f in (s.get(f"case_files_{step}") or [])]
    try:
        qc.take_step(ctx.source.engine, ctx.viewer, case_id, version, step, today=today,
                     step_date=s[f"case_date_{step}"], note=s.get(f"case_note_{step}", ""),
                     reply_due=s.get(f"case_due_{step}"), doc_no=s.get("case_docno", ""),
                     files=files, rules=rules, province=province)
    except qc.CaseConflict as exc:
        s["cases_flash"] = ("warning", str(exc))
        return
    except rc.CaseError as exc:
        s["cases_flash"] = ("error", str(exc))
        return
    s["cases_flash"] = ("success", f"已{step}。")


# -- one case --------------------------------------------------------------------------------

def show_case(case_id: int) -> None:
    detail = qc.case_detail(ctx.source, ctx.scope, case_id, today)
    if detail is None:
        st.error(qc.NOT_FOUND.format(case_id=case_id))
        return
    case, steps, files = detail["case"], detail["steps"], detail["attachments"]
    hint = qc.suggested_close(pd.DataFrame([case]), watch_now()).iloc[0]
    st.header(safe.text(case["doc_no"] or f"督办事项 {case_id}（待发出）"))
    st.page_link("pages/enterprise.py", label=safe.text(case["enterprise_name"]),
                 icon=":material/factory:", query_params={"uscc": case["uscc"]})
    m1, m2, m3, m4 = st.columns([1, 1.4, 0.8, 1.4])  # room for written-out dates
    m1.metric("状态", case["shown_status"])
    m2.metric("回复期限", fmt.cn_date(case["reply_due"]))
    m3.metric("逾期天数", f"{case['days_overdue']} 天")
    m4.metric("发出日期", fmt.cn_date(case["sent_date"]))
    if hint:
        st.success("建议办结：督办清单中该企业的此类事项已消除（以最新导入的数据为准），"
                   "请核实后办结。系统不会自动办结。")
    rows = [("企业名称", case["enterprise_name"]), ("统一社会信用代码", case["uscc"]),
            ("所在地", f"{case['city']}{case['county']}"), ("类别", case["category"]),
            ("督办事由", case["reason"]), ("督办要求", case["demand"]),
            ("主送", case["addressee"]), ("联系人及电话", case["contact"] or "—"),
            ("发文单位", case["issuer"]), ("文号", case["doc_no"] or "（发出时编号）"),
            ("回复日期", fmt.cn_date(case["replied_date"])),
            ("办结日期", fmt.cn_date(case["closed_date"])),
            ("登记人", case["opened_by"]), ("登记时间", fmt.cn_datetime(case["opened_at"]))]
    st.dataframe(pd.DataFrame(rows, columns=["项目", "内容"]), hide_index=True,
                 width="stretch", height=35 * (len(rows) + 1) + 3)
    sent_by = (qc.document(ctx.source, ctx.scope, case["doc_no"], today)
               if case["doc_no"] else None)
    if sent_by is not None and sent_by[0]["kind"] == rc.BATCH_LETTER:
        letter_download(*sent_by, key="case_letter")
    else:
        label = ("下载督办通知书（Word）" if case["doc_no"]
                 else "下载督办通知书送审稿（Word，未编文号）")
        downloads.button(ctx, label, lambda: case_docs.notice_docx(case, ctx.is_sample),
                         export.file_name(f"督办通知书_{case['enterprise_name']}", today, "docx"),
                         key="case_notice", icon=":material/description:")

    st.subheader("办理记录")
    st.dataframe(pd.DataFrame({
        "办理日期": [fmt.cn_date(d) for d in pd.to_datetime(steps["step_date"])],
        "办理": steps["action"],
        "状态": [f"{'—' if pd.isna(a) else a} → {b}"
               for a, b in zip(steps["from_status"], steps["to_status"])],
        "回复期限": [fmt.cn_date(d) if d is not None and d == d else "—"
                     for d in pd.to_datetime(steps["reply_due"])],
        "说明": steps["note"].fillna("—"),
        "办理人": steps["actor_name"].fillna(steps["actor"]),
        "登记时间": [fmt.cn_datetime(t) for t in pd.to_datetime(steps["at"])],
    }), hide_index=True, width="stretch")
    if not files.empty:
        st.subheader("附件")
        for f in files.itertuples():
            downloads.button(
                ctx, f"{f.file_name}（{f.size_bytes / 1024:,.0f} KB）",
                lambda a=f.attachment_id: qc.attachment(ctx.source, ctx.scope, a)[2],
                f.file_name, key=f"case_file_{f.attachment_id}", mime=f.mime,
                icon=":material/attach_file:")

    allowed = rc.allowed_steps(case["status"])
    if not may_act:
        st.caption("您的角色只能查看督办事项。")
        return
    if not allowed:
        st.caption("该督办事项已办结。")
        return
    st.subheader("办理")
    step = st.radio("办理事项", allowed, horizontal=True, key="case_step_kind")
    with st.form(f"case_form_{step}", clear_on_submit=True):
        st.date_input({rc.ISSUE: "发出日期", rc.REPLY: "收到回复日期", rc.RETURN: "退回日期",
                       rc.CLOSE: "办结日期"}[step], value=today, max_value=today,
                      key=f"case_date_{step}", format="YYYY-MM-DD")
        if step in (rc.ISSUE, rc.RETURN):
            st.date_input("回复期限", value=rc.default_reply_due(today, rules), min_value=today,
                          key=f"case_due_{step}", format="YYYY-MM-DD",
                          help=f"默认为发出后第 {rules.reply_days} 个工作日。")
        if step == rc.ISSUE:
            st.text_input("文号（留空则自动编号）", key="case_docno",
                          placeholder=rc.doc_no(rules.doc_pattern, province, today.year, 1)
                          .replace("〕1号", "〕N号"))
        st.text_area("退回理由" if step == rc.RETURN else "说明", key=f"case_note_{step}",
                     max_chars=rc.NOTE_MAX)
        if step in (rc.REPLY, rc.RETURN, rc.CLOSE):
            st.file_uploader(f"附件（回复文件扫描件等，可多个，单个不超过 "
                             f"{rules.max_attachment_mb} MB）", key=f"case_files_{step}",
                             accept_multiple_files=True,
                             type=sorted(rc.ATTACHMENT_TYPES),
                             max_upload_size=rules.max_attachment_mb,
                             help=f"单个附件不超过 {rules.max_attachment_mb} MB。")
        st.form_submit_button(f"确认{step}", type="primary", on_click=do_step,
                              args=(case_id, int(case["version"]), step),
                              key=f"case_submit_{step}")


def letter_download(letter: dict, listed: pd.DataFrame, key: str) -> None:
    """The download of a 批量督办函 already sent (its 文号, its cases in the viewer's scope)."""
    city = listed["city"].iloc[0]
    contact = next((c for c in listed["contact"] if isinstance(c, str) and c), None)
    downloads.button(
        ctx, f"下载批量督办函 {letter['doc_no']}（Word）",
        lambda: case_docs.batch_letter_docx(
            city, listed, letter["issuer"], letter["doc_no"], letter["sent_date"],
            listed["reply_due"].iloc[0], contact, ctx.is_sample),
        export.file_name(f"批量督办函_{city}", letter["sent_date"], "docx"), key=key,
        icon=":material/description:")


def do_batch(city: str, chosen: list[tuple[int, int]]) -> None:
    s = st.session_state
    try:
        number = qc.issue_batch(
            ctx.source.engine, ctx.viewer, chosen, today=today, sent=s["case_batch_date"],
            reply_due=s["case_batch_due"], addressee=f"{city}生态环境局",
            issuer=rc.issuer_name(ctx.scope.level, ctx.area_name),
            doc_no=s.get("case_batch_docno", ""), rules=rules, province=province)
    except rc.CaseError as exc:
        s["cases_flash"] = ("error", str(exc))
        return
    s["cases_flash"] = ("success",
                        f"已以批量督办函 {number} 发出{city}的督办事项 {len(chosen)} 项。")
    s["case_batch_sent"] = number


def show_batch() -> None:
    """批量督办函: the province sends one city's unsent cases (addressed to the city's bureau)
    with one letter and one 文号."""
    st.subheader("批量督办函")
    sent = st.session_state.get("case_batch_sent")
    if sent and (found := qc.document(ctx.source, ctx.scope, sent, today)) is not None:
        letter_download(*found, key="case_batch_letter")
    everything = qc.case_list(ctx.source, ctx.scope, today,
                              qc.CaseFilters(statuses=(rc.DRAFT,)))
    ready = everything[everything["addressee_kind"] == rc.ADDRESSEE_KINDS[0]]
    if ready.empty:
        st.caption("没有待发出、主送市级生态环境部门的督办事项。")
        return
    per_city = ready.groupby(["city_adcode", "city"]).size()
    options = {code: f"{name}（{n} 项）" for (code, name), n in per_city.items()}
    city_code = st.selectbox("城市", list(options), format_func=options.get, key="case_batch_city")
    chosen = qc.batch_candidates(ctx.source, ctx.scope, city_code, today)
    city = options[city_code].split("（")[0]
    st.dataframe(case_table.view(qc.ledger(chosen)), hide_index=True, width="stretch",
                 column_config=case_table.COLUMN_CONFIG)
    with st.form("case_batch_form"):
        c1, c2, c3 = st.columns(3)
        c1.date_input("发出日期", value=today, max_value=today, key="case_batch_date",
                      format="YYYY-MM-DD")
        c2.date_input("回复期限", value=rc.default_reply_due(today, rules), min_value=today,
                      key="case_batch_due", format="YYYY-MM-DD")
        c3.text_input("文号（留空则自动编号）", key="case_batch_docno")
        st.form_submit_button(
            f"以一份批量督办函发出{city}的 {len(chosen)} 项督办事项", type="primary",
            on_click=do_batch, key="case_batch_submit",
            args=(city, [(int(i), int(v)) for i, v in zip(chosen["case_id"], chosen["version"])]))


# -- a new case ------------------------------------------------------------------------------

def show_new(uscc: str, category: str | None) -> None:
    st.header("登记督办事项")
    ent = qc.enterprise_brief(ctx.source, ctx.scope, uscc)
    if ent is None:
        st.error("未在您的管辖范围内找到该企业。")
        return
    if not may_act:
        st.warning(qc.NO_RIGHT)
        return
    st.markdown(safe.text(f"企业：{ent['name']}（{ent['city']}{ent['county']}，"
                          f"统一社会信用代码 {ent['uscc']}）"))
    watch = watch_now()
    items = watch[watch["统一社会信用代码"] == uscc]
    open_now = qc.open_items(ctx.source, ctx.scope)
    open_now = open_now[open_now["uscc"] == uscc]
    choices = {f"{r['类别']}：{r['事由']}": i for i, r in items.iterrows()}
    choices["其他（手工填写事由）"] = None
    first = next((k for k, i in choices.items()
                  if i is not None and items.loc[i, "类别"] == category), next(iter(choices)))
    pick = st.selectbox("督办清单中的事项", list(choices), index=list(choices).index(first),
                        key="case_new_item")
    item = items.loc[choices[pick]] if choices[pick] is not None else None
    cat = item["类别"] if item is not None else "其他"
    same = open_now[open_now["category"] == cat]
    if cat != "其他" and not same.empty:
        cid = int(same.iloc[0]["case_id"])
        st.warning(f"该企业已有在办的同类督办事项（编号 {cid}），请在该事项中继续办理。")
        st.page_link("pages/cases.py", label=f"打开督办事项 {cid}", query_params={"case": str(cid)})
        return
    # Prefilled from the chosen item: reset the text when another item is chosen.
    if st.session_state.get("case_new_for") != pick:
        st.session_state["case_new_for"] = pick
        st.session_state["case_new_reason"] = item["事由"] if item is not None else ""
        st.session_state["case_new_demand"] = rc.demand_text(cat)
    st.session_state["case_new_cat"] = cat
    to = rc.addressee_choices(ctx.scope.level, ent["city"], ent["county"], ent["name"])
    with st.form("case_new_form"):
        st.text_area("督办事由", key="case_new_reason", max_chars=rc.NOTE_MAX)
        st.text_area("督办要求", key="case_new_demand", max_chars=rc.NOTE_MAX)
        st.selectbox("主送", to, format_func=lambda t: f"{t[1]}（{t[0]}）", key="case_new_to")
        st.date_input("回复期限", value=rc.default_reply_due(today, rules), min_value=today,
                      key="case_new_due", format="YYYY-MM-DD",
                      help=f"默认为今天起第 {rules.reply_days} 个工作日；发出时可再调整。")
        st.text_input("联系人及电话", key="case_new_contact", max_chars=rc.CONTACT_MAX)
        st.text_input("说明", key="case_new_note")
        audit = item["audit_id"] if item is not None and "audit_id" in item else None
        due = item["应完成/到期日期"] if item is not None else None
        st.form_submit_button(
            "登记督办事项", type="primary", on_click=do_open, key="case_new_submit",
            args=(uscc, None if audit is None or pd.isna(audit) else int(audit),
                  fmt.as_date(due),
                  int(item["逾期天数"]) if item is not None else None))


# -- the list --------------------------------------------------------------------------------

def show_list() -> None:
    everything = qc.case_list(ctx.source, ctx.scope, today)
    cities = dict(zip(everything["city_adcode"], everything["city"]))
    province_wide = ctx.scope.level == "province"  # a city has one city: no city filter
    cols = st.columns([1, 1, 1, 1.3] if province_wide else [1, 1, 1.3])
    sel_cities = (cols.pop(0).multiselect("城市", sorted(cities), format_func=cities.get,
                                          key="case_city", placeholder="全部城市")
                  if province_wide else [])
    c2, c3, c4 = cols
    statuses = c2.multiselect("状态", rc.SHOWN_STATUSES, key="case_status",
                              placeholder="全部状态")
    categories = c3.multiselect("类别", rc.CATEGORIES, key="case_cat", placeholder="全部类别")
    due = c4.date_input("回复期限", value=(), key="case_due", format="YYYY-MM-DD")
    due_from = due[0] if len(due) > 0 else None
    due_to = due[1] if len(due) > 1 else due_from
    listed = qc.case_list(ctx.source, ctx.scope, today, qc.CaseFilters(
        cities=tuple(sel_cities), statuses=tuple(statuses), categories=tuple(categories),
        due_from=due_from, due_to=due_to))
    hint = qc.suggested_close(listed, watch_now())
    # names, units and help from the one registry (rules/indicators.py, 指标说明)
    numbers = {"cases_total": len(listed), "cases_open": int(listed["status"].isin(rc.OPEN).sum()),
               "cases_waiting": int(listed["status"].isin(rc.WAITING).sum()),
               "cases_overdue_reply": int((listed["shown_status"] == rc.OVERDUE).sum()),
               "cases_suggest_close": int(hint.sum()),
               "cases_closed": int((listed["status"] == rc.CLOSED).sum())}
    for col, (key, value) in zip(st.columns(len(numbers)), numbers.items()):
        col.metric(ind.name(key), f"{value:,} {ind.unit(key)}",
                   help=ind.help_text(key, ctx.clock))

    st.subheader(ind.name("cases_ageing"))
    ageing = qc.ageing(listed)
    for col, (label, n) in zip(st.columns(len(ageing)), ageing.items()):
        col.metric(label, f"{n:,} {ind.unit('cases_ageing')}",
                   help=ind.help_text("cases_ageing", ctx.clock))
    st.subheader("各市督办情况")
    st.dataframe(qc.city_counts(listed), hide_index=True, width="stretch")

    st.subheader("督办事项")
    if listed.empty:
        st.info("当前范围内没有督办事项。可在“审核进度与督办”页的督办清单中勾选一行登记督办。")
    else:
        more = (f"；此处显示最新的 {SHOWN:,} 项，完整台账请下载 Excel" if len(listed) > SHOWN
                else "")
        st.caption(f"共 {len(listed):,} 项，按登记时间从新到旧排序{more}。")
        st.dataframe(case_table.view(qc.ledger(listed.head(SHOWN), hint.head(SHOWN))),
                     hide_index=True,
                     width="stretch", key="case_table", column_config=case_table.COLUMN_CONFIG)

    if may_act and ctx.scope.level == "province":
        show_batch()

    st.subheader("导出督办台账")
    start_default = dt.date(today.year, 1, 1)
    span = st.date_input("登记日期范围", value=(start_default, today), max_value=today,
                         key="case_export_span", format="YYYY-MM-DD")
    if len(span) == 2:
        start, end = span
        downloads.button(
            ctx, f"下载督办台账（Excel，{fmt.cn_date(start)}至{fmt.cn_date(end)}登记）",
            lambda: ledger_bytes(start, end),
            f"{ctx.area_name}督办台账_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            key="case_export", icon=":material/table_view:")


def ledger_bytes(start: dt.date, end: dt.date) -> bytes:
    rows = qc.case_list(ctx.source, ctx.scope, today,
                        qc.CaseFilters(opened_from=start, opened_to=end))
    header = [f"{ctx.area_name}清洁生产审核督办台账",
              f"范围：{ctx.area_name}；登记日期 {fmt.cn_date(start)}至{fmt.cn_date(end)}",
              f"导出日期 {fmt.cn_date(today)}；共 {len(rows)} 项"]
    return export.excel_bytes({"督办台账": qc.ledger(rows, qc.suggested_close(rows, watch_now()))},
                              header)


case_param = (st.query_params.get("case") or "").strip()
new_param = (st.query_params.get("new") or "").strip().upper()
if case_param:
    case_id = park_id_of(case_param)  # the same rule: ASCII digits, no leading zero, in range
    if case_id is None:
        st.warning(f"链接中的督办事项编号“{safe.short(case_param)}”无效，已显示督办台账。")
        show_list()
    else:
        st.page_link("pages/cases.py", label="返回督办台账", icon=":material/arrow_back:",
                     query_params={})
        show_case(case_id)
elif new_param:
    if len(new_param) != 18 or not new_param.isalnum() or not new_param.isascii():
        st.warning("链接中的统一社会信用代码无效，已显示督办台账。")
        show_list()
    else:
        cat = st.query_params.get("cat")
        show_new(new_param, cat if cat in rc.CATEGORIES else None)
else:
    show_list()
