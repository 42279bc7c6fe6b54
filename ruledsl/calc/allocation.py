"""The two orders every ledger path follows: where a payment goes, and what a cap cuts first.

Both the traced engine (:mod:`ruledsl.calc.engine`, exact fractions) and the integer kernel
(:mod:`ruledsl.calc.kernel`, integers over a common denominator) call these functions, so the
order is written down once.  The arithmetic is generic: the amounts may be
:class:`~fractions.Fraction` or ``int``.

Payments (民法典 第五百六十条、第五百六十一条)
    A payment goes to what is due before what is not yet due (art.560: among several debts the
    one due first is settled first), and within what is due to costs, then interest, then
    principal (art.561), unless the parties agreed another order (``allocation_order``).
    ``allocation_by="component"`` takes each component across every due instalment before the
    next component; ``"instalment"`` settles the costs, then each due instalment in full, oldest
    first.  What is not yet due comes last: the contract interest accrued so far (the day-count
    pool of the coming instalment) and the principal not yet due, in the agreed order.

Caps (法发〔2017〕22号 第二条, 法释〔2020〕17号 第二十九条 …)
    The excess of a segment's accrual over a cap comes off compound interest first, then
    penalty interest, then contract interest (:data:`CUT_ORDER`): what accrued last goes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ruledsl.calc.model import COMPOUND, FEES, INTEREST, PENALTY, PRINCIPAL

#: what a cap takes the excess from, first to last
CUT_ORDER = (COMPOUND, PENALTY, INTEREST)

#: what may be paid before it falls due: the contract-interest pool and the principal not yet due
NOT_YET_DUE = (INTEREST, PRINCIPAL)


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """The order in which one payment reaches the balances (see the module docstring)."""

    #: components of what is due, in the order a payment reaches them (``fees`` among them)
    due: tuple[str, ...]
    #: then what is not yet due, in the agreed order: ``interest`` (the pool), ``principal``
    not_due: tuple[str, ...]
    #: True: costs first, then each due instalment in full (``due`` then starts with ``fees``);
    #: False: each component of ``due`` across all due instalments before the next
    by_instalment: bool


@lru_cache(maxsize=64)
def payment_order(order: tuple[str, ...], by: str = "component") -> PaymentOrder:
    """The :class:`PaymentOrder` of an agreed (or the default) ``order`` of components.

    >>> payment_order(("fees", "interest", "penalty_interest", "compound_interest", "principal")).not_due
    ('interest', 'principal')
    >>> payment_order(("principal", "fees", "interest", "penalty_interest", "compound_interest"), "instalment").due
    ('fees', 'principal', 'interest', 'penalty_interest', 'compound_interest')
    """
    components = tuple(c for c in order if c != FEES)
    not_due = tuple(c for c in components if c in NOT_YET_DUE)
    if by == "instalment":
        return PaymentOrder((FEES, *components), not_due, True)
    return PaymentOrder(tuple(order), not_due, False)


def cut_excess(excess, have: Mapping[str, object], components: tuple[str, ...]) -> list[tuple[str, object]]:
    """What a cap takes from each component it covers: ``[(component, cut)]`` in :data:`CUT_ORDER`.

    ``have`` is what each component accrued in the segment (after earlier caps); ``excess`` is
    the segment's covered accrual less the cap's allowance.

    >>> cut_excess(5, {"compound_interest": 3, "penalty_interest": 10}, ("penalty_interest", "compound_interest"))
    [('compound_interest', 3), ('penalty_interest', 2)]
    """
    cuts = []
    for comp in CUT_ORDER:
        if excess <= 0:
            break
        if comp not in components:
            continue
        amount = have.get(comp, 0)
        if amount <= 0:
            continue
        cut = excess if excess < amount else amount
        excess -= cut
        cuts.append((comp, cut))
    return cuts
