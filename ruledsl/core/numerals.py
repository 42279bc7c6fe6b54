"""Amounts of money in Chinese capital numerals (大写金额), as a judgment's main text (判决主文) and a
bank's vouchers write them.

The rules are those of the People's Bank of China: 《支付结算办法》（银发〔1997〕393号）附件
《正确填写票据和结算凭证的基本规定》, the part on writing the capital amount (中文大写金额数字):

* digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, groups 万 亿, then 元 角 分; an amount that ends at 元
  ends with 整 (到"元"为止的，在"元"之后，应写"整"); after 分 never 整;
* a zero between non-zero digits is written 零 (￥1,409.50 → 壹仟肆佰零玖元伍角), a run of zeros as
  one 零 (￥6,007.14 → 陆仟零柒元壹角肆分);
* 角 zero and 分 not: 零 after 元 (￥16,409.02 → 壹万陆仟肆佰零玖元零贰分).

Where the rules allow two forms, this module writes one, always the same:

* **整 after 角**: the rules allow it or not (在"角"之后，可以不写"整"); it is left out
  (1409.50 → 壹仟肆佰零玖元伍角).
* **元 digit zero, 角 not** (元位是"0" … 但角位不是"0"): 零 is written after 元, being harder to alter
  (1680.32 → 壹仟陆佰捌拾元零叁角贰分, not 壹仟陆佰捌拾元叁角贰分).
* **万 digit zero, 仟 not** (万位是"0" … 但千位不是"0"): no 零 — the rules' own example in the form that
  pairs with the choice above (107,000.53 → 壹拾万柒仟元零伍角叁分, not 壹拾万零柒仟元伍角叁分). The 亿
  digit is treated alike (1,010,000,000 → 壹拾亿壹仟万元整). In general: zeros at the tail of a group
  (亿, 万 or the units) write nothing; zeros at the head of a group, or a whole zero group, after a
  non-zero higher digit write one 零 before the next non-zero digit (100,005 → 壹拾万零伍元整,
  200,300,000 → 贰亿零叁拾万元整); a zero group writes no 万.
* **拾 at the head** is written with its digit, 壹拾 (10 → 壹拾元整), as in the rules' example
  壹拾万柒仟元 and their dates (壹拾伍日); spoken Chinese would say 拾元.
* **Zero** is 零元整; **under one yuan** there is no 元 part (0.50 → 伍角, 0.05 → 伍分, not 零元伍角).
* The standard forms 元 (not 圆), 整 (not 正), 万 and 亿 (not 萬, 億) are written.
* No 人民币 is prefixed: the caller writes it, immediately before the amount as the rules require
  (大写金额数字应紧接"人民币"字样填写).

>>> capital_yuan(Decimal("12345.67"))
'壹万贰仟叁佰肆拾伍元陆角柒分'
>>> capital_yuan(Decimal("107000.53")), capital_yuan(100005)
('壹拾万柒仟元零伍角叁分', '壹拾万零伍元整')
>>> capital_yuan(Decimal("0.50")), capital_yuan(0)
('伍角', '零元整')
>>> capital_yuan(Decimal("12.345"))
Traceback (most recent call last):
ValueError: 12.345 has more than two decimal places: an amount in yuan is written to the fen
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact

from ruledsl.core.money import Money, decimal_places
from ruledsl.core.show import plain_number, quoted

#: the capital digits 零 … 玖 (大写数字), indexed by value
DIGITS = "零壹贰叁肆伍陆柒捌玖"
#: a digit's unit inside a group of four, and the value of its place: 仟 佰 拾 and the bare digit
PLACES: tuple[tuple[str, int], ...] = (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1))
#: the groups of four digits, highest first: 亿 (10^8), 万 (10^4) and the yuan themselves
GROUPS: tuple[tuple[str, int], ...] = (("亿", 10**8), ("万", 10**4), ("", 1))
#: amounts from 1 万亿 (10^12) yuan on are refused: 亿 is the highest group unit written
LIMIT = 10**12

_EXACT = Context(prec=40, traps=[Inexact])  # whole fen of any accepted amount (under 15 digits) fit exactly


def capital_yuan(amount: Decimal | Money | int) -> str:
    """An amount of yuan in capital numerals (大写金额), to the fen, without the 人民币 before it.

    Only a :class:`~decimal.Decimal`, a :class:`~ruledsl.core.money.Money` or an ``int`` is taken —
    a float has already lost the fen, and text is read with :func:`~ruledsl.core.money.to_decimal`
    first. Refused with :class:`ValueError`: negative and non-finite values, more than two decimal
    places once trailing zeros are dropped (12.50 is fine, 12.345 is not: round it first), and
    amounts of 1 万亿 (10^12) yuan or more.

    >>> capital_yuan(Money("1680.32")), capital_yuan(Decimal("16409.02"))
    ('壹仟陆佰捌拾元零叁角贰分', '壹万陆仟肆佰零玖元零贰分')
    """
    whole, fen = divmod(_whole_fen(amount), 100)
    jiao, fen = divmod(fen, 10)
    if not whole:
        head = "" if jiao or fen else "零元"
    else:
        head = _capital_whole(whole) + "元"
        if (jiao and whole % 10 == 0) or (fen and not jiao):
            head += "零"  # 元 digit zero before 角 (our choice), or 角 zero before 分 (the rules)
    return head + (DIGITS[jiao] + "角" if jiao else "") + (DIGITS[fen] + "分" if fen else "") + (
        "" if jiao or fen else "整")


def _whole_fen(amount: object) -> int:
    """The amount as a whole number of fen, after every check :func:`capital_yuan` makes."""
    if isinstance(amount, Money):
        value = amount.amount
    elif isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int) and not isinstance(amount, bool):
        value = Decimal(amount)
    elif isinstance(amount, float):
        raise ValueError(f"give the amount as a Decimal such as Decimal(\"12345.67\"), not the float {amount!r}")
    else:
        hint = " (read text with to_decimal first)" if isinstance(amount, str) else ""
        raise ValueError(f"expected a Decimal, Money or int amount of yuan, got {type(amount).__name__} "
                         f"{quoted(amount)}{hint}")
    if not value.is_finite():
        raise ValueError(f"{plain_number(value)} is not a finite amount")
    if value < 0:
        raise ValueError(f"{plain_number(value)} is negative: only an amount of zero or more is written in capitals")
    if value >= LIMIT:
        raise ValueError(f"{plain_number(value)} is out of range: capitals are written for amounts under "
                         "1 万亿 (10^12) yuan")
    if decimal_places(value) > 2:
        raise ValueError(f"{plain_number(value)} has more than two decimal places: "
                         "an amount in yuan is written to the fen")
    return int(value.scaleb(2, _EXACT))


def _capital_whole(whole: int) -> str:
    """Whole yuan, 0 < ``whole`` < 10^12, in capitals without the 元: one 零 for each run of zeros that
    stands before a non-zero digit, except a run that starts at the tail of a non-zero group."""
    out: list[str] = []
    zero_pending = False  # a zero has been passed since the last digit written
    for group_unit, group_value in GROUPS:
        group = whole // group_value % 10_000
        if not group:
            zero_pending = bool(out)  # a zero group after a non-zero one: a 零 for whatever follows
            continue
        for unit, place in PLACES:
            digit = group // place % 10
            if not digit:
                zero_pending = bool(out)  # leading zeros before anything is written are no zeros
                continue
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(DIGITS[digit] + unit)
        out.append(group_unit)
        zero_pending = False  # zeros at a group's tail write nothing (壹拾万柒仟, our choice)
    return "".join(out)
