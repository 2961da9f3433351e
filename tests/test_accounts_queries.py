"""Accounts, sign-in, sessions and the audit log in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from queries import accounts, auditlog
from queries import schema as s
from queries.db import get_engine
from queries.scope import Scope
from rules.security import SessionTimes, session_end_reason
from tests.browser import ROOT

T0 = dt.datetime(2026, 12, 1, 1, 0)
PW = "Szs@2026pass"


@pytest.fixture
def engine(handmade_url):
    accounts._settings_cache.clear()
    return get_engine(handmade_url)


def admin(engine, role="sysadmin", name=None) -> accounts.Viewer:
    """An administrator signed in (a real account and session)."""
    name = name or f"t-{role}"
    accounts.create_account(engine, None, username=name, display_name=name, role=role,
                            password=PW)
    with engine.begin() as conn:
        conn.execute(update(s.account).where(s.account.c.username == name)
                     .values(must_change_password=False, password_changed=T0))
    token = accounts.sign_in(engine, name, PW, "10.0.0.9", now=T0).token
    viewer, _ = accounts.session_viewer(engine, token, "10.0.0.9", now=T0)
    return viewer


def log(engine, action=None) -> list:
    t = s.audit_log
    stmt = select(t.c.username, t.c.action, t.c.outcome, t.c.detail, t.c.target)
    if action:
        stmt = stmt.where(t.c.action == action)
    with engine.connect() as conn:
        return conn.execute(stmt.order_by(t.c.log_id)).all()


def city_user(engine, sysadmin, name="szs-zhang", code="320500") -> str:
    pw = accounts.create_account(engine, sysadmin, username=name, display_name="张三",
                                 unit="苏州市生态环境局", role="city", level="city", code=code)
    return pw


def test_sign_in_opens_a_session_with_the_jurisdiction(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    result = accounts.sign_in(engine, "SZS-Zhang ", pw, "10.1.1.1", now=T0)
    assert result.token and result.message == ""
    viewer, ended = accounts.session_viewer(engine, result.token, "10.1.1.1", now=T0)
    assert ended is None
    assert (viewer.username, viewer.role, viewer.scope) == ("szs-zhang", "city",
                                                            Scope("city", "320500"))
    assert viewer.scope_name == "苏州市" and viewer.role_name == "市级用户"
    assert viewer.must_change == "首次登录或密码被重置后，请先修改密码。"
    # the token is not stored, only its hash
    with engine.connect() as conn:
        keys = [k for (k,) in conn.execute(select(s.user_session.c.session_key))]
    assert result.token not in keys and accounts.token_key(result.token) in keys
    assert ("szs-zhang", "signin", "成功") in [r[:3] for r in log(engine)]
    assert ("t-sysadmin", "account_create", "成功") in [r[:3] for r in log(engine)]


def test_tampered_or_unknown_tokens_open_nothing(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    token = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 5000, token.upper(),
                accounts.token_key(token)):  # the stored key is not a token either
        assert accounts.session_viewer(engine, bad, now=T0) == (None, None)
    assert accounts.session_viewer(engine, token, now=T0)[0].username == "szs-zhang"


def test_unknown_user_and_wrong_password_get_the_same_answer(engine):
    sysadmin = admin(engine)
    city_user(engine, sysadmin)
    wrong = accounts.sign_in(engine, "szs-zhang", "Wrong@pass1", now=T0)
    unknown = accounts.sign_in(engine, "nobody-here", "Wrong@pass1", now=T0)
    assert wrong.token is None and unknown.token is None
    assert wrong.message == unknown.message == "用户名或密码错误。"
    details = [r.detail for r in log(engine, "signin_failed")]
    assert details == ["密码错误", "用户名不存在"]


def test_five_failures_lock_the_account_for_fifteen_minutes(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    for i in range(4):
        assert accounts.sign_in(engine, "szs-zhang", "Bad@pass1", now=T0).message == \
            "用户名或密码错误。", i
    fifth = accounts.sign_in(engine, "szs-zhang", "Bad@pass1", now=T0)
    assert fifth.message.startswith("用户名或密码错误。账号已锁定，请约 15 分钟后再试")
    # locked: even the right password is refused, without checking it
    locked = accounts.sign_in(engine, "szs-zhang", pw, now=T0 + dt.timedelta(minutes=14))
    assert locked.token is None and "账号已锁定" in locked.message
    assert [r.action for r in log(engine) if r.username == "szs-zhang"].count("locked") == 1
    # after the lock period it works again and the counter starts from zero
    assert accounts.sign_in(engine, "szs-zhang", pw, now=T0 + dt.timedelta(minutes=15)).token


def test_security_administrator_unlocks(engine):
    sysadmin = admin(engine)
    security = admin(engine, "secadmin")
    pw = city_user(engine, sysadmin)
    for _ in range(5):
        accounts.sign_in(engine, "szs-zhang", "Bad@pass1", now=T0)
    row = accounts.list_accounts(engine).set_index("username").loc["szs-zhang"]
    with pytest.raises(accounts.AccountError, match="不能解锁"):
        accounts.unlock(engine, sysadmin, int(row.account_id), int(row.version))
    accounts.unlock(engine, security, int(row.account_id), int(row.version))
    assert accounts.sign_in(engine, "szs-zhang", pw, now=T0 + dt.timedelta(minutes=1)).token


def test_disabled_account_is_signed_out_on_its_next_run(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    token = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    row = accounts.list_accounts(engine).set_index("username").loc["szs-zhang"]
    accounts.set_status(engine, sysadmin, int(row.account_id), int(row.version), False)
    assert accounts.session_viewer(engine, token, now=T0) == (None, "disabled")
    refused = accounts.sign_in(engine, "szs-zhang", pw, now=T0)
    assert refused.token is None and refused.message == "该账号已停用，请联系系统管理员。"
    # a wrong password on a disabled account says no more than for anyone else
    assert accounts.sign_in(engine, "szs-zhang", "x", now=T0).message == "用户名或密码错误。"


def test_idle_and_absolute_timeouts_end_the_session(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    token = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    step = T0
    for _ in range(3):  # active every 7 hours: the idle timeout never fires...
        step += dt.timedelta(hours=7)
        viewer, _ = accounts.session_viewer(engine, token, now=step)
        assert viewer is not None
    # ... but 24 hours after signing in the session is over
    assert accounts.session_viewer(engine, token, now=T0 + dt.timedelta(hours=24)) == \
        (None, "absolute")
    other = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    assert accounts.session_viewer(engine, other, now=T0 + dt.timedelta(hours=8)) == \
        (None, "idle")
    assert accounts.session_viewer(engine, other, now=T0) == (None, "idle")  # stays ended
    assert ("session_end", "长时间无操作，已自动退出，请重新登录。") in [
        (r.action, r.detail) for r in log(engine)]


def test_change_password_rules_and_other_sessions_end(engine):
    sysadmin = admin(engine)
    pw = city_user(engine, sysadmin)
    one = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    two = accounts.sign_in(engine, "szs-zhang", pw, now=T0).token
    viewer, _ = accounts.session_viewer(engine, one, now=T0)
    assert accounts.change_password(engine, viewer, "wrong", "New@pass2026") == [
        "当前密码不正确。"]
    assert accounts.change_password(engine, viewer, pw, pw) == ["新密码不能与当前密码相同"]
    assert "密码不能包含用户名" in accounts.change_password(engine, viewer, pw, "Szs-zhang@12")
    assert accounts.change_password(engine, viewer, pw, "New@pass2026") == []
    again, _ = accounts.session_viewer(engine, one, now=T0)
    assert again is not None and again.must_change is None
    assert accounts.session_viewer(engine, two, now=T0) == (None, "password")
    assert accounts.sign_in(engine, "szs-zhang", pw).token is None
    assert accounts.sign_in(engine, "szs-zhang", "New@pass2026").token


def test_passwords_expire_after_ninety_days_except_demo_on_sample(engine):
    sysadmin = admin(engine)
    city_user(engine, sysadmin)
    with engine.begin() as conn:
        conn.execute(update(s.account).where(s.account.c.username == "szs-zhang").values(
            must_change_password=False, password_changed=T0,
            password_hash=accounts.HASHER.hash(PW)))
    token = accounts.sign_in(engine, "szs-zhang", PW, now=T0).token
    day89 = T0 + dt.timedelta(days=89)
    day90 = T0 + dt.timedelta(days=90)
    with engine.begin() as conn:  # keep the session alive across the days
        conn.execute(update(s.user_session).values(created_at=day90, last_seen=day90))
    assert accounts.session_viewer(engine, token, now=day89)[0].must_change is None
    assert "密码已超过 90 天未修改" in accounts.session_viewer(engine, token,
                                                          now=day90)[0].must_change
    with engine.begin() as conn:
        conn.execute(update(s.account).where(s.account.c.username == "szs-zhang")
                     .values(is_demo=True))
    assert accounts.session_viewer(engine, token, is_sample=True, now=day90)[0].must_change is None
    assert accounts.session_viewer(engine, token, is_sample=False, now=day90)[0].must_change


def test_roles_are_granted_by_the_right_administrator(engine):
    sysadmin = admin(engine)
    security = admin(engine, "secadmin")
    admin(engine, "auditor")
    with pytest.raises(accounts.AccountError, match="系统管理员不能授予审计管理员角色"):
        accounts.create_account(engine, sysadmin, username="x-audit", display_name="x",
                                role="auditor")
    with pytest.raises(accounts.AccountError, match="安全管理员不能新建账号"):
        accounts.create_account(engine, security, username="x-city", display_name="x",
                                role="city", level="city", code="320500")
    city_user(engine, sysadmin)
    row = accounts.list_accounts(engine).set_index("username").loc["szs-zhang"]
    with pytest.raises(accounts.AccountError, match="不能授予审计管理员"):
        accounts.set_role(engine, sysadmin, int(row.account_id), int(row.version), "auditor",
                          None, None)
    accounts.set_role(engine, security, int(row.account_id), int(row.version), "county",
                      "county", "320505")
    row = accounts.list_accounts(engine).set_index("username").loc["szs-zhang"]
    assert (row.role, row.scope_level, row.scope_code) == ("county", "county", "320505")
    assert "市级用户 苏州市 → 区县级用户 虎丘区" in [r.detail for r in log(engine, "account_role")]


def test_jurisdictions_must_exist_at_their_level(engine):
    sysadmin = admin(engine)
    for code, level, role, message in [("320505", "city", "city", "不是本省的城市"),
                                       ("110100", "city", "city", "不是本省的城市"),
                                       ("320500", "county", "county", "不是本省的区县"),
                                       ("99", "park", "park", "园区编号 99 不存在")]:
        with pytest.raises(accounts.AccountError, match=message):
            accounts.create_account(engine, sysadmin, username="x-y", display_name="x",
                                    role=role, level=level, code=code)
    assert log(engine, "account_create") == [log(engine, "account_create")[0]]  # only admin


def test_a_second_administrator_does_not_overwrite_the_first(engine):
    sysadmin = admin(engine)
    other = admin(engine, name="t-sysadmin2")
    city_user(engine, sysadmin)
    row = accounts.list_accounts(engine).set_index("username").loc["szs-zhang"]
    accounts.set_status(engine, sysadmin, int(row.account_id), int(row.version), False)
    with pytest.raises(accounts.AccountError, match="刚被其他管理员修改"):
        accounts.reset_password(engine, other, int(row.account_id), int(row.version))


def test_nobody_changes_their_own_account_and_the_last_administrator_stays(engine):
    sysadmin = admin(engine)
    security = admin(engine, "secadmin")
    me = accounts.list_accounts(engine).set_index("username").loc["t-sysadmin"]
    with pytest.raises(accounts.AccountError, match="不能修改自己"):
        accounts.set_status(engine, sysadmin, int(me.account_id), int(me.version), False)
    sec = accounts.list_accounts(engine).set_index("username").loc["t-secadmin"]
    with pytest.raises(accounts.AccountError, match="最后一个启用的安全管理员"):
        accounts.set_status(engine, sysadmin, int(sec.account_id), int(sec.version), False)
    del security


def test_bulk_create_checks_every_row_and_writes_all_or_nothing(engine):
    sysadmin = admin(engine)
    city_user(engine, sysadmin, name="taken")
    rows = [
        {"line": 2, "username": "a-city", "display_name": "甲", "unit": "", "role": "市级用户",
         "scope": "320500", "oidc_subject": ""},
        {"line": 3, "username": "A-City", "display_name": "甲", "unit": "", "role": "市级用户",
         "scope": "320500", "oidc_subject": ""},
        {"line": 4, "username": "taken", "display_name": "乙", "unit": "", "role": "只读用户",
         "scope": "", "oidc_subject": ""},
        {"line": 5, "username": "c-county", "display_name": "丙", "unit": "",
         "role": "区县级用户", "scope": "320500", "oidc_subject": ""},
        {"line": 6, "username": "d-x", "display_name": "丁", "unit": "", "role": "审计管理员",
         "scope": "", "oidc_subject": ""},
        {"line": 7, "username": "e-x", "display_name": "戊", "unit": "", "role": "科长",
         "scope": "", "oidc_subject": ""},
        {"line": 8, "username": "f-park", "display_name": "己", "unit": "", "role": "园区用户",
         "scope": "1", "oidc_subject": ""},
        {"line": 9, "username": "g-ro", "display_name": "庚", "unit": "", "role": "只读用户",
         "scope": "全省", "oidc_subject": ""},
    ]
    checked = {r["line"]: r["problem"] for r in accounts.bulk_check(engine, sysadmin, rows)}
    assert checked == {2: None, 3: "用户名 a-city 与第 2 行重复", 4: "用户名 taken 已存在",
                       5: "区县级用户的辖区应为区县，而 320500 是市",
                       6: "系统管理员不能授予审计管理员角色",
                       7: "未知角色“科长”，可选：系统管理员、安全管理员、审计管理员、省级用户、"
                          "市级用户、区县级用户、园区用户、只读用户", 8: None, 9: None}
    before = accounts.list_accounts(engine)
    with pytest.raises(accounts.AccountError, match="名单中还有错误"):
        accounts.bulk_create(engine, sysadmin, accounts.bulk_check(engine, sysadmin, rows))
    assert len(accounts.list_accounts(engine)) == len(before)
    good = [r for r in rows if r["line"] in (2, 8, 9)]
    made = accounts.bulk_create(engine, sysadmin, accounts.bulk_check(engine, sysadmin, good))
    assert [m["用户名"] for m in made] == ["a-city", "f-park", "g-ro"]
    listing = accounts.list_accounts(engine).set_index("username")
    assert listing.loc["g-ro", "scope_level"] == "province"
    assert listing.loc["f-park", "scope_code"] == "1"
    for m in made:
        assert accounts.sign_in(engine, m["用户名"], m["一次性密码"]).token


def test_bulk_create_rolls_back_when_a_row_fails_while_writing(engine, monkeypatch):
    sysadmin = admin(engine)
    rows = [{"line": i, "username": f"u{i}", "display_name": "x", "unit": "", "role": "市级用户",
             "scope": "320500", "oidc_subject": ""} for i in (2, 3)]
    checked = accounts.bulk_check(engine, sysadmin, rows)
    real = accounts.create_account
    calls = []

    def flaky(*args, **kw):
        calls.append(kw["username"])
        if len(calls) == 2:
            raise accounts.AccountError("写入中断")
        return real(*args, **kw)

    monkeypatch.setattr(accounts, "create_account", flaky)
    with pytest.raises(accounts.AccountError, match="写入中断"):
        accounts.bulk_create(engine, sysadmin, checked)
    names = set(accounts.list_accounts(engine)["username"])
    assert "u2" not in names and "u3" not in names


def test_the_audit_log_cannot_be_changed_or_deleted(engine):
    admin(engine)
    for statement in ("UPDATE audit_log SET outcome = '失败'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="操作日志不可"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="操作日志不可"):
            with engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_log"))
    assert len(log(engine)) == 2  # account_create (command line) and signin


def test_archive_moves_old_entries_and_keeps_them(engine):
    admin(engine)
    with engine.begin() as conn:
        for days in (200, 181, 179):
            auditlog.record(conn, "download", "成功", "someone",
                            at=T0 - dt.timedelta(days=days))
    n = auditlog.archive(engine, "t-auditor", 180, now=T0)
    assert n == 2
    old, total = auditlog.entries(engine, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                                  archived=True)
    assert total == 2 and set(old["username"]) == {"someone"}
    live, _ = auditlog.entries(engine, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert "log_archive" in set(live["action"]) and len(live[live["action"] == "download"]) == 1
    with pytest.raises(DBAPIError, match="操作日志不可"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log_archive"))


def test_log_entries_filter_by_day_in_beijing_time(engine):
    with engine.begin() as conn:
        # 2026-12-01 23:30 Beijing is 15:30 UTC the same day; 2026-12-02 00:30 is 16:30 UTC
        auditlog.record(conn, "signin", "成功", "late", at=dt.datetime(2026, 12, 1, 15, 30))
        auditlog.record(conn, "signin", "失败", "next", at=dt.datetime(2026, 12, 1, 16, 30))
    rows, total = auditlog.entries(engine, dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert (list(rows["username"]), total) == (["late"], 1)
    rows, _ = auditlog.entries(engine, dt.date(2026, 12, 1), dt.date(2026, 12, 2),
                               outcomes=("失败",))
    assert list(rows["username"]) == ["next"]
    rows, _ = auditlog.entries(engine, dt.date(2026, 12, 1), dt.date(2026, 12, 2), username="at")
    assert list(rows["username"]) == ["late"]


def test_unified_sign_in_maps_to_an_account(engine):
    sysadmin = admin(engine)
    accounts.create_account(engine, sysadmin, username="szs-li", display_name="李四", role="city",
                            level="city", code="320500", oidc_subject="li.si@sz.gov")
    claims = {"iss": "https://idp", "sub": "abc", "iat": 1, "nonce": "n",
              "preferred_username": "li.si@sz.gov"}
    viewer, refusal = accounts.oidc_session(engine, claims, "preferred_username", now=T0)
    assert refusal is None and viewer.username == "szs-li" and viewer.kind == "统一认证"
    again, _ = accounts.oidc_session(engine, claims, "preferred_username", now=T0)
    assert again.session_key == viewer.session_key  # the same identity token, one session
    nobody, why = accounts.oidc_session(engine, {**claims, "preferred_username": "x@y"},
                                        "preferred_username", now=T0)
    assert nobody is None and why.startswith("统一身份认证账号“x@y”尚未在本系统开通")
    assert accounts.oidc_role(engine, claims, "preferred_username") == "city"
    late, why = accounts.oidc_session(engine, claims, "preferred_username",
                                      now=T0 + dt.timedelta(hours=9))
    assert late is None and "长时间无操作" in why


def test_settings_are_validated_and_logged(engine):
    security = admin(engine, "secadmin")
    assert accounts.save_settings(engine, security, {"log_retention_days": "30"}) == [
        "操作日志在线保存期应在 180–3650 天之间，收到：30"]
    assert accounts.save_settings(engine, security, {"idle_timeout_minutes": "30"}) == []
    assert accounts.settings(engine).idle_timeout_minutes == 30
    assert ("settings", "480 → 30") in [(r.action, r.detail) for r in log(engine)]
    times = SessionTimes(T0, T0)
    assert session_end_reason(times, T0 + dt.timedelta(minutes=30),
                              accounts.settings(engine)) == "idle"


def test_create_admin_command(handmade_url):
    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "queries.accounts", "create-admin",
                               "--url", handmade_url, *args, "--password-stdin"], cwd=ROOT,
                              input=stdin, capture_output=True, text=True, timeout=120)

    weak = run("--username", "root-admin", "--display-name", "管理员", stdin="short\n")
    assert weak.returncode == 2 and "密码至少 8 位" in weak.stderr
    ok = run("--username", "root-admin", "--display-name", "管理员", stdin=PW + "\n")
    assert ok.returncode == 0, ok.stderr
    engine = get_engine(handmade_url)
    assert accounts.sign_in(engine, "root-admin", PW).token
    again = run("--username", "root2", "--display-name", "x", stdin=PW + "\n")
    assert again.returncode == 2 and "已有启用的系统管理员" in again.stderr
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.account)).scalar() == 1
