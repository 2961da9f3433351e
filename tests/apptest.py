"""Run the real app (app.py, the frame) under AppTest on a given database and page, signed in
as a given person."""

from __future__ import annotations

import re
import secrets

import lxml.html
import pandas as pd
from sqlalchemy import insert, inspect, select
from streamlit.testing.v1 import AppTest

from components import safe
from queries import accounts
from queries import schema as s
from queries.auditlog import utc_now
from queries.db import get_engine
from tests.browser import ROOT

# The jurisdiction a test account of each role gets on the hand-built database (tests/handmade.py:
# 苏州市 320500, its county 虎丘区 320505, the park 1 in 南京).
TEST_SCOPES = {"sysadmin": (None, None), "secadmin": (None, None), "auditor": (None, None),
               "province": ("province", None), "city": ("city", "320500"),
               "county": ("county", "320505"), "park": ("park", "1"),
               "readonly": ("city", "320500")}


# The sample's demo account of each role (queries.accounts.DEMO_ROLES).
DEMO_NAMES = {"sysadmin": "admin", "secadmin": "security", "auditor": "audit"}


def ensure_account(database_url: str, username: str, role: str, level: str | None = None,
                   code: str | None = None) -> int:
    """An enabled account (no password: it signs in only through a test session)."""
    engine = get_engine(database_url)
    with engine.begin() as conn:
        found = conn.execute(select(s.account.c.account_id)
                             .where(s.account.c.username == username)).scalar()
        if found is not None:
            return found
        return conn.execute(insert(s.account).values(
            username=username, display_name=f"测试{username}", unit="测试单位", role=role,
            scope_level=level, scope_code=code, status="启用", must_change_password=False,
            created_at=utc_now()).returning(s.account.c.account_id)).scalar_one()


def session_token(database_url: str, user: str) -> str | None:
    """A session for `user`: a role code (a test account of that role, TEST_SCOPES), a role and
    place ("city:320100"), or the user name of an existing account. None when the database has
    no accounts table."""
    from queries.migrate import sqlite_path

    path = sqlite_path(database_url)
    if path is not None and not path.exists():  # opening it would create it
        return None
    engine = get_engine(database_url)
    try:
        if not inspect(engine).has_table("account"):
            return None
    except Exception:  # noqa: BLE001 - a database that cannot be opened: nobody signed in
        return None
    demo = "demo-" + DEMO_NAMES.get(user, user)
    with engine.connect() as conn:
        if conn.execute(select(s.account.c.account_id).where(s.account.c.username == demo,
                                                            s.account.c.is_demo.is_(True))
                        ).first():
            user = demo  # the sample database: its demo account of that role
    role, _, code = user.partition(":")
    if code:
        level = TEST_SCOPES[role][0]
        account_id = ensure_account(database_url, f"test-{role}-{code}", role, level, code)
    elif user in TEST_SCOPES:
        account_id = ensure_account(database_url, f"test-{user}", user, *TEST_SCOPES[user])
    else:
        with engine.connect() as conn:
            account_id = conn.execute(select(s.account.c.account_id)
                                      .where(s.account.c.username == user)).scalar_one()
    token = secrets.token_urlsafe(16)
    with engine.begin() as conn:
        accounts._new_session(conn, account_id, "本地账号", "127.0.0.1", utc_now(),
                              key=accounts.token_key(token))
    return token


def sign_in(monkeypatch, token: str | None) -> None:
    """Make the app read `token` as the browser's session cookie."""
    from components import identity

    monkeypatch.setattr(identity, "session_token", lambda: token)


def open_page(monkeypatch, database_url: str, page: str | None = None,
              params: dict[str, str] | None = None, timeout: float = 60,
              user: str | None = "province") -> AppTest:
    """Start app.py against `database_url` signed in as `user` (see session_token; None: nobody),
    optionally with URL parameters, and switch to `page` (a path like "pages/overview.py").
    Fails the test on any uncaught exception."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    sign_in(monkeypatch, session_token(database_url, user) if user else None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a reader sees of text that components.safe made literal: without its backslash
    escapes and invisible word joiners (tests of the escaping itself read the source)."""
    return _ESCAPED.sub(r"\1", str(markdown)).replace(safe.WJ, "")


def metrics(at: AppTest) -> dict[str, str]:
    return {shown(m.label): shown(m.value) for m in at.metric}


def texts(at: AppTest) -> str:
    """All markdown, caption, info, warning and error text on the page as a reader sees it
    (see `shown`), for searching."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "header", "subheader"):
        parts.extend(shown(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def html_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """Tables drawn by components/html_table, by the name given to `show`: the text as shown
    (formatted numbers are strings), the header row as columns."""
    out = {}
    for element in at.html:
        for table in lxml.html.fromstring(element.value).iter("table"):
            rows = [[c.text_content().strip() for c in tr] for tr in table.iter("tr")]
            out[table.get("id", "").removeprefix("T_")] = pd.DataFrame(rows[1:], columns=rows[0])
    return out
