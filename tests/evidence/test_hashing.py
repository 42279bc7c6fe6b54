"""SM3 (GB/T 32905-2016) against the standard's published examples; per-log algorithm."""

from __future__ import annotations

import pytest

from ruledsl.core.errors import MalformedError
from ruledsl.evidence.hashing import SHA256, SM3, hasher
from ruledsl.evidence.merkle import CompactRange, mth


def test_sm3_standard_example_1() -> None:
    # GB/T 32905-2016 Appendix A, example 1: "abc"
    assert SM3.digest(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_standard_example_2() -> None:
    # GB/T 32905-2016 Appendix A, example 2: "abcd" repeated 16 times (512 bits)
    assert SM3.digest(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm3_tree_hashing_uses_sm3() -> None:
    assert SM3.leaf(b"x") == SM3.digest(b"\x00x") != SHA256.leaf(b"x")
    a, b = SM3.leaf(b"a"), SM3.leaf(b"b")
    assert SM3.node(a, b) == SM3.digest(b"\x01" + a + b)
    cr = CompactRange(SM3)
    for x in (a, b, SM3.leaf(b"c")):
        cr.append(x, [])
    assert cr.root() == mth([a, b, SM3.leaf(b"c")], SM3) == SM3.node(SM3.node(a, b), SM3.leaf(b"c"))


def test_unknown_algorithm() -> None:
    assert hasher("SM3") is SM3
    with pytest.raises(MalformedError):
        hasher("md5")
