"""The credit-card account engine (信用卡账户): postings and statements → segments → award.

A card account has no principal lent on one day and no repayment schedule: the issuer posts
transactions (:class:`~ruledsl.calc.model.Posting`: 消费 purchases, 取现 cash advances, fees) and
bills them on monthly statements (:class:`~ruledsl.calc.model.Statement`).  This module reads a
standard Chinese card agreement (信用卡领用合约) as follows; the reading is the definition the figures
follow.

Rates and days
    ``contract_rate`` is the annual 透支利率 (``None``: the usual card rate, 日利率万分之五 = 18.25% a
    year on 365 days); ``penalty_rate`` (default: the contract rate) runs on principal after its
    statement's due date; ``compound_rate`` (default: the penalty rate) on interest billed and unpaid
    after its due date; ``compound=False`` switches compound interest off.  Days follow
    ``case.day_count`` as in the loan engine (default 算头不算尾: a balance existing from ``a`` to ``b``
    accrues ``b − a`` days); a segment accrues ``base × annual rate × days / basis``, exactly.

Billing
    Statement ``k`` (账单日 ``S(k)``) bills the postings with ``S(k−1) < posted_on ≤ S(k)``, and what
    was booked in its cycle: the interest of every kind accrued over segments ending by ``S(k)`` and the
    违约金 booked in the cycle.  All of it falls due on its ``due_on`` (到期还款日 ``D(k)``).  Postings
    after the last statement (up to ``calc_until``) are unbilled.

Interest on principal
    A purchase or cash advance bears ``interest`` from its posting date to its statement's due date
    (unbilled: to ``calc_until``), then ``penalty_interest`` on what of it is unpaid.  Interest and
    penalty interest billed on statement ``j`` and unpaid after ``D(j)`` bear ``compound_interest``
    from ``D(j)``; compound interest bears none, nor does interest not yet billed.

免息还款期 (grace, the card agreement)
    At the end of ``D(k)`` — after the repayments of that day — if everything billed on statement
    ``k`` and before has been paid (principal, fees, 违约金, interest), the purchases billed on ``k``
    bear no interest at all; otherwise their interest from the posting date to ``D(k)`` becomes owed
    on ``D(k)`` (booked in the cycle then running, so billed on the next statement).  Until then that
    interest is provisional: repayments do not go to it, and when the grace is not decided by
    ``calc_until`` (due date later, or not yet billed) it is not awarded.  Cash advances have no grace.

Fees and 违约金 (银发〔2016〕111号)
    Fee postings (年费、取现手续费、分期手续费 …) and 违约金 bear no interest of any kind.  At the end
    of ``D(k) < calc_until``, with ``paid`` = the repayments dated ``S(k) < paid_on ≤ D(k)``: if ``paid``
    is below the statement's minimum payment and the statements up to ``k`` are not paid in full,
    违约金 = ``late_fee_rate × (minimum − paid)`` is booked on ``D(k) + 1`` (billed on the next
    statement).  ``late_fee_rate=None``: no 违约金 agreed.

Caps (``kind="remove"``, a fixed ``rate``)
    Over a segment inside a cap's window an accrual of a component it covers accrues at most at the
    cap rate; the rate above it is removed and the cut is traced as a
    :class:`~ruledsl.calc.award.CapCut` (e.g. the PBOC ceiling of 18.25% a year before 2021-01-01).

Payments (民法典 第五百六十条、第五百六十一条; the card agreement)
    On each date the engine books postings, bills the statement, books 违约金, then applies the
    repayments; the grace and 违约金 of a due date are decided at the end of it.  A repayment goes
    through ``allocation_order`` (default: fees and 违约金, interest, penalty, compound, principal),
    each component oldest first (billed before unbilled, earlier statement first, earlier posting
    first); principal takes cash advances before purchases — the agreed card order "费用和违约金、利息、
    取现、消费".  Only owed amounts take payments; the part of a repayment above everything owed is
    ``award.overpaid`` (it is not set against later postings).

Award
    ``principal_outstanding`` (purchases and cash advances), ``interest``, ``penalty_interest``,
    ``compound_interest`` and ``fees`` (fee postings and 违约金), each the exact outstanding rounded
    half-up to the fen once (:func:`~ruledsl.calc.award.fen`), and ``total`` the sum of the rounded
    lines.  Of principal and interest, ``award.due`` splits off what was billed on statements due by
    ``calc_until``.  Balances are exact :class:`~fractions.Fraction`; nothing else is rounded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ruledsl.calc.award import (
    LINE_LABELS,
    AllocationTrace,
    Award,
    AwardLine,
    CapCut,
    SegmentTrace,
    due_split,
    fen,
    overpayment_note,
    show,
    yuan_text,
)
from ruledsl.calc.model import (
    CASH,
    CIVIL_560,
    CIVIL_561,
    COMPONENTS,
    COMPOUND,
    DEFAULT_ORDER,
    FEE,
    FEES,
    INTEREST,
    PENALTY,
    POSTING_KINDS,
    PRINCIPAL,
    PURCHASE,
    LoanCase,
    LprRate,
    Posting,
    Repayment,
    Statement,
)
from ruledsl.calc.validate import (
    _date_problem,
    _money_problem,
    _rate_problem,
    check_cap,
    dated_items,
    day_count_problem,
)
from ruledsl.core.errors import Diagnostic, InputError

__all__ = ["CARD_RATE", "check_card", "compute_card"]

#: the usual card rate when none is agreed: 日利率万分之五 on a 365-day year
CARD_RATE = Decimal("0.1825")

#: what each card line rests on when the ruleset cites nothing else
CARD_CITATIONS = {
    INTEREST: "信用卡领用合约（透支利息，自记账日起计）；民法典 第六百七十四条",
    PENALTY: "信用卡领用合约（到期还款日后的透支利息）；民法典 第六百七十六条",
    COMPOUND: "信用卡领用合约（对未付透支利息计收复利）",
    FEES: "信用卡领用合约（违约金、年费、取现手续费等）；银发〔2016〕111号（不计收利息）",
}

NO_FEE_INTEREST = "银发〔2016〕111号（违约金和年费、取现手续费、货币兑换费等服务费用不得计收利息）"
CARD_ORDER = "信用卡领用合约（费用和违约金、利息、取现、消费）"

ZERO = Fraction(0)
ONE_DAY = timedelta(days=1)
KIND_LABELS = {PURCHASE: "消费", CASH: "取现", FEE: "费用"}
KIND_WORDS = {PURCHASE: "purchase", CASH: "cash advance", FEE: "fee"}


# ---- input checks ------------------------------------------------------------------------------------------


def check_card(case: LoanCase) -> None:
    """Raise one :class:`InputError` listing every problem of the card case ``case`` (or return)."""
    p: list[Diagnostic] = []
    loan_only = "a card account has postings and statements instead"
    if case.principal is not None:
        p.append(Diagnostic(f"principal: {loan_only} of a principal; leave it None",
                            hint="each purchase or cash advance is a Posting"))
    if case.disbursed_on is not None:
        p.append(Diagnostic(f"disbursed_on: {loan_only} of a disbursement; leave it None",
                            hint="each posting carries its own date (posted_on)"))
    if case.instalments:
        p.append(Diagnostic(f"instalments: {loan_only} of instalments; leave them empty"))
    if case.costs:
        p.append(Diagnostic("costs: a card account takes its fees as postings of kind `fee`"))
    if case.rate_changes:
        p.append(Diagnostic("rate_changes: a card account takes fixed rates"))
    if case.accelerated_on is not None:
        p.append(Diagnostic("accelerated_on: a card account falls due statement by statement; "
                            "acceleration is not modelled"))
    until_ok = _date_problem(case.calc_until, "calc_until", p)

    for name in ("contract_rate", "penalty_rate", "compound_rate"):
        rate = getattr(case, name)
        if isinstance(rate, LprRate):
            p.append(Diagnostic(f"{name}: a card account takes fixed rates, not {rate.describe()}",
                                hint="an annual fraction such as Decimal(\"0.1825\") (日万分之五)"))
        else:
            _rate_problem(rate, name, p)
    late = case.late_fee_rate
    if late is not None and (not isinstance(late, Decimal) or not late.is_finite() or not 0 <= late <= 1):
        p.append(Diagnostic(f"late_fee_rate: expected None or a Decimal fraction between 0 and 1, got {late!r}",
                            hint="违约金 of 5% of the unpaid minimum payment is Decimal(\"0.05\")"))
    day_count_problem(case.day_count, p)

    until = case.calc_until if until_ok else None
    if not case.postings:
        p.append(Diagnostic("postings: a card account needs at least one posting"))

    def kind(post: Posting, f: str) -> None:
        if post.kind not in POSTING_KINDS:
            p.append(Diagnostic(f"{f}.kind: must be one of {', '.join(POSTING_KINDS)}, got {post.kind!r}"))

    dated_items(case.postings, "posted_on", "postings", p, until=until, check=kind)

    previous: date | None = None
    for n, st in enumerate(case.statements, start=1):
        f = f"statements[{n}]"
        on_ok = _date_problem(st.statement_on, f"{f}.statement_on", p)
        due_ok = _date_problem(st.due_on, f"{f}.due_on", p)
        if on_ok and due_ok and st.due_on <= st.statement_on:
            p.append(Diagnostic(f"{f}.due_on: {st.due_on} is not after its statement_on {st.statement_on}"))
        if on_ok:
            if previous is not None and st.statement_on <= previous:
                p.append(Diagnostic(f"{f}.statement_on: statements out of order ({st.statement_on} after "
                                    f"{previous})", hint="list statements by statement date, each on a later date"))
            previous = st.statement_on
        _money_problem(st.minimum, f"{f}.minimum", p)

    def undesignated(r: Repayment, f: str) -> None:
        if r.for_instalment is not None:
            p.append(Diagnostic(f"{f}.for_instalment: a card account has no instalments to designate"))

    dated_items(case.repayments, "paid_on", "repayments", p, until=until, check=undesignated)

    for n, cap in enumerate(case.caps, start=1):
        f = f"caps[{n}]"
        check_cap(cap, f, p)
        if cap.kind != "remove":
            p.append(Diagnostic(f"{f}.kind: a card account's caps remove the excess (kind `remove`), "
                                f"got {cap.kind!r}"))
        if cap.lpr_multiple is not None:
            p.append(Diagnostic(f"{f}.lpr_multiple: a card account takes caps at a fixed rate",
                                hint="give the cap's annual `rate`, e.g. Decimal(\"0.1825\")"))
    order = tuple(case.allocation_order)
    if sorted(order) != sorted(COMPONENTS):
        p.append(Diagnostic(f"allocation_order: must list each of {', '.join(COMPONENTS)} once, got {order}"))
    if case.allocation_by != "component":
        p.append(Diagnostic(f"allocation_by: a card account allocates by component (oldest first within "
                            f"each), got {case.allocation_by!r}"))
    if p:
        raise InputError(p)


# ---- the account -------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Posting:
    """A purchase or cash advance: its principal outstanding and, for a purchase, the interest it bears
    until the grace of its statement is decided (provisional, not payable)."""

    n: int                      # 1-based number in case.postings
    kind: str
    posted_on: date
    amount: Fraction            # principal outstanding
    label: str = ""
    statement: int | None = None  # 0-based index of the statement that billed it
    provisional: Fraction = ZERO
    decided: bool = False       # the grace of its statement was decided (kept or lost)
    rows: list[int] = field(default_factory=list)  # trace: its provisional interest rows …
    cut_rows: list[int] = field(default_factory=list)  # … and the cap cuts of them


@dataclass(eq=False, slots=True)
class _Charge:
    """Something owed other than principal: a fee posting, a 违约金, or interest of one kind on one
    posting booked in one cycle."""

    component: str              # FEES, INTEREST, PENALTY or COMPOUND
    n: int | None               # the posting it belongs to (None: a 违约金)
    age: tuple[date, int]       # oldest first within a statement: (posting date or booking date, number)
    amount: Fraction
    statement: int | None = None


class _Account:
    """The balances of a card account: principal per posting, charges per billing statement."""

    def __init__(self) -> None:
        self.postings: list[_Posting] = []  # purchases and cash advances
        self.charges: list[_Charge] = []    # fee postings, 违约金, interest of every kind
        self.running: dict[tuple[str, int], _Charge] = {}  # the running cycle's accruals by (component, n)

    def post(self, n: int, posting: Posting) -> None:
        amount = Fraction(posting.amount)
        if posting.kind == FEE:
            self.charges.append(_Charge(FEES, n, (posting.posted_on, n), amount))
        else:
            self.postings.append(_Posting(n, posting.kind, posting.posted_on, amount, posting.label))

    def book(self, component: str, posting: _Posting, amount: Fraction) -> None:
        """Book interest of ``component`` on ``posting`` into the running cycle."""
        key = (component, posting.n)
        charge = self.running.get(key)
        if charge is None:
            charge = self.running[key] = _Charge(component, posting.n, (posting.posted_on, posting.n), ZERO)
            self.charges.append(charge)
        charge.amount += amount

    def book_late_fee(self, on: date, amount: Fraction) -> None:
        self.charges.append(_Charge(FEES, None, (on, 0), amount))

    def bill(self, k: int) -> None:
        """Statement ``k`` bills everything not billed yet; accruals from now on go to a new cycle."""
        for item in (*self.postings, *self.charges):
            if item.statement is None:
                item.statement = k
        self.running = {}

    def settled_through(self, k: int) -> bool:
        """Everything billed on statement ``k`` and before has been paid."""
        return not any(item.amount > 0 and item.statement is not None and item.statement <= k
                       for item in (*self.postings, *self.charges))

    def owed(self, component: str) -> list[_Posting] | list[_Charge]:
        """The balances of ``component`` a payment reaches, in the order it reaches them."""
        if component == PRINCIPAL:
            return sorted((p for p in self.postings if p.amount > 0),
                          key=lambda p: (p.kind != CASH, p.posted_on, p.n))
        return sorted((c for c in self.charges if c.component == component and c.amount > 0),
                      key=lambda c: (c.statement is None, c.statement or 0, c.age))

    def total(self, component: str, where=lambda item: True) -> Fraction:
        items = self.postings if component == PRINCIPAL else \
            [c for c in self.charges if c.component == component]
        return sum((item.amount for item in items if where(item)), ZERO)


# ---- the trace's rule texts (built only for a traced run) ------------------------------------------------


def _posting_words(p: _Posting) -> tuple[str, str]:
    label = f"，{p.label}" if p.label else ""
    return (f"第{p.n}笔{KIND_LABELS[p.kind]}（记账日 {p.posted_on.isoformat()}{label}）",
            f"{KIND_WORDS[p.kind]} #{p.n} posted {p.posted_on.isoformat()}")


def _rule_provisional(p: _Posting) -> str:
    what, en = _posting_words(p)
    until = f"第{p.statement + 1}期账单" if p.statement is not None else "尚未出账单"
    return (f"透支利息（免息期待定）：{what}，{until} (provisional interest on {en}: owed only "
            f"if its statement is not paid in full by the due date)")


def _rule_interest(p: _Posting) -> str:
    what, en = _posting_words(p)
    return f"透支利息：{what} (interest on {en})"


def _rule_penalty(p: _Posting, due: date) -> str:
    what, en = _posting_words(p)
    return (f"罚息：{what}到期还款日 {due.isoformat()} 后未还本金 (penalty interest on the unpaid "
            f"principal of {en} after its due date {due.isoformat()})")


def _rule_compound(p: _Posting, c: _Charge, due: date) -> str:
    return (f"复利：第{p.n}笔{KIND_LABELS[p.kind]}（记账日 {p.posted_on.isoformat()}）经第{c.statement + 1}期"
            f"账单出账、到期还款日 {due.isoformat()} 后未付的{LINE_LABELS[c.component]} (compound interest on the "
            f"{c.component.replace('_', ' ')} of {KIND_WORDS[p.kind]} #{p.n} billed on statement "
            f"{c.statement + 1}, unpaid after {due.isoformat()})")


# ---- the walk ---------------------------------------------------------------------------------------------


def compute_card(case: LoanCase, *, trace: bool = True) -> Award:
    """The award of the card account ``case`` (see the module docstring); raises :class:`InputError`
    for a bad case.  ``trace=False`` gives the same figures, overpayment and notes without the
    segments, cuts and allocations (``award.traced`` is False)."""
    check_card(case)
    return _Card(case, trace).run()


@dataclass(frozen=True, slots=True)
class _Rate:
    value: Fraction
    shown: Decimal
    source: str


def _rates(case: LoanCase) -> dict[str, _Rate]:
    """The annual rate of each accruing component, with its source for the trace (penalty interest
    defaults to the contract rate, compound interest to the penalty rate)."""
    def agreed(rate: Decimal | None, source: str, default: _Rate) -> _Rate:
        return default if rate is None else _Rate(Fraction(rate), rate, source)

    interest = agreed(case.contract_rate, "约定透支利率 contract rate",
                      _Rate(Fraction(CARD_RATE), CARD_RATE, "透支利率日万分之五 (no rate given: the usual card rate)"))
    penalty = agreed(case.penalty_rate, "约定罚息利率 penalty rate",
                     replace(interest, source="透支利率（未约定罚息利率）contract rate, no penalty rate agreed"))
    compound = agreed(case.compound_rate, "约定复利利率 compound rate",
                      replace(penalty, source="罚息利率（未约定复利利率）penalty rate, no compound rate agreed"))
    return {INTEREST: interest, PENALTY: penalty, COMPOUND: compound}


class _Card:
    """One run over one card case: the account, the trace, and the walk over the timeline."""

    def __init__(self, case: LoanCase, trace: bool):
        self.case, self.trace = case, trace
        self.basis = case.day_count.basis
        self.offset = ONE_DAY if not case.day_count.first_day else timedelta(0)  # (a, b]: rates of the day after
        self.until = case.calc_until
        self.statements: list[Statement] = [s for s in case.statements if s.statement_on <= self.until]
        self.account = _Account()
        self.award = Award(lines={}, traced=trace)
        self.overpaid = ZERO
        self.late_fees: dict[date, list[Fraction]] = defaultdict(list)  # booking day → 违约金 booked on it
        given = dict(case.citations)  # what the ruleset cites; else the card's own grounds
        self.cite = {c: given.get(c) or CARD_CITATIONS[c] for c in (INTEREST, PENALTY, COMPOUND, FEES)}
        self.rates = _rates(case)
        self.allocation_cite = CIVIL_561 + ("（约定顺序）" if tuple(case.allocation_order) != DEFAULT_ORDER else "") \
            + "；" + CIVIL_560 + "（先到期者先抵充）；" + CARD_ORDER

    # -- timeline -------------------------------------------------------------------------------------------

    def timeline(self) -> list[date]:
        """Every date the account is cut at: postings, statement and due dates (and the day after each due
        date, when 违约金 is booked), repayments, cap window edges, calc_until."""
        case = self.case
        cuts: set[date] = {self.until}
        cuts.update(p.posted_on for p in case.postings)
        cuts.update(r.paid_on for r in case.repayments)
        for st in self.statements:
            cuts.update((st.statement_on, st.due_on, st.due_on + ONE_DAY))
        for cap in case.caps:
            cuts.update(edge - self.offset for edge in (cap.from_on, cap.before) if edge is not None)
        start = min([p.posted_on for p in case.postings] + [r.paid_on for r in case.repayments])
        return sorted(d for d in cuts if start <= d <= self.until)

    def run(self) -> Award:
        case, account = self.case, self.account
        posted_at: dict[date, list[tuple[int, Posting]]] = defaultdict(list)
        for n, posting in enumerate(case.postings, start=1):
            posted_at[posting.posted_on].append((n, posting))
        paid_at: dict[date, list[Decimal]] = defaultdict(list)
        for r in case.repayments:
            paid_at[r.paid_on].append(r.amount)
        billed_at = {st.statement_on: k for k, st in enumerate(self.statements)}
        due_at: dict[date, list[int]] = defaultdict(list)
        for k, st in enumerate(self.statements):
            if st.due_on <= self.until:
                due_at[st.due_on].append(k)

        timeline = self.timeline()
        for i, t in enumerate(timeline):
            for n, posting in posted_at.get(t, ()):
                account.post(n, posting)
            if t in billed_at:
                account.bill(billed_at[t])
            for fee in self.late_fees.pop(t, ()):
                account.book_late_fee(t, fee)
            for amount in paid_at.get(t, ()):
                self.allocate(t, amount)
            for k in due_at.get(t, ()):  # the end of the due date, after its repayments
                self.close_due(k)
            if i + 1 < len(timeline):
                self.segment(t, timeline[i + 1])
        return self.result()

    # -- events ---------------------------------------------------------------------------------------------

    def close_due(self, k: int) -> None:
        """The end of statement ``k``'s due date: decide the grace of its purchases and its 违约金."""
        st, account, notes = self.statements[k], self.account, self.award.notes
        which = f"第{k + 1}期账单（账单日 {st.statement_on.isoformat()}）"
        en = f"statement {k + 1} of {st.statement_on.isoformat()}"
        paid_in_full = account.settled_through(k)
        purchases = [p for p in account.postings if p.statement == k and p.kind == PURCHASE]
        for p in purchases:
            p.decided = True
            if not paid_in_full and p.provisional:
                account.book(INTEREST, p, p.provisional)
            p.provisional = ZERO
        if purchases and paid_in_full:
            notes.append(f"{which}已于到期还款日 {st.due_on.isoformat()} 前全额还款，消费免息"
                         f"（{en} paid in full by its due date: its purchases bear no interest）")
            self.mark(purchases, "已全额还款，免息，不计 (grace kept: not owed)")
        elif purchases:
            notes.append(f"{which}未于到期还款日 {st.due_on.isoformat()} 前全额还款，该期消费自记账日起计息"
                         f"（{en} not paid in full by its due date {st.due_on.isoformat()}: its purchases bear "
                         f"interest from their posting dates）")
            self.mark(purchases, "未全额还款，到期还款日起计入利息 (grace lost: owed from the due date)")
        rate = self.case.late_fee_rate
        if rate is None or paid_in_full or st.due_on >= self.until:
            return
        paid = sum((r.amount for r in self.case.repayments if st.statement_on < r.paid_on <= st.due_on),
                   Decimal(0))
        short = st.minimum - paid
        if short <= 0:
            return
        fee = Fraction(rate) * Fraction(short)
        booked = st.due_on + ONE_DAY
        self.late_fees[booked].append(fee)
        notes.append(f"{which}最低还款额 {yuan_text(st.minimum)} 元，到期还款日前还款 {yuan_text(paid)} 元，"
                     f"违约金 = {(rate * 100).normalize():f}% × {yuan_text(short)} = {yuan_text(fen(fee))} 元，"
                     f"{booked.isoformat()} 记入，不计利息（违约金 on the unpaid minimum of {en}, booked "
                     f"{booked.isoformat()}; it bears no interest: {NO_FEE_INTEREST}）")

    def mark(self, purchases: list[_Posting], what: str) -> None:
        """Trace: say on the purchases' provisional interest rows (and their cuts) how the grace went."""
        if not self.trace:
            return
        segments, cuts = self.award.segments, self.award.cuts
        for p in purchases:
            for j in p.rows:
                segments[j] = replace(segments[j], rule=f"{segments[j].rule} — {what}")
            for j in p.cut_rows:
                cuts[j] = replace(cuts[j], reason=f"{cuts[j].reason} — {what}")
            p.rows, p.cut_rows = [], []

    def allocate(self, paid_on: date, amount: Decimal) -> None:
        """One repayment: each component of the agreed order, its balances oldest first."""
        left = Fraction(amount)
        parts: list[tuple[str, int | None, Decimal]] = []
        for component in self.case.allocation_order:
            for item in self.account.owed(component):
                if left <= 0:
                    break
                paid = min(item.amount, left)
                item.amount -= paid
                left -= paid
                if self.trace:
                    parts.append((component, item.n, show(paid)))
        if left > 0:
            self.overpaid += left
            self.award.notes.append(overpayment_note(amount, paid_on, left))
        if self.trace:
            self.award.allocations.append(AllocationTrace(paid_on, amount, tuple(parts), show(left),
                                                          self.allocation_cite))

    # -- accrual --------------------------------------------------------------------------------------------

    def due_on(self, k: int | None) -> date | None:
        return None if k is None else self.statements[k].due_on

    def segment(self, t: date, nxt: date) -> None:
        """Accrue every balance from ``t`` to ``nxt``: interest or penalty interest on each posting's
        principal, compound interest on each billed interest charge past its due date."""
        account, traced = self.account, self.trace
        for p in account.postings:
            if p.amount <= 0:
                continue
            due = self.due_on(p.statement)
            if due is None or t < due:
                if p.kind == PURCHASE:
                    rule = _rule_provisional(p) if traced else ""
                    p.provisional += self.accrue(INTEREST, p.n, p.amount, t, nxt, rule, p)
                else:
                    rule = _rule_interest(p) if traced else ""
                    account.book(INTEREST, p, self.accrue(INTEREST, p.n, p.amount, t, nxt, rule))
            else:
                rule = _rule_penalty(p, due) if traced else ""
                account.book(PENALTY, p, self.accrue(PENALTY, p.n, p.amount, t, nxt, rule))
        if not self.case.compound:
            return
        by_n = {p.n: p for p in account.postings}
        for c in [c for c in account.charges if c.component in (INTEREST, PENALTY) and c.amount > 0]:
            due = self.due_on(c.statement)
            if due is None or t < due:
                continue
            p = by_n[c.n]
            rule = _rule_compound(p, c, due) if traced else ""
            account.book(COMPOUND, p, self.accrue(COMPOUND, p.n, c.amount, t, nxt, rule))

    def accrue(self, component: str, n: int, base: Fraction, t: date, nxt: date, rule: str,
               provisional: _Posting | None = None) -> Fraction:
        """``base × rate × days / basis`` of ``component`` over ``[t, nxt)``, traced, after the caps."""
        rate = self.rates[component]
        days = (nxt - t).days
        accrued = base * rate.value * days / self.basis
        award = self.award
        if self.trace:
            if provisional is not None:
                provisional.rows.append(len(award.segments))
            award.segments.append(SegmentTrace(t, nxt, days, component, n, show(base), rate.shown, rate.source,
                                               self.basis, show(accrued), accrued, rule, self.cite[component]))
        kept, at = accrued, rate.value
        look = t + self.offset
        for cap in self.case.caps:
            if component not in cap.components or not cap.covers(look):
                continue
            cap_rate = Fraction(cap.rate)
            if at <= cap_rate:
                continue
            allowed = base * cap_rate * days / self.basis
            if self.trace:
                if provisional is not None:
                    provisional.cut_rows.append(len(award.cuts))
                removed = show(kept - allowed)
                award.cuts.append(CapCut(
                    t, nxt, days, cap.name, cap.kind, tuple(cap.components), show(base), cap.rate, show(kept),
                    show(allowed), removed, ((component, removed),), cap.citation,
                    cap.reason or f"{LINE_LABELS[component]}超过{cap.describe()}的部分不计 "
                                  f"({component} of posting #{n} above {cap.describe()} removed)"))
            kept, at = allowed, cap_rate
        return kept

    # -- the award ------------------------------------------------------------------------------------------

    def result(self) -> Award:
        account, award, until = self.account, self.award, self.until
        self.note_undecided()
        exact = {
            "principal_outstanding": account.total(PRINCIPAL),
            INTEREST: account.total(INTEREST),
            PENALTY: account.total(PENALTY),
            COMPOUND: account.total(COMPOUND),
            FEES: account.total(FEES),
        }
        line_cite = {"principal_outstanding": "", **self.cite}
        for name, value in exact.items():
            award.lines[name] = AwardLine(name, fen(value), value, LINE_LABELS[name], line_cite[name])
        total = sum((line.amount for line in award.lines.values()), Decimal("0.00"))
        award.lines["total"] = AwardLine("total", total, Fraction(total), LINE_LABELS["total"], "")

        def fallen_due(item) -> bool:  # billed on a statement due by the cut-off
            due = self.due_on(item.statement)
            return due is not None and due <= until

        award.due = due_split(award.lines["principal_outstanding"].amount, award.lines[INTEREST].amount,
                              fen(account.total(PRINCIPAL, fallen_due)), fen(account.total(INTEREST, fallen_due)))
        award.overpaid = fen(self.overpaid)
        return award

    def note_undecided(self) -> None:
        """Purchases whose grace is not decided by the cut-off: their provisional interest is not awarded."""
        undecided: dict[int | None, list[_Posting]] = defaultdict(list)
        for p in self.account.postings:
            if p.kind == PURCHASE and not p.decided and p.provisional:
                undecided[p.statement].append(p)
        until = self.until.isoformat()
        for k, purchases in undecided.items():
            amount = yuan_text(fen(sum((p.provisional for p in purchases), ZERO)))
            numbers = "、".join(str(p.n) for p in purchases)
            if k is None:
                where = f"截至 {until} 尚未出账单的消费（第{numbers}笔）"
                en = f"purchases #{numbers} not yet billed by {until}"
            else:
                st = self.statements[k]
                where = (f"第{k + 1}期账单（账单日 {st.statement_on.isoformat()}，到期还款日 {st.due_on.isoformat()}）"
                         f"的消费（第{numbers}笔）")
                en = f"purchases #{numbers} of statement {k + 1}, due {st.due_on.isoformat()} after {until}"
            self.award.notes.append(f"{where}免息期尚未确定，暂计利息 {amount} 元不计入"
                                    f"（{en}: grace not yet decided, provisional interest {amount} not awarded）")
            self.mark(purchases, "免息期未定，不计入 (grace not yet decided: not awarded)")

