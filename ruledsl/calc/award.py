"""Outputs of the loan calculation engine: award lines and the trace behind them.

Rounding happens in exactly one place: :func:`fen` turns the exact figure of an
award line into yuan rounded half-up to the fen (四舍五入).  Trace amounts are the
exact rational figures shown as Decimals with 10 decimal places, for reading; the
exact values are kept beside them (``exact``) so a reader can re-add them.
``total`` is the sum of the rounded lines, as a judge adds the figures on a
calculation sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from ruledsl.core.money import FEN

SHOW = Decimal("0.0000000001")

LINE_NAMES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees", "total")

#: what has fallen due by the cut-off and what has not (a court awards what has fallen due: without
#: acceleration, principal of instalments not yet due is not owed yet, nor the running period's interest)
DUE_LINES = ("principal_due", "principal_not_due", "interest_due", "interest_not_due")

LINE_LABELS = {
    "principal_outstanding": "未还本金",
    "interest": "利息",
    "penalty_interest": "罚息（逾期利息）",
    "compound_interest": "复利",
    "fees": "费用",
    "total": "合计",
    "principal": "本金",
    "principal_due": "已到期本金",
    "principal_not_due": "尚未到期本金",
    "interest_due": "已到期利息",
    "interest_not_due": "尚未到期利息（当期已计）",
}


def due_split(principal: Decimal, interest: Decimal, principal_due: Decimal, interest_due: Decimal) -> dict[str, Decimal]:
    """The :data:`DUE_LINES` of an award whose lines are ``principal`` and ``interest``, of which
    ``principal_due`` and ``interest_due`` have fallen due (each a figure in fen)."""
    return {"principal_due": principal_due, "principal_not_due": principal - principal_due,
            "interest_due": interest_due, "interest_not_due": interest - interest_due}


def overpayment_note(amount: Decimal, paid_on: date, left: Fraction) -> str:
    """The note on a repayment larger than everything owed: the part left over, in yuan to the fen."""
    return (f"{paid_on.isoformat()} 还款 {yuan_text(amount)} 元超出全部欠款，多付 {yuan_text(fen(left))} 元"
            f"（repayment of {yuan_text(amount)} on {paid_on.isoformat()} exceeds everything owed by "
            f"{yuan_text(fen(left))}）")


def yuan_text(amount: Decimal) -> str:
    """An amount in yuan as a judge reads it: thousands separated, two places (12,345.60)."""
    return f"{fen(Fraction(amount)):,.2f}"





def fen(value: Fraction) -> Decimal:
    """Round an exact figure half-up to the fen: the only rounding of an award line."""
    cents = value * 100
    whole, rest = divmod(cents.numerator, cents.denominator)
    if 2 * rest >= cents.denominator:  # half-up; floor division keeps negatives right too
        whole += 1
    return (Decimal(whole) * FEN).quantize(FEN)


def show(value: Fraction) -> Decimal:
    """An exact figure as a Decimal with 10 decimal places, for the trace only."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SHOW, rounding=ROUND_HALF_UP)


def instalment_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """Runs of instalment numbers as a judge reads them: ``#1–#100, #102–#360`` (``#7`` for a run of one)."""
    return ", ".join(f"#{a}" if a == b else f"#{a}–#{b}" for a, b in ranges)


@dataclass(frozen=True, slots=True)
class SegmentTrace:
    """One accrual: ``base × rate × days / basis`` over ``[start, end)``.

    Overdue instalments accruing the same component at the same rate over a segment give one row:
    ``base`` is the sum of their bases (overdue principal, unpaid due interest) and ``amount`` the sum
    of their accruals (exactly, the closed form being linear in the base).  Such a row covering several
    instalments has ``instalment=None`` and ``instalments`` = the runs of their numbers, first and last
    of each (``((1, 4), (6, 100))``: #1–#4 and #6–#100, #5 having nothing overdue); a row of one
    instalment has its number in ``instalment`` and ``instalments=None``, as has loan-level contract
    interest (``instalment=None``).
    """

    start: date
    end: date
    days: int
    component: str
    instalment: int | None  # 1-based instalment number; None for loan-level contract interest
    base: Decimal
    rate: Decimal
    rate_source: str
    basis: int
    amount: Decimal
    exact: Fraction
    rule: str
    citation: str
    #: the instalments a row covers, as runs (first, last) of their numbers, when it covers several
    instalments: tuple[tuple[int, int], ...] | None = None

    @property
    def numbers(self) -> str:
        """The instalments of the row as text: ``7``, ``#1–#100`` (several), ``""`` (loan-level)."""
        if self.instalments:
            return instalment_ranges(self.instalments)
        return str(self.instalment) if self.instalment else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days,
            "component": self.component, "instalment": self.instalment,
            "instalments": [list(r) for r in self.instalments] if self.instalments else None,
            "base": str(self.base),
            "rate": str(self.rate), "rate_source": self.rate_source, "basis": self.basis,
            "amount": str(self.amount), "rule": self.rule, "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class CapCut:
    """What a cap removed from one segment, and why."""

    start: date
    end: date
    days: int
    cap: str
    kind: str
    components: tuple[str, ...]
    base: Decimal
    cap_rate: Decimal
    accrued: Decimal
    allowed: Decimal
    removed: Decimal
    removed_by_component: tuple[tuple[str, Decimal], ...]
    citation: str
    reason: str
    #: what the cut was applied to: ``"accrual"`` (the segment's day-count accrual) or
    #: ``"stated interest #n"`` (an instalment's stated interest, capped over its whole period)
    applies_to: str = "accrual"

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days, "cap": self.cap,
            "applies_to": self.applies_to,
            "kind": self.kind, "components": list(self.components), "base": str(self.base),
            "cap_rate": str(self.cap_rate), "accrued": str(self.accrued), "allowed": str(self.allowed),
            "removed": str(self.removed),
            "removed_by_component": {k: str(v) for k, v in self.removed_by_component},
            "citation": self.citation, "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AllocationTrace:
    """How one repayment was applied: ``parts`` are (component, instalment, amount)."""

    paid_on: date
    amount: Decimal
    parts: tuple[tuple[str, int | None, Decimal], ...]
    unapplied: Decimal
    citation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "paid_on": self.paid_on.isoformat(), "amount": str(self.amount),
            "parts": [{"component": c, "instalment": i, "amount": str(a)} for c, i, a in self.parts],
            "unapplied": str(self.unapplied), "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class AwardLine:
    name: str
    amount: Decimal  # rounded half-up to the fen
    exact: Fraction
    label: str
    citation: str = ""


@dataclass(slots=True)
class Award:
    """The computed award: lines (rounded), and the trace (segments, caps, allocations)."""

    lines: dict[str, AwardLine]
    segments: list[SegmentTrace] = field(default_factory=list)
    cuts: list[CapCut] = field(default_factory=list)
    allocations: list[AllocationTrace] = field(default_factory=list)
    unsupported: dict[str, Decimal] = field(default_factory=dict)
    overpaid: Decimal = Decimal("0.00")
    notes: list[str] = field(default_factory=list)
    traced: bool = True  # False: computed with ``compute(case, trace=False)``, segments/cuts/allocations empty
    #: :data:`DUE_LINES`: of the principal and interest lines, what has fallen due by the cut-off
    due: dict[str, Decimal] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Decimal:
        return self.lines[name].amount

    def figures(self) -> dict[str, Decimal]:
        """The award lines as ``{name: Decimal rounded to the fen}``."""
        return {name: line.amount for name, line in self.lines.items()}

    def fen_figures(self) -> dict[str, int]:
        """The award lines as ``{name: whole fen (int)}``."""
        return {name: int(line.amount * 100) for name, line in self.lines.items()}

    def segments_of(self, component: str) -> list[SegmentTrace]:
        return [s for s in self.segments if s.component == component]

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": {n: str(line.amount) for n, line in self.lines.items()},
            "segments": [s.as_dict() for s in self.segments],
            "cuts": [c.as_dict() for c in self.cuts],
            "allocations": [a.as_dict() for a in self.allocations],
            "unsupported": {k: str(v) for k, v in self.unsupported.items()},
            "overpaid": str(self.overpaid),
            "notes": list(self.notes),
            "due": {k: str(v) for k, v in self.due.items()},
        }

    def explain(self) -> str:
        """A plain-text calculation sheet: each line, then its segments and cuts."""
        out: list[str] = []
        for name in LINE_NAMES:
            line = self.lines[name]
            out.append(f"{line.label} {name}: {line.amount}" + (f"  [{line.citation}]" if line.citation else ""))
            for s in self.segments_of(name):
                inst = f" {instalment_ranges(s.instalments)}" if s.instalments else \
                    (f" #{s.instalment}" if s.instalment else "")
                stated = f"  ({s.rule})" if "还款计划表" in s.rule else ""  # stated interest and what it replaces
                out.append(
                    f"    {s.start} → {s.end} {s.days:>5} d{inst}  {s.base} × {s.rate} ({s.rate_source})"
                    f" / {s.basis} = {s.amount}{stated}  [{s.citation}]"
                )
        for c in self.cuts:
            if c.applies_to != "accrual":
                out.append(
                    f"cap {c.cap} ({c.kind}) {c.start} → {c.end} {c.days} d: stated "
                    f"{c.accrued}, allowed over the period {c.allowed}, removed {c.removed}  [{c.citation}]"
                )
                continue
            out.append(
                f"cap {c.cap} ({c.kind}) {c.start} → {c.end} {c.days} d: accrued {c.accrued}, allowed "
                f"{c.base} × {c.cap_rate} = {c.allowed}, removed {c.removed}  [{c.citation}]"
            )
        for a in self.allocations:
            parts = ", ".join(f"{comp}{'#' + str(i) if i else ''} {amt}" for comp, i, amt in a.parts)
            out.append(f"repayment {a.paid_on} {a.amount}: {parts}  [{a.citation}]")
        for k, v in self.unsupported.items():
            out.append(f"not awarded (natural debt above the supported rate) {k}: {v}")
        if self.overpaid:
            out.append(f"overpaid: {self.overpaid}")
        out.extend(f"note: {n}" for n in self.notes)
        return "\n".join(out)


_ZERO_FEN = Decimal("0.00")
_NAMES = ("principal_outstanding", "interest", "penalty_interest", "compound_interest", "fees")


def cents(whole: int) -> Decimal:
    """``whole`` fen as Decimal yuan with two places (as :func:`fen` returns it).

    (``0.01 × whole`` is exact and keeps the two places, zero included; the fastest way to it.)
    """
    return FEN * whole


def _lazy_slot(name: str, make, doc: str | None = None):
    """A property over the slot ``name`` of :class:`Award` that fills it with ``make(award)`` on first read."""
    slot = getattr(Award, name)

    def get(self):
        try:
            return slot.__get__(self, Award)
        except AttributeError:
            value = make(self)
            slot.__set__(self, value)
            return value

    return property(get, slot.__set__, doc=doc)


def _empty(of: type):
    return lambda _award: of()


class FigureAward(Award):
    """An :class:`Award` computed without its trace (``compute(case, trace=False)``).

    The figures are held as whole fen per line; ``award[name]``, :meth:`figures` and
    :meth:`fen_figures` read the integers directly.  :attr:`lines` (with ``AwardLine.exact`` as a
    :class:`~fractions.Fraction`) is given by the engine, or built on first use from ``exact(case)``
    (the integer kernel's exact lines, recomputed rather than kept per award).  Segments, cuts and
    allocations are empty; ``unsupported``, ``overpaid`` and ``notes`` are filled as by the traced
    engine.  (Containers are made on first use too: a batch of a million awards then holds no empty
    lists for the garbage collector to walk.)
    """

    __slots__ = ("_fen", "_case", "_exact", "_due_fen")

    @classmethod
    def of(cls, case, fens: tuple[int, ...], overpaid: int, unsupported: dict[str, Decimal] | None = None,
           notes: list[str] | None = None, exact=None, due_fen: tuple[int, int] | None = None) -> FigureAward:
        """The award of ``case`` with lines ``fens`` (whole fen, :data:`LINE_NAMES` order) and ``overpaid`` fen;
        ``exact(case)`` gives the exact lines ``(numerators, denominator)`` when :attr:`lines` is read."""
        self = object.__new__(cls)
        self._fen = fens
        self._case = case
        self._exact = exact
        self._due_fen = due_fen  # the kernel's (principal due, interest due) in fen (else the engine sets .due)
        self.overpaid = cents(overpaid) if overpaid else _ZERO_FEN
        if unsupported:
            self.unsupported = unsupported
        if notes:
            self.notes = notes
        self.traced = False
        return self

    segments = _lazy_slot("segments", _empty(list))
    cuts = _lazy_slot("cuts", _empty(list))
    allocations = _lazy_slot("allocations", _empty(list))
    unsupported = _lazy_slot("unsupported", _empty(dict))
    notes = _lazy_slot("notes", _empty(list))

    def _due(self) -> dict[str, Decimal]:
        p_due, i_due = self._due_fen
        return due_split(cents(self._fen[0]), cents(self._fen[1]), cents(p_due), cents(i_due))

    def _lines(self) -> dict[str, AwardLine]:
        case = self._case
        nums, den = self._exact(case)
        lines = {}
        for name, num, whole in zip(_NAMES, nums, self._fen, strict=False):
            cite = "" if name == "principal_outstanding" else case.citation(name)
            lines[name] = AwardLine(name, cents(whole), Fraction(num, den), LINE_LABELS[name], cite)
        total = cents(self._fen[5])
        lines["total"] = AwardLine("total", total, Fraction(total), LINE_LABELS["total"], "")
        return lines

    due = _lazy_slot("due", _due, "Given by the engine, or from the kernel's principal and interest due by "
                                  "the cut-off.")
    lines = _lazy_slot("lines", _lines, "Given by the engine, or built from the kernel's exact lines.")

    def __getitem__(self, name: str) -> Decimal:
        return cents(self._fen[_INDEX[name]])

    def figures(self) -> dict[str, Decimal]:
        return dict(zip(LINE_NAMES, map(cents, self._fen), strict=True))

    def fen_figures(self) -> dict[str, int]:
        return dict(zip(LINE_NAMES, self._fen, strict=True))


_INDEX = {name: k for k, name in enumerate(LINE_NAMES)}
