"""公民身份号码 (GB 11643-1999): numbers whose check digits are worked out by hand, refusals, ages,
and the MOD 11-2 property that every single-digit error is caught."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.core.idnumber import PROVINCES, IdFacts, age_on, check_digit, read_id_number

TODAY = date(2025, 6, 1)

# The weights of GB 11643 for digits 1-17:       7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# and the check character for the sum mod 11:    0→1 1→0 2→X 3→9 4→8 5→7 6→6 7→5 8→4 9→3 10→2.
# Sums are worked in three parts: address code (digits 1-6, weights 7 9 10 5 8 4), birth date
# (digits 7-14, weights 2 1 6 3 7 9 10 5), sequence code (digits 15-17, weights 8 4 2).
#
#   110105    1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4                 = 7+9+5+20        = 41
#   440301    4·7 + 4·9 + 0·10 + 3·5 + 0·8 + 1·4                 = 28+36+15+4      = 83
#   650102    6·7 + 5·9 + 0·10 + 1·5 + 0·8 + 2·4                 = 42+45+5+8       = 100
#   810000    8·7 + 1·9                                          = 56+9            = 65
#   830000    8·7 + 3·9                                          = 56+27           = 83
#   990105    9·7 + 9·9 + 0·10 + 1·5 + 0·8 + 5·4                 = 63+81+5+20      = 169
#   19491231  1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5     = 2+9+24+27+7+18+30+5 = 122
#   19490230  1·2 + 9·1 + 4·6 + 9·3 + 0·7 + 2·9 + 3·10 + 0·5     = 2+9+24+27+18+30 = 110
#   19900101  1·2 + 9·1 + 9·6 + 0 + 0 + 1·9 + 0 + 1·5            = 2+9+54+9+5      = 79
#   19850615  1·2 + 9·1 + 8·6 + 5·3 + 0·7 + 6·9 + 1·10 + 5·5     = 2+9+48+15+54+10+25 = 163
#   19940823  1·2 + 9·1 + 9·6 + 4·3 + 0·7 + 8·9 + 2·10 + 3·5     = 2+9+54+12+72+20+15 = 184
#   20001231  2·2 + 0 + 0 + 0 + 1·7 + 2·9 + 3·10 + 1·5           = 4+7+18+30+5     = 64
#   20000229  2·2 + 0 + 0 + 0 + 0 + 2·9 + 2·10 + 9·5             = 4+18+20+45      = 87
#   20040229  2·2 + 0 + 0 + 4·3 + 0 + 2·9 + 2·10 + 9·5           = 4+12+18+20+45   = 99
#   19000229  1·2 + 9·1 + 0 + 0 + 0 + 2·9 + 2·10 + 9·5           = 2+9+18+20+45    = 94
#   20010229  2·2 + 0 + 0 + 1·3 + 0 + 2·9 + 2·10 + 9·5           = 4+3+18+20+45    = 90
#   20250601  2·2 + 0 + 2·6 + 5·3 + 0 + 6·9 + 0 + 1·5            = 4+12+15+54+5    = 90
#   001 → 1·2 = 2    002 → 2·2 = 4    004 → 4·2 = 8    123 → 1·8 + 2·4 + 3·2 = 22
#
# GB 11643's own example, 11010519491231002X: 41 + 122 + 4 = 167 = 15·11 + 2, and 2 → X.

# (number, province, birth date, sex) — each valid on TODAY
VALID = [
    # the standard's example: 167 mod 11 = 2 → X; 17th digit 2, even → 女
    ("11010519491231002X", "北京市", date(1949, 12, 31), "女"),
    # 83 + 79 + 22 = 184 = 16·11 + 8 → 4; 17th digit 3, odd → 男
    ("440301199001011234", "广东省", date(1990, 1, 1), "男"),
    # 100 + 163 + 8 = 271 = 24·11 + 7 → 5; 17th digit 4 → 女
    ("650102198506150045", "新疆维吾尔自治区", date(1985, 6, 15), "女"),
    # 港澳居民居住证 810000: 65 + 184 + 4 = 253 = 23·11 + 0 → 1; 17th digit 2 → 女
    ("810000199408230021", "香港特别行政区", date(1994, 8, 23), "女"),
    # 台湾居民居住证 830000: 83 + 64 + 2 = 149 = 13·11 + 6 → 6; 17th digit 1 → 男
    ("830000200012310016", "台湾地区（居住证）", date(2000, 12, 31), "男"),
    # 2000 is a leap year (divisible by 400): 41 + 87 + 2 = 130 = 11·11 + 9 → 3
    ("110105200002290013", "北京市", date(2000, 2, 29), "男"),
    # 2004 is a leap year (divisible by 4, not 100): 41 + 99 + 2 = 142 = 12·11 + 10 → 2
    ("110105200402290012", "北京市", date(2004, 2, 29), "男"),
    # born on TODAY itself is not in the future: 41 + 90 + 2 = 133 = 12·11 + 1 → 0
    ("110105202506010010", "北京市", date(2025, 6, 1), "男"),
    # 15 digits: 19YY, no check digit; the 15th digit 2 → 女
    ("110105491231002", "北京市", date(1949, 12, 31), "女"),
    # 15 digits: the 15th digit 3 → 男
    ("440301900101123", "广东省", date(1990, 1, 1), "男"),
]


@pytest.mark.parametrize(("number", "province", "born", "sex"), VALID)
def test_valid_numbers(number: str, province: str, born: date, sex: str) -> None:
    facts = read_id_number(number, today=TODAY)
    assert facts == IdFacts(number=number, valid=True, problem=None, region_code=number[:6],
                            province=province, birth_date=born, sex=sex, kind=str(len(number)))


# (text as given, normalised number) — each the standard's example, so valid
WRITTEN = [
    ("11010519491231002x", "11010519491231002X"),            # lower-case x
    ("  11010519491231002X\n", "11010519491231002X"),        # spaces around
    ("110105 19491231 002X", "11010519491231002X"),          # grouped as people write it
    ("\u3000１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width, ideographic space
]


@pytest.mark.parametrize(("text", "number"), WRITTEN)
def test_normalised(text: str, number: str) -> None:
    facts = read_id_number(text, today=TODAY)
    assert facts.number == number
    assert facts.valid and facts.problem is None
    assert (facts.province, facts.birth_date, facts.sex) == ("北京市", date(1949, 12, 31), "女")


# (number, problem) — one problem each, the others absent (check digits right where the test is not
# about them, so the problem named is the only one)
INVALID = [
    # the standard's example with 5 for X
    ("110105194912310025", "校验码应为 X，实为 5（the check digit should be X, not 5）"),
    # 184 → 4 is due, X given
    ("44030119900101123X", "校验码应为 4，实为 X（the check digit should be 4, not X）"),
    # 30 February: 41 + 110 + 4 = 155 = 14·11 + 1 → 0, so only the date is wrong
    ("110105194902300020", "出生日期 19490230 不存在（there is no date 1949-02-30）"),
    # 1900 is not a leap year (divisible by 100, not 400): 41 + 94 + 4 = 139 = 12·11 + 7 → 5
    ("110105190002290025", "出生日期 19000229 不存在（there is no date 1900-02-29）"),
    # 2001 is not a leap year: 41 + 90 + 2 = 133 → 0
    ("110105200102290010", "出生日期 20010229 不存在（there is no date 2001-02-29）"),
    # 15 digits, YY 00 is 1900: no 29 February (whereas 18-digit 2000-02-29 above is valid)
    ("110105000229001", "出生日期 19000229 不存在（there is no date 1900-02-29）"),
    ("110105490230002", "出生日期 19490230 不存在（there is no date 1949-02-30）"),
    ("110105491300002", "出生日期 19491300 不存在（there is no date 1949-13-00）"),
    # province 99: 169 + 122 + 4 = 295 = 26·11 + 9 → 3, so only the province is wrong
    ("990105194912310023", "前两位 99 不是省级行政区划代码（99 is not the code of a province-level division）"),
    ("100105491231002", "前两位 10 不是省级行政区划代码（10 is not the code of a province-level division）"),
    ("000000194912310023", "前两位 00 不是省级行政区划代码（00 is not the code of a province-level division）"),
    # the province is read before the date
    ("990105194902300020", "前两位 99 不是省级行政区划代码（99 is not the code of a province-level division）"),
]


@pytest.mark.parametrize(("number", "problem"), INVALID)
def test_invalid_numbers(number: str, problem: str) -> None:
    facts = read_id_number(number, today=TODAY)
    assert not facts.valid
    assert facts.problem == problem
    assert facts.kind == str(len(number)) and facts.region_code == number[:6]


def test_wrong_check_digit_still_reads_the_rest() -> None:
    facts = read_id_number("110105194912310025", today=TODAY)
    assert (facts.province, facts.birth_date, facts.sex) == ("北京市", date(1949, 12, 31), "女")


def test_impossible_date_and_unknown_province_read_as_none() -> None:
    assert read_id_number("110105194902300020", today=TODAY).birth_date is None
    facts = read_id_number("990105194912310023", today=TODAY)
    assert facts.province is None and facts.birth_date == date(1949, 12, 31)


def test_future_birth_date() -> None:
    # 2025-06-01 (check 0, worked above) read the day before
    facts = read_id_number("110105202506010010", today=date(2025, 5, 31))
    assert not facts.valid
    assert facts.problem == ("出生日期 2025-06-01 晚于今天 2025-05-31"
                             "（the birth date 2025-06-01 is after today, 2025-05-31）")
    assert facts.birth_date == date(2025, 6, 1)


def test_today_defaults_to_the_machine_date() -> None:
    # born 2199-12-31 is after any machine date this test will run on: 21991231 →
    # 2·2 + 1·1 + 9·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 = 4+1+54+27+7+18+30+5 = 146; 41 + 146 + 2 = 189
    # = 17·11 + 2 → X
    facts = read_id_number("11010521991231001X")
    assert not facts.valid and facts.problem is not None and "晚于今天" in facts.problem
    assert read_id_number("11010519491231002X").valid


# (text, normalised number, kind, problem) — too malformed to read any further
MALFORMED = [
    ("", "", None, "号码为空（the number is empty）"),
    ("   ", "", None, "号码为空（the number is empty）"),
    ("123", "123", None, "号码应为 18 位（或 15 位），实为 3 位（the number should have 18 characters, or 15, not 3）"),
    ("1101051949123100", "1101051949123100", None,
     "号码应为 18 位（或 15 位），实为 16 位（the number should have 18 characters, or 15, not 16）"),
    ("11010519491231002X1", "11010519491231002X1", None,
     "号码应为 18 位（或 15 位），实为 19 位（the number should have 18 characters, or 15, not 19）"),
    ("1101051949A231002X", "1101051949A231002X", "18", "第 11 位“A”不是数字（character 11, 'A', is not a digit）"),
    ("X1010519491231002X", "X1010519491231002X", "18",
     "第 1 位为 X，只有 18 位号码的末位可以是 X（character 1 is X; only the 18th may be）"),
    ("11010549123100X", "11010549123100X", "15",
     "第 15 位为 X，只有 18 位号码的末位可以是 X（character 15 is X; only the 18th may be）"),
    ("11010519491231002Y", "11010519491231002Y", "18",
     "第 18 位“Y”应为数字或 X（character 18, 'Y', should be a digit or X）"),
    # an Arabic-Indic five is a Unicode digit, but no digit of this number
    ("11010519491231002\u0665", "11010519491231002\u0665", "18",
     "第 18 位“\u0665”应为数字或 X（character 18, '\u0665', should be a digit or X）"),
    ("11010519491231-02X", "11010519491231-02X", "18", "第 15 位“-”不是数字（character 15, '-', is not a digit）"),
]


@pytest.mark.parametrize(("text", "number", "kind", "problem"), MALFORMED)
def test_malformed(text: str, number: str, kind: str | None, problem: str) -> None:
    assert read_id_number(text, today=TODAY) == IdFacts(number=number, valid=False, problem=problem, kind=kind)


BORN_1949 = read_id_number("11010519491231002X", today=TODAY)
BORN_LEAP = read_id_number("110105200002290013", today=TODAY)

AGES = [
    (BORN_1949, date(1949, 12, 30), None),   # before birth
    (BORN_1949, date(1949, 12, 31), 0),      # the day of birth
    (BORN_1949, date(2019, 12, 30), 69),     # the day before the 70th birthday
    (BORN_1949, date(2019, 12, 31), 70),     # the birthday counts
    (BORN_1949, date(2020, 1, 1), 70),       # the day after
    (BORN_LEAP, date(2001, 2, 28), 0),       # 29 February in a common year: not yet on the 28th
    (BORN_LEAP, date(2001, 3, 1), 1),        # … but on 1 March
    (BORN_LEAP, date(2018, 2, 28), 17),
    (BORN_LEAP, date(2018, 3, 1), 18),
    (BORN_LEAP, date(2020, 2, 28), 19),      # a leap year: the birthday itself
    (BORN_LEAP, date(2020, 2, 29), 20),
]


@pytest.mark.parametrize(("facts", "on", "age"), AGES)
def test_age_on(facts: IdFacts, on: date, age: int | None) -> None:
    assert age_on(facts, on) == age


def test_age_on_without_a_birth_date() -> None:
    assert age_on(read_id_number("110105194902300020", today=TODAY), date(2000, 1, 1)) is None
    assert age_on(read_id_number("123"), date(2000, 1, 1)) is None


def test_check_digit() -> None:
    assert check_digit("11010519491231002") == "X"   # 167 mod 11 = 2 → X
    assert check_digit("44030119900101123") == "4"   # 184 mod 11 = 8 → 4
    assert check_digit("81000019940823002") == "1"   # 253 mod 11 = 0 → 1
    assert check_digit("11010519490230002") == "0"   # 155 mod 11 = 1 → 0 (no matter the date)
    # sum mod 11 = 10 → 2: 10000000000000000 has sum 1·7 = 7 → 5; 00000000000000001 → 1·2 = 2 → X;
    # 00000000000000005 → 5·2 = 10 → 2; 00000000000000000 → 0 → 1
    assert check_digit("10000000000000000") == "5"
    assert check_digit("00000000000000001") == "X"
    assert check_digit("00000000000000005") == "2"
    assert check_digit("00000000000000000") == "1"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X", "1101051949123100２"])
def test_check_digit_refuses_what_is_not_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


@st.composite
def first_17(draw: st.DrawFn) -> str:
    """17 digits with a real province and a possible birth date (not after TODAY)."""
    province = draw(st.sampled_from(sorted(PROVINCES)))
    rest_of_address = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return province + rest_of_address + born.strftime("%Y%m%d") + sequence


@settings(max_examples=200, deadline=None)
@given(first_17())
def test_every_single_digit_error_is_caught(first17: str) -> None:
    # MOD 11-2 detects every single-digit error: the weight of position i is 2^(18-i) mod 11, never 0
    # (11 is prime and does not divide a power of 2), so changing a digit by d (1 ≤ |d| ≤ 9) changes
    # the weighted sum by d·w ≢ 0 (mod 11) and the check character due changes with it; the check
    # character itself stands for 0-10, and a different one no longer matches the 17 digits.
    number = first17 + check_digit(first17)
    facts = read_id_number(number, today=TODAY)
    assert facts.valid, facts.problem
    for i, original in enumerate(number):
        for other in ("0123456789X" if i == 17 else "0123456789"):
            if other == original:
                continue
            changed = number[:i] + other + number[i + 1:]
            assert check_digit(changed[:17]) != changed[17], changed
            assert not read_id_number(changed, today=TODAY).valid, changed


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(PROVINCES)), st.text("0123456789", min_size=4, max_size=4),
       st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
       st.text("0123456789", min_size=3, max_size=3))
def test_fifteen_digit_numbers_read_back(province: str, rest: str, born: date, sequence: str) -> None:
    facts = read_id_number(province + rest + born.strftime("%y%m%d") + sequence, today=TODAY)
    assert facts.valid and facts.kind == "15"
    assert facts.birth_date == born
    assert facts.sex == ("男" if int(sequence[-1]) % 2 else "女")
