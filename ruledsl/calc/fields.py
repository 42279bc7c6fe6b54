"""The ledger's inputs, declared once: one table of fields (name, type, default, required, meaning).

A ruleset's ``ledger`` block sets these fields by name; everything else about a ledger's input
is derived from :data:`LEDGER_FIELDS`:

* the language: the checker's ``LEDGER_SETTINGS`` (what a ledger may set, with the type each
  takes) and ``LEDGER_REQUIRED`` (:func:`setting_types`, :data:`REQUIRED`);
* the call: compiled rules and the interpreter pass the settings a ledger gives as keyword
  arguments named by the table to :func:`ruledsl.runtime.ledger.run_ledger`, whose keyword-only
  parameters are generated from the table too; a setting left out takes its
  :attr:`LedgerField.default`, and the runtime hands one case's settings on as a tuple in the
  table's order (:data:`AT` says where each field is; :func:`settings_dict` names them again);
* the engine's case: :func:`case_from_settings` turns the settings into a
  :class:`~ruledsl.calc.model.LoanCase`, field by field as the table says;
* the shape dispatcher (:mod:`ruledsl.calc.shape`) and the batch columns of the pre-check's
  vectorized path read their fields from it too.

Record lists (instalments, repayments, costs, rate changes) are lists of records whose keys
are the fields of the engine's record type (:class:`~ruledsl.calc.model.Instalment`,
:class:`~ruledsl.calc.model.Repayment`, :class:`~ruledsl.calc.model.Cost`,
:class:`~ruledsl.calc.model.RateChange`), so a record becomes one by its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ruledsl.calc.model import (
    DEFAULT_ORDER,
    Cap,
    Cost,
    Instalment,
    LoanCase,
    Posting,
    RateChange,
    Repayment,
    Statement,
)
from ruledsl.core.daycount import DayCount
from ruledsl.core.types import BOOL, DATE, MONEY, NUMBER, RATE, TEXT, Type


@dataclass(frozen=True, slots=True)
class LedgerField:
    """One input of the ledger."""

    #: the setting's name in a ruleset's ledger block (and the keyword compiled rules pass)
    name: str
    #: its type in the language; a record list is ``list of {…}`` with every key a record may have
    type: Type
    #: what the ledger takes when the ruleset does not set it
    default: object
    #: whether a ledger block must set it
    required: bool
    #: what it means (documentation; the checker's messages name the setting)
    meaning: str
    #: the :class:`~ruledsl.calc.model.LoanCase` attribute it fills
    attr: str
    #: for a record list: the engine's record type, and the keys a record may leave out
    record: Callable[..., object] | None = None
    optional_keys: tuple[str, ...] = ()
    #: a record list whose records join those another field gives the same attribute (listed first)
    joins: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """A record list's keys (empty for a scalar field)."""
        return tuple(k for k, _ in self.type.item.fields) if self.record is not None else ()


def _records(of: type, keys: Mapping[str, Type], optional: tuple[str, ...] = ()) -> dict:
    return {"type": Type("list", item=Type("record", fields=tuple(keys.items()))), "default": None,
            "record": of, "optional_keys": optional}


#: the ledger's fields, in the order a ruleset usually sets them
LEDGER_FIELDS: tuple[LedgerField, ...] = (
    LedgerField("principal", MONEY, None, True, "the amount lent (借款本金)", "principal"),
    LedgerField("contract_rate", RATE, None, True, "the agreed annual interest rate (借期内利率)", "contract_rate"),
    LedgerField("penalty_rate", RATE, None, False,
                "annual rate on overdue principal (逾期利率/罚息); unset: the contract rate", "penalty_rate"),
    LedgerField("compound_rate", RATE, None, False,
                "annual rate on unpaid interest (复利); unset: the penalty rate", "compound_rate"),
    LedgerField("compound", BOOL, True, False, "whether unpaid interest bears compound interest", "compound"),
    LedgerField("disbursed_on", DATE, None, True, "the day the money was lent (放款日)", "disbursed_on"),
    LedgerField("due_on", DATE, None, False,
                "one maturity: all principal falls due that day (到期一次还本付息); or give `instalments`",
                "instalments"),
    LedgerField("instalments", **_records(Instalment, {"due_on": DATE, "principal": MONEY, "interest": MONEY},
                                          ("interest",)), required=False,
                meaning="the repayment schedule (还款计划): due date, principal and the interest it states",
                attr="instalments"),
    LedgerField("repayments", **_records(Repayment, {"paid_on": DATE, "amount": MONEY}), required=False,
                meaning="what the borrower paid and when (还款记录)", attr="repayments"),
    LedgerField("designated_repayments", **_records(Repayment, {"paid_on": DATE, "amount": MONEY,
                                                                "for_instalment": NUMBER}),
                required=False, joins=True, attr="repayments",
                meaning="payments the borrower designated for an instalment when paying (债务人指定清偿, "
                        "民法典 560 ¶1): `for_instalment` is its number, from 1"),
    LedgerField("costs", **_records(Cost, {"incurred_on": DATE, "amount": MONEY, "label": TEXT}, ("label",)),
                required=False, meaning="costs of enforcing the claim (实现债权的有关费用)", attr="costs"),
    LedgerField("rate_changes", **_records(RateChange, {"effective_on": DATE, "contract_rate": RATE,
                                                        "penalty_rate": RATE, "compound_rate": RATE},
                                           ("contract_rate", "penalty_rate", "compound_rate")),
                required=False, meaning="rates that change on a date (unset ones stay)", attr="rate_changes"),
    LedgerField("accelerated_on", DATE, None, False,
                "the day the lender called in the loan: all principal falls due (宣布提前到期)", "accelerated_on"),
    LedgerField("overdue_day_after", BOOL, False, False,
                "whether overdue interest (penalty, compound) runs from the day after a due date (到期日次日起算) "
                "instead of from the due date itself", "overdue_day_after"),
    LedgerField("postings", **_records(Posting, {"posted_on": DATE, "amount": MONEY, "kind": TEXT, "label": TEXT},
                                       ("kind", "label")), required=False, attr="postings",
                meaning="a card account as issued (:mod:`ruledsl.calc.card`): its transactions (记账交易), each "
                        "`purchase` (消费, the default), `cash` (取现) or `fee` (年费、手续费: no interest); "
                        "with postings the ledger has no principal, disbursement or schedule"),
    LedgerField("statements", **_records(Statement, {"statement_on": DATE, "due_on": DATE, "minimum": MONEY}),
                required=False, attr="statements",
                meaning="a card account's statements (对账单): statement date, due date, minimum payment"),
    LedgerField("late_fee_rate", NUMBER, None, False,
                "a card account's 违约金: the agreed fraction of a statement's minimum payment left unpaid at "
                "its due date (unset: none)", "late_fee_rate"),
    LedgerField("until", DATE, None, True, "the cut-off: interest runs to this day (计算截止日)", "calc_until"),
)

FIELDS: dict[str, LedgerField] = {f.name: f for f in LEDGER_FIELDS}
NAMES: tuple[str, ...] = tuple(FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in LEDGER_FIELDS if f.required)
DEFAULTS: dict[str, object] = {f.name: f.default for f in LEDGER_FIELDS}
#: each field's place in a case's settings as a tuple in table order (what the runtime's entry hands on)
AT: dict[str, int] = {name: i for i, name in enumerate(NAMES)}


def settings_dict(values: tuple) -> dict[str, object]:
    """A case's settings tuple (table order) as a mapping by field name."""
    return dict(zip(NAMES, values, strict=True))


def setting_types() -> dict[str, object]:
    """What a ledger block may set and the type each takes, as the checker reads it: a type, or
    for a record list ``(required keys → type, optional keys → type)``."""
    out: dict[str, object] = {}
    for f in LEDGER_FIELDS:
        if f.record is None:
            out[f.name] = f.type
        else:
            keys = dict(f.type.item.fields)
            out[f.name] = ({k: t for k, t in keys.items() if k not in f.optional_keys},
                           {k: keys[k] for k in f.optional_keys})
    return out


# ---- the engine's case ---------------------------------------------------------------------------------

def _as_given(value, _settings):
    return value


def _flag(value, _settings) -> bool:
    return value is not False  # unset (None) or true: compound interest runs


def _one_maturity(due_on, settings) -> tuple[Instalment, ...]:
    return (Instalment(due_on, settings.get("principal")),) if due_on is not None else ()


def _record_list(f: LedgerField) -> Callable[[object, Mapping], tuple]:
    of, keys = f.record, f.keys

    def convert(items, _settings) -> tuple:
        return tuple(of(**{k: item[k] for k in keys if k in item}) for item in items or ())

    return convert


#: how each field's value becomes the LoanCase attribute (a field's value as given, unless said here)
_CONVERT: dict[str, Callable] = {f.name: _record_list(f) if f.record is not None else _as_given
                                 for f in LEDGER_FIELDS}
_CONVERT["compound"] = _flag
_CONVERT["due_on"] = _one_maturity


def _paid_on(repayment: Repayment) -> object:
    return repayment.paid_on


def case_from_settings(settings: Mapping[str, object], *, caps: tuple[Cap, ...] = (),
                       allocation_order: tuple[str, ...] | None = None, day_count: DayCount | None = None,
                       citations: tuple[tuple[str, str], ...] = ()) -> LoanCase:
    """The :class:`~ruledsl.calc.model.LoanCase` of a ledger's settings (by name; unset: the default).

    Not validated here: :func:`ruledsl.calc.compute` checks the case and names the field.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> case = case_from_settings({"principal": Decimal("100"), "contract_rate": Decimal("0.1"),
    ...     "disbursed_on": date(2024, 1, 1), "due_on": date(2024, 7, 1), "until": date(2024, 9, 1),
    ...     "repayments": [{"paid_on": date(2024, 8, 1), "amount": Decimal("50")}]})
    >>> case.instalments[0], case.repayments, case.calc_until
    (Instalment(due_on=datetime.date(2024, 7, 1), principal=Decimal('100'), interest=None), \
(Repayment(paid_on=datetime.date(2024, 8, 1), amount=Decimal('50'), for_instalment=None),), \
datetime.date(2024, 9, 1))
    """
    kw: dict[str, object] = {}
    for f in LEDGER_FIELDS:
        value = _CONVERT[f.name](settings.get(f.name, f.default), settings)
        if f.joins and value:  # designated repayments first, then in date order (a stable sort)
            kw[f.attr] = tuple(sorted(value + tuple(kw.get(f.attr, ())), key=_paid_on))
        elif f.attr not in kw or value:  # `due_on` and `instalments` both give the schedule: the one set
            kw[f.attr] = value
    return LoanCase(**kw, caps=tuple(caps), allocation_order=tuple(allocation_order or DEFAULT_ORDER),
                    day_count=day_count or DayCount(), citations=citations)
