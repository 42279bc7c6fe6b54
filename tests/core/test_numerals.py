"""Capital numerals (大写金额): a table written by hand from the PBC rules, refusals, and a round trip."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruledsl.core.money import Money
from ruledsl.core.numerals import capital_yuan

# Each expected string is written by hand from 《正确填写票据和结算凭证的基本规定》 and the choices the
# module docstring states; "PBC" marks the rules' own examples.
TABLE = [
    ("0", "零元整"),                      # zero: 零元整
    ("0.00", "零元整"),                   # zero written to the fen is still zero
    ("0.01", "壹分"),                     # under one yuan: no 元 part, no 整 after 分
    ("0.05", "伍分"),
    ("0.10", "壹角"),                     # no 整 after 角 (choice)
    ("0.50", "伍角"),
    ("0.55", "伍角伍分"),
    ("1", "壹元整"),                      # ends at 元: 整
    ("1.20", "壹元贰角"),                 # 元 digit non-zero: no 零 before 角
    ("10", "壹拾元整"),                   # 拾 at the head takes 壹
    ("11", "壹拾壹元整"),
    ("15", "壹拾伍元整"),
    ("20", "贰拾元整"),
    ("10.05", "壹拾元零伍分"),            # 元 and 角 both zero before 分: one 零
    ("10.50", "壹拾元零伍角"),            # 元 digit zero before 角: 零 (choice)
    ("12.50", "壹拾贰元伍角"),            # two places, one of them a trailing zero
    ("100", "壹佰元整"),                  # trailing zeros write nothing
    ("101", "壹佰零壹元整"),              # a zero between digits: 零
    ("110", "壹佰壹拾元整"),              # 拾 inside the number also takes its digit
    ("325.04", "叁佰贰拾伍元零肆分"),     # PBC: 角 zero, 分 not → 零 after 元
    ("1001", "壹仟零壹元整"),             # two zeros between digits: one 零
    ("1010", "壹仟零壹拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),    # PBC: a zero between digits; no 整 after 角
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),  # PBC: 元 digit zero, 角 not → 零 (choice)
    ("6007.14", "陆仟零柒元壹角肆分"),    # PBC: a run of zeros, one 零
    ("10000", "壹万元整"),                # a zero units group writes nothing
    ("10000.00", "壹万元整"),
    ("10001", "壹万零壹元整"),            # zeros at the head of the units group after 万: one 零
    ("10100", "壹万零壹佰元整"),
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),  # every digit non-zero: no 零
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # PBC: 角 zero, 分 not
    ("30000.00", "叁万元整"),
    ("100000", "壹拾万元整"),             # 壹拾 at the head of the 万 group
    ("100005", "壹拾万零伍元整"),
    ("100100", "壹拾万零壹佰元整"),
    ("101000", "壹拾万壹仟元整"),         # 万 digit zero, 仟 not: no 零 (choice)
    ("107000.53", "壹拾万柒仟元零伍角叁分"),  # PBC: the same two choices together
    ("110000", "壹拾壹万元整"),
    ("1000000", "壹佰万元整"),
    ("20030000", "贰仟零叁万元整"),       # a zero inside the 万 group
    ("100000000.00", "壹亿元整"),         # zero 万 and units groups write no 万
    ("100000001", "壹亿零壹元整"),        # a run of zeros across two groups: one 零
    ("100010000", "壹亿零壹万元整"),
    ("200300000", "贰亿零叁拾万元整"),    # leading zeros of the 万 group after 亿: one 零
    ("1000000000", "壹拾亿元整"),
    ("1001000000", "壹拾亿零壹佰万元整"),
    ("1010000000", "壹拾亿壹仟万元整"),   # 亿 digit zero, 仟万 not: no 零, like the 万 digit
    ("500000000000", "伍仟亿元整"),
    ("900000000000.01", "玖仟亿元零壹分"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),  # the largest
]


@pytest.mark.parametrize(("amount", "expected"), TABLE)
def test_capital_yuan_table(amount: str, expected: str) -> None:
    assert capital_yuan(Decimal(amount)) == expected
    assert capital_yuan(Money(amount)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (2300, "贰仟叁佰元整"),                  # an int
        (Decimal("1E+3"), "壹仟元整"),           # exponent form
        (Decimal("12.5000"), "壹拾贰元伍角"),    # trailing zeros beyond the fen are dropped
        (Decimal("-0"), "零元整"),               # negative zero is zero
        (Money("100.005").rounded(), "壹佰元零壹分"),  # an award rounded half-up first
    ],
)
def test_capital_yuan_other_inputs(amount: object, expected: str) -> None:
    assert capital_yuan(amount) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("-1"), "is negative"),
        (Decimal("-0.01"), "is negative"),
        (Money("-5"), "is negative"),
        (-1, "is negative"),
        (Decimal("12.345"), r"^12\.345 has more than two decimal places: an amount in yuan is written to the fen$"),
        (Decimal("0.001"), "more than two decimal places"),
        (Money("458.6301369863"), "more than two decimal places"),  # an unrounded working figure
        (10**12, "out of range"),
        (Decimal("1000000000000"), "out of range"),
        (Decimal("999999999999.995"), "out of range|more than two decimal places"),
        (Decimal("1E+12"), "out of range"),
        (Decimal("1E+999999"), "out of range"),
        (Decimal("NaN"), "not a finite amount"),
        (Decimal("sNaN"), "not a finite amount"),
        (Decimal("Infinity"), "not a finite amount"),
        (Decimal("-Infinity"), "not a finite amount"),
        (12.5, "not the float"),
        (1.0, "not the float"),
        (True, "got bool"),
        ("12", "got str '12'"),
        (None, "got NoneType"),
    ],
)
def test_capital_yuan_refuses(amount: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        capital_yuan(amount)  # type: ignore[arg-type]


# --- an independent inverse ----------------------------------------------------------------------

_VALUE = {"零": 0, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL_UNIT = {"拾": 10, "佰": 100, "仟": 1000}
_FRACTION = re.compile(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?(?:([壹贰叁肆伍陆柒捌玖])分)?")


def _parse_whole(text: str) -> int:
    """Whole yuan read back the way a reader of Chinese does: digits times units, summed per section."""
    total = section = digit = 0
    for char in text:
        if char in _VALUE:
            digit = _VALUE[char]
        elif char in _SMALL_UNIT:
            assert digit, f"{char} without a digit before it in {text}"
            section, digit = section + digit * _SMALL_UNIT[char], 0
        elif char == "亿":  # everything before 亿 counts in 亿
            total, section, digit = (total + section + digit) * 10**8, 0, 0
        else:
            assert char == "万", f"{char} in {text}"
            total, section, digit = total + (section + digit) * 10**4, 0, 0
    return total + section + digit


def parse_capital(text: str) -> Decimal:
    """大写金额 back to a Decimal of yuan; the form is checked as it is read."""
    whole_text, _, rest = text.rpartition("元")
    if rest.endswith("整"):
        assert rest == "整", text
        rest = ""
    match = _FRACTION.fullmatch(rest)
    assert match and rest != "零", text
    jiao, fen = (_VALUE[g] if g else 0 for g in match.groups())
    whole = 0 if whole_text == "零" else _parse_whole(whole_text)
    return Decimal(whole) + Decimal(jiao) / 10 + Decimal(fen) / 100


def check_form(text: str, fen: int) -> None:
    """What every capital amount looks like, whatever its digits."""
    assert text.endswith("整") == (fen % 100 == 0)
    assert ("元" in text) == (fen >= 100 or fen == 0)
    if fen:
        assert not text.startswith("零")
    for bad in ("零零", "零拾", "零佰", "零仟", "零万", "零亿", "零元", "亿万", "零整"):
        assert bad not in text or text == "零元整", (bad, text)
    assert re.fullmatch(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+", text)
    assert not re.search(r"(?<![壹贰叁肆伍陆柒捌玖])[拾佰仟]", text), text  # 壹拾, never a bare 拾


@pytest.mark.parametrize(("amount", "expected"), TABLE)
def test_inverse_reads_the_table(amount: str, expected: str) -> None:
    assert parse_capital(expected) == Decimal(amount)  # the inverse itself is checked on hand-written text


# whole fen under 10^14 (10^12 yuan): uniform, and digit strings rich in zeros (where the rules are)
_FEN = st.one_of(
    st.integers(min_value=0, max_value=10**14 - 1),
    st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14).map(lambda ds: int("".join(ds))),
)


@settings(max_examples=500, deadline=None)
@given(_FEN)
def test_round_trip(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    text = capital_yuan(amount)
    assert parse_capital(text) == amount
    check_form(text, fen)
    assert capital_yuan(Money(amount)) == text
    if fen % 100 == 0:
        assert capital_yuan(fen // 100) == text
