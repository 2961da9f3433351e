"""Who is asking, as this page run sees it: the session cookie, the client's address and the
unified-sign-in identity (st.user). One place, so the tests can stand in for a browser."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import streamlit as st

from rules.security import client_address

COOKIE = "cpa_session"  # set by serve.py's /signin, HttpOnly
# The role of each session this process has verified, by a digest of its token: while the
# database is down no session can be checked, but an official signed in a moment ago keeps the
# menu of their role (no data: every page says the database cannot be reached).
_ROLES_SEEN: dict[str, tuple[str, float]] = {}
_ROLES_LOCK = threading.Lock()
REMEMBER_S = 8 * 3600  # the default idle timeout


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_role(role: str) -> None:
    token = session_token()
    if token:
        with _ROLES_LOCK:
            _ROLES_SEEN[_digest(token)] = (role, time.monotonic())


def remembered_role() -> str | None:
    """The role of this browser's session when this process last verified it (within
    REMEMBER_S), for the menu while the database is down."""
    token = session_token()
    with _ROLES_LOCK:
        seen = _ROLES_SEEN.get(_digest(token)) if token else None
    if seen is None or time.monotonic() - seen[1] > REMEMBER_S:
        return None
    return seen[0]


def trusted_proxies() -> tuple[str, ...]:
    """Reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES, comma-separated
    addresses or networks)."""
    return tuple(p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",")
                 if p.strip())


def session_token() -> str | None:
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) else None  # no browser (a script run by a tool)


def client_ip() -> str:
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no client (a test run): the address is unknown
        return ""
    return client_address(peer if isinstance(peer, str) else None,
                          forwarded if isinstance(forwarded, str) else None, trusted_proxies())


def sso_configured() -> bool:
    """Unified sign-in is on when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def sso_claim() -> str:
    """The identity claim that names the account (OIDC_ACCOUNT_CLAIM)."""
    return os.environ.get("OIDC_ACCOUNT_CLAIM", "preferred_username")


def sso_identity() -> dict | None:
    if not sso_configured() or not st.user.is_logged_in:
        return None
    return st.user.to_dict()
