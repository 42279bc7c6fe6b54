"""Showing rule values: JSON-safe strings and human-readable text, by type.

Money is always a string with exactly two decimals (``"2300.00"``); rates are
percentages (``"3.85%"``); dates are ISO; numbers are plain decimal strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ruledsl.core.money import Money, round_fen
from ruledsl.core.rates import format_rate
from ruledsl.core.show import plain_number
from ruledsl.core.types import D_DAILY, D_MONEY, D_RATE, Type
from ruledsl.runtime.ledger import LedgerResult


def to_json(value: object, typ: Type | None) -> object:
    """A JSON-safe value: money and numbers as strings, never floats."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Decimal):
        if typ is not None and typ.kind == "qty" and not typ.lit:
            if typ.dims == D_MONEY:
                return f"{round_fen(value):f}"
            if typ.dims in (D_RATE, D_DAILY):
                return format_rate(value, per_day=typ.dims == D_DAILY, per_month=typ.per == "month")
        return plain_number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, LedgerResult):
        figures = {k: f"{round_fen(v):f}" for k, v in value.items()}
        return {**figures, "calculation": value.award.as_dict()}
    if isinstance(value, list):
        item = typ.item if typ is not None and typ.kind == "list" else None
        return [to_json(v, item) for v in value]
    if isinstance(value, dict):
        fields = dict(typ.fields) if typ is not None and typ.kind == "record" else {}
        return {k: to_json(v, fields.get(k)) for k, v in value.items()}
    return value


def display(value: object, typ: Type | None) -> str:
    """Text for tables and reports."""
    if isinstance(value, LedgerResult):
        return ", ".join(f"{k} {round_fen(v):,f}" for k, v in value.items())
    shown = to_json(value, typ)
    if isinstance(shown, bool):
        return "是 true" if shown else "否 false"
    if isinstance(shown, list):
        return "[" + ", ".join(display(v, typ.item if typ and typ.kind == "list" else None) for v in value) + "]"
    if isinstance(shown, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}"
    if typ is not None and typ.kind == "qty" and typ.dims == D_MONEY and isinstance(value, Decimal):
        return f"{round_fen(value):,f}"
    return "—" if shown is None else str(shown)

