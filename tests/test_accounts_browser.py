"""Signing in for real, in headless Chromium: an official's working day (sign in, reload, a new
tab, another city's deep link, a page the role may not open, sign out, the back button), unified
sign-in against an OpenID Connect provider the test starts, two app processes sharing one
PostgreSQL database, and a city user's downloads read back."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update

from components import word
from queries import accounts, schema
from queries import schema as s
from queries.db import get_engine
from tests import handmade as hm
from tests.browser import (
    COOKIE,
    app_server,
    browser_page,
    free_port,
    require_browser,
    sample_copy,
    wait_for_app,
)

pytestmark = pytest.mark.browser
PW = "Suzhou@2026x"
SHOTS = Path(__file__).resolve().parent.parent / "screens"


def official(url: str, username: str = "szs-zhang", role: str = "city",
             level: str | None = "city", code: str | None = "320500") -> None:
    """An account with a known password, past its first sign-in."""
    engine = get_engine(url)
    accounts.create_account(engine, None, username=username, display_name="张三",
                            unit="苏州市生态环境局", role=role, level=level, code=code,
                            password=PW)
    with engine.begin() as conn:
        conn.execute(update(s.account).where(s.account.c.username == username).values(
            must_change_password=False, password_changed=accounts.utc_now()))


def sign_in(page, username: str, password: str) -> None:
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def actions(url: str) -> list[tuple[str, str]]:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(s.audit_log.c.action, s.audit_log.c.outcome).order_by(s.audit_log.c.log_id))]


def test_a_city_officials_day(handmade_sqlite):
    require_browser()
    official(handmade_sqlite)
    link = f"/enterprise?uscc={hm.E3}&asof=2024-12-31"
    with app_server(handmade_sqlite, user=None) as base, browser_page() as (page, traffic):
        page.context.add_cookies([{"name": COOKIE, "value": "forged-or-tampered", "url": base}])
        page.goto(base + link)
        assert "/signin?next=" in page.url  # no valid session: the sign-in page first
        assert "演示账号" not in page.inner_text("body")  # not the sample: no demo accounts
        sign_in(page, "szs-zhang", "Wrong@pass1")
        assert "用户名或密码错误" in page.inner_text("body")
        sign_in(page, "szs-zhang", PW)
        wait_for_app(page, heading="苏州丙电镀有限公司")  # back at the deep link, signed in
        assert page.url == base + link
        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert "苏州市" in page.inner_text('[data-testid="stSidebar"]')

        page.reload()
        wait_for_app(page, heading="苏州丙电镀有限公司")  # a reload does not ask again

        tab = page.context.new_page()
        tab.goto(base + "/supervision?asof=2024-12-31")
        wait_for_app(tab, heading="审核进度与督办")  # nor does a new tab
        assert "苏州市 · 全部行业" in tab.inner_text('[data-testid="stSidebar"]')

        tab.goto(base + f"/enterprise?uscc={hm.E1}&asof=2024-12-31")  # another city's
        wait_for_app(tab, heading="企业档案")
        assert f"未在您的管辖范围内找到统一社会信用代码为 {hm.E1} 的企业" in tab.inner_text("body")
        assert "南京甲化工" not in tab.inner_text("body")

        for path in ("/accounts", "/audit_log", "/no_such_page"):  # typed by hand
            response = tab.goto(base + path)
            assert response.status == 404 and "页面不存在" in tab.inner_text("body"), path
        tab.close()

        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/signin?msg=signout")
        assert "您已安全退出" in page.inner_text("body")
        assert COOKIE not in {c["name"] for c in page.context.cookies()}
        page.go_back()
        page.wait_for_load_state()
        page.wait_for_timeout(1500)
        page.wait_for_url("**/signin**")  # the back button shows nothing but the sign-in page
        assert "苏州丙电镀" not in page.inner_text("body")

        visited = traffic.requests
    assert not [u for u in visited if PW in u or (cookie["value"] in u)]  # nothing in a URL
    log = actions(handmade_sqlite)
    assert ("signin_failed", "失败") in log and ("signin", "成功") in log
    assert ("signout", "成功") in log


def test_lockout_and_the_administrator_pages(handmade_sqlite):
    require_browser()
    official(handmade_sqlite)
    official(handmade_sqlite, "it-admin", "sysadmin", None, None)
    with app_server(handmade_sqlite, user=None) as base, browser_page() as (page, _traffic):
        page.goto(base + "/")
        for _ in range(5):
            sign_in(page, "szs-zhang", "Wrong@pass1")
        assert "账号已锁定，请约 15 分钟后再试" in page.inner_text("body")
        sign_in(page, "szs-zhang", PW)
        assert "账号已锁定" in page.inner_text("body")

        sign_in(page, "it-admin", PW)
        wait_for_app(page, heading="账号管理")
        nav = page.inner_text('[data-testid="stSidebarNav"]')
        assert "账号管理" in nav and "总览" not in nav and "操作日志" not in nav
        assert page.goto(base + "/overview").status == 404  # no audit data for administrators
        page.goto(base + "/accounts")
        wait_for_app(page, heading="账号管理")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "accounts.png"))


def test_unified_sign_in_through_openid_connect(handmade_sqlite, tmp_path):
    require_browser()
    from oidc_provider_mock import User, run_server_in_thread

    official(handmade_sqlite, "li.si", "county", "county", "320505")
    port = free_port()
    with run_server_in_thread(user_claims=[
            User(sub="idp-0001", claims={"preferred_username": "li.si", "name": "李四"}),
            User(sub="idp-0002", claims={"preferred_username": "wang.wu"})]) as idp:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
            'client_id = "cpa-dashboard"\nclient_secret = "not-a-secret"\n'
            f'server_metadata_url = "http://localhost:{idp.server_port}'
            '/.well-known/openid-configuration"\n', "utf-8")
        with app_server(handmade_sqlite, user=None, port=port,
                        args=["--secrets.files", str(secrets)]) as base, \
                browser_page() as (page, _traffic):
            page.goto(base + "/")
            page.wait_for_selector("input[name=username]", timeout=60_000)
            page.get_by_role("link", name="使用统一身份认证登录").click(timeout=60_000)
            page.get_by_role("button", name="idp-0001").click()  # at the identity platform
            wait_for_app(page, heading="总览")
            sidebar = page.inner_text('[data-testid="stSidebar"]')
            assert "虎丘区" in sidebar and "区县级用户" in sidebar
            page.get_by_role("button", name="退出登录").click()
            page.wait_for_timeout(3000)

            page.goto(base + "/")
            page.get_by_role("link", name="使用统一身份认证登录").click()
            page.get_by_role("button", name="idp-0002").click()  # no account for wang.wu
            page.wait_for_selector("text=尚未在本系统开通")
            assert "总览" not in page.inner_text("body")
    log = actions(handmade_sqlite)
    assert ("signin", "成功") in log and ("signin_failed", "拒绝") in log


def test_two_app_processes_share_the_sign_in(pg_url):
    """Two processes behind one proxy share one PostgreSQL database."""
    require_browser()
    handmade_url = pg_url
    schema.create_all(get_engine(pg_url))
    hm.build(get_engine(pg_url))
    official(handmade_url)
    with app_server(handmade_url, user=None) as one, app_server(handmade_url, user=None) as two, \
            browser_page() as (page, _traffic):
        page.goto(one + "/supervision?asof=2024-12-31")
        sign_in(page, "szs-zhang", PW)
        wait_for_app(page, heading="审核进度与督办")
        # the same browser (cookies are per host, not per port) reloads on the other process
        page.goto(two + "/supervision?asof=2024-12-31")
        wait_for_app(page, heading="审核进度与督办")
        assert "苏州市 · 全部行业" in page.inner_text('[data-testid="stSidebar"]')
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/signin?msg=signout")
        page.goto(one + "/supervision")
        assert "/signin" in page.url  # signed out on one process: out on both


def test_a_city_users_downloads_name_the_city_and_hold_only_its_enterprises(tmp_path):
    require_browser()
    url = sample_copy(tmp_path)
    engine = get_engine(url)
    with engine.connect() as conn:
        suzhou = {n for (n,) in conn.execute(select(s.enterprise.c.name)
                                             .where(s.enterprise.c.city_adcode == "320500"))}
    with app_server(url, user=None) as base, browser_page() as (page, _traffic):
        page.goto(base + "/")
        assert "演示账号" in page.inner_text("body") and "Demo@2026" in page.inner_text("body")
        sign_in(page, "demo-city", "Demo@2026")
        wait_for_app(page, heading="总览")
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载附表（Excel）").click()
        name = dl.value.suggested_filename
        assert name.startswith("苏州市清洁生产审核总览")
        book = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        overdue = book["逾期最久企业"]
        rows = list(overdue.iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r and "企业名称" in r)
        col = rows[head].index("企业名称")
        names = {r[col] for r in rows[head + 1:] if r[col]}
        assert names and names <= suzhou
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载领导简报（Word）").click()
        text, _tables = word.read_back(Path(dl.value.path()).read_bytes())
        assert "苏州市" in text.splitlines()[0] or "苏州市" in text[:200]
        assert "南京" not in text
    log = actions(url)
    assert log.count(("download", "成功")) == 2
