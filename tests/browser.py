"""Headless-Chromium helpers: start the real app on a database, open it, wait for Streamlit.

Debian's chromium driven by the Python playwright package (never `playwright install`). Every
request the page makes is recorded, so tests can assert nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def require_browser() -> None:
    need(Path(CHROMIUM).exists(), "Debian chromium is not installed (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "the playwright package is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Sessions opened by app_server for the browsers of the test: base URL -> session token.
SESSIONS: dict[str, str] = {}
COOKIE = "cpa_session"


def sample_copy(tmp_path) -> str:
    """The sample database copied for one test (tests sign in, and signing in writes)."""
    from queries.db import SAMPLE_DB

    need(SAMPLE_DB.exists(), f"the sample database is missing ({SAMPLE_DB}); run `make sample`")
    target = tmp_path / "sample.db"
    shutil.copyfile(SAMPLE_DB, target)
    return f"sqlite:///{target}"


@contextlib.contextmanager
def app_server(database_url: str, extra_env: dict | None = None, script: str = "app.py",
               user: str | None = "province", port: int | None = None,
               args: list[str] | None = None, prefix: list[str] = ()):
    """Run `streamlit run <script>` (the app by default) on a free port against
    `database_url`; yield its base URL. Every browser_page opened meanwhile starts signed in as
    `user` (a role code or a user name, see tests.apptest.session_token; None: nobody) with a
    real server-side session, as the sign-in page would leave it. `prefix` runs the server
    through another command (e.g. setpriv, to run it without the right to write root's files)."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    # The app starts as `make run` starts it (serve.py preloads its modules); other scripts
    # (the benchmark's empty page) with plain `streamlit run`.
    launch = (["serve.py"] if script == "app.py" else ["-m", "streamlit", "run", script])
    cmd = [*prefix, sys.executable, *launch, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *(args or [])]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start:\n" + (proc.stdout.read() or ""))
        if user and script == "app.py":
            from tests.apptest import session_token

            token = session_token(database_url, user)
            if token:
                SESSIONS[base] = token
        yield base
    finally:
        SESSIONS.pop(base, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# Opened at a page path (/park?park=2), Streamlit's frontend first probes <path>/_stcore/health
# and <path>/_stcore/host-config in case the app is served under that path. Those two 404s, and
# the console lines they cause, are expected; any other failure is not.
BASE_PATH_PROBE = re.compile(r"^/[a-z_]+/_stcore/(health|host-config)$")
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@dataclass
class Traffic:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # paths of responses with status >= 400

    def assert_clean(self, base: str) -> None:
        """No script errors, no console errors but the known base-path probes, nothing sent to
        any host but the app's own."""
        assert self.page_errors == [], self.page_errors
        assert all(BASE_PATH_PROBE.match(p) for p in self.failed), self.failed
        others = [e for e in self.console_errors if e != NOT_FOUND]
        assert others == [], others
        assert len(self.console_errors) == len(self.failed), (self.console_errors, self.failed)
        assert self.foreign_hosts(base) == set(), self.requests

    def foreign_hosts(self, base: str) -> set[str]:
        own = urlparse(base).netloc
        return {urlparse(u).netloc for u in self.requests
                if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != own}


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 900):
    """A fresh Chromium page plus a Traffic record of what it asked for."""
    from playwright.sync_api import sync_playwright

    traffic = Traffic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="zh-CN", accept_downloads=True)
        context.add_cookies([{"name": COOKIE, "value": token, "url": base, "httpOnly": True,
                              "sameSite": "Lax"} for base, token in SESSIONS.items()])
        page = context.new_page()
        page.on("request", lambda r: traffic.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and traffic.console_errors.append(m.text))
        page.on("pageerror", lambda e: traffic.page_errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400
                and traffic.failed.append(urlparse(r.url).path))
        try:
            yield page, traffic
        finally:
            context.close()
            browser.close()


def wait_for_app(page, heading: str | None = None, timeout: float = 60_000) -> None:
    """Wait until Streamlit is connected, has finished running, and shows `heading`."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                           timeout=timeout)
    if heading:
        page.get_by_role("heading", name=heading).first.wait_for(timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    settle(page)


def settle(page, quiet_ms: int = 600, limit_ms: int = 15_000) -> None:
    """Elements keep arriving for a moment after the script stops: wait until the page's text
    has not changed for `quiet_ms`."""
    last, stable, waited = None, 0, 0
    while waited < limit_ms and stable < quiet_ms:
        now = page.inner_text("body")
        stable = stable + 200 if now == last else 0
        last = now
        page.wait_for_timeout(200)
        waited += 200


def full_screenshot(page, path: Path) -> None:
    """Streamlit scrolls an inner container: grow the viewport to the content, then shoot."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('section, [data-testid=stMain]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": int(height) + 40})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
