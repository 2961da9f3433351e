"""Roles: who may see which pages and do what (等保 2.0: least privilege, 三员分立).

One table, read by the navigation (pages a role may open), the pages (actions they offer) and the
query layer (jurisdiction). README repeats it for officials. The three administrator roles see no
audit data; the data roles see only their jurisdiction (province / city / county / park).
"""

from __future__ import annotations

from dataclasses import dataclass

# Pages by file; the navigation shows a role only the pages listed for it.
# 专家库, 咨询机构 and 信用与公开 serve every data role: each reads only its jurisdiction, and
# experts' phone and ID numbers are masked below the province (queries/experts.py).
DATA_PAGES = ("overview", "map", "supervision", "enterprise", "cases", "plan", "parks", "park",
              "experts", "consultancies", "credit", "data_status", "data_quality", "indicators")
ACCOUNT_PAGE = "account"  # 我的账号: every role
IMPORT_PAGES = ("intake",)  # 数据导入: only the roles that may import (IMPORT below)


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    levels: tuple[str, ...]  # jurisdiction levels the role may hold; () = no audit data
    pages: tuple[str, ...]
    actions: frozenset[str]


# Actions. Data: read is implied by the pages; the rest are checked where offered.
DOWNLOAD, IMPORT, SUPERVISE = "download", "import", "supervise"
# Administration.
ACCOUNT_CREATE = "account.create"        # create, bulk create
ACCOUNT_STATUS = "account.status"        # disable / enable
ACCOUNT_RESET = "account.reset"          # one-time password
ACCOUNT_GRANT_DATA = "account.grant_data"  # set a data role and its jurisdiction
ACCOUNT_GRANT_ADMIN = "account.grant_admin"  # grant or revoke an administrator role
ACCOUNT_UNLOCK = "account.unlock"
SETTINGS_EDIT = "settings.edit"
LOG_READ = "log.read"                    # read, filter, export and archive the audit log

_DATA_WRITE = frozenset({DOWNLOAD, IMPORT, SUPERVISE})

ROLES: dict[str, Role] = {r.code: r for r in (
    Role("sysadmin", "系统管理员", (), ("accounts", ACCOUNT_PAGE),
         frozenset({ACCOUNT_CREATE, ACCOUNT_STATUS, ACCOUNT_RESET, ACCOUNT_GRANT_DATA})),
    Role("secadmin", "安全管理员", (), ("accounts", "security", ACCOUNT_PAGE),
         frozenset({ACCOUNT_GRANT_DATA, ACCOUNT_GRANT_ADMIN, ACCOUNT_UNLOCK, SETTINGS_EDIT})),
    Role("auditor", "审计管理员", (), ("audit_log", ACCOUNT_PAGE), frozenset({LOG_READ})),
    Role("province", "省级用户", ("province",), (*DATA_PAGES, *IMPORT_PAGES, ACCOUNT_PAGE),
         _DATA_WRITE),
    Role("city", "市级用户", ("city",), (*DATA_PAGES, *IMPORT_PAGES, ACCOUNT_PAGE), _DATA_WRITE),
    Role("county", "区县级用户", ("county",), (*DATA_PAGES, *IMPORT_PAGES, ACCOUNT_PAGE),
         _DATA_WRITE),
    Role("park", "园区用户", ("park",), (*DATA_PAGES, ACCOUNT_PAGE), frozenset({DOWNLOAD})),
    Role("readonly", "只读用户", ("province", "city", "county", "park"),
         (*DATA_PAGES, ACCOUNT_PAGE), frozenset()),
)}
ALL_PAGES = frozenset(p for r in ROLES.values() for p in r.pages)
ADMIN_ROLES = tuple(c for c, r in ROLES.items() if not r.levels)
DATA_ROLES = tuple(c for c, r in ROLES.items() if r.levels)
LEVEL_NAMES = {"province": "全省", "city": "市", "county": "区县", "park": "园区"}


class RoleError(ValueError):
    """A role or jurisdiction that cannot be; the message is for the user, in Chinese."""


def role(code: str) -> Role:
    if code not in ROLES:
        raise RoleError(f"未知角色：{code}")
    return ROLES[code]


def role_by_name(name: str) -> Role:
    """The role a Chinese name (系统管理员, 市级用户 …) or a code stands for."""
    text = str(name).strip()
    for r in ROLES.values():
        if text in (r.name, r.code):
            return r
    raise RoleError(f"未知角色“{text}”，可选：{'、'.join(r.name for r in ROLES.values())}")


def may(role_code: str, action: str) -> bool:
    return role_code in ROLES and action in ROLES[role_code].actions


def may_open(role_code: str, page: str) -> bool:
    return role_code in ROLES and page in ROLES[role_code].pages


def check_jurisdiction(role_code: str, level: str | None, code: str | None) -> None:
    """A role holds a jurisdiction of the levels it allows; administrators hold none."""
    r = role(role_code)
    if not r.levels:
        if level or code:
            raise RoleError(f"{r.name}不查看审核数据，不应设置辖区")
        return
    if level not in r.levels:
        allowed = "、".join(LEVEL_NAMES[x] for x in r.levels)
        raise RoleError(f"{r.name}的辖区应为：{allowed}")
    if level == "province" and code:
        raise RoleError("全省辖区不需要代码")
    if level != "province" and not code:
        raise RoleError(f"{r.name}需要填写辖区代码（{LEVEL_NAMES[level]}）")


def grant_action(target_role: str) -> str:
    """The action needed to give (or take away) `target_role`."""
    return ACCOUNT_GRANT_ADMIN if target_role in ADMIN_ROLES else ACCOUNT_GRANT_DATA
