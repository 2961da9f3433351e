"""Accounts, sign-in and sessions (账号与登录), all in the audit database.

- Passwords are stored as argon2id hashes (argon2-cffi); the rules (length, kinds, age, lockout)
  are rules.security, with the limits a security administrator set (table security_setting).
- A session is a row of user_session keyed by the SHA-256 of a random token (secrets); the token
  lives only in the browser's HttpOnly cookie, so a copy of the database opens no session. Every
  page run looks the session up (idle and absolute timeouts, a disabled account, a changed role),
  so several app processes sharing one database share the sign-in.
- Unified sign-in (OpenID Connect via st.login) maps the identity to an account by a claim.
- Every change is written with its audit-log entry in one transaction; a change made on an
  account someone else changed meanwhile is refused (account.version).

    python -m queries.accounts create-admin [--username U --display-name N --role sysadmin]
        creates an administrator on a database with no account (interactive without flags)
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import json
import math
import secrets
import sys
import threading
import time
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from queries import schema as s
from queries.auditlog import record, utc_now
from queries.db import read_frame
from queries.scope import Scope
from rules import roles
from rules.security import (
    END_REASONS,
    SessionTimes,
    Settings,
    after_failure,
    is_locked,
    password_expired,
    password_problems,
    session_end_reason,
    setting_problem,
    settings_from,
    username_problem,
)

A, S_ = s.account, s.user_session
HASHER = PasswordHasher()
# Verified against when the user name is unknown, so both answers take as long.
_DUMMY = HASHER.hash("never-a-password-" + secrets.token_hex(8))
LAST_SEEN_STEP = dt.timedelta(seconds=60)  # session activity is written at most once a minute
WRONG = "用户名或密码错误。"


# -- settings ---------------------------------------------------------------------------------

_settings_cache: dict[str, tuple[float, Settings]] = {}
_settings_lock = threading.Lock()
SETTINGS_TTL = 30.0  # seconds; another process's change is seen within this time


def settings(engine: Engine, fresh: bool = False) -> Settings:
    key = str(engine.url)
    with _settings_lock:
        hit = _settings_cache.get(key)
        if hit and not fresh and time.monotonic() - hit[0] < SETTINGS_TTL:
            return hit[1]
    with engine.connect() as conn:
        stored = dict(conn.execute(select(s.security_setting.c.key,
                                          s.security_setting.c.value)).all())
    value = settings_from(stored)
    with _settings_lock:
        _settings_cache[key] = (time.monotonic(), value)
    return value


def save_settings(engine: Engine, actor: Viewer, changes: dict[str, str]) -> list[str]:
    """Validate all, then write all (with one log entry each) or nothing."""
    problems = [p for k, v in changes.items() if (p := setting_problem(k, v))]
    if problems:
        return problems
    now = utc_now()
    t = s.security_setting
    with engine.begin() as conn:
        old = dict(conn.execute(select(t.c.key, t.c.value)).all())
        for key, value in changes.items():
            value = str(int(str(value).strip()))
            if old.get(key) == value:
                continue
            if key in old:
                conn.execute(update(t).where(t.c.key == key)
                             .values(value=value, changed_at=now, changed_by=actor.username))
            else:
                conn.execute(insert(t).values(key=key, value=value, changed_at=now,
                                              changed_by=actor.username))
            actor.log(conn, "settings", "成功", target=key,
                      detail=f"{old.get(key, getattr(Settings(), key))} → {value}")
    settings(engine, fresh=True)
    return []


# -- who is signed in -------------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    """The signed-in person of this page run."""

    account_id: int
    username: str
    display_name: str
    unit: str
    role: str
    scope: Scope | None  # None for the administrator roles: they see no audit data
    session_key: str
    kind: str
    must_change: str | None = None  # why the password must be changed now, if it must
    ip: str = ""
    scope_name: str = ""

    @property
    def role_name(self) -> str:
        return roles.ROLES[self.role].name

    def may(self, action: str) -> bool:
        return roles.may(self.role, action)

    def may_open(self, page: str) -> bool:
        return roles.may_open(self.role, page)

    def log(self, conn: Connection, action: str, outcome: str, **kw) -> None:
        kw.setdefault("scope", self.scope_name or None)
        record(conn, action, outcome, self.username, account_id=self.account_id,
               role=self.role, ip=self.ip, **kw)


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _scope_of(level: str | None, code: str | None) -> Scope | None:
    if level is None:
        return None
    return Scope(level, code)


def scope_name(engine: Engine, level: str | None, code: str | None) -> str:
    """The jurisdiction in words: 江苏省 / 苏州市 / 虎丘区 / the park's name."""
    if level is None:
        return ""
    with engine.connect() as conn:
        if level == "province":
            name = conn.execute(select(s.app_meta.c.value)
                                .where(s.app_meta.c.key == "province_name")).scalar()
            return name or "全省"
        if level == "park":
            if not str(code).isdigit():
                return str(code)
            name = conn.execute(select(s.park.c.name)
                                .where(s.park.c.park_id == int(code))).scalar()
        else:
            name = conn.execute(select(s.region.c.name)
                                .where(s.region.c.adcode == code)).scalar()
    return name or str(code)


def session_viewer(engine: Engine, token: str | None, ip: str = "", is_sample: bool = False,
                   now: dt.datetime | None = None) -> tuple[Viewer | None, str | None]:
    """The person a session token belongs to, or (None, why the session is over). Ends a
    session that timed out or whose account was disabled (with a log entry)."""
    if not token:
        return None, None
    now = now or utc_now()
    key = token_key(token)
    row = _session_row(engine, key)
    if row is None:
        return None, None
    if row.ended_at is not None:
        return None, row.end_reason
    reason = None
    if row.status != "启用":
        reason = "disabled"
    else:
        reason = session_end_reason(SessionTimes(row.created_at, row.last_seen), now,
                                    settings(engine))
    if reason:
        end_session(engine, key, reason, row.username, row.account_id, row.role, ip, now)
        return None, reason
    if now - row.last_seen >= LAST_SEEN_STEP:
        with engine.begin() as conn:
            conn.execute(update(S_).where(and_(S_.c.session_key == key, S_.c.ended_at.is_(None)))
                         .values(last_seen=now))
    return _viewer(engine, row, key, ip, is_sample, now), None


def _session_row(engine: Engine, key: str):
    with engine.connect() as conn:
        return conn.execute(
            select(S_.c.created_at, S_.c.last_seen, S_.c.ended_at, S_.c.end_reason, S_.c.kind,
                   A.c.account_id, A.c.username, A.c.display_name, A.c.unit, A.c.role,
                   A.c.scope_level, A.c.scope_code, A.c.status, A.c.must_change_password,
                   A.c.password_changed, A.c.password_hash, A.c.is_demo)
            .select_from(S_.join(A, A.c.account_id == S_.c.account_id))
            .where(S_.c.session_key == key)).first()


def _viewer(engine: Engine, row, key: str, ip: str, is_sample: bool, now: dt.datetime
            ) -> Viewer:
    must = None
    exempt = bool(row.is_demo) and is_sample  # the demo accounts of the sample always work
    if row.password_hash and not exempt:
        if row.must_change_password:
            must = "首次登录或密码被重置后，请先修改密码。"
        elif password_expired(row.password_changed, now, settings(engine)):
            days = settings(engine).password_max_age_days
            must = f"密码已超过 {days} 天未修改，请修改密码后继续使用。"
    return Viewer(account_id=row.account_id, username=row.username,
                  display_name=row.display_name, unit=row.unit or "", role=row.role,
                  scope=_scope_of(row.scope_level, row.scope_code), session_key=key,
                  kind=row.kind, must_change=must, ip=ip,
                  scope_name=_cached_scope_name(engine, row.scope_level, row.scope_code))


@functools.lru_cache(maxsize=256)
def _scope_name_cached(url: str, level: str | None, code: str | None) -> str:
    from queries.db import get_engine

    return scope_name(get_engine(url), level, code)


def _cached_scope_name(engine: Engine, level, code) -> str:
    return _scope_name_cached(engine.url.render_as_string(hide_password=False), level, code)


def end_session(engine: Engine, key: str, reason: str, username: str = "",
                account_id: int | None = None, role: str | None = None, ip: str = "",
                now: dt.datetime | None = None) -> None:
    now = now or utc_now()
    with engine.begin() as conn:
        done = conn.execute(update(S_).where(and_(S_.c.session_key == key,
                                                  S_.c.ended_at.is_(None)))
                            .values(ended_at=now, end_reason=reason)).rowcount
        if done:
            action = "signout" if reason == "signout" else "session_end"
            record(conn, action, "成功", username, account_id=account_id, role=role, ip=ip,
                   detail=END_REASONS.get(reason, reason), at=now)


def sign_out(engine: Engine, viewer: Viewer) -> None:
    end_session(engine, viewer.session_key, "signout", viewer.username, viewer.account_id,
                viewer.role, viewer.ip)


# -- signing in -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    token: str | None  # the cookie value when signed in
    message: str  # for the sign-in page, in Chinese


def _new_session(conn: Connection, account_id: int, kind: str, ip: str, now: dt.datetime,
                 key: str | None = None) -> str | None:
    token = None
    if key is None:
        token = secrets.token_urlsafe(32)
        key = token_key(token)
    conn.execute(insert(S_).values(session_key=key, account_id=account_id, kind=kind,
                                   created_at=now, last_seen=now, ip=ip[:64]))
    return token


def sign_in(engine: Engine, username: str, password: str, ip: str = "",
            now: dt.datetime | None = None) -> SignIn:
    """Check a user name and password; on success open a session and return its token.
    An unknown user and a wrong password get the same answer (and take as long)."""
    now = now or utc_now()
    name = (username or "").strip().lower()[:64]
    cfg = settings(engine)
    with engine.begin() as conn:
        row = conn.execute(select(A).where(A.c.username == name).with_for_update()).first()
        if row is None or not row.password_hash:
            _verify(_DUMMY, password)
            record(conn, "signin_failed", "失败", name, ip=ip,
                   detail="用户名不存在" if row is None else "该账号只能统一身份认证登录")
            return SignIn(None, WRONG)
        who = {"account_id": row.account_id, "role": row.role, "ip": ip}
        if is_locked(row.locked_until, now):
            record(conn, "signin_failed", "拒绝", name, detail="账号已锁定", **who)
            return SignIn(None, _locked_message(row.locked_until, now))
        if not _verify(row.password_hash, password):
            attempts, until = after_failure(row.failed_attempts, now, cfg)
            conn.execute(update(A).where(A.c.account_id == row.account_id)
                         .values(failed_attempts=attempts, locked_until=until))
            record(conn, "signin_failed", "失败", name, detail="密码错误", **who)
            if until is not None:
                record(conn, "locked", "成功", name,
                       detail=(f"连续 {cfg.lockout_attempts} 次登录失败，"
                               f"锁定 {cfg.lockout_minutes} 分钟"),
                       **who)
                return SignIn(None, WRONG + _locked_message(until, now))
            return SignIn(None, WRONG)
        if row.status != "启用":
            record(conn, "signin_failed", "拒绝", name, detail="账号已停用", **who)
            return SignIn(None, "该账号已停用，请联系系统管理员。")
        values = {"failed_attempts": 0, "locked_until": None, "last_sign_in": now}
        if HASHER.check_needs_rehash(row.password_hash):
            values["password_hash"] = HASHER.hash(password)
        conn.execute(update(A).where(A.c.account_id == row.account_id).values(**values))
        token = _new_session(conn, row.account_id, "本地账号", ip, now)
        record(conn, "signin", "成功", name, detail="本地账号登录", **who)
    return SignIn(token, "")


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"账号已锁定，请约 {minutes} 分钟后再试，或联系安全管理员解锁。"


def oidc_session(engine: Engine, claims: dict, claim: str, ip: str = "",
                 is_sample: bool = False, now: dt.datetime | None = None
                 ) -> tuple[Viewer | None, str | None]:
    """The account behind a unified-sign-in identity (st.user): (viewer, None), or (None, the
    refusal in Chinese). The identity maps to the account whose oidc_subject — or, when that is
    empty, whose user name — equals the configured claim. One session row per identity token
    (issuer, subject, issue time), so timeouts and sign-out hold as for local accounts."""
    now = now or utc_now()
    value = str(claims.get(claim) or "").strip()
    if not value:
        return None, f"统一身份认证未提供用于匹配账号的信息（{claim}），请联系系统管理员。"
    identity = json.dumps([claims.get("iss"), claims.get("sub"), claims.get("iat"),
                           claims.get("nonce"), value], ensure_ascii=False, default=str)
    key = token_key("oidc:" + identity)
    viewer, ended = session_viewer(engine, "oidc:" + identity, ip, is_sample, now)
    if viewer is not None:
        return viewer, None
    if ended:
        return None, END_REASONS.get(ended, "会话已结束。")
    with engine.begin() as conn:
        row = _oidc_account(conn, value)
        if row is None:
            record(conn, "signin_failed", "拒绝", value, ip=ip, detail="统一身份认证账号未开通")
            return None, (f"统一身份认证账号“{value[:40]}”尚未在本系统开通，"
                          "请联系系统管理员开通账号并设置角色与辖区。")
        if row.status != "启用":
            record(conn, "signin_failed", "拒绝", row.username, account_id=row.account_id,
                   role=row.role, ip=ip, detail="账号已停用（统一身份认证）")
            return None, "该账号已停用，请联系系统管理员。"
        conn.execute(update(A).where(A.c.account_id == row.account_id)
                     .values(last_sign_in=now))
        _new_session(conn, row.account_id, "统一认证", ip, now, key=key)
        record(conn, "signin", "成功", row.username, account_id=row.account_id,
               role=row.role, ip=ip, detail="统一身份认证登录")
    return session_viewer(engine, "oidc:" + identity, ip, is_sample, now)


def _oidc_account(conn: Connection, value: str):
    return conn.execute(select(A).where(or_(
        A.c.oidc_subject == value,
        and_(A.c.oidc_subject.is_(None), A.c.username == value.lower())))).first()


def oidc_role(engine: Engine, claims: dict, claim: str) -> str | None:
    """The role of the enabled account an identity maps to (None: no such account)."""
    value = str(claims.get(claim) or "").strip()
    if not value:
        return None
    with engine.connect() as conn:
        row = _oidc_account(conn, value)
    return row.role if row is not None and row.status == "启用" else None


# -- passwords --------------------------------------------------------------------------------

_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def one_time_password(username: str = "") -> str:
    """A random password that meets the rules, without look-alike characters (0/O, 1/l)."""
    while True:
        candidate = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(10)) + \
            secrets.choice("@#%+=") + secrets.choice("23456789")
        if not password_problems(candidate, username):
            return candidate


def change_password(engine: Engine, viewer: Viewer, current: str, new: str) -> list[str]:
    """The signed-in person's own change: the current password must be right, the new one must
    meet the rules and differ from it. Other sessions of the account end."""
    cfg = settings(engine)
    problems = password_problems(new, viewer.username, cfg)
    now = utc_now()
    with engine.begin() as conn:
        row = conn.execute(select(A.c.password_hash).where(A.c.account_id == viewer.account_id)
                           ).first()
        if row is None or not row.password_hash:
            return ["本账号通过统一身份认证登录，密码由统一身份认证平台管理。"]
        if not _verify(row.password_hash, current):
            viewer.log(conn, "password_change", "失败", detail="当前密码不正确")
            return ["当前密码不正确。"]
        if _verify(row.password_hash, new):
            problems.append("新密码不能与当前密码相同")
        if problems:
            return problems
        conn.execute(update(A).where(A.c.account_id == viewer.account_id).values(
            password_hash=HASHER.hash(new), must_change_password=False, password_changed=now,
            version=A.c.version + 1))
        conn.execute(update(S_).where(and_(S_.c.account_id == viewer.account_id,
                                           S_.c.session_key != viewer.session_key,
                                           S_.c.ended_at.is_(None)))
                     .values(ended_at=now, end_reason="password"))
        viewer.log(conn, "password_change", "成功")
    return []


# -- administration ---------------------------------------------------------------------------

class AccountError(ValueError):
    """An administrative change that cannot be made; the message is for the user, in Chinese."""


def list_accounts(engine: Engine) -> pd.DataFrame:
    stmt = select(A.c.account_id, A.c.username, A.c.display_name, A.c.unit, A.c.role,
                  A.c.scope_level, A.c.scope_code, A.c.status, A.c.locked_until,
                  A.c.last_sign_in, A.c.password_changed, A.c.must_change_password,
                  A.c.oidc_subject, A.c.is_demo, A.c.version).order_by(A.c.account_id)
    return read_frame(engine, stmt)


def jurisdiction_problem(conn: Connection, level: str | None, code: str | None) -> str | None:
    """Whether the place exists at that level in this database (role rules aside)."""
    if level in (None, "province"):
        return None
    if level == "park":
        if not str(code).isdigit() or conn.execute(
                select(s.park.c.park_id).where(s.park.c.park_id == int(code))).first() is None:
            return f"园区编号 {str(code)[:20]} 不存在"
        return None
    want = {"city": "市", "county": "区县"}[level]
    found = conn.execute(select(s.region.c.level).where(s.region.c.adcode == code)).scalar()
    if found != want:
        return f"行政区划代码 {str(code)[:20]} 不是本省的{'城市' if level == 'city' else '区县'}"
    return None


def _check_grant(actor: Viewer, role_code: str) -> None:
    if not actor.may(roles.grant_action(role_code)):
        raise AccountError(f"{actor.role_name}不能授予{roles.ROLES[role_code].name}角色")


def create_account(engine: Engine, actor: Viewer | None, *, username: str, display_name: str,
                   unit: str = "", role: str, level: str | None = None, code: str | None = None,
                   oidc_subject: str | None = None, password: str | None = None,
                   conn: Connection | None = None) -> str:
    """Create one account (all checks first); returns its one-time password, which must be
    changed at first sign-in. `actor` None is the command line's first administrator."""
    if conn is None:
        with engine.begin() as own:
            return create_account(engine, actor, username=username, display_name=display_name,
                                  unit=unit, role=role, level=level, code=code,
                                  oidc_subject=oidc_subject, password=password, conn=own)
    name = (username or "").strip().lower()
    problem = username_problem(name)
    if problem:
        raise AccountError(problem)
    if not (display_name or "").strip():
        raise AccountError("姓名不能为空")
    try:
        roles.check_jurisdiction(role, level, code)
    except roles.RoleError as e:
        raise AccountError(str(e)) from None
    if actor is not None:
        if not actor.may(roles.ACCOUNT_CREATE):
            raise AccountError(f"{actor.role_name}不能新建账号")
        _check_grant(actor, role)
    place = jurisdiction_problem(conn, level, code)
    if place:
        raise AccountError(place)
    if conn.execute(select(A.c.account_id).where(A.c.username == name)).first():
        raise AccountError(f"用户名 {name} 已存在")
    oidc = (oidc_subject or "").strip() or None
    if oidc and conn.execute(select(A.c.account_id).where(A.c.oidc_subject == oidc)).first():
        raise AccountError(f"统一认证标识 {oidc[:40]} 已被其他账号使用")
    pw = password or one_time_password(name)
    problems = password_problems(pw, name, settings(engine))
    if problems:
        raise AccountError("；".join(problems))
    now = utc_now()
    conn.execute(insert(A).values(
        username=name, display_name=display_name.strip()[:64], unit=(unit or "").strip()[:128],
        role=role, scope_level=level, scope_code=code if level not in (None, "province")
        else None, status="启用", password_hash=HASHER.hash(pw), oidc_subject=oidc,
        must_change_password=True, created_at=now,
        created_by=actor.username if actor else "命令行"))
    where = scope_name(engine, level, code) if level else ""
    detail = f"{roles.ROLES[role].name}{'，辖区 ' + where if where else ''}"
    if actor is not None:
        actor.log(conn, "account_create", "成功", target=name, detail=detail)
    else:
        record(conn, "account_create", "成功", "命令行", target=name, detail=detail)
    return pw


def _changing(conn: Connection, actor: Viewer, account_id: int, version: int):
    row = conn.execute(select(A).where(A.c.account_id == account_id).with_for_update()).first()
    if row is None:
        raise AccountError("该账号不存在")
    if row.version != version:
        raise AccountError(f"账号 {row.username} 刚被其他管理员修改，请刷新后查看最新状态再操作")
    if row.account_id == actor.account_id:
        raise AccountError("不能修改自己的角色、状态或密码（修改自己的密码请到“我的账号”）")
    return row


def _end_sessions(conn: Connection, account_id: int, reason: str) -> None:
    conn.execute(update(S_).where(and_(S_.c.account_id == account_id, S_.c.ended_at.is_(None)))
                 .values(ended_at=utc_now(), end_reason=reason))


def _last_admin(conn: Connection, row) -> bool:
    """Whether `row` is the last enabled account of an administrator role."""
    if row.role not in roles.ADMIN_ROLES:
        return False
    others = conn.execute(select(func.count()).select_from(A).where(and_(
        A.c.role == row.role, A.c.status == "启用", A.c.account_id != row.account_id))).scalar()
    return others == 0


def set_status(engine: Engine, actor: Viewer, account_id: int, version: int, enabled: bool
               ) -> None:
    if not actor.may(roles.ACCOUNT_STATUS):
        raise AccountError(f"{actor.role_name}不能停用或启用账号")
    with engine.begin() as conn:
        row = _changing(conn, actor, account_id, version)
        status = "启用" if enabled else "停用"
        if row.status == status:
            return
        if not enabled and _last_admin(conn, row):
            raise AccountError(f"{row.username} 是最后一个启用的"
                               f"{roles.ROLES[row.role].name}，不能停用")
        conn.execute(update(A).where(A.c.account_id == account_id)
                     .values(status=status, version=A.c.version + 1))
        if not enabled:
            _end_sessions(conn, account_id, "disabled")
        actor.log(conn, "account_status", "成功", target=row.username, detail=status)


def reset_password(engine: Engine, actor: Viewer, account_id: int, version: int) -> str:
    if not actor.may(roles.ACCOUNT_RESET):
        raise AccountError(f"{actor.role_name}不能重置密码")
    with engine.begin() as conn:
        row = _changing(conn, actor, account_id, version)
        pw = one_time_password(row.username)
        conn.execute(update(A).where(A.c.account_id == account_id).values(
            password_hash=HASHER.hash(pw), must_change_password=True, failed_attempts=0,
            locked_until=None, version=A.c.version + 1))
        _end_sessions(conn, account_id, "admin")
        actor.log(conn, "account_reset", "成功", target=row.username, detail="已生成一次性密码")
    return pw


def unlock(engine: Engine, actor: Viewer, account_id: int, version: int) -> None:
    if not actor.may(roles.ACCOUNT_UNLOCK):
        raise AccountError(f"{actor.role_name}不能解锁账号")
    with engine.begin() as conn:
        row = _changing(conn, actor, account_id, version)
        conn.execute(update(A).where(A.c.account_id == account_id).values(
            failed_attempts=0, locked_until=None, version=A.c.version + 1))
        actor.log(conn, "account_unlock", "成功", target=row.username)


def set_role(engine: Engine, actor: Viewer, account_id: int, version: int, role: str,
             level: str | None, code: str | None) -> None:
    """Give an account another role or jurisdiction; its open sessions end."""
    try:
        roles.check_jurisdiction(role, level, code)
    except roles.RoleError as e:
        raise AccountError(str(e)) from None
    _check_grant(actor, role)
    with engine.begin() as conn:
        row = _changing(conn, actor, account_id, version)
        _check_grant(actor, row.role)  # taking a role away needs the same right
        problem = jurisdiction_problem(conn, level, code)
        if problem:
            raise AccountError(problem)
        if row.role != role and _last_admin(conn, row):
            raise AccountError(f"{row.username} 是最后一个启用的{roles.ROLES[row.role].name}，"
                               "不能改为其他角色")
        code = code if level not in (None, "province") else None
        conn.execute(update(A).where(A.c.account_id == account_id).values(
            role=role, scope_level=level, scope_code=code, version=A.c.version + 1))
        _end_sessions(conn, account_id, "admin")
        before = (f"{roles.ROLES[row.role].name} "
                  f"{scope_name(engine, row.scope_level, row.scope_code)}")
        after = f"{roles.ROLES[role].name} {scope_name(engine, level, code)}"
        actor.log(conn, "account_role", "成功", target=row.username,
                  detail=f"{before.strip()} → {after.strip()}")


def resolve_scope(conn: Connection, role_code: str, text: str) -> tuple[str | None, str | None]:
    """The jurisdiction a list row means: (level, code) for `role_code` from what the row says
    (全省 or empty, an adcode, a park number). Raises AccountError."""
    r = roles.ROLES[role_code]
    text = (text or "").strip()
    if not r.levels:
        if text:
            raise AccountError(f"{r.name}不查看审核数据，辖区应留空")
        return None, None
    if text in ("", "全省"):
        if "province" not in r.levels:
            raise AccountError(f"{r.name}需要填写辖区")
        return "province", None
    if len(text) == 6 and text.isdigit():
        found = conn.execute(select(s.region.c.level).where(s.region.c.adcode == text)).scalar()
        level = {"市": "city", "区县": "county", "省": "province"}.get(found or "")
        if level is None:
            raise AccountError(f"行政区划代码 {text} 不在本省")
        if level == "province":
            return resolve_scope(conn, role_code, "全省")
    elif text.isdigit() and len(text) <= 9:
        level = "park"
    else:
        raise AccountError(f"辖区“{text[:30]}”无法识别：应为城市或区县代码、园区编号，或“全省”")
    if level not in r.levels:
        allowed = "、".join(roles.LEVEL_NAMES[x] for x in r.levels)
        raise AccountError(f"{r.name}的辖区应为{allowed}，而 {text} 是{roles.LEVEL_NAMES[level]}")
    problem = jurisdiction_problem(conn, level, text)
    if problem:
        raise AccountError(problem)
    return level, text


def bulk_check(engine: Engine, actor: Viewer, rows: list[dict]) -> list[dict]:
    """Every row of an uploaded list with its resolved role and jurisdiction, or its problem
    (None when the row can be created). Nothing is written."""
    from rules.account_sheet import duplicates

    dup = duplicates(rows)
    out = []
    with engine.connect() as conn:
        taken = {u for (u,) in conn.execute(select(A.c.username))}
        for r in rows:
            row = dict(r, role_code=None, level=None, code=None, problem=None)
            try:
                name = r["username"].lower()
                problem = username_problem(name) or dup.get(r["line"])
                if problem:
                    raise AccountError(problem)
                if name in taken:
                    raise AccountError(f"用户名 {name} 已存在")
                if not r["display_name"]:
                    raise AccountError("姓名不能为空")
                try:
                    role_code = roles.role_by_name(r["role"]).code
                except roles.RoleError as e:
                    raise AccountError(str(e)) from None
                _check_grant(actor, role_code)
                level, code = resolve_scope(conn, role_code, r["scope"])
                row.update(role_code=role_code, level=level, code=code)
            except AccountError as e:
                row["problem"] = str(e)
            out.append(row)
    return out


def bulk_create(engine: Engine, actor: Viewer, checked: list[dict]) -> list[dict]:
    """Create every account of a checked list in ONE transaction (any failure: none), each with
    a one-time password; returns (user name, name, one-time password) rows to hand out."""
    if not actor.may(roles.ACCOUNT_CREATE):
        raise AccountError(f"{actor.role_name}不能新建账号")
    if not checked or any(r["problem"] for r in checked):
        raise AccountError("名单中还有错误，请修改后重新上传；全部正确才会新建")
    made = []
    with engine.begin() as conn:
        for r in checked:
            pw = create_account(engine, actor, username=r["username"],
                                display_name=r["display_name"], unit=r["unit"],
                                role=r["role_code"], level=r["level"], code=r["code"],
                                oidc_subject=r["oidc_subject"] or None, conn=conn)
            made.append({"用户名": r["username"].lower(), "姓名": r["display_name"],
                         "角色": roles.ROLES[r["role_code"]].name, "一次性密码": pw})
        actor.log(conn, "account_bulk", "成功", detail=f"批量新建 {len(made)} 个账号")
    return made


def jurisdictions(engine: Engine) -> pd.DataFrame:
    """Every place an account may be given: level, code and name (cities, counties, parks)."""
    r, p = s.region, s.park
    regions = read_frame(engine, select(r.c.adcode.label("code"), r.c.name, r.c.level,
                                        r.c.parent_adcode).order_by(r.c.adcode))
    parks = read_frame(engine, select(p.c.park_id, p.c.name, p.c.city_adcode)
                       .order_by(p.c.city_adcode, p.c.park_id))
    names = dict(zip(regions["code"], regions["name"]))
    rows = [{"level": "city", "code": c, "name": n}
            for c, n, lv in zip(regions["code"], regions["name"], regions["level"]) if lv == "市"]
    rows += [{"level": "county", "code": c, "name": f"{names.get(par, '')}{n}"}
             for c, n, lv, par in zip(regions["code"], regions["name"], regions["level"],
                                      regions["parent_adcode"]) if lv == "区县"]
    rows += [{"level": "park", "code": str(i), "name": f"{n}（{names.get(c, '')}）"}
             for i, n, c in zip(parks["park_id"], parks["name"], parks["city_adcode"])]
    return pd.DataFrame(rows, columns=["level", "code", "name"])


def open_sessions(engine: Engine, now: dt.datetime | None = None) -> pd.DataFrame:
    """Sessions still valid (the security administrator's view of who is signed in)."""
    now, cfg = now or utc_now(), settings(engine)
    stmt = (select(A.c.username, A.c.display_name, A.c.role, S_.c.kind, S_.c.created_at,
                   S_.c.last_seen, S_.c.ip)
            .select_from(S_.join(A, A.c.account_id == S_.c.account_id))
            .where(S_.c.ended_at.is_(None),
                   S_.c.last_seen > now - dt.timedelta(minutes=cfg.idle_timeout_minutes),
                   S_.c.created_at > now - dt.timedelta(hours=cfg.absolute_timeout_hours))
            .order_by(S_.c.last_seen.desc()))
    return read_frame(engine, stmt)


# -- demo accounts of the sample database -----------------------------------------------------

DEMO_PASSWORD = "Demo@2026"
DEMO_ROLES = (("demo-admin", "演示系统管理员", "sysadmin"),
              ("demo-security", "演示安全管理员", "secadmin"),
              ("demo-audit", "演示审计管理员", "auditor"),
              ("demo-province", "演示省级用户", "province"),
              ("demo-city", "演示市级用户", "city"),
              ("demo-county", "演示区县级用户", "county"),
              ("demo-park", "演示园区用户", "park"),
              ("demo-readonly", "演示只读用户", "readonly"))


def demo_rows(seed: int, province_name: str, city: str, city_name: str, county: str,
              county_name: str, park_id: int, park_name: str) -> list[dict]:
    """The sample's demo accounts, one per role, sharing DEMO_PASSWORD. The hashes use a salt
    derived from the seed, so the same seed still gives the same database byte for byte."""
    places = {"sysadmin": (None, None, "省生态环境厅信息中心"),
              "secadmin": (None, None, "省生态环境厅信息中心"),
              "auditor": (None, None, "省生态环境厅信息中心"),
              "province": ("province", None, f"{province_name}生态环境厅"),
              "city": ("city", city, f"{city_name}生态环境局"),
              "county": ("county", county, f"{city_name}{county_name}生态环境分局"),
              "park": ("park", str(park_id), f"{park_name}管理委员会"),
              "readonly": ("city", city, f"{city_name}生态环境局")}
    created = dt.datetime(2026, 1, 1)
    rows = []
    for i, (name, display, role) in enumerate(DEMO_ROLES, start=1):
        level, code, unit = places[role]
        salt = hashlib.sha256(f"{seed}:{name}".encode()).digest()[:16]
        hashed = hash_secret(DEMO_PASSWORD.encode(), salt, time_cost=HASHER.time_cost,
                             memory_cost=HASHER.memory_cost, parallelism=HASHER.parallelism,
                             hash_len=HASHER.hash_len, type=Type.ID).decode()
        rows.append(dict(account_id=i, username=name, display_name=display, unit=unit,
                         role=role, scope_level=level, scope_code=code, status="启用",
                         password_hash=hashed, oidc_subject=None, failed_attempts=0,
                         locked_until=None, last_sign_in=None, must_change_password=False,
                         password_changed=created, is_demo=True, created_at=created,
                         created_by="sample_data.generate", version=1))
    return rows


def demo_accounts(engine: Engine) -> list[tuple[str, str, str]]:
    """(user name, role, jurisdiction) of the demo accounts, for the sign-in page of the
    sample database."""
    with engine.connect() as conn:
        rows = conn.execute(select(A.c.username, A.c.role, A.c.scope_level, A.c.scope_code)
                            .where(A.c.is_demo.is_(True), A.c.status == "启用")
                            .order_by(A.c.account_id)).all()
    return [(r.username, roles.ROLES[r.role].name,
             _cached_scope_name(engine, r.scope_level, r.scope_code) or "—") for r in rows]


# -- command line: the first administrator ----------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    import argparse

    from queries.db import database_url, describe, get_engine

    p = argparse.ArgumentParser(prog="python -m queries.accounts",
                                description="账号管理命令：为新数据库创建第一个管理员账号。")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create-admin", help="创建管理员账号（系统/安全/审计管理员）")
    c.add_argument("--url", help="数据库 URL（默认 DATABASE_URL）")
    c.add_argument("--username")
    c.add_argument("--display-name")
    c.add_argument("--unit", default="")
    c.add_argument("--role", default="sysadmin", choices=list(roles.ADMIN_ROLES))
    c.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读取密码（不在命令行中出现）；省略则交互输入")
    args = p.parse_args(argv)
    url = args.url or database_url()
    engine = get_engine(url)
    username = args.username or input("用户名：").strip()
    display = args.display_name or input("姓名：").strip()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            print("两次输入的密码不一致。", file=sys.stderr)
            return 2
    try:
        with engine.begin() as conn:
            existing = conn.execute(select(func.count()).select_from(A).where(
                A.c.role == args.role, A.c.status == "启用")).scalar()
            if existing:
                print(f"数据库中已有启用的{roles.ROLES[args.role].name}，请在系统中由管理员创建账号。",
                      file=sys.stderr)
                return 2
            create_account(engine, None, username=username, display_name=display,
                           unit=args.unit, role=args.role, password=password, conn=conn)
            # the administrator chose this password: no forced change at first sign-in
            conn.execute(update(A).where(A.c.username == username.strip().lower()).values(
                must_change_password=False, password_changed=utc_now()))
    except AccountError as e:
        print(f"无法创建账号：{e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - the operator needs the reason, not a traceback
        print(f"无法创建账号（{describe(url)}）：{str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"已在 {describe(url)} 创建{roles.ROLES[args.role].name} {username.strip().lower()}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
