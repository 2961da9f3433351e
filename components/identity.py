"""Who is asking, as this page run sees it: the session cookie, the client's address and the
unified-sign-in identity (st.user). One place, so the tests can stand in for a browser."""

from __future__ import annotations

import os

import streamlit as st

from rules.security import client_address

COOKIE = "cpa_session"  # set by serve.py's /signin, HttpOnly


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
