"""Every page as every kind of user (AppTest, hand-built database): what each role's navigation
holds, that a city, county or park user sees nothing outside the jurisdiction on any page or
tab, that read-only users get no downloads, and the administration pages at work."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import select, update

from queries import accounts
from queries import schema as s
from queries.db import get_engine
from rules import roles
from rules.identifiers import make_uscc
from tests import handmade as hm
from tests.apptest import open_page, session_token, shown, sign_in, texts

ASOF = {"asof": "2024-12-31"}
# The lazy tabs of each page: (session key, tab labels).
TABS = {
    "pages/overview.py": ("ov_section", ["各城市进展排名", "季度完成趋势", "行业分布",
                                         "逾期时间最长的企业"]),
    "pages/supervision.py": ("sup_section", ["督办清单", "审核进度", "审核轮次与逾期"]),
    "pages/parks.py": ("parks_section", ["园区评分表", "同类园区比较", "园区成员登记核对"]),
    "pages/plan.py": ("plan_section", ["计划对标", "年度实施情况报告"]),
}
NANJING = [hm.E1, hm.E2, "南京", "江苏清源环境咨询有限公司"]
SUZHOU = [hm.E3, hm.E4, hm.E5, "苏州"]


def press(at, label: str):
    """Click the button with this label (the sidebar's 退出登录 is a button too)."""
    return next(b for b in at.button if b.label == label).click().run()


def nav(at) -> set[str]:
    """The page files in the run's navigation (not the hidden home page at /)."""
    return {Path(p["script_path"]).stem for p in at._registered_pages.values()} - {"app", ""}


def _arrow_text(raw: bytes) -> str:
    try:
        return pa.ipc.open_stream(raw).read_all().to_pandas().to_string()
    except Exception:  # noqa: BLE001 - not an Arrow table
        return ""


def everything(at) -> str:
    """All text the page sends to the browser: messages, tables, metrics, widget options,
    HTML, the map's deck and the charts' data."""
    parts = [texts(at)]
    parts += [df.value.to_string() for df in at.dataframe]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(e.value) for e in at.html]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            parts += [str(o) for o in w.options]
    for e in at.get("deck_gl_json_chart"):
        parts.append(e.proto.json)
    for e in at.get("vega_lite_chart"):
        parts.append(e.proto.spec)
        parts += [_arrow_text(d.data.data) for d in e.proto.datasets]
        parts.append(_arrow_text(e.proto.data.data))
    for e in at.get("arrow_data_frame"):
        parts.append(_arrow_text(e.proto.data))
    return "\n".join(parts)


def every_tab(at, page: str):
    """The page, then each of its lazy tabs opened in turn."""
    yield "—"
    key, labels = TABS.get(page, (None, []))
    for label in labels:
        at.session_state[key] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        yield label


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_each_role_sees_its_pages_only(monkeypatch, handmade_sqlite, role):
    at = open_page(monkeypatch, handmade_sqlite, user=role)
    assert nav(at) == set(roles.ROLES[role].pages)
    others = roles.ALL_PAGES - set(roles.ROLES[role].pages)
    for page in sorted(others):
        with pytest.raises(Exception):  # noqa: B017 - not in the navigation: cannot be opened
            at.switch_page(f"pages/{page}.py")


@pytest.mark.parametrize("page", [f"pages/{p}.py" for p in roles.DATA_PAGES])
def test_city_user_sees_nothing_of_another_city(monkeypatch, handmade_sqlite, page):
    at = open_page(monkeypatch, handmade_sqlite, page, params=ASOF, user="city")
    seen = ""
    for tab in every_tab(at, page):
        body = everything(at)
        leaked = [w for w in NANJING if w in body]
        assert leaked == [], (page, tab, leaked)
        seen += body
    assert "苏州" in seen  # the page did show the city's own data


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/supervision.py",
                                  "pages/parks.py", "pages/park.py", "pages/data_status.py"])
def test_park_user_sees_only_the_park(monkeypatch, handmade_sqlite, page):
    at = open_page(monkeypatch, handmade_sqlite, page, params=ASOF, user="park")
    for tab in every_tab(at, page):
        body = everything(at)
        assert [w for w in SUZHOU if w in body] == [], (page, tab)


def test_county_user_sees_only_the_county(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py", params=ASOF,
                   user="county")  # 虎丘区: E3 only
    for _tab in every_tab(at, "pages/supervision.py"):
        body = everything(at)
        assert hm.E4 not in body and "吴江" not in body and "南京" not in body
    assert "苏州丙电镀有限公司" in body


def test_titles_and_sidebar_name_the_jurisdiction(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py", params=ASOF,
                   user="city")
    assert shown(at.caption[0].value).startswith("苏州市 · ")
    summary = [shown(c.value) for c in at.sidebar.caption if "全部行业" in c.value]
    assert summary and summary[0].startswith("苏州市 · 全部行业")
    assert "江苏省" not in " ".join(shown(c.value) for c in at.caption[:1])
    at = open_page(monkeypatch, handmade_sqlite, "pages/overview.py", params=ASOF, user="city")
    assert shown(at.caption[0].value).startswith("苏州市 · ")


def test_deep_links_outside_the_jurisdiction_look_like_nothing(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/enterprise.py",
                   params={**ASOF, "uscc": hm.E1}, user="city")
    nowhere = make_uscc("320100", "MA1YYY99")  # valid, in no table
    missing = open_page(monkeypatch, handmade_sqlite, "pages/enterprise.py",
                        params={**ASOF, "uscc": nowhere}, user="city")
    assert shown(at.error[0].value).replace(hm.E1, "X") == \
        shown(missing.error[0].value).replace(nowhere, "X")
    assert "南京甲化工" not in everything(at)
    with get_engine(handmade_sqlite).connect() as conn:  # the attempt is in the audit log
        denied = conn.execute(select(s.audit_log.c.username, s.audit_log.c.target)
                              .where(s.audit_log.c.action == "denied")).all()
    assert denied == [("test-city", hm.E1)]  # once, and not for the unknown code
    at = open_page(monkeypatch, handmade_sqlite, "pages/overview.py",
                   params={**ASOF, "city": "320100"}, user="city")
    warned = " ".join(shown(w.value) for w in at.sidebar.warning)
    assert "“320100” 不存在或不在您的权限范围内" in warned
    assert "南京" not in everything(at)


@pytest.mark.parametrize("page", [f"pages/{p}.py" for p in roles.DATA_PAGES])
def test_read_only_users_get_no_downloads(monkeypatch, handmade_sqlite, page):
    at = open_page(monkeypatch, handmade_sqlite, page, params={**ASOF, "uscc": hm.E3,
                                                               "park": "1"}, user="readonly")
    for _tab in every_tab(at, page):
        assert at.get("download_button") == []
    city = open_page(monkeypatch, handmade_sqlite, page, params={**ASOF, "uscc": hm.E3},
                     user="city")
    if page in ("pages/overview.py", "pages/enterprise.py", "pages/supervision.py",
                "pages/parks.py"):
        assert city.get("download_button"), page  # the same page offers them to a city user


def test_plan_import_is_not_offered_without_the_right(monkeypatch, handmade_sqlite):
    for role, offered in (("city", True), ("park", False), ("readonly", False)):
        at = open_page(monkeypatch, handmade_sqlite, "pages/plan.py", params=ASOF, user=role)
        labels = [t.label for t in at.tabs]
        assert ("导入计划目标" in labels) is offered, role


def test_first_sign_in_opens_only_my_account_until_the_password_is_changed(
        monkeypatch, handmade_sqlite):
    engine = get_engine(handmade_sqlite)
    pw = accounts.create_account(engine, None, username="szs-new", display_name="新人",
                                 role="city", level="city", code="320500")
    token = accounts.sign_in(engine, "szs-new", pw).token
    monkeypatch.setenv("DATABASE_URL", handmade_sqlite)
    at = open_page(monkeypatch, handmade_sqlite, user=None)
    sign_in(monkeypatch, token)
    at.run()
    assert nav(at) == {"account"}
    assert "首次登录或密码被重置后，请先修改密码" in texts(at)
    at.text_input[0].set_value(pw)
    at.text_input[1].set_value("Suzhou@2027")
    at.text_input[2].set_value("Suzhou@2027")
    press(at, "修改密码")
    assert not at.exception
    assert nav(at) == set(roles.ROLES["city"].pages)
    assert "密码已修改" in texts(at)


def test_a_disabled_account_is_signed_out_at_its_next_run(monkeypatch, handmade_sqlite):
    token = session_token(handmade_sqlite, "city")
    at = open_page(monkeypatch, handmade_sqlite, user=None)
    sign_in(monkeypatch, token)
    at.run()
    assert nav(at) == set(roles.ROLES["city"].pages)
    engine = get_engine(handmade_sqlite)
    with engine.begin() as conn:
        conn.execute(update(s.account).where(s.account.c.username == "test-city")
                     .values(status="停用"))
    at.run()
    assert not at.title and not at.dataframe and not at.metric
    assert accounts.session_viewer(engine, token) == (None, "disabled")


def test_nobody_signed_in_sees_no_page(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, user=None)
    assert "请先登录" in texts(at)
    assert not at.metric and not at.dataframe and not nav(at) & roles.ALL_PAGES


def test_sign_out_ends_the_session(monkeypatch, handmade_sqlite):
    token = session_token(handmade_sqlite, "city")
    at = open_page(monkeypatch, handmade_sqlite, user=None)
    sign_in(monkeypatch, token)
    at.run()
    at.sidebar.button(key="signout").click().run()
    engine = get_engine(handmade_sqlite)
    assert accounts.session_viewer(engine, token) == (None, "signout")
    with engine.connect() as conn:
        actions = [a for (a,) in conn.execute(select(s.audit_log.c.action))]
    assert "signout" in actions


def test_system_administrator_creates_an_account(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/accounts.py", user="sysadmin")
    assert at.title[0].value == "账号管理"
    at.session_state["accts_tab"] = "新建账号"
    at.run()
    at.selectbox(key="accts_new_role").set_value("county").run()
    at.selectbox(key="accts_new_code").set_value("320505").run()
    at.text_input[0].set_value("hq-wang")
    at.text_input[1].set_value("王五")
    at.text_input[2].set_value("虎丘区生态环境分局")
    press(at, "新建账号")
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    assert "已新建账号 hq-wang" in texts(at)
    one_time = at.code[0].value
    engine = get_engine(handmade_sqlite)
    assert accounts.sign_in(engine, "hq-wang", one_time).token
    row = accounts.list_accounts(engine).set_index("username").loc["hq-wang"]
    assert (row.role, row.scope_level, row.scope_code) == ("county", "county", "320505")


def test_bulk_create_from_an_excel_list(monkeypatch, handmade_sqlite):
    people = pd.DataFrame({"用户名": ["sz-a", "sz-b", "sz-a"], "姓名": ["甲", "乙", "丙"],
                           "角色": ["市级用户", "区县级用户", "只读用户"],
                           "辖区": ["320500", "999999", ""]})
    buf = io.BytesIO()
    people.to_excel(buf, index=False)
    at = open_page(monkeypatch, handmade_sqlite, "pages/accounts.py", user="sysadmin")
    at.session_state["accts_tab"] = "批量新建"
    at.run()
    uploader = at.get("file_uploader")[0]
    assert uploader is not None
    # AppTest cannot upload a file: check the rows as the page checks them
    from rules.account_sheet import read_sheet

    engine = get_engine(handmade_sqlite)
    admin = accounts.session_viewer(engine, session_token(handmade_sqlite, "sysadmin"))[0]
    checked = accounts.bulk_check(engine, admin, read_sheet(buf.getvalue()).rows)
    assert [c["problem"] for c in checked] == [
        None, "行政区划代码 999999 不在本省", "用户名 sz-a 与第 2 行重复"]


def test_security_administrator_changes_a_setting(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/security.py", user="secadmin")
    at.number_input(key="sec_idle_timeout_minutes").set_value(60)
    press(at, "保存设置")
    assert "安全设置已保存" in texts(at)
    accounts._settings_cache.clear()
    assert accounts.settings(get_engine(handmade_sqlite)).idle_timeout_minutes == 60
    assert not at.get("download_button")


def test_audit_administrator_reads_the_log(monkeypatch, handmade_sqlite):
    engine = get_engine(handmade_sqlite)
    accounts.sign_in(engine, "nobody", "x", "10.9.9.9")
    at = open_page(monkeypatch, handmade_sqlite, "pages/audit_log.py", user="auditor")
    log = at.dataframe[0].value
    row = log[log["操作"] == "登录失败"].iloc[0]
    assert (row["用户"], row["结果"], row["详情"], row["来源地址"]) == (
        "nobody", "失败", "用户名不存在", "10.9.9.9")
    at.multiselect(key="log_outcomes").set_value(["成功"]).run()
    assert "登录失败" not in set(at.dataframe[0].value["操作"])
    assert at.get("download_button")  # the audit administrator exports the log


def test_my_account_shows_who_i_am_and_changes_my_password(monkeypatch, handmade_sqlite):
    """pages/account.py for a city official: identity, then the password form's three answers
    (mismatch, a rule broken, done) — only the last one changes what signs in."""
    engine = get_engine(handmade_sqlite)
    pw = accounts.create_account(engine, None, username="szs-li", display_name="李四",
                                 role="city", level="city", code="320500")
    token = accounts.sign_in(engine, "szs-li", pw).token
    first = "Suzhou@2027"
    viewer, _ = accounts.session_viewer(engine, token, "", False)
    assert accounts.change_password(engine, viewer, pw, first) == []  # past the first sign-in
    at = open_page(monkeypatch, handmade_sqlite, "pages/account.py", user="szs-li")
    shown_table = at.dataframe[0].value
    assert dict(zip(shown_table["项目"], shown_table["内容"])) == {
        "用户名": "szs-li", "姓名": "李四", "单位": shown_table["内容"][2], "角色": "市级用户",
        "辖区": "苏州市", "登录方式": "本地账号"}

    def change(current: str, new: str, again: str):
        at.text_input[0].set_value(current)
        at.text_input[1].set_value(new)
        at.text_input[2].set_value(again)
        press(at, "修改密码")
        assert not at.exception

    change(first, "Suzhou@2028", "Suzhou@2029")
    assert "两次输入的新密码不一致" in texts(at)
    change(first, "short", "short")
    assert [e.value for e in at.error] and "密码已修改" not in texts(at)
    assert accounts.sign_in(engine, "szs-li", first).token  # nothing changed yet
    change(first, "Suzhou@2028", "Suzhou@2028")
    assert "密码已修改" in texts(at)
    assert accounts.sign_in(engine, "szs-li", "Suzhou@2028").token
