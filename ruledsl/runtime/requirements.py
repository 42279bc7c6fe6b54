"""Evidence requirements (``evidence:`` rules) judged against the evidence a case presents.

The compiler lowers each ``require`` / ``warn if no`` rule to a plain
:class:`RequirementSpec` (as it lowers a ledger block to a ``LedgerSpec``), so this
module never sees the syntax tree.  Each ``require`` spec gives one
:class:`RequirementResult` — satisfied, missing, unsigned, late, tampered or
unverifiable — with the reason in words and the law it cites; a ``warn if no`` spec
gives a warning when the item is absent.  The evidence layer fills in each item's
``integrity`` (checked against the anchoring log) and times; this module only applies
the rules to those facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ruledsl.core.errors import Span


@dataclass(frozen=True, slots=True)
class Within:
    """``within 24 hours of signed_at``: the item must be anchored at most ``limit`` after ``of``."""

    limit: timedelta
    of: str      # an item's own time (signed_at, created_at) or a date input of the case
    text: str    # as the rule writes it ("24 hours"), for the reason


@dataclass(frozen=True, slots=True)
class RequirementSpec:
    """One evidence rule as the compiler lowers it; ``warn_only`` for ``warn if no "kind"``."""

    kind: str
    warn_only: bool = False
    at_least: int = 1
    signed: bool = False
    signed_by: str | None = None
    anchored: bool = False
    within: Within | None = None
    timestamped: bool = False
    message: str | None = None
    citations: tuple[str, ...] = ()
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class RequirementResult:
    kind: str
    status: str  # satisfied | declared | missing | unsigned | late | tampered | unverifiable | warning
    reason: str
    message: str | None
    citations: tuple[str, ...]
    span: Span | None
    severity: str = "error"  # error (a failed requirement) or warning

    @property
    def satisfied(self) -> bool:
        return self.status == "satisfied"

    @property
    def explanation(self) -> str:
        """The reason, then the ruleset's own message for this requirement when it has one."""
        return self.reason + (f" — {self.message}" if self.message else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "citations": list(self.citations),
            "line": self.span.line if self.span else None,
            "severity": self.severity,
        }


def judge(rules: tuple[RequirementSpec, ...], items: list[dict], inputs: dict) -> list[RequirementResult]:
    """Apply every evidence rule to the case's items, in rule order.

    Only *verified* items (``verified: True``: checked against the court's log, their signatures and
    timestamps, by :mod:`ruledsl.evidence`) can meet a rule.  Items a party merely declares
    (``verified: False``, whatever ``signed`` or ``anchored_at`` they claim) are reported as
    ``declared`` — presented but not verified — and never satisfy a requirement.
    """
    results = []
    for rule in rules:
        of_kind = [i for i in items if i.get("kind") == rule.kind]
        verified = [i for i in of_kind if i.get("verified")]
        declared = len(of_kind) - len(verified)
        if rule.warn_only:
            if verified:
                status, reason = "satisfied", f"{len(verified)} presented"
            elif declared:
                status, reason = "declared", _declared(declared)
            else:
                status, reason = "warning", "not presented"
            results.append(RequirementResult(rule.kind, status, reason, rule.message if not verified else None,
                                             rule.citations, rule.span, "warning"))
            continue
        if len(verified) < rule.at_least and declared:
            status, reason = "declared", _declared(declared) + (
                f"; {len(verified)} verified, at least {rule.at_least} required" if verified else "")
        else:
            status, reason = _require(rule, verified, inputs)
        message = rule.message if status != "satisfied" else None
        results.append(RequirementResult(rule.kind, status, reason, message, rule.citations, rule.span))
    return results


def _declared(n: int) -> str:
    return (f"仅声明，未经核验 — {n} declared by the party, not verified: only evidence verified against "
            "the court's log counts")


def _require(rule: RequirementSpec, items: list[dict], inputs: dict) -> tuple[str, str]:
    if len(items) < rule.at_least:
        if not items:
            return "missing", "not presented"
        return "missing", f"{len(items)} presented, at least {rule.at_least} required"
    for item in items:
        name = item.get("file") or rule.kind
        if item.get("integrity") == "tampered":
            return "tampered", f"{name}: the file does not match the digest anchored on the log"
        if item.get("integrity") == "unverifiable":
            return "unverifiable", f"{name}: {item.get('note') or 'its anchoring could not be verified'}"
        if rule.signed and not item.get("signed"):
            return "unsigned", f"{name}: no valid signature"
        if rule.signed_by and (item.get("signer") or "") != rule.signed_by:
            return "unsigned", f"{name}: signed by {item.get('signer') or 'nobody'}, not {rule.signed_by}"
        if rule.timestamped and not item.get("timestamped"):
            return "unverifiable", f"{name}: no trusted timestamp"
        if rule.anchored or rule.within:
            anchored = item.get("anchored_at")
            if anchored is None:
                return "unverifiable", f"{name}: not anchored on the evidence log"
            if rule.within is not None:
                ref = item.get(rule.within.of) if rule.within.of in item else inputs.get(rule.within.of)
                if ref is None:
                    return "unverifiable", f"{name}: no {rule.within.of} to measure the delay from"
                if not hasattr(ref, "hour"):  # a date input: the limit runs from the end of that day
                    day, ref = ref, datetime.combine(ref, time.max, tzinfo=anchored.tzinfo)
                    if anchored - ref > rule.within.limit:
                        return "late", f"{name}: {_late_after_date(anchored, day, rule.within)}"
                    continue
                if anchored < ref:  # the item's own time: anchoring cannot come before it
                    return "unverifiable", (f"{name}: anchored {duration(ref - anchored)} before its "
                                            f"{rule.within.of}: the log cannot show the file was anchored within "
                                            f"{rule.within.text} after it")
                delay = anchored - ref
                if delay > rule.within.limit:
                    return "late", (f"{name}: anchored {duration(delay)} after {rule.within.of}, "
                                    f"limit {rule.within.text}")
    return "satisfied", f"{len(items)} presented"


def _late_after_date(anchored: datetime, day: date, within: Within) -> str:
    """Why an item anchored after a limit that runs from the end of a date is late, counted as a clerk
    counts: a limit of whole days is met by the last day it allows, so the delay is in calendar days
    (2024-03-31 → 2024-05-15 is 45 days); any other limit is measured from the end of the day."""
    on = anchored.date()
    if within.limit % timedelta(days=1):
        start = datetime.combine(day + timedelta(days=1), time.min, tzinfo=anchored.tzinfo)
        return (f"anchored {anchored.isoformat(' ', 'minutes')}, {duration(anchored - start)} after the end of "
                f"{within.of} {day.isoformat()}, limit {within.text}")
    days = (on - day).days
    return (f"anchored on {on.isoformat()}, {days} 天 / {_unit(days, 'day')} after {within.of} {day.isoformat()}, "
            f"limit {within.text}")


def duration(delta: timedelta) -> str:
    """A delay exactly, in Chinese and English: ``30 天 30 分钟 / 30 days 30 minutes``; seconds (and their
    fraction) only when there are any, so that a delay just past a limit never reads as the limit.

    >>> duration(timedelta(days=30, minutes=30))
    '30 天 30 分钟 / 30 days 30 minutes'
    >>> duration(timedelta(hours=24, microseconds=500000))
    '1 天 0.5 秒 / 1 day 0.5 seconds'
    """
    shown = _duration_parts(delta)
    zh = " ".join(f"{n} {unit}" for n, unit, _, _ in shown)
    en = " ".join(f"{n} {unit}" + ("" if one else "s") for n, _, unit, one in shown)
    return f"{zh} / {en}"


def duration_zh(delta: timedelta) -> str:
    """The Chinese half of :func:`duration` (``2 天 19 小时``), for pages that speak Chinese."""
    return " ".join(f"{n} {unit}" for n, unit, _, _ in _duration_parts(delta))


def _duration_parts(delta: timedelta) -> list[tuple[str, str, str, bool]]:
    whole = int(delta.total_seconds())
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    second = f"{seconds}.{delta.microseconds:06d}".rstrip("0").rstrip(".") if delta.microseconds else str(seconds)
    parts = [(days, "天", "day"), (hours, "小时", "hour"), (minutes, "分钟", "minute")]
    shown = [(str(n), zh, en, n == 1) for n, zh, en in parts if n]
    if seconds or delta.microseconds or not shown:
        shown.append((second, "秒", "second", second == "1"))
    return shown


def _unit(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")
