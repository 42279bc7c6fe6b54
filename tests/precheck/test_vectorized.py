"""The vectorized batch paths of the pre-check agree with the exact per-case (traced) engine
to the fen."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ruledsl.calc import Cap, LoanCase, Repayment, compute, schedules
from ruledsl.precheck.vectorized import compute_batch, frame_from_cases, is_vectorizable

LINES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees", "total")


def random_cases(n: int, seed: int) -> list[LoanCase]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1800))
        due = start + timedelta(days=rng.randint(1, 400))
        end = due + timedelta(days=rng.randint(-30, 500))
        end = max(end, start + timedelta(days=1))
        principal = Decimal(rng.randint(1, 50_000_000)) / 100
        pays = sorted((Repayment(start + timedelta(days=rng.randint(0, (end - start).days)),
                                 Decimal(rng.randint(1, int(principal * 150))) / 100)
                       for _ in range(rng.randint(0, 2))), key=lambda r: r.paid_on)
        out.append(LoanCase(
            principal=principal, disbursed_on=start, contract_rate=Decimal(rng.randint(0, 3600)) / 10000,
            penalty_rate=rng.choice([None, Decimal(rng.randint(0, 3600)) / 10000]),
            compound_rate=rng.choice([None, Decimal(rng.randint(0, 3600)) / 10000]),
            compound=rng.random() < 0.8, calc_until=end, instalments=schedules.bullet(principal, due),
            repayments=tuple(pays),
        ))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_agrees_with_engine_on_every_case(seed):
    cases = random_cases(400, seed)
    result = compute_batch(frame_from_cases(cases))
    for pos, case in enumerate(cases):
        award = compute(case)
        for line in LINES:
            assert result[line].iloc[pos] == int(award[line] * 100), (pos, line)
        assert result["overpaid"].iloc[pos] == int(award.overpaid * 100)


def test_exact_half_fen_goes_to_the_exact_path():
    # 100.10 × 5% × 365/365 = 5.005 exactly: half-up gives 5.01
    case = LoanCase(principal=Decimal("100.10"), disbursed_on=date(2023, 1, 1), contract_rate=Decimal("0.05"),
                    calc_until=date(2024, 1, 1), instalments=schedules.bullet(Decimal("100.10"), date(2024, 1, 1)))
    result = compute_batch(frame_from_cases([case]))
    assert result["interest"].iloc[0] == 501
    assert bool(result["fallback"].iloc[0])


def test_shape_check():
    case = random_cases(1, 9)[0]
    assert is_vectorizable(case)
    from dataclasses import replace
    assert not is_vectorizable(replace(case, caps=(Cap(name="x", citation="", rate=Decimal("0.24")),)))
    with pytest.raises(ValueError):
        frame_from_cases([replace(case, accelerated_on=case.calc_until)])


def test_mixed_bases_unsorted_repayments_and_large_loans():
    from dataclasses import replace

    from ruledsl.core.daycount import DayCount

    rng = random.Random(7)
    cases = []
    for case in random_cases(1500, 11):
        basis = rng.choice([360, 365, 366])
        if rng.random() < 0.1:  # near and above the int64 headroom: these rows go the exact way
            big = Decimal(rng.randint(50_000_000, 100_000_000))
            case = replace(case, principal=big, instalments=schedules.bullet(big, case.instalments[0].due_on))
        cases.append(replace(case, day_count=DayCount(basis, True, False),
                             repayments=tuple(reversed(case.repayments))))
    frame = frame_from_cases(cases)
    result = compute_batch(frame)
    # the batch path takes repayments in date order whatever the column order
    two = frame["repay2_on"].notna() & (frame["repay1_on"] < frame["repay2_on"])
    swapped = frame.copy()
    for a, b in (("repay1_on", "repay2_on"), ("repay1_fen", "repay2_fen")):
        swapped.loc[two, [a, b]] = frame.loc[two, [b, a]].to_numpy()
    assert two.sum() > 100
    assert compute_batch(swapped).equals(result)
    assert result["fallback"].sum() >= 100  # the large loans
    for pos, case in enumerate(cases):
        award = compute(case, trace=False)
        got = {line: int(result[line].iloc[pos]) for line in LINES}
        assert got == award.fen_figures(), (pos, case)
        assert result["overpaid"].iloc[pos] == int(award.overpaid * 100)


# ---- stated schedules (the columnar pre-check's ledger) ---------------------------------------------------

def _stated_case(rng: random.Random) -> LoanCase:
    from ruledsl.calc.model import Instalment

    start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
    n = rng.choice([1, 1, 2, 3, 12, 36])
    principal = Decimal(rng.randint(100, 20_000_000)) / 100
    part = (principal / n).quantize(Decimal("0.01"))
    dues, due = [], start
    for _ in range(n):
        due = due + timedelta(days=rng.randint(1, 60))
        dues.append(due)
    insts = tuple(Instalment(dues[k], part if k < n - 1 else principal - part * (n - 1),
                             Decimal(rng.randint(0, 100_000)) / 100) for k in range(n))
    end = max(dues[-1] + timedelta(days=rng.randint(-100, 400)), start)
    pays = tuple(Repayment(start + timedelta(days=rng.randint(0, (end - start).days)),
                           Decimal(rng.randint(1, int(principal * 80) + 2)) / 100)
                 for _ in range(rng.randint(0, 8)))
    return LoanCase(principal=principal, disbursed_on=start, contract_rate=Decimal(rng.randint(0, 3600)) / 10000,
                    penalty_rate=rng.choice([None, Decimal(rng.randint(0, 3600)) / 10000]),
                    compound_rate=rng.choice([None, Decimal(rng.randint(0, 3600)) / 10000]),
                    compound=rng.random() < 0.8, calc_until=end, instalments=insts, repayments=pays)


@pytest.mark.parametrize("seed", [5, 6])
def test_stated_schedules_agree_with_the_traced_engine(seed):
    """One to 36 instalments each stating its interest, up to eight repayments on any day (before a due
    date, on it, after the cut-off's instalments), compound interest on or off: the due lines of
    :func:`stated_schedules` equal the traced engine's to the fen on every row it vouches for."""
    import numpy as np

    from ruledsl.precheck.vectorized import _BIG, stated_schedules

    rng = random.Random(seed)
    cases = [_stated_case(rng) for _ in range(1200)]
    day = lambda d: (d - date(1970, 1, 1)).days  # noqa: E731
    e4 = lambda r: int(r * 10000)  # noqa: E731
    by_shape: dict[int, list[int]] = {}
    for i, c in enumerate(cases):
        by_shape.setdefault(len(c.instalments), []).append(i)
    checked = unsure_rows = 0
    for idx in by_shape.values():
        cs = [cases[i] for i in idx]
        rc = np.array([e4(c.contract_rate) for c in cs])
        rp = np.array([e4(c.penalty_rate if c.penalty_rate is not None else c.contract_rate) for c in cs])
        rk = np.array([0 if not c.compound else e4(c.compound_rate if c.compound_rate is not None else
                                                   (c.penalty_rate if c.penalty_rate is not None else c.contract_rate))
                       for c in cs])
        pay_on = np.full((len(cs), 8), _BIG)
        pay_fen = np.zeros((len(cs), 8), np.int64)
        for r, c in enumerate(cs):
            for j, p in enumerate(c.repayments):
                pay_on[r, j], pay_fen[r, j] = day(p.paid_on), int(p.amount * 100)
        lines, unsure = stated_schedules(
            np.array([int(c.principal * 100) for c in cs]), rc, rp, rk, np.array([day(c.disbursed_on) for c in cs]),
            np.array([day(c.calc_until) for c in cs]), np.array([[day(i.due_on) for i in c.instalments] for c in cs]),
            np.array([[int(i.principal * 100) for i in c.instalments] for c in cs]),
            np.array([[int(i.interest * 100) for i in c.instalments] for c in cs]), pay_on, pay_fen, 365)
        for r, c in enumerate(cs):
            if unsure[r]:
                unsure_rows += 1
                continue
            award = compute(c, trace=True)
            expected = (award.due["principal_due"], award.due["interest_due"], award["penalty_interest"],
                        award["compound_interest"])
            got = tuple(int(lines[k][r]) for k in ("principal_due", "interest_due", "penalty_interest",
                                                   "compound_interest"))
            assert got == tuple(int(x * 100) for x in expected), (c, got)
            checked += 1
    assert unsure_rows < 20 and checked > 1150
