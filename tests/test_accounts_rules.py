"""The pure rules of accounts: the role table, password, lockout and timeout rules, the client
address, the sign-in redirect, and the Excel list of officials."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from rules import roles
from rules.account_sheet import duplicates, read_sheet, template_frames
from rules.security import (
    SessionTimes,
    Settings,
    after_failure,
    client_address,
    is_locked,
    password_expired,
    password_problems,
    safe_next,
    session_end_reason,
    setting_problem,
    settings_from,
    username_problem,
)

T0 = dt.datetime(2026, 12, 1, 8, 0)
DATA = set(roles.DATA_PAGES)

# What each role may open and do, written out: the table in README says the same.
EXPECTED_PAGES = {
    "sysadmin": {"accounts", "account"},
    "secadmin": {"accounts", "security", "account"},
    "auditor": {"audit_log", "account"},
    # 数据导入 only for the roles that may import
    "province": DATA | {"intake", "account"}, "city": DATA | {"intake", "account"},
    "county": DATA | {"intake", "account"},
    "park": DATA | {"account"}, "readonly": DATA | {"account"},
}
EXPECTED_ACTIONS = {
    "sysadmin": {roles.ACCOUNT_CREATE, roles.ACCOUNT_STATUS, roles.ACCOUNT_RESET,
                 roles.ACCOUNT_GRANT_DATA},
    "secadmin": {roles.ACCOUNT_GRANT_DATA, roles.ACCOUNT_GRANT_ADMIN, roles.ACCOUNT_UNLOCK,
                 roles.SETTINGS_EDIT},
    "auditor": {roles.LOG_READ},
    "province": {roles.DOWNLOAD, roles.IMPORT, roles.SUPERVISE},
    "city": {roles.DOWNLOAD, roles.IMPORT, roles.SUPERVISE},
    "county": {roles.DOWNLOAD, roles.IMPORT, roles.SUPERVISE},
    "park": {roles.DOWNLOAD},
    "readonly": set(),
}


@pytest.mark.parametrize("code", list(roles.ROLES))
def test_role_table(code):
    assert set(roles.ROLES[code].pages) == EXPECTED_PAGES[code]
    assert set(roles.ROLES[code].actions) == EXPECTED_ACTIONS[code]
    for page in roles.ALL_PAGES:
        assert roles.may_open(code, page) == (page in EXPECTED_PAGES[code])


def test_three_administrators_are_separate_and_see_no_audit_data():
    admins = [roles.ROLES[c] for c in roles.ADMIN_ROLES]
    assert [r.name for r in admins] == ["系统管理员", "安全管理员", "审计管理员"]
    for r in admins:
        assert not set(r.pages) & DATA and r.levels == ()
    # no administrator can do another's job: accounts / roles and settings / the log
    assert not roles.may("sysadmin", roles.ACCOUNT_GRANT_ADMIN)
    assert not roles.may("sysadmin", roles.LOG_READ) and not roles.may("secadmin", roles.LOG_READ)
    assert not roles.may("auditor", roles.ACCOUNT_CREATE)
    assert not roles.may("secadmin", roles.ACCOUNT_CREATE)
    assert not roles.may("nobody", roles.DOWNLOAD) and not roles.may_open("nobody", "overview")


def test_jurisdiction_rules():
    roles.check_jurisdiction("city", "city", "320500")
    roles.check_jurisdiction("readonly", "park", "3")
    roles.check_jurisdiction("province", "province", None)
    roles.check_jurisdiction("sysadmin", None, None)
    for role, level, code in [("city", "county", "320505"), ("city", "city", None),
                              ("sysadmin", "province", None), ("province", "province", "320000"),
                              ("park", "city", "320500"), ("county", None, None)]:
        with pytest.raises(roles.RoleError):
            roles.check_jurisdiction(role, level, code)
    assert roles.grant_action("secadmin") == roles.ACCOUNT_GRANT_ADMIN
    assert roles.grant_action("city") == roles.ACCOUNT_GRANT_DATA
    assert roles.role_by_name("市级用户").code == "city"
    with pytest.raises(roles.RoleError, match="未知角色"):
        roles.role_by_name("超级用户")


def test_password_rules():
    assert password_problems("Abcdef1!", "zhang") == []
    assert password_problems("Abcde1!", "zhang") == ["密码至少 8 位"]  # 7: one too short
    assert password_problems("abcdefgh1", "zhang") == [
        "密码应包含大写字母、小写字母、数字、符号中的至少三种"]  # two kinds
    assert password_problems("abcdefg1!", "zhang") == []  # three kinds, no capital
    assert "密码不能包含用户名" in password_problems("xZHANG1!x", "zhang")
    assert "密码不能包含空格" in password_problems("Abc def1!", "zhang")
    assert password_problems("Abcdefgh1!", "x", Settings(password_min_length=12)) == [
        "密码至少 12 位"]


def test_password_age_boundary():
    changed = T0
    assert not password_expired(changed, changed + dt.timedelta(days=89, hours=23))
    assert password_expired(changed, changed + dt.timedelta(days=90))
    assert password_expired(None, T0)
    assert not password_expired(changed, changed + dt.timedelta(days=900),
                                Settings(password_max_age_days=0))


def test_lockout_after_five_failures():
    attempts, until = 0, None
    for _ in range(4):
        attempts, until = after_failure(attempts, T0)
        assert until is None
    assert attempts == 4
    attempts, until = after_failure(attempts, T0)
    assert (attempts, until) == (0, T0 + dt.timedelta(minutes=15))
    assert is_locked(until, T0 + dt.timedelta(minutes=14, seconds=59))
    assert not is_locked(until, T0 + dt.timedelta(minutes=15))
    assert after_failure(2, T0, Settings(lockout_attempts=3))[1] is not None


def test_session_timeouts():
    times = SessionTimes(created=T0, last_seen=T0)
    assert session_end_reason(times, T0 + dt.timedelta(minutes=479)) is None
    assert session_end_reason(times, T0 + dt.timedelta(minutes=480)) == "idle"
    busy = SessionTimes(created=T0, last_seen=T0 + dt.timedelta(hours=23, minutes=59))
    assert session_end_reason(busy, T0 + dt.timedelta(hours=23, minutes=59, seconds=59)) is None
    assert session_end_reason(busy, T0 + dt.timedelta(hours=24)) == "absolute"
    assert session_end_reason(times, T0 + dt.timedelta(minutes=10),
                              Settings(idle_timeout_minutes=10)) == "idle"


def test_settings_limits_keep_the_floors():
    assert setting_problem("log_retention_days", 180) is None
    assert "180–3650" in setting_problem("log_retention_days", 179)  # 网络安全法: 6 months
    assert setting_problem("password_min_length", 7) is not None
    assert setting_problem("lockout_attempts", "abc").startswith("连续登录失败锁定次数应为整数")
    assert setting_problem("nope", 1) == "未知的安全设置项：nope"
    s = settings_from({"idle_timeout_minutes": "30", "password_min_length": "4"})
    assert s.idle_timeout_minutes == 30 and s.password_min_length == 8  # bad value ignored


def test_user_names():
    assert username_problem("demo-city") is None and username_problem("zhang.san@sz") is None
    for bad in ("", "a", "-x", "张三", "a b", "x" * 65, "a/b"):
        assert username_problem(bad) is not None


def test_client_address_trusts_only_configured_proxies():
    assert client_address("10.0.0.5", None) == "10.0.0.5"
    # an untrusted peer cannot claim another address
    assert client_address("10.0.0.5", "1.2.3.4") == "10.0.0.5"
    assert client_address("10.0.0.1", "1.2.3.4", ("10.0.0.1",)) == "1.2.3.4"
    assert client_address("10.0.0.1", "9.9.9.9, 1.2.3.4, 10.0.0.2",
                          ("10.0.0.0/24",)) == "1.2.3.4"
    assert client_address("10.0.0.1", "not-an-ip", ("10.0.0.1",)) == "未知"
    assert client_address(None, None) == "未知"


@pytest.mark.parametrize("target,expected", [
    ("/enterprise?uscc=X", "/enterprise?uscc=X"), ("/", "/"), ("", "/"), (None, "/"),
    ("//evil.example", "/"), ("https://evil.example/", "/"), ("/\\evil", "/"),
    ("/a\nb", "/"), ("overview", "/"), ("/" + "a" * 3000, "/")])
def test_sign_in_goes_on_to_this_site_only(target, expected):
    assert safe_next(target) == expected


def _xlsx(frames: dict[str, pd.DataFrame], start: int = 0) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in frames.items():
            df.to_excel(w, sheet_name=name, index=False, startrow=start)
    return buf.getvalue()


def test_account_list_reads_back_with_line_numbers():
    people = pd.DataFrame({"用户名": ["Zhang", "li", "zhang"], "姓名": ["张三", "李四", "张三"],
                           "单位": ["", "", ""], "角色": ["市级用户", "只读用户", "市级用户"],
                           "辖区": [320500, "320505", 320500]})
    sheet = read_sheet(_xlsx({"人员名单": people}, start=2))
    assert sheet.problems == []
    assert [r["line"] for r in sheet.rows] == [4, 5, 6]  # title rows above the header
    assert sheet.rows[0]["scope"] == "320500"  # a number typed in a cell is a code
    assert duplicates(sheet.rows) == {6: "用户名 zhang 与第 4 行重复"}
    template = template_frames()
    assert list(template["人员名单"].columns) == ["用户名", "姓名", "单位", "角色", "辖区",
                                               "统一认证标识"]
    again = read_sheet(_xlsx(template))
    assert again.problems == [] and again.rows[0]["username"] == "szs-zhang"


@pytest.mark.parametrize("data,problem", [
    (b"", "文件为空"), (b"not a workbook", "无法读取该文件"),
    (b"x" * (3 * 1024 * 1024), "文件超过 2 MB")])
def test_account_list_bad_files(data, problem):
    assert problem in read_sheet(data).problems[0]


def test_account_list_missing_columns_and_empty():
    assert "缺少必填列：角色" in read_sheet(_xlsx({"a": pd.DataFrame(
        {"用户名": ["x"], "姓名": ["y"]})})).problems[0]
    assert "未找到表头" in read_sheet(_xlsx({"a": pd.DataFrame({"名字": ["x"]})})).problems[0]
    assert "没有任何人员" in read_sheet(_xlsx({"a": pd.DataFrame(
        columns=["用户名", "姓名", "角色"])})).problems[0]
