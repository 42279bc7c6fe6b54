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

from ruledsl.core.calendar import add_months
from ruledsl.core.errors import Span

#: what judging a requirement finds, worst last but one (a warning is no failure)
STATUSES = ("satisfied", "declared", "missing", "late", "early", "tampered", "unverifiable", "unsigned", "warning")


@dataclass(frozen=True, slots=True)
class Within:
    """A window of time around ``of`` — an item's own time (signed_at, created_at) or a date input:

    * ``after`` (``within 30 days after overdue_on``): from ``of`` to ``limit`` after it;
    * ``before`` (``within 6 months before filed_on``): from ``limit`` before ``of`` up to it;
    * ``of``: either side of a date input; after an item's own time (a file cannot be anchored before it
      was signed).

    A date input is the whole of its day: a limit of days runs from the day's start (before) or end (after),
    so that 30 days after 2024-03-31 ends with 2024-04-30.  ``months`` (for months and years) moves the
    date by calendar months instead of ``limit``."""

    limit: timedelta
    of: str      # an item's own time (signed_at, created_at) or a date input of the case
    text: str    # as the rule writes it ("24 hours"), for the reason
    side: str = "of"
    months: int = 0

    def bounds(self, ref: date | datetime, tz) -> tuple[datetime, datetime]:  # type: ignore[no-untyped-def]
        """The earliest and latest moments inside the window (a date input read in the time zone ``tz``)."""
        after = self.side in ("of", "after")
        before = self.side == "before" or (self.side == "of" and not isinstance(ref, datetime))
        if isinstance(ref, datetime):
            start = end = ref
        else:
            start, end = datetime.combine(ref, time.min, tzinfo=tz), datetime.combine(ref, time.max, tzinfo=tz)
        return (self._move(start, -1) if before else start), (self._move(end, 1) if after else end)

    def _move(self, moment: datetime, sign: int) -> datetime:
        if self.months:
            return datetime.combine(add_months(moment.date(), sign * self.months), moment.timetz())
        return moment + sign * self.limit

    @property
    def words(self) -> str:
        """The window as the rule writes it: ``30 days after overdue_on``."""
        return f"{self.text} {self.side} {self.of}"


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
    #: ``dated within …``: only items whose own date (created_at, as declared) is in the window count
    dated: Within | None = None


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
    if rule.dated is not None and items:
        items, outside = _dated(rule, items, inputs)
        if len(items) < rule.at_least:
            return "missing", outside
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
                found = _anchored_in_time(rule.within, anchored, item, inputs)
                if found is not None:
                    return found[0], f"{name}: {found[1]}"
        if rule.dated is not None and item.get("anchored_at") is not None and item.get("created_at") is not None \
                and item["created_at"] > item["anchored_at"]:
            return "unverifiable", (f"{name}: dated {item['created_at'].date().isoformat()}, after it was anchored "
                                    f"({item['anchored_at'].isoformat(' ', 'minutes')}): the date is not the file's")
    return "satisfied", f"{len(items)} presented"


def _anchored_in_time(within: Within, anchored: datetime, item: dict, inputs: dict) -> tuple[str, str] | None:
    """Why an item's anchoring is outside ``within`` — (status, reason) — or None when it is inside."""
    own = within.of in item
    ref = item.get(within.of) if own else inputs.get(within.of)
    if ref is None:
        return "unverifiable", f"no {within.of} to measure the delay from"
    lower, upper = within.bounds(ref, anchored.tzinfo)
    if own:  # the item's own time: anchoring cannot come before it
        if anchored < ref:
            return "unverifiable", (f"anchored {duration(ref - anchored)} before its {within.of}: the log cannot "
                                    f"show the file was anchored within {within.text} after it")
        if anchored > upper:
            return "late", f"anchored {duration(anchored - ref)} after {within.of}, limit {within.text}"
        return None
    if anchored > upper:
        if within.side == "before":
            return "late", (f"anchored on {anchored.date().isoformat()}, after {within.of} {ref.isoformat()}: "
                            f"it must be anchored within {within.words}")
        return "late", _late_after_date(anchored, ref, within)
    if anchored < lower:
        days = (ref - anchored.date()).days
        if within.side == "after":
            return "early", (f"anchored on {anchored.date().isoformat()}, {days} 天 / {_unit(days, 'day')} before "
                             f"{within.of} {ref.isoformat()}: it must be anchored within {within.words}")
        return "early", (f"anchored on {anchored.date().isoformat()}, {days} 天 / {_unit(days, 'day')} before "
                         f"{within.of} {ref.isoformat()}, more than {within.text} before it")
    return None


def _dated(rule: RequirementSpec, items: list[dict], inputs: dict) -> tuple[list[dict], str]:
    """The items whose own date (``created_at``, as the party declares it) is inside ``rule.dated``, and, for
    when they are too few, why: how many are in the window, which dates fall outside it."""
    window = rule.dated
    inside, outside, undated = [], [], 0
    for item in items:
        when = item.get("created_at")
        ref = item.get(window.of) if window.of in item else inputs.get(window.of)
        if when is None or ref is None:
            undated += 1
            continue
        lower, upper = window.bounds(ref, when.tzinfo)
        if lower <= when <= upper:
            inside.append(item)
        else:
            outside.append(when.date().isoformat())
    reason = f"{len(inside)} dated within {window.words}"
    ref = inputs.get(window.of)
    if isinstance(ref, date) and not isinstance(ref, datetime):
        lower, upper = window.bounds(ref, None)
        reason += f" ({lower.date().isoformat()} – {upper.date().isoformat()})"
    reason += f", at least {rule.at_least} required"
    if outside:
        reason += "; dated outside it: " + ", ".join(sorted(set(outside)))
    if undated:
        reason += f"; {undated} without a date (created_at)"
    return inside, reason


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
