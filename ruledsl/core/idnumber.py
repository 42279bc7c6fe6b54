"""What a party profile (当事人画像) can read from a resident identity card number (公民身份号码).

The number is that of GB 11643-1999 《公民身份号码》: 18 characters, in four parts —

* the address code (地址码), digits 1-6: the 行政区划代码 of GB/T 2260 for the place where the
  holder's permanent residence (常住户口) was registered when the number was given; it is **not**
  where the party lives now, nor the domicile (住所) a court reads from the file;
* the birth date code (出生日期码), digits 7-14: ``YYYYMMDD``;
* the sequence code (顺序码), digits 15-17: odd for a man (男), even for a woman (女) — the 17th digit;
* the check digit (校验码), character 18: ISO 7064 MOD 11-2 over the first 17 digits, ``0``-``9``
  or ``X`` (for ten); see :func:`check_digit`.

The 15-digit numbers given before GB 11643-1999 have the same address code, a six-digit birth date
``YYMMDD`` of the 1900s (``19YY``), a three-digit sequence code whose last digit (the 15th) gives the
sex in the same way, and no check digit; they are read with ``kind`` ``"15"``, valid when the
province and the date are possible.

**The region is given to the province only.**  The first two digits name the province-level
division (省级行政区划) from the 34 codes of GB/T 2260 in :data:`PROVINCES`, plus 81, 82 and 83 as
the residence permits for residents of Hong Kong, Macao and Taiwan (港澳台居民居住证) write them
(address codes 810000, 820000, 830000).  Naming the prefecture or county (地级、县级) from digits 3-6
needs the full GB/T 2260 table, and its past editions, since a number keeps the code of a
division long since abolished or renamed; the project does not ship that table, so
:attr:`IdFacts.region_code` gives the six digits as they stand and nothing is made of them.

:func:`read_id_number` never raises for a malformed number: it gives ``valid=False`` and the
first problem found, in the order the number is read (length, characters, province, birth date,
a birth date after today, check digit), Chinese first and English in parentheses.  The fields
hold whatever the digits say even then (a number with a wrong check digit still has a province,
birth date and sex), so a profile that shows them for an invalid number should show the problem
beside them.

>>> facts = read_id_number("11010519491231002X")
>>> facts.valid, facts.province, facts.birth_date, facts.sex, facts.kind
(True, '北京市', datetime.date(1949, 12, 31), '女', '18')
>>> read_id_number("110105194912310025").problem
'校验码应为 X，实为 5（the check digit should be X, not 5）'
>>> age_on(facts, date(2019, 12, 31)), age_on(facts, date(2019, 12, 30))
(70, 69)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

#: the province-level codes (省级行政区划代码) of GB/T 2260, by the first two digits of the number
PROVINCES: MappingProxyType[str, str] = MappingProxyType({
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    # 81 and 82 are GB/T 2260's own codes; 港澳居民居住证 carry 810000 and 820000
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    # 83 is not in GB/T 2260: it is the address code 830000 of the 台湾居民居住证 (residence permit
    # for residents of Taiwan), whose holders' numbers begin 83 rather than 71
    "83": "台湾地区（居住证）",
})

#: the weights of GB 11643 for digits 1-17 (2 to the power 18 - position, mod 11)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: the check character for each weighted sum mod 11 (0→1, 1→0, 2→X, 3→9 … 10→2)
_CHECK = "10X98765432"
_DIGITS = frozenset("0123456789")
#: full-width digits and X (as a Chinese document may type them) read as ASCII
_FULL_WIDTH = {0xFF10 + i: str(i) for i in range(10)} | {ord("Ｘ"): "X", ord("ｘ"): "X"}


@dataclass(frozen=True, slots=True)
class IdFacts:
    """What a 公民身份号码 says; see the module docstring for what each part means.

    ``number`` is the text as read: whitespace taken out, full-width digits made ASCII, ``x`` made
    ``X``.  ``problem`` is ``None`` exactly when ``valid``.  The other fields are ``None`` when the
    number is too malformed to read them (wrong length, a character that is not a digit), and
    ``province`` / ``birth_date`` also when those digits name no province or no date."""

    number: str
    valid: bool
    problem: str | None = None
    region_code: str | None = None
    province: str | None = None
    birth_date: date | None = None
    sex: Literal["男", "女"] | None = None
    kind: Literal["18", "15"] | None = None


def check_digit(first17: str) -> str:
    """The check character (校验码) of GB 11643-1999 for the first 17 digits: ISO 7064 MOD 11-2.

    Each digit is multiplied by its weight (:data:`WEIGHTS`), the products are summed, and the sum
    mod 11 gives the character 1 0 X 9 8 7 6 5 4 3 2 (for 0 … 10).  ValueError unless ``first17``
    is 17 ASCII digits — that is a caller's mistake, not a malformed number."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"check_digit needs 17 digits, not {first17[:40]!r}")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _normalise(text: str) -> str:
    return "".join(text.translate(_FULL_WIDTH).split()).replace("x", "X")


def _bad_character(number: str) -> str | None:
    """The problem with the first character that cannot stand where it is, if any."""
    for i, c in enumerate(number, start=1):
        if c in _DIGITS or (c == "X" and i == 18):
            continue
        if i == 18:
            return f"第 18 位“{c}”应为数字或 X（character 18, {c!r}, should be a digit or X）"
        if c == "X":
            return f"第 {i} 位为 X，只有 18 位号码的末位可以是 X（character {i} is X; only the 18th may be）"
        return f"第 {i} 位“{c}”不是数字（character {i}, {c!r}, is not a digit）"
    return None


def _date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def read_id_number(text: str, today: date | None = None) -> IdFacts:
    """Read a 公民身份号码 (18 digits, or 15 before 1999); never raises for a malformed number.

    ``today`` (default: the machine's date) is the day a birth date may not be after."""
    number = _normalise(text)
    if len(number) not in (15, 18):
        if not number:
            return IdFacts(number, False, "号码为空（the number is empty）")
        return IdFacts(number, False,
                       f"号码应为 18 位（或 15 位），实为 {len(number)} 位"
                       f"（the number should have 18 characters, or 15, not {len(number)}）")
    kind: Literal["18", "15"] = "18" if len(number) == 18 else "15"
    bad = _bad_character(number)
    if bad is not None:
        return IdFacts(number, False, bad, kind=kind)

    region_code = number[:6]
    province = PROVINCES.get(number[:2])
    birth_digits = number[6:14] if kind == "18" else "19" + number[6:12]
    birth_date = _date(birth_digits)
    sex: Literal["男", "女"] = "男" if int(number[16 if kind == "18" else 14]) % 2 else "女"

    if province is None:
        problem: str | None = (f"前两位 {number[:2]} 不是省级行政区划代码"
                               f"（{number[:2]} is not the code of a province-level division）")
    elif birth_date is None:
        shown = f"{birth_digits[:4]}-{birth_digits[4:6]}-{birth_digits[6:]}"
        problem = f"出生日期 {birth_digits} 不存在（there is no date {shown}）"
    elif birth_date > (on := today if today is not None else date.today()):
        problem = (f"出生日期 {birth_date.isoformat()} 晚于今天 {on.isoformat()}"
                   f"（the birth date {birth_date.isoformat()} is after today, {on.isoformat()}）")
    elif kind == "18" and (due := check_digit(number[:17])) != number[17]:
        problem = f"校验码应为 {due}，实为 {number[17]}（the check digit should be {due}, not {number[17]}）"
    else:
        problem = None
    return IdFacts(number, problem is None, problem, region_code, province, birth_date, sex, kind)


def age_on(facts: IdFacts, on: date) -> int | None:
    """Whole years of age (周岁) on ``on``, the birthday counted: one is N on one's N-th birthday.

    Someone born on 29 February turns a year older on 1 March in a common year (born 2000-02-29:
    18 on 2018-03-01, still 17 on 2018-02-28).  ``None`` when there is no birth date or ``on`` is
    before it.  Criminal law counts otherwise — 周岁 from the day *after* the birthday (法释〔2006〕1号
    第二条) — and a caller applying it asks for ``on`` less one day.  The age is read from
    ``facts.birth_date`` whether or not the number is valid."""
    born = facts.birth_date
    if born is None or on < born:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
