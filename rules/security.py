"""Security rules of GB/T 22239-2019 (等保 2.0) as applied here: password quality and age,
lockout after failed sign-ins, session timeouts, user names, the client address for the log.

Pure functions over plain values; the settings a security administrator may change (limits,
timeouts, retention) have defaults here and are stored in the database (queries.accounts).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import string
from dataclasses import dataclass, fields, replace

# Times are stored in UTC; officials read Beijing time (China has one time zone, no DST).
LOCAL_OFFSET = dt.timedelta(hours=8)


def to_local(utc: dt.datetime) -> dt.datetime:
    return utc + LOCAL_OFFSET


def local_day_start_utc(day: dt.date) -> dt.datetime:
    """00:00 Beijing time of `day`, as a UTC time (what the database stores)."""
    return dt.datetime.combine(day, dt.time()) - LOCAL_OFFSET


@dataclass(frozen=True)
class Settings:
    password_min_length: int = 8
    password_max_age_days: int = 90       # 0 = never expires
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_timeout_minutes: int = 480       # a working day
    absolute_timeout_hours: int = 24
    log_retention_days: int = 180         # 网络安全法 Art. 21: at least six months


# (label, unit, smallest, largest) per setting; the floors keep the rules of 等保 and the law.
SETTING_LIMITS = {
    "password_min_length": ("密码最小长度", "位", 8, 64),
    "password_max_age_days": ("密码有效期", "天", 0, 365),
    "lockout_attempts": ("连续登录失败锁定次数", "次", 3, 10),
    "lockout_minutes": ("锁定时长", "分钟", 5, 1440),
    "idle_timeout_minutes": ("无操作自动退出", "分钟", 5, 720),
    "absolute_timeout_hours": ("会话最长有效期", "小时", 1, 72),
    "log_retention_days": ("操作日志在线保存期", "天", 180, 3650),
}


class SettingError(ValueError):
    """A setting out of range; the message is for the user, in Chinese."""


def setting_problem(key: str, value) -> str | None:
    if key not in SETTING_LIMITS:
        return f"未知的安全设置项：{key}"
    label, unit, low, high = SETTING_LIMITS[key]
    try:
        number = int(str(value).strip())
    except ValueError:
        return f"{label}应为整数（{unit}），收到：{str(value)[:20]}"
    if not low <= number <= high:
        return f"{label}应在 {low}–{high} {unit}之间，收到：{number}"
    return None


def settings_from(stored: dict[str, str]) -> Settings:
    """Defaults overlaid with the stored values; a stored value out of range is ignored (the
    default holds) rather than weakening a rule."""
    values = {}
    for f in fields(Settings):
        raw = stored.get(f.name)
        if raw is not None and setting_problem(f.name, raw) is None:
            values[f.name] = int(raw)
    return replace(Settings(), **values)


# -- user names and passwords -----------------------------------------------------------------

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_KINDS = (("大写字母", str.isupper), ("小写字母", str.islower), ("数字", str.isdigit),
          ("符号", lambda c: c in string.punctuation))


def username_problem(name: str) -> str | None:
    if not USERNAME.match(name or ""):
        return ("用户名应为 2–64 位字母、数字或 . _ @ -，且以字母或数字开头，"
                f"收到：{(name or '')[:30]}")
    return None


def password_problems(password: str, username: str, settings: Settings = Settings()
                      ) -> list[str]:
    """Why a new password is not acceptable (empty list: it is)."""
    problems = []
    if len(password) < settings.password_min_length:
        problems.append(f"密码至少 {settings.password_min_length} 位")
    kinds = [name for name, test in _KINDS if any(test(c) for c in password)]
    if len(kinds) < 3:
        problems.append("密码应包含大写字母、小写字母、数字、符号中的至少三种")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if any(c.isspace() for c in password):
        problems.append("密码不能包含空格")
    return problems


def password_expired(changed: dt.datetime | None, now: dt.datetime,
                     settings: Settings = Settings()) -> bool:
    if settings.password_max_age_days == 0:
        return False
    return changed is None or now - changed >= dt.timedelta(days=settings.password_max_age_days)


# -- lockout and sessions ---------------------------------------------------------------------

def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failed_attempts: int, now: dt.datetime, settings: Settings = Settings()
                  ) -> tuple[int, dt.datetime | None]:
    """(attempts, locked_until) after one more failed sign-in: the Nth failure in a row locks
    the account for the lockout period and starts the count again."""
    attempts = failed_attempts + 1
    if attempts >= settings.lockout_attempts:
        return 0, now + dt.timedelta(minutes=settings.lockout_minutes)
    return attempts, None


@dataclass(frozen=True)
class SessionTimes:
    created: dt.datetime
    last_seen: dt.datetime


def session_end_reason(times: SessionTimes, now: dt.datetime, settings: Settings = Settings()
                       ) -> str | None:
    """Why a session is over ("idle" or "absolute"), or None while it is valid."""
    if now - times.created >= dt.timedelta(hours=settings.absolute_timeout_hours):
        return "absolute"
    if now - times.last_seen >= dt.timedelta(minutes=settings.idle_timeout_minutes):
        return "idle"
    return None


# Why a session ended, as the sign-in page tells it and the log records it.
END_REASONS = {
    "signout": "您已安全退出。",
    "idle": "长时间无操作，已自动退出，请重新登录。",
    "absolute": "登录时间已超过最长有效期，请重新登录。",
    "disabled": "该账号已被停用。",
    "admin": "账号的角色、辖区或密码已由管理员变更，请重新登录。",
    "password": "密码已在其他会话中修改，请重新登录。",
}


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted_proxies: tuple[str, ...] = ()) -> str:
    """The address to log: the peer, or — when the peer is a trusted reverse proxy — the
    last address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = (peer or "").strip()
    if not forwarded_for or not _in(peer, trusted_proxies):
        return peer or "未知"
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted_proxies):
            return hop[:64] if _is_ip(hop) else "未知"
    return peer


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in(address: str, networks: tuple[str, ...]) -> bool:
    if not _is_ip(address):
        return False
    ip = ipaddress.ip_address(address)
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no scheme, host or `//`), so the
    sign-in page cannot be used to send an official elsewhere."""
    t = (target or "").strip()
    if not t.startswith("/") or t.startswith("//") or "\\" in t or len(t) > 2000 \
            or any(ord(c) < 32 for c in t):
        return "/"
    return t
