"""Differential test: the segment engine against a deliberately simple day-by-day ledger.

The reference below walks the loan one calendar day at a time with exact fractions:
on each day it applies that day's events (rate changes, instalments falling due,
costs, repayments), then accrues one day of contract interest, penalty and compound
interest, and applies caps to that day's accrual.  No segments, no closed forms.
The engine must give the same award lines to the fen for random schedules,
repayments, rate changes, accelerations and caps.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.calc import Cap, Cost, Instalment, LoanCase, RateChange, Repayment, compute
from ruledsl.calc.award import fen
from ruledsl.core.daycount import DayCount

ORDERS = [
    ("fees", "interest", "penalty_interest", "compound_interest", "principal"),
    ("fees", "principal", "interest", "penalty_interest", "compound_interest"),
    ("compound_interest", "penalty_interest", "interest", "fees", "principal"),
]


def reference(case: LoanCase) -> dict[str, Decimal]:
    """Day-by-day ledger, written for clarity rather than speed."""
    basis = case.day_count.basis
    acc = case.accelerated_on
    insts = []
    for n, i in enumerate(case.instalments):
        due = min(i.due_on, acc) if acc else i.due_on
        insts.append({
            "n": n, "due": due, "stated": Fraction(i.interest) if i.interest is not None and due == i.due_on else None,
            "principal": Fraction(i.principal), "is_due": False, "interest": Fraction(0),
            "penalty": Fraction(0), "compound": Fraction(0),
            # of each balance, the natural debt (``unsupported`` caps) not yet paid
            "interest_band": Fraction(0), "penalty_band": Fraction(0), "compound_band": Fraction(0),
        })
    pool = pool_band = Fraction(0)
    costs: list[Fraction] = []
    rc = Fraction(case.contract_rate)
    rp = Fraction(case.penalty_rate) if case.penalty_rate is not None else rc
    rk = Fraction(case.compound_rate) if case.compound_rate is not None else None

    def pay(amount: Fraction) -> None:
        nonlocal pool, pool_band
        left = amount
        # buckets: (getter, setter) in the order the money goes
        buckets: list[tuple[str, int | None]] = []
        order = [c for c in case.allocation_order if c != "fees"]
        due = [i for i in insts if i["is_due"]]
        if case.allocation_by == "instalment":
            buckets += [("fees", k) for k in range(len(costs))]
            for i in due:
                buckets += [(c, i["n"]) for c in order]
        else:
            for c in case.allocation_order:
                if c == "fees":
                    buckets += [("fees", k) for k in range(len(costs))]
                else:
                    buckets += [(c, i["n"]) for i in due]
        next_not_due = next((i for i in insts if not i["is_due"]), None)
        for c in order:
            if c == "interest" and (next_not_due is None or next_not_due["stated"] is None):
                buckets.append(("pool", None))
            if c == "principal":
                buckets += [("principal", i["n"]) for i in insts if not i["is_due"]]
        key = {"interest": "interest", "penalty_interest": "penalty", "compound_interest": "compound",
               "principal": "principal"}
        for kind, n in buckets:
            if left <= 0:
                break
            if kind == "fees":
                take = min(left, costs[n])
                costs[n] -= take
            elif kind == "pool":  # the enforceable part, then the natural debt
                take = min(left, pool - pool_band)
                band = min(left - take, pool_band)
                pool -= take + band
                pool_band -= band
                take += band
            elif kind == "principal":
                take = min(left, insts[n]["principal"])
                insts[n]["principal"] -= take
            else:
                k, i = key[kind], insts[n]
                take = min(left, i[k] - i[k + "_band"])
                band = min(left - take, i[k + "_band"])
                i[k] -= take + band
                i[k + "_band"] -= band
                take += band
            left -= take

    def new_period() -> dict:
        # per cap kind: Σ daily headroom left to contract interest, yuan-days no cap of the kind covers
        return {"room": {}, "uncovered": {}, "weight": Fraction(0), "kept": Fraction(0), "unsupported": Fraction(0)}

    def cap_stated(period: dict, stated: list[dict], take_pool: bool) -> None:
        """Stated interest replaces the period's day-count pool: cap it to the period's daily headrooms."""
        for kind in ("remove", "unsupported"):
            if kind not in period["room"]:
                continue
            have = [i["interest"] for i in stated]
            allowed = period["room"][kind]
            uncovered = period["uncovered"].get(kind, 0)
            if uncovered and period["weight"]:
                allowed += sum(have) * uncovered / period["weight"]
            if take_pool:
                allowed -= period["kept"] - (period["unsupported"] if kind == "unsupported" else 0)
            left = max(allowed, Fraction(0))
            for i, amount in zip(stated, have, strict=True):
                keep = min(amount, left)
                left -= keep
                if kind == "remove":
                    i["interest"] = keep
                else:
                    i["interest_band"] += amount - keep

    period = new_period()
    day = case.disbursed_on
    while True:
        for ch in case.rate_changes:
            if ch.effective_on == day:
                rc = Fraction(ch.contract_rate) if ch.contract_rate is not None else rc
                rp = Fraction(ch.penalty_rate) if ch.penalty_rate is not None else rp
                rk = Fraction(ch.compound_rate) if ch.compound_rate is not None else rk
        dues = [i for i in insts if i["due"] == day]
        if dues:
            stated = [i for i in dues if i["stated"] is not None]
            take_pool = dues[0]["stated"] is None
            for i in stated:
                i["interest"] = i["stated"]
            if take_pool:
                dues[0]["interest"] = pool
                dues[0]["interest_band"] = pool_band
            if stated:
                cap_stated(period, stated, take_pool)
            for i in dues:
                i["is_due"] = True
            pool = pool_band = Fraction(0)  # a pool the stated interest replaces goes with its natural debt
            period = new_period()
        for c in case.costs:
            if c.incurred_on == day:
                costs.append(Fraction(c.amount))
        for r in case.repayments:
            if r.paid_on == day:
                pay(Fraction(r.amount))
        if day == case.calc_until:
            break
        # one day of accrual
        today = {"interest": [], "penalty_interest": [], "compound_interest": []}
        not_due = sum((i["principal"] for i in insts if not i["is_due"]), Fraction(0))
        today["interest"].append([None, not_due * rc / basis, Fraction(0)])  # [instalment, accrual, natural debt]
        for i in insts:
            if i["is_due"]:
                today["penalty_interest"].append([i, i["principal"] * rp / basis, Fraction(0)])
                if case.compound:
                    today["compound_interest"].append([i, i["interest"] * (rk if rk is not None else rp) / basis,
                                                       Fraction(0)])
        outstanding = sum((i["principal"] for i in insts), Fraction(0))
        period["weight"] += not_due
        for kind in ("remove", "unsupported"):
            room = None
            for cap in case.caps:
                if cap.kind != kind or (cap.from_on and day < cap.from_on) or (cap.before and day >= cap.before):
                    continue
                allowed = outstanding * Fraction(cap.rate) / basis
                total = sum(a for c in cap.components for _, a, _ in today[c])
                excess = total - allowed
                if "interest" in cap.components:  # what the day leaves contract interest under this cap
                    others = sum(a for c in cap.components if c != "interest" for _, a, _ in today[c])
                    left_to_interest = allowed - (others - min(max(excess, 0), others))
                    room = left_to_interest if room is None else min(room, left_to_interest)
                for c in ("compound_interest", "penalty_interest", "interest"):
                    if excess <= 0 or c not in cap.components:
                        continue
                    have = sum(a for _, a, _ in today[c])
                    if have <= 0:
                        continue
                    cut = min(excess, have)
                    excess -= cut
                    if kind == "remove":
                        for item in today[c]:
                            item[1] *= 1 - cut / have
                    else:  # owed but not awarded: each accrual's share
                        for item in today[c]:
                            item[2] = max(item[2], item[1] * cut / have)
            if room is None:
                period["uncovered"][kind] = period["uncovered"].get(kind, 0) + not_due
            else:
                period["room"][kind] = period["room"].get(kind, 0) + room
        period["kept"] += today["interest"][0][1]
        period["unsupported"] += today["interest"][0][2]
        pool += today["interest"][0][1]
        pool_band += today["interest"][0][2]
        for i, a, band in today["penalty_interest"]:
            i["penalty"] += a
            i["penalty_band"] += band
        for i, a, band in today["compound_interest"]:
            i["compound"] += a
            i["compound_band"] += band
        day += timedelta(days=1)

    lines = {
        "principal_outstanding": sum((i["principal"] for i in insts), Fraction(0)),
        "interest": sum((i["interest"] for i in insts), Fraction(0)) + pool,
        "penalty_interest": sum((i["penalty"] for i in insts), Fraction(0)),
        "compound_interest": sum((i["compound"] for i in insts), Fraction(0)),
        "fees": sum(costs, Fraction(0)),
    }
    # the natural debt left unpaid is not awarded; what of it was paid stays paid
    lines["interest"] -= sum((i["interest_band"] for i in insts), Fraction(0)) + pool_band
    lines["penalty_interest"] -= sum((i["penalty_band"] for i in insts), Fraction(0))
    lines["compound_interest"] -= sum((i["compound_band"] for i in insts), Fraction(0))
    return {k: fen(v) for k, v in lines.items()}


fen_amount = st.integers(min_value=1, max_value=50_000_000).map(lambda f: Decimal(f) / 100)
rate = st.integers(min_value=0, max_value=4000).map(lambda bp: Decimal(bp) / 10000)


@st.composite
def cases(draw) -> LoanCase:
    start = date(2019, 1, 1) + timedelta(days=draw(st.integers(0, 2000)))
    n = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.integers(1, 120), min_size=n, max_size=n))
    dues, d = [], start
    for g in gaps:
        d += timedelta(days=g)
        dues.append(d)
    parts = draw(st.lists(st.integers(0, 2_000_000), min_size=n, max_size=n))
    if sum(parts) == 0:
        parts[-1] = draw(st.integers(1, 2_000_000))
    stated = draw(st.booleans())
    instalments = tuple(
        Instalment(due, Decimal(p) / 100, draw(fen_amount) if stated else None) for due, p in zip(dues, parts, strict=True)
    )
    principal = sum((i.principal for i in instalments), Decimal(0))
    calc_until = dues[-1] + timedelta(days=draw(st.integers(-30, 250)))
    calc_until = max(calc_until, start + timedelta(days=1))
    span = (calc_until - start).days

    def when() -> date:
        return start + timedelta(days=draw(st.integers(0, span)))

    repayments = tuple(
        Repayment(when(), Decimal(draw(st.integers(1, max(1, int(principal * 100) // 2)))) / 100)
        for _ in range(draw(st.integers(0, 4)))
    )
    repayments = tuple(sorted(repayments, key=lambda r: r.paid_on))
    costs = tuple(Cost(when(), draw(fen_amount)) for _ in range(draw(st.integers(0, 1))))
    changes = tuple(
        RateChange(when(), draw(st.none() | rate), draw(st.none() | rate), draw(st.none() | rate))
        for _ in range(draw(st.integers(0, 1)))
    )
    accelerated = None
    if draw(st.booleans()) and span > 1:
        accelerated = start + timedelta(days=draw(st.integers(1, span)))
    cap_choice = draw(st.sampled_from(["none", "remove24", "unsupported20", "both", "windows"]))
    caps: tuple[Cap, ...] = ()
    if cap_choice in ("remove24", "both"):
        caps += (Cap(name="24%", citation="test", rate=Decimal("0.24")),)
    if cap_choice in ("unsupported20", "both"):
        caps += (Cap(name="20%", citation="test", rate=Decimal("0.20"), kind="unsupported"),)
    if cap_choice == "windows":  # a regime change inside a period: 36% void and 24% unsupported, then 15.4%
        edge = when()
        caps += (Cap(name="36%", citation="test", rate=Decimal("0.36"), before=edge),
                 Cap(name="24%", citation="test", rate=Decimal("0.24"), kind="unsupported", before=edge),
                 Cap(name="15.4%", citation="test", rate=Decimal("0.154"), from_on=edge))
    return LoanCase(
        principal=principal, disbursed_on=start, contract_rate=draw(rate), calc_until=calc_until,
        instalments=instalments, penalty_rate=draw(st.none() | rate), compound_rate=draw(st.none() | rate),
        compound=draw(st.booleans()), repayments=repayments, costs=costs, rate_changes=changes,
        accelerated_on=accelerated, caps=caps, allocation_order=draw(st.sampled_from(ORDERS)),
        allocation_by=draw(st.sampled_from(["component", "instalment"])),
        day_count=DayCount(draw(st.sampled_from([360, 365])), True, False),
    )


@settings(max_examples=int(os.environ.get("RULEDSL_CALC_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_segment_engine_agrees_with_day_by_day_reference(case: LoanCase) -> None:
    award = compute(case)
    expected = reference(case)
    got = {k: award[k] for k in expected}
    assert got == expected, award.explain()
