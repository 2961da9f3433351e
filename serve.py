"""`make run`: the web server — Streamlit's app (app.py) behind a sign-in, started with the app's
libraries already imported.

- **Sign-in.** Streamlit's own server (st.App, Starlette) gains two routes, /signin and /signout,
  and one middleware. The sign-in page is plain HTML answered by the server: a script run cannot
  set a cookie, and a session cookie must be HttpOnly. A good password opens a server-side session
  (queries.accounts) whose random token goes into the HttpOnly cookie `cpa_session`; app.py looks
  the session up on every run. The middleware sends a page request without a valid session to
  /signin, answers a page the role may not open exactly like a page that does not exist, and ends
  the session when Streamlit's /auth/logout (st.logout) is reached. Unified sign-in (OpenID
  Connect) is Streamlit's own st.login.
- **Preload.** Streamlit imports a page's modules on the first visit, so after every restart the
  first official to open a page waited about a second for pandas, SQLAlchemy, pyarrow and altair.
  Importing them here, before the server accepts connections, moves that wait to start-up.

Usage: python serve.py [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import gc
import hmac
import importlib
import logging
import os
import pkgutil
import re
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from components.identity import COOKIE, sso_claim, sso_configured, trusted_proxies

ROOT = Path(__file__).resolve().parent
LIBRARIES = ("pandas", "pyarrow", "sqlalchemy", "altair", "pydeck", "shapely")
PACKAGES = ("rules", "queries", "components")
# Loaded only when a Word document is made (matplotlib alone is ~0.5 s and ~30 MB).
ON_DEMAND = {"components.chart_images", "components.word"}


def modules() -> list[str]:
    names = list(LIBRARIES)
    for package in PACKAGES:
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(ROOT / package)])]
    return [n for n in names if n not in ON_DEMAND]


def preload() -> float:
    """Import everything the pages use, open the database connection and set the loaded
    objects aside for the garbage collector; returns the seconds it took."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # Defining cached functions before the server runs makes Streamlit note, once per function,
    # that it uses in-memory caches: what the server itself would use. Not worth a screenful.
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    t0 = time.perf_counter()
    try:
        for name in modules():
            importlib.import_module(name)
    finally:
        quiet.setLevel(level)
    _connect()
    _calendar()
    # What is loaded now lives as long as the server: freezing it keeps the collector from
    # walking it again. Without this a full collection during a page's first large read
    # (~55k rounds at scale 10) re-scans every imported object (~0.2 s of a cold page).
    gc.collect()
    gc.freeze()
    _first_element_check()
    return time.perf_counter() - t0


def _calendar() -> None:
    """Read the official calendar (rules/calendar_cn.csv) before the first visitor; a broken
    file is reported by the app itself, with the clock rules."""
    from rules.calendar import CalendarError, load_calendar

    try:
        load_calendar()
    except CalendarError:
        pass


def _connect() -> None:
    """Open the first database connection before the first visitor: SQLAlchemy's first connect
    also inspects the server (~0.1 s on PostgreSQL). A database that is not reachable is not the
    launcher's to report (the app's pages say so, in Chinese), nor a reason to delay start-up by
    more than a few seconds: the attempt runs in a thread that start-up waits for briefly."""
    from sqlalchemy import text

    from queries.db import database_url, get_engine

    def attempt() -> None:
        try:
            with get_engine(database_url()).connect() as conn:
                conn.execute(text("select 1"))
        except Exception:  # noqa: BLE001 - see above
            pass

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)


def _first_element_check() -> None:
    """Streamlit checks once per process, on the first element drawn, whether it runs in a REPL;
    the check inspects the whole call stack and every loaded module's path (~0.1 s on the first
    visitor's page). Run it now, on a short stack; the direct-execution warning it could print is
    turned off in .streamlit/config.toml. Skipped if a Streamlit release renames it."""
    from streamlit import delta_generator

    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if check is not None:
        check()


# -- sign-in -------------------------------------------------------------------------------------

CSRF_COOKIE = "cpa_csrf"  # double-submit token of the sign-in form
OIDC_COOKIE = "_streamlit_user"  # set by Streamlit's st.login
# A request for an app page: "/" or "/<page>" (Streamlit answers every such path with the app).
PAGE_PATH = re.compile(r"^/([A-Za-z0-9_-]*)/?$")
# Streamlit's own addresses (assets, the websocket, media, components, sign-in): never a page.
STREAMLIT_PATHS = {"_stcore", "static", "media", "component", "app", "auth", "oauth2callback"}
OWN_PATHS = {"signin", "signout", "oauth2callback", "favicon.ico", "robots.txt", "manifest.json"}
FORM_LIMIT = 4096  # bytes of a sign-in form


def _base() -> str:
    from streamlit import config

    path = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{path}/" if path else "/"


def _client_ip(request: Request) -> str:
    from rules.security import client_address

    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted_proxies())


def _https(request: Request) -> bool:
    if os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        return True
    from rules.security import _in

    peer = request.client.host if request.client else ""
    proto = request.headers.get("x-forwarded-proto", "") if _in(peer, trusted_proxies()) else ""
    return request.url.scheme == "https" or proto == "https"


def _engine_and_meta():
    from queries.db import database_url, get_engine
    from queries.meta import read_meta

    url = database_url()
    return get_engine(url), read_meta(url)


def _signin_page(request: Request, meta: dict, *, message: str = "", notice: str = "",
                 username: str = "", next_path: str = "/") -> Response:
    from components.signin_page import signin_html
    from queries.accounts import DEMO_PASSWORD, demo_accounts

    csrf = secrets.token_urlsafe(24)
    demo = None
    if meta.get("is_sample") == "1":
        engine, _ = _engine_and_meta()
        demo = demo_accounts(engine)
    html = signin_html(platform=f"{meta.get('province_name', '')}清洁生产审核监督平台",
                       csrf=csrf, base=_base(), next_path=next_path, username=username,
                       message=message, notice=notice, sso=sso_configured(), demo=demo,
                       demo_password=DEMO_PASSWORD)
    response = HTMLResponse(html, headers={"Cache-Control": "no-store"})
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path=_base(),
                        secure=_https(request))
    return response


async def signin(request: Request) -> Response:
    """GET: the sign-in form. POST: check it; a good password opens a session and goes on."""
    from components.signin_page import unavailable_html
    from queries import accounts
    from queries.meta import DatabaseNotReady
    from rules.security import safe_next

    try:
        engine, meta = await run_in_threadpool(_engine_and_meta)
    except DatabaseNotReady as exc:
        return HTMLResponse(unavailable_html(exc.reason, _base()), status_code=503)
    if request.method == "GET":
        from rules.security import END_REASONS

        notice = END_REASONS.get(request.query_params.get("msg", ""), "")
        nxt = safe_next(request.query_params.get("next"))
        return await run_in_threadpool(_signin_page, request, meta, notice=notice,
                                       next_path=nxt)
    body = await request.body()
    if len(body) > FORM_LIMIT:
        return await run_in_threadpool(_signin_page, request, meta, message="提交的内容过长。")
    form = await request.form()
    nxt = safe_next(str(form.get("next", "/")))
    username = str(form.get("username", ""))[:64]
    sent, expected = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return await run_in_threadpool(_signin_page, request, meta, username=username,
                                       next_path=nxt, message="登录页面已过期，请重新输入。")
    result = await run_in_threadpool(accounts.sign_in, engine, username,
                                     str(form.get("password", ""))[:128], _client_ip(request))
    if result.token is None:
        return await run_in_threadpool(_signin_page, request, meta, message=result.message,
                                       username=username, next_path=nxt)
    response = RedirectResponse(_base() + nxt.lstrip("/"), status_code=303)
    max_age = accounts.settings(engine).absolute_timeout_hours * 3600
    response.set_cookie(COOKIE, result.token, httponly=True, samesite="lax", path=_base(),
                        secure=_https(request), max_age=max_age)
    response.delete_cookie(CSRF_COOKIE, path=_base())
    return response


def _end(request: Request, reason: str = "signout") -> str:
    """End the request's local session (if any); the notice code for the sign-in page."""
    from queries import accounts

    token = request.cookies.get(COOKIE)
    if not token:
        return reason
    try:
        engine, meta = _engine_and_meta()
        viewer, ended = accounts.session_viewer(engine, token, _client_ip(request),
                                                meta.get("is_sample") == "1")
        if viewer is not None:
            accounts.sign_out(engine, viewer)
            return "signout"
        return ended or reason
    except Exception:  # noqa: BLE001 - signing out must always clear the cookie
        return reason


async def signout(request: Request) -> Response:
    code = await run_in_threadpool(_end, request)
    response = RedirectResponse(f"{_base()}signin?msg={quote(code)}", status_code=303)
    response.delete_cookie(COOKIE, path=_base())
    return response


def _oidc_claims(request: Request) -> dict | None:
    """The identity Streamlit's st.login stored in its signed cookie (None when absent or not
    valid). Read the way Streamlit reads it, with the server's cookie secret."""
    if OIDC_COOKIE not in request.cookies:
        return None
    try:
        import json

        from streamlit.auth_util import get_cookie_with_chunks
        from streamlit.web.server.server_util import get_cookie_secret
        from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

        def read(name: str) -> bytes | None:
            value = request.cookies.get(name)
            return None if value is None else decode_signed_value(
                get_cookie_secret(), name, value.encode("latin-1"))

        raw = get_cookie_with_chunks(read, OIDC_COOKIE)
        claims = json.loads(raw) if raw else None
        return claims if isinstance(claims, dict) and claims.get("is_logged_in") else None
    except Exception:  # noqa: BLE001 - an unreadable cookie is no identity
        return None


def _page_access(request: Request, page: str) -> str:
    """"ok", "signin" (no valid session) or "missing" (no such page for this person)."""
    from queries import accounts
    from rules import roles

    try:
        engine, meta = _engine_and_meta()
    except Exception:  # noqa: BLE001 - the app itself tells what is wrong with the database
        return "ok"
    sample = meta.get("is_sample") == "1"
    viewer, _ = accounts.session_viewer(engine, request.cookies.get(COOKIE),
                                        _client_ip(request), sample)
    if viewer is None:
        claims = _oidc_claims(request)
        if claims is None:
            return "signin"
        role = accounts.oidc_role(engine, claims, sso_claim())
        if role is None:  # the app explains the refusal
            return "ok"
    else:
        role = viewer.role
    if page and page not in roles.ALL_PAGES:
        return "missing"
    if page and not roles.may_open(role, page):
        return "missing"
    return "ok"


def _navigation(request: Request) -> bool:
    """A browser opening an address (not a script, style sheet or image fetched by the page)."""
    dest = request.headers.get("sec-fetch-dest")
    return dest == "document" if dest else "text/html" in request.headers.get("accept", "")


class Gate:
    """ASGI middleware in front of the app: sign-in before any page, one "not found" for a
    page that is missing or not the role's, and the session's end at st.logout."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        base = _base()
        path = "/" + scope["path"][len(base):] if scope["path"].startswith(base) else None
        if path is None:
            return await self.app(scope, receive, send)
        if path == "/auth/logout":
            code = await run_in_threadpool(_end, request)
            return await self.app(scope, receive, _after_logout(send, base, code))
        match = PAGE_PATH.match(path)
        if (request.method == "GET" and not match and _navigation(request)
                and path.split("/")[1] not in STREAMLIT_PATHS):
            # /overview/x, /总览, /overview.py: Streamlit would send its page and then its
            # English "Page not found" dialog; the reader gets our Chinese page instead.
            from components.signin_page import not_found_html

            return await HTMLResponse(not_found_html(base), status_code=404)(scope, receive, send)
        if request.method != "GET" or not match or match.group(1) in OWN_PATHS:
            return await self.app(scope, receive, send)
        if request.query_params.get("sso") == "1" and match.group(1) == "":
            return await self.app(scope, receive, send)  # app.py starts st.login
        access = await run_in_threadpool(_page_access, request, match.group(1))
        if access == "signin":
            target = path + (f"?{scope['query_string'].decode('latin-1')}"
                             if scope.get("query_string") else "")
            response = RedirectResponse(f"{base}signin?next={quote(target, safe='')}",
                                        status_code=303)
        elif access == "missing":
            from components.signin_page import not_found_html

            response = HTMLResponse(not_found_html(base), status_code=404)
        else:
            return await self.app(scope, receive, send)
        return await response(scope, receive, send)


def _after_logout(send, base: str, code: str):
    """Wrap Streamlit's /auth/logout answer: also delete the session cookie, and send a local
    account (whose logout would land on /) to the sign-in page with the reason."""
    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", [])
                       if not (k.lower() == b"location" and v in (b"/", base.encode()))]
            if len(headers) != len(message.get("headers", [])):
                headers.append((b"location", f"{base}signin?msg={quote(code)}".encode()))
            headers.append((b"set-cookie",
                            f"{COOKIE}=; Max-Age=0; Path={base}; HttpOnly; SameSite=Lax".encode()))
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


app = st.App(str(ROOT / "app.py"),
             routes=[Route(f"{_base()}signin", signin, methods=["GET", "POST"]),
                     Route(f"{_base()}signout", signout, methods=["GET"])],
             middleware=[Middleware(Gate)])


def main(argv: list[str]) -> int:
    from streamlit.web import cli

    seconds = preload()
    print(f"已预加载 {len(modules())} 个模块（{seconds:.1f} 秒）", file=sys.stderr)
    sys.argv = ["streamlit", "run", str(ROOT / "serve.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
