"""Tables of the administration pages (accounts, sessions, the audit log) as officials read
them: Chinese headings, role and place names, Beijing time. Pure builders."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.fmt import cn_datetime
from rules import roles
from rules.security import is_locked


def place_name(level, code, names: dict[tuple[str, str], str], province: str) -> str:
    if level is None or level != level:
        return "—（不查看审核数据）"
    if level == "province":
        return province or "全省"
    return names.get((level, str(code)), str(code))


def accounts_table(accounts: pd.DataFrame, places: pd.DataFrame, province: str,
                   now: dt.datetime) -> pd.DataFrame:
    names = {(lv, str(c)): n for lv, c, n in places[["level", "code", "name"]].itertuples(
        index=False)}

    def status(r) -> str:
        if r.status != "启用":
            return r.status
        if is_locked(None if pd.isna(r.locked_until) else r.locked_until.to_pydatetime(), now):
            return f"已锁定（至 {cn_datetime(r.locked_until)[-5:]}）"
        return "启用"

    return pd.DataFrame({
        "用户名": accounts["username"],
        "姓名": accounts["display_name"],
        "单位": accounts["unit"].fillna("").replace("", "—"),
        "角色": accounts["role"].map(lambda c: roles.ROLES[c].name),
        "辖区": [place_name(lv, c, names, province)
               for lv, c in zip(accounts["scope_level"], accounts["scope_code"])],
        "状态": [status(r) for r in accounts.itertuples()],
        "最近登录": accounts["last_sign_in"].map(cn_datetime),
        "密码修改": accounts["password_changed"].map(cn_datetime),
        "登录方式": ["统一身份认证" if o and o == o else "用户名密码"
                 for o in accounts["oidc_subject"]],
    })


def sessions_table(sessions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "用户名": sessions["username"], "姓名": sessions["display_name"],
        "角色": sessions["role"].map(lambda c: roles.ROLES[c].name),
        "登录方式": sessions["kind"],
        "登录时间": sessions["created_at"].map(cn_datetime),
        "最近操作": sessions["last_seen"].map(cn_datetime),
        "来源地址": sessions["ip"].fillna("—"),
    })


def log_table(entries: pd.DataFrame, action_names: dict[str, str]) -> pd.DataFrame:
    role_names = {c: r.name for c, r in roles.ROLES.items()}
    return pd.DataFrame({
        "时间": entries["at"].map(cn_datetime),
        "用户": entries["username"].replace("", "—"),
        "角色": entries["role"].map(lambda c: role_names.get(c, "—")),
        "操作": entries["action"].map(lambda a: action_names.get(a, a)),
        "结果": entries["outcome"],
        "对象": entries["target"].fillna("—"),
        "辖区": entries["scope"].fillna("—"),
        "详情": entries["detail"].fillna("—"),
        "来源地址": entries["ip"].fillna("—"),
    })
