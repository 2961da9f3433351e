"""Identifier rules: USCC (GB 32100-2015) and discharge permit numbers (HJ 608-2017).

python-stdnum checks the USCC's length, alphabet and final check character; it does not check the
embedded organisation code's own check character (GB 11714, position 17), which we add here.
"""

from __future__ import annotations

import functools
import re

from stdnum.cn import uscc as _stdnum_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: A = 10 ... Z = 35
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# [0-9], not \d: \d also matches non-ASCII digits such as "٠٠١".
_PERMIT_RE = re.compile(r"^(?P<uscc>[0-9A-Z]{18})(?P<seq>[0-9]{3})(?P<letter>[A-Z])$")
# P: 排污许可证 (重点/简化管理); W: 排污登记 (登记管理).
PERMIT_LETTERS = {"许可证": "P", "登记": "W"}


def org_code_check(first8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    if len(first8) != 8 or any(ch not in _ORG_VALUES for ch in first8):
        raise ValueError(f"组织机构代码本体应为8位数字或大写字母，实际为 {first8!r}")
    total = sum(_ORG_VALUES.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


@functools.lru_cache(maxsize=65_536)  # pure; the 数据质量 checks ask again for each permit
def uscc_problem(code: object) -> str | None:
    """Why `code` is not a valid enterprise USCC, in Chinese; None when it is valid."""
    if not isinstance(code, str) or not code.strip():
        return "统一社会信用代码为空"
    return _uscc_problem(code.strip().upper())


# Remembered: an import checks each code of a file twice (preview, then confirm) and the
# 数据质量 snapshot every stored code after it; stdnum's check is ~0.2 ms a code.
@functools.lru_cache(maxsize=1 << 16)
def _uscc_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        listed = "".join(bad[:10]) + ("等" if len(bad) > 10 else "")
        return f"统一社会信用代码含有不允许的字符：{listed}"
    if not code[:8].isdigit():
        return "统一社会信用代码前8位（登记管理部门、机构类别、行政区划）应为数字"
    if code[16] != org_code_check(code[8:16]):
        return "统一社会信用代码中的组织机构代码校验位错误"
    # Length and alphabet are checked above; the library's check-character rule is the rest of
    # its is_valid (called directly: is_valid re-normalises, ≈ 5× slower over a province).
    if _stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
        return "统一社会信用代码校验码错误"
    return None


def is_valid_uscc(code: object) -> bool:
    return uscc_problem(code) is None


def make_uscc(region6: str, org8: str, registry: str = "91") -> str:
    """Build a valid USCC from a 2-char registry/type prefix, a region code and an 8-char body.

    Raises ValueError (Chinese message) rather than return an invalid code, e.g. when org8
    contains a letter GB 32100 forbids (I, O, S, V, Z).
    """
    parts_ok = (len(registry) == 2 and registry.isascii() and registry.isdigit()
                and len(region6) == 6 and region6.isascii() and region6.isdigit()
                and len(org8) == 8 and all(c in ALPHABET for c in org8))
    if not parts_ok:
        raise ValueError("无法生成统一社会信用代码：需要2位数字的登记管理部门和机构类别代码、"
                         f"6位数字行政区划代码、8位组织机构代码本体（不含 I、O、S、V、Z），"
                         f"实际为 {registry!r}、{region6!r}、{org8!r}")
    body = f"{registry}{region6}{org8}{org_code_check(org8)}"
    return body + _stdnum_uscc.calc_check_digit(body)


def permit_problem(number: object, uscc: str | None = None) -> str | None:
    """Why `number` is not a valid permit/registration number (of `uscc`, if given); else None."""
    if not isinstance(number, str) or not number.strip():
        return "排污许可证编号为空"
    number = number.strip().upper()
    if len(number) != 22:
        return f"排污许可证编号应为22位，实际为{len(number)}位"
    m = _PERMIT_RE.match(number)
    if not m:
        return "排污许可证编号格式应为：18位统一社会信用代码 + 3位数字顺序码 + 1位字母"
    if m["letter"] not in PERMIT_LETTERS.values():
        return f"排污许可证编号末位字母应为 {'/'.join(PERMIT_LETTERS.values())}"
    problem = uscc_problem(m["uscc"])
    if problem:
        return "排污许可证编号前18位无效：" + problem
    if uscc is not None and m["uscc"] != str(uscc).strip().upper():  # same normalisation
        return "排污许可证编号与企业统一社会信用代码不一致"
    return None


def is_valid_permit(number: object, uscc: str | None = None) -> bool:
    return permit_problem(number, uscc) is None


def make_permit_no(uscc: str, seq: int, kind: str = "许可证") -> str:
    if kind not in PERMIT_LETTERS or not 1 <= seq <= 999:
        raise ValueError(f"无法生成排污许可证编号：顺序码应为 1–999，类型应为"
                         f" {'/'.join(PERMIT_LETTERS)}，实际为 {seq!r}、{kind!r}")
    return f"{uscc}{seq:03d}{PERMIT_LETTERS[kind]}"
