"""Case inputs: a pydantic model generated from a ruleset's ``input:`` section.

Values arrive from JSON files, Excel cells or ``--set name=value``:

* money as decimal strings (``"12345.67"``) or plain numbers — never floats;
* rates as ``"18%"`` or fractions (``"0.18"``); a bare ``240`` is refused;
* dates as ISO ``2024-03-01``; lists as JSON arrays; records as JSON objects.

Every problem is collected and reported naming the field
(``repayments[1].amount: …``), as one :class:`InputError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    create_model,
)

from ruledsl.core.daycount import check_date_range, to_date
from ruledsl.core.errors import Diagnostic, InputError, did_you_mean
from ruledsl.core.money import MAX_DIGITS, decimal_places, to_decimal
from ruledsl.core.rates import parse_monthly_rate, parse_rate
from ruledsl.core.show import plain_number, quoted
from ruledsl.core.text import exact_json
from ruledsl.core.types import D_DAILY, D_DAYS, D_HOURS, D_MONEY, D_RATE, Type
from ruledsl.lang import ast
from ruledsl.lang.checker import CheckedRuleset

CHINA = timezone(timedelta(hours=8))


# ---------------------------------------------------------------- scalar validators
#: an amount in yuan that needs no further check: at most MAX_DIGITS digits, at most two places
_FEN_TEXT = re.compile(rf"-?(0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}})(\.[0-9]{{1,2}})?\Z")


def _money(value: Any) -> Decimal:
    if type(value) is str and _FEN_TEXT.match(value):  # the common cell: what to_decimal would give, checked
        return Decimal(value)
    amount = to_decimal(value)
    if decimal_places(amount) > 2:
        raise ValueError(f"{plain_number(amount)} is not an amount in yuan to the fen (at most two decimal places)")
    return amount


def _rate(value: Any) -> Decimal:
    return parse_rate(value)


def _monthly_rate(value: Any) -> Decimal:
    return parse_monthly_rate(value)


def _number(value: Any) -> Decimal:
    return to_decimal(value)


def _whole(value: Any) -> Decimal:
    result = to_decimal(value)
    if result != result.to_integral_value():
        raise ValueError(f"{value} is not a whole number")
    return result


def _date(value: Any) -> date:
    return to_date(value)


_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z")


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        if not _ISO_TIME.match(text):
            raise ValueError(f"{quoted(value)} is not a time; write 2024-03-01T09:30:00+08:00")
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{quoted(value)} is not a time on the calendar") from None
    else:
        raise ValueError(f"expected a time, got {type(value).__name__}")
    result = result if result.tzinfo else result.replace(tzinfo=CHINA)  # court time when no zone given
    check_date_range(result.date())  # before any arithmetic (0001-01-01T00:00+14:00 would overflow)
    return result


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "是"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "0", "否"):
        return False
    raise ValueError(f"{quoted(value)} is not true or false")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


_DECIMAL_SCHEMA = {"type": ["string", "number"], "pattern": r"^-?\d+(\.\d+)?$"}
Money = Annotated[Decimal, PlainValidator(_money),
                  WithJsonSchema({**_DECIMAL_SCHEMA, "description": "money, yuan: \"12345.67\""})]
Rate = Annotated[Decimal, PlainValidator(_rate),
                 WithJsonSchema({"type": ["string", "number"], "pattern": r"^-?\d+(\.\d+)?(%|‱)?$",
                                 "description": "annual rate: \"18%\" or \"0.18\""})]
MonthlyRate = Annotated[Decimal, PlainValidator(_monthly_rate),
                        WithJsonSchema({"type": ["string", "number"],
                                        "description": "rate per month (月利率): \"1.5%\" or 月息 \"1分5厘\""})]
DailyRate = Annotated[Decimal, PlainValidator(_rate),
                      WithJsonSchema({"type": ["string", "number"], "description": "rate per day: \"0.05%\""})]
Number = Annotated[Decimal, PlainValidator(_number), WithJsonSchema(_DECIMAL_SCHEMA)]
Whole = Annotated[Decimal, PlainValidator(_whole), WithJsonSchema({"type": ["integer", "string"]})]
Day = Annotated[date, PlainValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
Time = Annotated[datetime, PlainValidator(_datetime), WithJsonSchema({"type": "string", "format": "date-time"})]
Flag = Annotated[bool, PlainValidator(_bool), WithJsonSchema({"type": "boolean"})]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema({"type": "string"})]


class EvidenceItem(BaseModel):
    """One piece of evidence a case presents: as a party declares it, or as the evidence layer verified it.

    (Which of the two it is is not a field a case file can set: see :func:`parse_case`.)
    """

    model_config = ConfigDict(extra="forbid")

    kind: Text
    file: Text | None = None
    signed: Flag = False
    signer: Text | None = None
    signed_at: Time | None = None
    created_at: Time | None = None
    anchored_at: Time | None = None
    timestamped: Flag = False
    integrity: Literal["ok", "tampered", "unverifiable"] = "ok"
    note: Text | None = None


def python_type(t: Type) -> Any:
    """The pydantic annotation for a ruleset type."""
    if t.kind == "qty":
        if t.per == "month":
            return MonthlyRate
        return {D_MONEY: Money, D_RATE: Rate, D_DAILY: DailyRate, D_DAYS: Whole, D_HOURS: Whole}.get(t.dims, Number)
    if t.kind == "date":
        return Day
    if t.kind == "bool":
        return Flag
    if t.kind == "text":
        return Text
    if t.kind == "enum":
        return Literal[t.values]  # type: ignore[valid-type]
    if t.kind == "list":
        return list[python_type(t.item)]  # type: ignore[misc]
    if t.kind == "record":
        fields = {_attr(k): (python_type(v), Field(..., alias=k)) for k, v in t.fields}
        return create_model("Record", __config__=_CONFIG, **fields)  # type: ignore[call-overload]
    raise AssertionError(t)


#: model attributes are prefixed so that no ruleset name can collide with pydantic's own
#: (``model_config``, ``json``, ``copy`` …); the ruleset's names are the aliases.
_CONFIG = ConfigDict(extra="forbid", populate_by_name=False, protected_namespaces=())


def _attr(name: str) -> str:
    return f"f_{name}"


def case_model(checked: CheckedRuleset) -> type[BaseModel]:
    """The pydantic model of one case for this ruleset (cached on the checked ruleset)."""
    cached = getattr(checked, "_case_model", None)
    if cached is not None:
        return cached
    fields: dict[str, Any] = {}
    for f in checked.inputs:
        if f.name in checked.settings:  # the court's readings: not a fact a case gives (see parse_case)
            continue
        annotation = python_type(checked.input_types[f.name])
        if f.default is None and not f.optional:
            fields[_attr(f.name)] = (annotation, _field(f, required=True))
        else:
            fields[_attr(f.name)] = (annotation | None, _field(f, required=False))
    fields[_attr("evidence")] = (list[EvidenceItem], Field(default_factory=list, alias="evidence",
                                                            title="证据 evidence items"))
    model = create_model(_model_name(checked), __config__=_CONFIG, **fields)
    checked._case_model = model  # type: ignore[attr-defined]
    return model


def _settings_model(checked: CheckedRuleset) -> type[BaseModel]:
    """The pydantic model of a ruleset's ``settings:`` (what a worked example may set to show another reading)."""
    cached = getattr(checked, "_settings_model", None)
    if cached is None:
        fields = {_attr(f.name): (python_type(checked.input_types[f.name]) | None, _field(f, required=False))
                  for f in checked.inputs if f.name in checked.settings}
        cached = create_model(_model_name(checked) + "_settings", __config__=_CONFIG, **fields)
        checked._settings_model = cached  # type: ignore[attr-defined]
    return cached


def _field(f: ast.InputField, required: bool) -> Any:
    kwargs: dict[str, Any] = {"alias": f.name}
    if f.label:
        kwargs["title"] = f.label
    if isinstance(f.default, (ast.Number, ast.String, ast.Bool, ast.Percent, ast.DateLit)):
        kwargs["description"] = f"default: {_literal_text(f.default)}"
    elif f.default is not None:
        kwargs["description"] = "default: computed by the ruleset"
    return Field(... if required else None, **kwargs)


def _literal_text(node: ast.Expr) -> str:
    for attr in ("text", "value"):
        if hasattr(node, attr):
            return str(getattr(node, attr))
    return ""


def _model_name(checked: CheckedRuleset) -> str:
    return "Case_" + "".join(ch if ch.isalnum() else "_" for ch in checked.name)


def parse_case(checked: CheckedRuleset, data: dict[str, Any], origin: str = "case",
               verified: list[dict[str, Any]] | None = None, settings: bool = False) -> dict[str, Any]:
    """Validate raw case data; return typed values (missing optional inputs are None).

    The ``evidence`` items the data gives are what a party *declares* (``verified: False``);
    ``verified`` holds the items the evidence layer checked (:func:`ruledsl.evidence.facts.evidence_items`),
    which reach the rules only this way — no case file can mark its own items verified.

    The ruleset's ``settings:`` (the court's readings of open points) are not facts of a case: a
    case that gives one is refused; a worked example may (``settings=True``) to show another reading.
    """
    if not isinstance(data, dict):
        raise InputError(Diagnostic(f"{origin}: a case is a JSON object of input names to values"))
    data = by_name(checked, data, origin)
    chosen = {k: v for k, v in data.items() if k in checked.settings}
    if chosen and not settings:
        raise InputError([Diagnostic(
            f"{origin}: `{name}` is a setting of the ruleset — the court's reading of an open point — "
            "not a fact of the case", hint="the court that adopts the ruleset sets it in the ruleset file "
            "(`settings:`); leave it out of the case") for name in chosen])
    model = case_model(checked)
    try:
        parsed = model.model_validate({k: v for k, v in data.items() if k not in chosen})
        read = _settings_model(checked).model_validate(chosen) if chosen else None
    except ValidationError as exc:
        raise InputError(_diagnostics(exc, checked, origin)) from None
    values = parsed.model_dump(by_alias=True)  # nested records as plain dicts, the shape compiled rules read
    for name in checked.settings:  # unset: the ruleset's reading (the compiled default)
        values[name] = getattr(read, _attr(name)) if read is not None else None
    values["evidence"] = [{**item.model_dump(), "verified": False} for item in parsed.f_evidence]
    if verified:
        try:
            checked_items = [EvidenceItem.model_validate(item) for item in verified]
        except ValidationError as exc:  # the evidence layer's own output: a bug, but still located
            raise InputError(_diagnostics(exc, checked, f"{origin}: verified evidence")) from None
        values["evidence"] += [{**item.model_dump(), "verified": True} for item in checked_items]
    return values


def by_name(checked: CheckedRuleset, data: dict[str, Any], origin: str = "case") -> dict[str, Any]:
    """``data`` with each input given by its label (``"借款本金": "5000"``, as a clerk reads the form) under
    its name (``principal``); names stay as they are.  A label two inputs share, or an input given by both
    its name and its label, is refused."""
    names = {f.name for f in checked.inputs}
    if all(k in names for k in data):
        return data
    labels: dict[str, list[str]] = {}
    for f in checked.inputs:
        if f.label:
            labels.setdefault(f.label.strip(), []).append(f.name)
    out: dict[str, Any] = {}
    problems = []
    for key, value in data.items():
        name = key
        found = labels.get(key.strip()) if isinstance(key, str) and key not in names else None
        if found is not None:
            if len(found) > 1:
                problems.append(Diagnostic(f"{origin}: `{key}` is the label of {len(found)} inputs "
                                           f"({', '.join(f'`{n}`' for n in found)})", hint="give the input by its name"))
                continue
            name = found[0]
            if name in data:
                problems.append(Diagnostic(f"{origin}: `{key}` is the label of `{name}`, which is given too",
                                           hint="give each input once"))
                continue
        out[name] = value
    if problems:
        raise InputError(problems)
    return out


def case_reader(checked: CheckedRuleset) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """:func:`parse_case` for a batch of well-formed rows: ``read(data)`` gives the values ``parse_case``
    gives for ``data`` (the same validators, the same dict in the same order), or None when the data is
    not plainly well formed — an input unknown, missing or of the wrong shape, a value a validator
    refuses, a setting, evidence items — and ``parse_case`` must read it (and say why).  It never
    accepts what ``parse_case`` refuses (tests/cases/test_case_reader.py holds the two together).

    What it spares is pydantic's model per row; dates and rates, which repeat from row to row, are
    read once per distinct text (a dict of at most a few thousand entries, cleared when it grows)."""
    cached = getattr(checked, "_case_reader", None)
    if cached is not None:
        return cached
    fields = [(f.name, _converter(checked.input_types[f.name]), f.default is None and not f.optional)
              for f in checked.inputs if f.name not in checked.settings]
    known = frozenset(name for name, _, _ in fields)
    settings = tuple(checked.settings)

    def read(data: dict[str, Any]) -> dict[str, Any] | None:
        if not known.issuperset(data):
            return None  # a setting, evidence items or an unknown input: parse_case says which
        values: dict[str, Any] = {}
        try:
            for name, convert, required in fields:
                value = data.get(name)
                if value is None:
                    if required:
                        return None
                    values[name] = None
                else:
                    values[name] = convert(value)
        except _Declined:
            return None
        values["evidence"] = []
        for name in settings:
            values[name] = None
        return values

    checked._case_reader = read  # type: ignore[attr-defined]
    return read


class _Declined(Exception):
    """A value the case reader leaves to :func:`parse_case`."""


def _checked(validator: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return validator(value)
        except (ValueError, TypeError, ArithmeticError):
            raise _Declined from None
    return convert


def _remembered(validator: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``validator`` read once per distinct text (its values are immutable: dates, Decimals)."""
    seen: dict[str, Any] = {}

    def convert(value: Any) -> Any:
        if type(value) is not str:
            raise _Declined
        try:
            return seen[value]
        except KeyError:
            pass
        try:
            result = validator(value)
        except (ValueError, TypeError, ArithmeticError):
            raise _Declined from None
        if len(seen) > 4096:
            seen.clear()
        seen[value] = result
        return result
    return convert


def _converter(t: Type) -> Callable[[Any], Any]:
    """What :func:`case_reader` does with a value of type ``t``: :func:`python_type`'s validation, without pydantic."""
    if t.kind == "qty":
        if t.per == "month":
            return _remembered(_monthly_rate)
        found = {D_MONEY: _money, D_RATE: _rate, D_DAILY: _rate, D_DAYS: _whole, D_HOURS: _whole}.get(t.dims, _number)
        return _remembered(found) if found is _rate else _checked(found)
    if t.kind == "date":
        return _remembered(_date)
    if t.kind == "bool":
        return _checked(_bool)
    if t.kind == "text":
        return _checked(_text)
    if t.kind == "enum":
        allowed = frozenset(t.values)

        def enum(value: Any) -> Any:
            if type(value) is not str or value not in allowed:
                raise _Declined
            return value
        return enum
    if t.kind == "list":
        item = _converter(t.item)

        def items(value: Any) -> list:
            if type(value) is not list:
                raise _Declined
            return [item(v) for v in value]
        return items
    if t.kind == "record":
        keys = tuple(k for k, _ in t.fields)
        converters = tuple(_converter(v) for _, v in t.fields)
        key_set = frozenset(keys)

        def record(value: Any) -> dict:
            if type(value) is not dict or len(value) != len(keys) or not key_set.issuperset(value):
                raise _Declined  # a field missing or unknown: parse_case names it
            out = {}
            for k, convert in zip(keys, converters):  # noqa: B905 — built together
                v = value[k]
                if v is None:
                    raise _Declined  # a record's fields are required (python_type)
                out[k] = convert(v)
            return out
        return record
    raise AssertionError(t)


def _diagnostics(exc: ValidationError, checked: CheckedRuleset, origin: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    labels = {f.name: f.label for f in checked.inputs}
    for err in exc.errors():
        loc = _loc(err["loc"])
        top = str(err["loc"][0]) if err["loc"] else ""
        label = f" ({labels[top]})" if labels.get(top) and len(err["loc"]) == 1 else ""
        kind = err["type"]
        if kind == "extra_forbidden" and len(err["loc"]) == 1:
            hint = did_you_mean(top, list(labels) + ["evidence"])
            out.append(Diagnostic(f"{origin}: unknown input `{loc}`", hint=hint))
        elif kind == "extra_forbidden":
            out.append(Diagnostic(f"{origin}: `{loc}` is not a field here"))
        elif kind == "missing":
            what = "input" if len(err["loc"]) == 1 else "field"
            out.append(Diagnostic(f"{origin}: missing required {what} `{loc}`{label}"))
        else:
            msg = str(err.get("ctx", {}).get("error") or err["msg"])
            msg = msg.removeprefix("Value error, ")
            out.append(Diagnostic(f"{origin}: `{loc}`{label}: {msg}"))
    return out


def _loc(parts: tuple) -> str:
    text = ""
    for p in parts:  # list positions counted from 1, as a clerk counts (pydantic counts from 0)
        text += f"[{p + 1}]" if isinstance(p, int) else (("." if text else "") + str(p))
    return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` from the command line; JSON arrays/objects/booleans are decoded."""
    if "=" not in text:
        raise InputError(Diagnostic(f"--set {text!r}: write name=value", hint="for example --set claim_amount=100000"))
    name, _, raw = text.partition("=")
    raw = raw.strip()
    if raw[:1] in "[{":
        try:
            return name.strip(), exact_json(raw)
        except json.JSONDecodeError as exc:
            raise InputError(Diagnostic(f"--set {name}: not valid JSON: {exc.msg} at column {exc.colno}")) from None
        except ValueError as exc:  # a key given twice
            raise InputError(Diagnostic(f"--set {name}: {exc}")) from None
    return name.strip(), raw


def json_schema(checked: CheckedRuleset) -> dict[str, Any]:
    schema = case_model(checked).model_json_schema()
    schema["title"] = f"{checked.name} {checked.version} — case inputs"
    return schema
