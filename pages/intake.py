"""数据导入: choose the kind of record, download its template (blank or with the jurisdiction's
records), upload the filled file, see what it would change, confirm, and undo a past import."""

import hashlib

import pandas as pd
import streamlit as st

from components import downloads, export, html_table, safe
from components.context import get_context
from components.fmt import cn_datetime
from queries import intake
from rules import intake as ri
from rules.roles import IMPORT
from rules.uploads import UploadLimits

ctx = get_context()
st.title("数据导入")
if not ctx.viewer.may(IMPORT):  # the navigation hides the page; a direct link lands here
    ctx.log("denied", "拒绝", target="数据导入")
    st.error("您的角色不能导入数据。如需导入，请联系系统管理员。")
    st.stop()
src, scope = ctx.source, ctx.scope
st.caption(f"{safe.text(ctx.area_name)} · 只能新增或修改本辖区的记录 · 空白单元格保留原值，"
           "填写（清空）才会清除可留空的值 · 确认后整个文件一次写入，可撤销")

# Province-wide registers (专家库, 咨询机构) are the province's to import: not offered below it.
kinds = {k.code: k for k in ri.KINDS.values() if not ri.import_refused(k, scope.level)}
kept = [k.name for k in ri.KINDS.values() if k.code not in kinds]
if kept:
    st.caption(f"{'、'.join(kept)}是全省统一管理的名录，由省级用户导入。")
# A link from another page names the kind (计划对标 → ?kind=targets): chosen once, then the
# parameter is dropped so the official's own choice is not overridden on the next run.
if st.query_params.get("kind") in kinds:
    st.session_state["intake_kind"] = st.query_params["kind"]
    del st.query_params["kind"]
code = st.selectbox("数据类型", list(kinds), format_func=lambda c: kinds[c].name,
                    key="intake_kind")
kind = kinds[code]
st.markdown(safe.text(kind.note))

# ---- 1. template -------------------------------------------------------------------------------
st.subheader("1. 下载模板")
left, right = st.columns(2)
choices = intake.template_choices(src, scope, code)
downloads.button(ctx, f"下载{kind.name}空白模板（.xlsx）",
                 lambda: export.template_bytes(kind, choices),
                 f"{kind.name}导入模板.xlsx", key=f"intake_tpl_{code}", right=IMPORT,
                 where=left, icon=":material/download:")
downloads.button(ctx, "下载含本辖区现有记录的模板（.xlsx）",
                 lambda: export.template_bytes(kind, choices,
                                               intake.current_rows(src, scope, code)),
                 f"{kind.name}导入模板_{ctx.area_name}现有记录.xlsx",
                 key=f"intake_tpl_filled_{code}", right=IMPORT, where=right,
                 icon=":material/download:")

# ---- 2. upload and preview ---------------------------------------------------------------------
st.subheader("2. 上传并预览")
limits = UploadLimits.from_env()
read_only = intake.write_problem(src)
if read_only:
    st.error(safe.text(read_only))
turn = st.session_state.get("intake_turn", 0)  # a new key empties the uploader after a write
upload = st.file_uploader(
    f"上传填写好的文件（.xlsx、.xls 或 .csv，不超过 {limits.max_mb} MB）", type=None,
    key=f"intake_upload_{code}_{turn}",
    disabled=bool(read_only), max_upload_size=limits.max_mb,
    help=f"Excel（.xlsx 或旧版 .xls）或 CSV（UTF-8 或 GBK）文件，不超过 {limits.max_mb} MB、"
         f"{limits.max_rows:,} 行。")
attach_label = intake.HANDLERS[code].attach_label  # a second file some kinds take (园区: 边界)
second = st.file_uploader(
    attach_label, type=None, key=f"intake_attach_{code}_{turn}", disabled=bool(read_only),
    max_upload_size=limits.max_mb,
    help="每个面要素带「园区名称」（或「名称」）属性；Shapefile 请把 .shp、.shx、.dbf、.prj "
         "一起压缩成 .zip。边界随上面的表格一起预览和导入。") if attach_label else None
attachment = (second.getvalue(), second.name) if second is not None else None
if st.session_state.get("intake_done"):
    st.success(safe.text(st.session_state["intake_done"]))

if upload is not None and not read_only:
    data = upload.getvalue()
    # Reruns (a click on the filter pills) reuse the preview of the same file and data version;
    # the confirmation checks it again against the database (fingerprint).
    key = (code, hashlib.sha256(data).hexdigest(), src.version, scope, upload.name,
           attachment and (hashlib.sha256(attachment[0]).hexdigest(), attachment[1]))
    cached = st.session_state.get("intake_preview")
    if cached is None or cached[0] != key:
        cached = (key, intake.preview(src, scope, code, data, upload.name, limits,
                                      attachment=attachment))
        st.session_state["intake_preview"] = cached
    pv = cached[1]
    if pv.problems:
        st.error("文件未能读取，未写入任何数据：")
        for problem in pv.problems:
            st.markdown("- " + safe.text(str(problem)))
    else:
        counts = {s: pv.count(s) for s in intake.STATUSES}
        cols = st.columns(4)
        for col, (status, n) in zip(cols, counts.items(), strict=True):
            col.metric(status, f"{n:,} 条")
        frame = pv.frame()
        if not pv.warnings:
            frame = frame.drop(columns="提示")
        shown_statuses = st.pills("显示", list(intake.STATUSES), selection_mode="multi",
                                  default=[s for s in intake.STATUSES if s != intake.SAME
                                           and counts[s]] or list(intake.STATUSES),
                                  key=f"intake_show_{code}")
        view = frame[frame["结果"].isin(shown_statuses or intake.STATUSES)]
        if view.empty:
            st.info("所选类别下没有行。")
        else:  # cells of the file are shown as text (an escaped HTML table)
            with st.container(height=min(460, 70 + 36 * len(view.head(1000)))):
                table = view.head(1000).assign(行号=view["行号"].astype(str))
                wrap = [{"selector": f"td.col{j}", "props": "white-space: normal;"}
                        for j, c in enumerate(table.columns) if c in ("变化或原因", "提示")]
                html_table.show(table.style.set_table_styles(wrap), "intake_preview")
            if len(view) > 1000:
                st.caption(f"共 {len(view):,} 行，上表列出前 1,000 行。")
        if counts[intake.REJECTED]:
            st.error(f"有 {counts[intake.REJECTED]:,} 行被拒绝（原因见上表），整个文件不会写入。"
                     "请按原因修改后重新上传。")
            rejected = frame[frame["结果"] == intake.REJECTED]
            downloads.button(ctx, "下载被拒绝的行及原因（.xlsx）",
                             lambda: export.excel_bytes({"被拒绝的行": rejected},
                                                        [f"{kind.name}导入：被拒绝的行",
                                                         f"文件：{upload.name}"]),
                             f"{kind.name}导入_被拒绝的行.xlsx", key=f"intake_rejected_{code}",
                             right=IMPORT)
        elif not pv.ok:
            st.info("文件中的记录与数据库一致，没有需要写入的新增或修改。")
        else:
            checked = True
            if pv.warnings:
                st.warning(f"有 {len(pv.warnings):,} 条提示（见上表“提示”列），不影响写入。")
                checked = st.checkbox("我已核对上述提示，确认导入", key=f"intake_ack_{code}")
            label = (f"确认导入：新增 {counts[intake.NEW]:,} 条、修改 "
                     f"{counts[intake.CHANGED]:,} 条")
            if st.button(label, type="primary", key=f"intake_confirm_{code}",
                         disabled=not checked):
                out = intake.confirm(src, scope, code, data, upload.name, ctx.viewer,
                                     pv.fingerprint, limits, attachment=attachment)
                if out.ok:
                    st.session_state["intake_done"] = out.message + "各页面已按新数据重算。"
                    st.session_state["intake_turn"] = turn + 1
                    st.rerun()
                st.error(safe.text(out.message))

# ---- 3. past imports ---------------------------------------------------------------------------
st.subheader("3. 导入记录")
past = intake.batches(src, scope)
if past.empty:
    st.info("还没有导入记录。")
else:
    names = {k.code: k.name for k in ri.KINDS.values()}
    table = pd.DataFrame({
        "批次": past["batch_id"].map(lambda b: f"第 {b} 次"),
        "数据类型": past["kind"].map(lambda k: names.get(k, k)),
        "文件": past["file_name"], "导入时间": past["created_at"].map(cn_datetime),
        "导入人": past["username"], "新增（条）": past["inserted"],
        "修改（条）": past["updated"], "无变化（条）": past["unchanged"],
        "状态": [s if s == "有效" else f"已撤销（{cn_datetime(t)}，{b}）"
               for s, t, b in zip(past["status"], past["undone_at"], past["undone_by"],
                                  strict=True)]})
    html_table.show(table, "intake_batches")
    active = past[past["status"] == "有效"]
    if not active.empty:
        labels = {int(r.batch_id): f"第 {r.batch_id} 次 · {r.file_name} · "
                                   f"{cn_datetime(r.created_at)}" for r in active.itertuples()}
        which = st.selectbox("撤销哪一次导入", list(labels), format_func=labels.get,
                             key="intake_undo_which")
        if st.button("撤销本次导入", key="intake_undo", icon=":material/undo:"):
            out = intake.undo(src, scope, int(which), ctx.viewer)
            if out.ok:
                st.session_state["intake_done"] = out.message
                st.rerun()
            st.error(safe.text(out.message))
