"""USCC (GB 32100-2015, with the GB 11714 organisation-code check) and permit numbers (HJ 608)."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc as stdnum_uscc

from rules.identifiers import (
    ALPHABET,
    is_valid_permit,
    is_valid_uscc,
    make_permit_no,
    make_uscc,
    org_code_check,
    permit_problem,
    uscc_problem,
)

VALID = ("91110000600037341L", "91130200699229617X")
PERMIT = "91130200699229617X001P"  # HJ 608-2017 appendix A example


# --- USCC ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", VALID)
def test_reference_codes_are_valid(code):
    assert uscc_problem(code) is None
    assert is_valid_uscc(code)


@pytest.mark.parametrize(("code", "fragment"), [
    ("", "为空"),
    (None, "为空"),
    (91110000600037341, "为空"),
    ("91110000600037341", "实际为17位"),
    ("91110000600037341LL", "实际为19位"),
])
def test_wrong_length_or_type(code, fragment):
    problem = uscc_problem(code)
    assert problem is not None and fragment in problem
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter):
    code = VALID[0][:12] + letter + VALID[0][13:]
    problem = uscc_problem(code)
    assert problem is not None and "不允许的字符" in problem and letter in problem


def test_letters_in_the_first_eight_positions_are_rejected():
    assert "前8位" in uscc_problem("9A110000600037341L")


@pytest.mark.parametrize("code", VALID)
def test_every_wrong_final_check_character_is_rejected(code):
    for ch in ALPHABET:
        if ch != code[-1]:
            assert uscc_problem(code[:-1] + ch) == "统一社会信用代码校验码错误"


@pytest.mark.parametrize("code", VALID)
def test_every_single_character_substitution_is_rejected(code):
    for i in range(18):
        for ch in ALPHABET:
            if ch != code[i]:
                assert not is_valid_uscc(code[:i] + ch + code[i + 1:]), (i, ch)


def test_organisation_code_check_at_position_17():
    # Wrong 17th character, but the final check recomputed to match: python-stdnum accepts it,
    # the GB 11714 check does not.
    body = VALID[0][:16] + "2"
    forged = body + stdnum_uscc.calc_check_digit(body)
    assert stdnum_uscc.is_valid(forged)
    assert uscc_problem(forged) == "统一社会信用代码中的组织机构代码校验位错误"


@pytest.mark.parametrize(("body", "check"), [
    ("60003734", "1"),
    ("69922961", "7"),
    ("D2143569", "X"),   # GB 11714's own example, D2143569-X: 11 - 1 = 10 -> X
    ("00000006", "X"),
    ("00000000", "0"),   # 11 - 0 = 11 -> 0
    ("MA1AAA01", org_code_check("MA1AAA01")),
])
def test_org_code_check(body, check):
    assert org_code_check(body) == check


@pytest.mark.parametrize("body", ["6000373", "600037345", "6000373a", "6000373٣"])
def test_org_code_check_rejects_malformed_bodies(body):
    with pytest.raises(ValueError):
        org_code_check(body)


# --- make_uscc ----------------------------------------------------------------------------------

def test_make_uscc_rebuilds_the_reference_codes():
    assert make_uscc("110000", "60003734") == VALID[0]
    assert make_uscc("130200", "69922961") == VALID[1]


@pytest.mark.parametrize(("region", "body", "registry"), [
    ("320111", "MA1AAA01", "91"),
    ("320505", "MA1BBB03", "91"),
    ("440300", "D2143569", "91"),   # organisation check X at position 17
    ("110105", "00000000", "92"),   # individual business
    ("650100", "YX0W9KLN", "91"),
])
def test_make_uscc_round_trip(region, body, registry):
    code = make_uscc(region, body, registry)
    assert is_valid_uscc(code), uscc_problem(code)
    assert code[:16] == registry + region + body
    assert code[16] == org_code_check(body)


@pytest.mark.parametrize(("region", "body"), [
    ("320111", "MA1AAI01"),   # I is not in the GB 32100 alphabet
    ("320111", "MA1AAO01"),
    ("320111", "MA1AA01"),    # 7 characters
    ("32011", "MA1AAA01"),
    ("32011A", "MA1AAA01"),
])
def test_make_uscc_refuses_to_build_invalid_codes(region, body):
    with pytest.raises(ValueError):
        make_uscc(region, body)


# --- permit numbers -----------------------------------------------------------------------------

def test_reference_permit_numbers():
    assert permit_problem(PERMIT) is None
    assert is_valid_permit(PERMIT, "91130200699229617X")
    assert is_valid_permit("91130200699229617X002P")
    assert is_valid_permit("91130200699229617X001W")  # registration (登记)


@pytest.mark.parametrize(("number", "uscc", "fragment"), [
    ("91130200699229617X001Q", None, "末位字母"),
    ("91130200699229617X0011", None, "格式"),
    ("91130200699229617X01P", None, "实际为21位"),
    ("91130200699229617X0001P", None, "实际为23位"),
    ("91130200699229617X٠٠١P", None, "格式"),             # non-ASCII digits
    ("91130200699229617Y001P", None, "前18位无效"),        # bad USCC check character
    (PERMIT, "91110000600037341L", "不一致"),
    ("", None, "为空"),
    (None, None, "为空"),
])
def test_invalid_permit_numbers(number, uscc, fragment):
    problem = permit_problem(number, uscc)
    assert problem is not None and fragment in problem
    assert not is_valid_permit(number, uscc)


def test_permit_uscc_comparison_uses_the_same_normalisation():
    # The number is read case-insensitively, so the holder's code must be too.
    assert is_valid_permit(PERMIT, "91130200699229617x")


@pytest.mark.parametrize(("seq", "kind", "suffix"), [
    (1, "许可证", "001P"), (2, "许可证", "002P"), (999, "许可证", "999P"), (1, "登记", "001W"),
])
def test_make_permit_no_round_trip(seq, kind, suffix):
    for uscc in VALID:
        number = make_permit_no(uscc, seq, kind)
        assert number == uscc + suffix
        assert is_valid_permit(number, uscc), permit_problem(number, uscc)


@pytest.mark.parametrize(("seq", "kind"), [(0, "许可证"), (1000, "许可证"), (1, "临时")])
def test_make_permit_no_refuses_bad_input(seq, kind):
    with pytest.raises(ValueError):
        make_permit_no(VALID[0], seq, kind)
