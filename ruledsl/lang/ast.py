"""The ruleset syntax tree: frozen, slotted dataclasses, each carrying a :class:`Span`.

Spans never take part in equality, so two trees that differ only in layout
compare equal — which is how ``parse(fmt(x)) == parse(x)`` is tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ruledsl.core.errors import Span

NO_SPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node."""

    span: Span = _span()


# ============================================================== expressions
@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of expressions."""


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """A plain number, ``10000.00``; it takes the unit of what it meets (money, days …; beside a rate only
    a fraction below 1: the checker refuses ``contract_rate > 24``)."""

    value: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class Percent(Expr):
    """``24%``, ``1.75‱``, ``0.05% per day`` or ``1.5% per month`` (月息); ``value`` is the fraction (0.24),
    for a monthly rate the annual rate it stands for (1.5% per month → 0.18: a year is twelve months)."""

    value: Decimal
    text: str
    per_day: bool = False
    per_month: bool = False


@dataclass(frozen=True, slots=True)
class DateLit(Expr):
    """``2020-08-20``; validity is checked by the checker, not the parser."""

    text: str


@dataclass(frozen=True, slots=True)
class Duration(Expr):
    """``30 days``, ``24 hours``, ``6 months`` or ``1 year``.  Months and years are parts of a year
    (``rate * 1 month`` is a month's share of an annual rate); added to a date they move it by calendar
    months (``first_due + 1 month``)."""

    amount: Decimal
    unit: str  # "days" | "hours" | "months" | "years"
    text: str


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A text literal (already unescaped)."""

    value: str


@dataclass(frozen=True, slots=True)
class Bool(Expr):
    """``true`` / ``false``."""

    value: bool


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A reference to an input, a definition or a loop variable."""

    name: str


@dataclass(frozen=True, slots=True)
class Basis(Expr):
    """``basis``: the ruleset's days per year (365 or 360)."""


@dataclass(frozen=True, slots=True)
class EvidenceComplete(Expr):
    """``evidence complete``: every ``require`` rule is satisfied."""


@dataclass(frozen=True, slots=True)
class ListLit(Expr):
    """``[a, b, …]``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class RecordLit(Expr):
    """``{paid_on: 2024-01-01, amount: 100.00}``; a field may use the fields before it by name
    (``{interest: round(opening * r), principal: payment - interest}``)."""

    fields: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True, slots=True)
class NumberRange(Expr):
    """``from 1 to term`` after ``for k``: the whole numbers from ``start`` to ``end``, both counted."""

    start: Expr
    end: Expr


@dataclass(frozen=True, slots=True)
class ListComp(Expr):
    """``[{due: add_months(first_due, k - 1), …} for k from 1 to term]``: a list built item by item;
    in ``body``, ``previous`` is the item built just before (none for the first)."""

    body: Expr
    var: str
    iterable: Expr
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class Previous(Expr):
    """``previous`` (上期): inside ``[… for …]``, the item built just before this one."""


@dataclass(frozen=True, slots=True)
class Index(Expr):
    """``instalments[k]``: the k-th item of a list, counted from 1 as a clerk counts."""

    obj: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Attr(Expr):
    """``record.field``."""

    obj: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A builtin (``round``, ``min``, ``days_between`` …) or a schedule table applied to a value."""

    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Aggregate(Expr):
    """``sum(r.amount for r in repayments where r.paid_on <= due_on)``."""

    func: str
    body: Expr
    var: str
    iterable: Expr
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class TableAt(Expr):
    """``lpr_1y at filed_on``: the value in force on a date."""

    table: str
    when: Expr


@dataclass(frozen=True, slots=True)
class Accrue(Expr):
    """``accrue(base, rate, from start to end[, basis 360])``: simple interest under the day count."""

    base: Expr
    rate: Expr
    start: Expr
    end: Expr
    basis: int | None = None


@dataclass(frozen=True, slots=True)
class If(Expr):
    """``if c then a else b``."""

    cond: Expr
    then: Expr
    else_: Expr


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    """Arithmetic: ``+ - * /`` and ``^`` (a number to a whole power: ``(1 + r) ^ term``)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    """Unary minus."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    """``== != < <= > >=``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class BoolOp(Expr):
    """``and`` / ``or``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """``not x``."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class LinkedRate(Expr):
    """``lpr_1y + 3% floating``: a rate tied to a dated rate table, ``multiple × TABLE + spread``.

    Only a ledger's rate settings take one (possibly as a branch of an ``if``).  ``fixing`` is
    ``floating`` (the value in force each day), ``fixed`` (on ``at``, a date; without it the
    component's natural date) or ``repriced`` (from each date of ``at``, a list, on)."""

    expr: Expr
    fixing: str
    at: Expr | None = None


@dataclass(frozen=True, slots=True)
class LedgerSetting(Node):
    """``principal = principal`` inside a ledger: one fact handed to the calculation engine."""

    name: str
    expr: Expr


@dataclass(frozen=True, slots=True)
class LedgerCap(Node):
    """``cap interest, penalty_interest at 24% [from d] [before d] [when c] [unsupported] per S``."""

    components: tuple[str, ...]
    rate: Expr
    start: Expr | None = None
    before: Expr | None = None
    when: Expr | None = None
    unsupported: bool = False
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class Ledger(Expr):
    """The loan ledger as a value: the engine's award lines, each with its segments."""

    settings: tuple[LedgerSetting, ...]
    allocate: tuple[str, ...] | None = None
    allocate_citation: Citation | None = None
    caps: tuple[LedgerCap, ...] = ()
    #: ``allocate … when COND``: orders the parties agreed (民法典 561 "除当事人另有约定外"), the first whose
    #: condition holds taking the place of ``allocate`` (or of the default order)
    agreed: tuple[AgreedOrder, ...] = ()


@dataclass(frozen=True, slots=True)
class AgreedOrder(Node):
    """``allocate fees, penalty_interest, … when agreed_order == "罚息优先" per CIVIL_561``."""

    order: tuple[str, ...]
    when: Expr
    citation: Citation | None = None


# ============================================================== types
@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    """Base of written types."""


@dataclass(frozen=True, slots=True)
class ScalarType(TypeRef):
    """``money``, ``rate``, ``rate per day``, ``date``, ``days``, ``hours``, ``bool``, ``text``, ``number``."""

    name: str


@dataclass(frozen=True, slots=True)
class EnumType(TypeRef):
    """``enum("ordinary", "simple")``."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListType(TypeRef):
    """``list of T``."""

    item: TypeRef


@dataclass(frozen=True, slots=True)
class RecordType(TypeRef):
    """``{paid_on: date, amount: money}``."""

    fields: tuple[tuple[str, TypeRef], ...]


# ============================================================== declarations
@dataclass(frozen=True, slots=True)
class Citation(Node):
    """``per A, B``: the sources a rule implements."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DayCountSetting(Node):
    """``day count basis 365 first day counted last day not counted``."""

    basis: int
    first_day: bool
    last_day: bool


@dataclass(frozen=True, slots=True)
class Header(Node):
    """``ruleset cn.court_fees version "2026.1" effective 2007-04-01 …``."""

    name: str
    version: str
    effective: DateLit
    jurisdiction: str | None = None
    language: str | None = None
    day_count: DayCountSetting | None = None


@dataclass(frozen=True, slots=True)
class Decl(Node):
    """Base of top-level declarations."""


@dataclass(frozen=True, slots=True)
class SourceDecl(Decl):
    """``source FEES_13 = "诉讼费用交纳办法 第十三条" text \"\"\"…\"\"\"``."""

    name: str
    citation: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class DatedTableDecl(Decl):
    """``table lpr_1y: date -> rate from "tables/lpr.csv" column "one_year"``."""

    name: str
    value_type: ScalarType
    path: str
    column: str
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class BandDecl(Node):
    """``up to 10000: 50.00`` (fixed) or ``above: 0.5%`` (rate); ``upper`` None means above."""

    upper: Number | None
    rate: Percent | None = None
    fixed: Number | None = None


@dataclass(frozen=True, slots=True)
class ScheduleDecl(Decl):
    """``table acceptance_bands: progressive schedule per FEES_13`` and its bands."""

    name: str
    kind: str  # "progressive" | "banded"
    bands: tuple[BandDecl, ...]
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class InputField(Node):
    """``claim_amount: money label "诉讼请求金额" min 0``."""

    name: str
    type: TypeRef
    default: Expr | None = None
    label: str | None = None
    min: Expr | None = None
    max: Expr | None = None
    optional: bool = False  # may be absent (None); only a ledger setting may take it


@dataclass(frozen=True, slots=True)
class InputSection(Decl):
    """``input:`` and its fields; or ``settings:`` — the court's reading of an open point, each with its
    default, which a case cannot set (a worked example may, to show the other reading)."""

    fields: tuple[InputField, ...]
    settings: bool = False


@dataclass(frozen=True, slots=True)
class Definition(Node):
    """``name = expr [label "…"] [per SOURCE]``; in ``award:`` it is an award line, rounded to the fen."""

    name: str
    expr: Expr
    label: str | None = None
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class Cap(Node):
    """``cap a + b at limit [when cond] per SOURCE``: lines reduced (last first) down to the limit."""

    targets: tuple[str, ...]
    limit: Expr
    when: Expr | None = None
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class ClaimLimit(Node):
    """``within claimed per SOURCE``: each award line the record input ``claimed`` names is at most the
    amount claimed (a court awards no more than is asked: 不得超出诉讼请求), after the law's own caps.

    It defines two money values, :data:`CLAIM_TOTALS`: what was claimed beyond the award, and what the
    law allowed but was not claimed."""

    claim: str
    citation: Citation | None = None


#: the values a ``within`` statement defines: Σ (claimed − awarded) and Σ (allowed − awarded) over its lines
CLAIM_TOTALS = ("excess_claimed", "allowed_not_claimed")


def allowed_column(line: str) -> str:
    """The column of a compiled row that holds what the law allows of ``line`` before the claim limits it."""
    return f"{line}:allowed"


@dataclass(frozen=True, slots=True)
class ClaimStep(Node):
    """One award line limited to its claim (made by the checker from a :class:`ClaimLimit`, never written)."""

    line: str
    claim: str
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class ClaimTotal(Expr):
    """The expression behind one of :data:`CLAIM_TOTALS` (made by the checker, never written)."""

    kind: str  # one of CLAIM_TOTALS
    claim: Name
    lines: tuple[Name, ...]


@dataclass(frozen=True, slots=True)
class ComputeSection(Decl):
    """``compute:`` intermediate values (unrounded)."""

    definitions: tuple[Definition, ...]


@dataclass(frozen=True, slots=True)
class AwardSection(Decl):
    """``award:`` award lines, caps and the claim limit."""

    items: tuple[Definition | Cap | ClaimLimit, ...]


@dataclass(frozen=True, slots=True)
class LedgerDecl(Decl):
    """``ledger loan per CIVIL_674:`` and its settings, allocation order and caps."""

    name: str
    ledger: Ledger
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class Within(Node):
    """``within 24 hours of signed_at``, ``within 30 days after overdue_on``, ``within 6 months before
    filed_on``: a window around a date input (``of``: either side of it) or an item's own time."""

    duration: Duration
    of: str
    side: str = "of"  # of | after | before


@dataclass(frozen=True, slots=True)
class Require(Node):
    """``require [at least N] "kind" [signed [by "…"]] [anchored [within …]] [timestamped] …``."""

    kind: str
    at_least: int = 1
    signed: bool = False
    signed_by: str | None = None
    anchored: bool = False
    within: Within | None = None
    timestamped: bool = False
    message: str | None = None
    citation: Citation | None = None
    #: ``dated within 6 months before filed_on``: only items whose own date (``created_at``) falls in the
    #: window count towards ``at_least``
    dated: Within | None = None


@dataclass(frozen=True, slots=True)
class WarnIfMissing(Node):
    """``warn if no "kind"``: a missing item is a warning, not a failed requirement."""

    kind: str
    message: str | None = None
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class EvidenceSection(Decl):
    """``evidence:`` requirement rules."""

    rules: tuple[Require | WarnIfMissing, ...]


@dataclass(frozen=True, slots=True)
class Ground(Node):
    """A ground of admissibility (受理审查): ``refuse "…" when cond`` — the case is refused when ``cond``
    holds — or ``require cond otherwise "…"`` (``require``) — refused unless it holds.  ``message`` is
    what the refusal says (不予受理的理由)."""

    message: str
    cond: Expr
    citation: Citation | None = None
    require: bool = False


@dataclass(frozen=True, slots=True)
class AdmissibilitySection(Decl):
    """``admissibility:`` (受理): every ground is judged, and a case is admissible when none refuses it."""

    rules: tuple[Ground, ...]


def ground_column(index: int) -> str:
    """The column of a compiled row that says whether ground ``index`` refuses the case."""
    return f"ground:{index}"


@dataclass(frozen=True, slots=True)
class RouteRule(Node):
    """``stage "立案" when cond`` or ``stage "诉前调解" otherwise`` (cond None).  ``refuse`` marks a
    ``refuse`` written in ``route:``, which the checker turns away (it belongs in ``admissibility:``)."""

    stage: str
    cond: Expr | None = None
    citation: Citation | None = None
    refuse: bool = False


@dataclass(frozen=True, slots=True)
class RouteSection(Decl):
    """``route:`` triage rules, first match wins."""

    rules: tuple[RouteRule, ...]


@dataclass(frozen=True, slots=True)
class Binding(Node):
    """``name = expr`` in ``given`` / ``expect``; ``evidence "kind" = "status"`` uses ``evidence_kind``."""

    name: str
    expr: Expr
    evidence_kind: str | None = None


@dataclass(frozen=True, slots=True)
class Example(Decl):
    """``example "title": given … expect …`` — a test that ``ruledsl test`` runs.

    ``example "B" extends "A":`` starts from the givens of example A (one written above it); a name B
    gives again replaces A's.  The checker resolves it: a checked ruleset's examples hold every given."""

    title: str
    given: tuple[Binding, ...]
    expect: tuple[Binding, ...]
    extends: String | None = None


@dataclass(frozen=True, slots=True)
class Ruleset(Node):
    """A whole ruleset file."""

    header: Header
    decls: tuple[Decl, ...]

    def of_type(self, cls: type) -> list:
        return [d for d in self.decls if isinstance(d, cls)]
