"""The bridge from a ruleset's ``ledger`` block to the loan calculation engine (:mod:`ruledsl.calc`).

A ledger block hands the engine its facts (principal, rates, schedule, repayments, cut-off),
the allocation order and the caps the ruleset imposes; the engine returns award lines with their
segments, cuts and allocations.  Compiled code and the interpreter both call :func:`run_ledger`
(compiled untraced code :func:`run_ledger_fast`), so the two can only agree.

The facts are keyword arguments named by the ledger's fields (:data:`ruledsl.calc.fields.LEDGER_FIELDS`):
a ledger passes the settings it gives, and one it leaves out takes the field's default::

    run_ledger_fast(spec, caps, day_count, principal=…, contract_rate=…, disbursed_on=…, until=…)

Untraced runs ask the shape dispatcher (:func:`ruledsl.calc.shape.kernel_settings`) whether the
integer kernel takes the case; if so its figures come straight from the settings, without
building a :class:`~ruledsl.calc.LoanCase` (the award behind them is computed only if someone asks
for ``result.award``).  Every other case, and any input the dispatcher does not accept, runs
:func:`ruledsl.calc.compute`, which checks it and names a bad field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from keyword import iskeyword
from typing import NamedTuple

from ruledsl.calc import Award, Cap, case_from_settings, compute
from ruledsl.calc.award import DUE_LINES, LINE_NAMES
from ruledsl.calc.engine import LprTables
from ruledsl.calc.fields import DEFAULTS, NAMES, settings_dict
from ruledsl.calc.model import ACCRUING, COMPONENTS, DEFAULT_ORDER
from ruledsl.calc.shape import kernel_settings
from ruledsl.core.daycount import DayCount
from ruledsl.core.money import FEN

_ZERO_FEN = Decimal("0.00")

#: what a ledger yields, each an amount of money rounded to the fen: the award lines, then what of the
#: principal and interest has fallen due by the cut-off and what has not
LEDGER_LINES = LINE_NAMES + DUE_LINES
#: components a ledger cap may limit, and the words of an allocation order
CAP_COMPONENTS = ACCRUING
ORDER_WORDS = COMPONENTS


@dataclass(frozen=True, slots=True)
class LedgerSpec:
    """What is fixed when the ruleset compiles: the name, the allocation order, the citations and the
    tables a rate may follow.

    (The engine cites 民法典 art.560/561 for every allocation itself.)
    """

    name: str
    order: tuple[str, ...] | None
    citations: tuple[tuple[str, str], ...]  # component → citation text, overriding the engine's
    #: the ruleset's dated rate tables, for rates that follow one (``lpr_1y + 3% floating``); the engine's
    #: LprTables (:class:`ruledsl.runtime.linked_rates.TableRates`), None when no rate of the ledger does
    tables: LprTables | None = None


class CapSpec(NamedTuple):
    """One cap as evaluated for a case (a cap whose ``when`` is false is never built).

    (A named tuple rather than a frozen dataclass: compiled rules build one per case.)
    """

    name: str
    components: tuple[str, ...]
    rate: Decimal
    start: date | None
    before: date | None
    unsupported: bool
    citation: str


class LedgerResult(dict):
    """The ledger's award lines by name (Decimal, rounded to the fen); ``.award`` holds the trace."""

    __slots__ = ("award",)

    def __init__(self, figures: dict[str, Decimal], award: Award) -> None:
        super().__init__(figures)
        self.award = award


_AWARD_SLOT = LedgerResult.award


class _QuickLedgerResult(LedgerResult):
    """A :class:`LedgerResult` from the integer kernel: ``.award`` is computed on first use."""

    __slots__ = ("_args",)
    __init__ = dict.__init__  # type: ignore[assignment]  # the figures; ``_args`` is set after

    @property
    def award(self) -> Award:  # type: ignore[override]
        try:
            return _AWARD_SLOT.__get__(self, LedgerResult)
        except AttributeError:
            award = compute(_case(*self._args), self._args[0].tables, trace=False)
            _AWARD_SLOT.__set__(self, award)
            return award


def _run_ledger(spec: LedgerSpec, caps: list[CapSpec | None], day_count: DayCount, trace: bool,
                values: tuple) -> LedgerResult:
    """Run the engine on one case; with ``trace`` the result carries every segment, cut and allocation."""
    if not trace:
        return _run_ledger_fast(spec, caps, day_count, values)
    return _engine(spec, values, _caps(caps), day_count, True)


def _run_ledger_fast(spec: LedgerSpec, caps: list[CapSpec | None], day_count: DayCount,
                     values: tuple) -> LedgerResult:
    """Untraced: the integer kernel's figures where the shape dispatcher sends the case, else the engine's."""
    engine_caps = _caps(caps) if any(caps) else ()
    found = kernel_settings(values, engine_caps, spec.order, day_count)
    if found is None:  # not the kernel's shape, or an input the engine checks and explains
        return _engine(spec, values, engine_caps, day_count, False)
    a, b, c, e = found[0]  # whole fen; FEN × n is calc.award.cents(n), inlined on this hot path (a line
    p = FEN * a if a else _ZERO_FEN  # often is nothing: FEN × 0 is 0.00, made once)
    i = FEN * b if b else _ZERO_FEN
    a_due, b_due = found[5]  # what of principal and interest has fallen due by the cut-off (DUE_LINES)
    if a_due == a and b_due == b:  # all of it (the one instalment is due): no new Decimals
        p_due, i_due, p_not, i_not = p, i, _ZERO_FEN, _ZERO_FEN
    elif a_due == b_due == 0:  # none of it
        p_due, i_due, p_not, i_not = _ZERO_FEN, _ZERO_FEN, p, i
    else:
        p_due, i_due, p_not, i_not = FEN * a_due, FEN * b_due, FEN * (a - a_due), FEN * (b - b_due)
    result = _QuickLedgerResult(principal_outstanding=p, interest=i, penalty_interest=FEN * c if c else _ZERO_FEN,
                                compound_interest=FEN * e if e else _ZERO_FEN, fees=_ZERO_FEN,
                                total=FEN * (a + b + c + e),
                                principal_due=p_due, principal_not_due=p_not, interest_due=i_due,
                                interest_not_due=i_not)
    result._args = (spec, values, engine_caps, day_count)
    return result


def _with_field_keywords(body: Callable, traced: bool) -> Callable:
    """``body`` behind a signature ``(spec, caps, day_count, /[, trace], *, <field>=<default>, …)`` whose
    keyword-only parameters are the ledger's fields (:data:`~ruledsl.calc.fields.LEDGER_FIELDS`, in its
    order, each with its default); ``body`` gets their values as one tuple in that order.

    Generated from the table, as :mod:`dataclasses` generates ``__init__``: Python binds the keywords
    compiled rules pass straight to the parameters, where ``**settings`` would build a dict for every
    case (the ledger is the batch pre-check's hot path).  The source holds nothing but the table's field
    names, which are identifiers, and the names of this function's namespace.
    """
    assert all(name.isidentifier() and not iskeyword(name) and not name.startswith("_") for name in NAMES)
    name = body.__name__.lstrip("_")
    lead, passed = ("spec, caps, day_count, /, trace=False", "spec, caps, day_count, trace") if traced else (
        "spec, caps, day_count, /", "spec, caps, day_count")
    source = (f"def {name}({lead}, *, {', '.join(f'{n}=_defaults[{i}]' for i, n in enumerate(NAMES))}):\n"
              f"    return _body({passed}, ({', '.join(NAMES)},))\n")
    namespace = {"_body": body, "_defaults": tuple(DEFAULTS.values())}
    exec(compile(source, f"<ledger fields: {name}>", "exec"), namespace)  # noqa: S102 — the table's names only
    entry = namespace[name]
    entry.__doc__, entry.__module__, entry.__qualname__ = body.__doc__, __name__, name
    return entry


#: ``run_ledger(spec, caps, day_count, trace=False, *, principal=…, …, until=…)``: the settings by field name
run_ledger = _with_field_keywords(_run_ledger, traced=True)
#: ``run_ledger_fast(spec, caps, day_count, *, principal=…, …, until=…)``: untraced, what compiled rules call
run_ledger_fast = _with_field_keywords(_run_ledger_fast, traced=False)


def _engine(spec: LedgerSpec, values: tuple, caps: tuple[Cap, ...], day_count: DayCount,
            trace: bool) -> LedgerResult:
    award = compute(_case(spec, values, caps, day_count), spec.tables, trace=trace)
    return LedgerResult({**award.figures(), **award.due}, award)


def _case(spec: LedgerSpec, values: tuple, caps: tuple[Cap, ...], day_count: DayCount):
    return case_from_settings(settings_dict(values), caps=caps, allocation_order=spec.order or DEFAULT_ORDER,
                              day_count=day_count, citations=spec.citations)


_CAPS: dict[CapSpec, Cap] = {}  # a ruleset's caps repeat from case to case: each made once


def _caps(caps: list[CapSpec | None]) -> tuple[Cap, ...]:
    """The engine's :class:`~ruledsl.calc.Cap` of each cap in force (a ``None``: its ``when`` was false)."""
    out = []
    for c in caps:
        if c is None:
            continue
        try:
            cap = _CAPS[c]
            if cap.rate is not c.rate and cap.rate.as_tuple() != c.rate.as_tuple():
                raise KeyError(c)  # an equal rate written otherwise (0.240): the trace shows it as given
        except (KeyError, TypeError, AttributeError):
            cap = Cap(name=c.name, citation=c.citation, rate=c.rate, components=tuple(c.components),
                      kind="unsupported" if c.unsupported else "remove", from_on=c.start, before=c.before)
            try:
                if len(_CAPS) > 1024:
                    _CAPS.clear()
                _CAPS[c] = cap
            except TypeError:  # an unhashable value (a list of components): made each time
                pass
        out.append(cap)
    return tuple(out)
