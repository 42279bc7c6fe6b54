"""Every error a ruleset can raise, built in one place.

A diagnostic renders as ``path:line:col: error: message``, then the source line
with a caret under the span, then a hint where one helps::

    court_fees.rules:14:28: error: unknown name `claim_amout`
       14 |   base_fee = acceptance(claim_amout)
          |                         ^^^^^^^^^^^
       = hint: did you mean `claim_amount`?

Stages collect diagnostics and raise one :class:`RulesError` holding all of
them (a ruleset with any error never runs).  A published ruleset whose court signature does not
hold raises :class:`RulesetSignatureError`, one diagnostic per difference found.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ruledsl.core.messages import FRAME, to_chinese
from ruledsl.core.show import plain_number


@dataclass(frozen=True, slots=True)
class Source:
    """A named source text (a ruleset file, a case file, a CSV table)."""

    name: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node came from: 1-based line and column, end column exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int
    source: Source | None = field(default=None, compare=False, repr=False, hash=False)

    @property
    def file(self) -> str:
        return self.source.name if self.source else "<rules>"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @classmethod
    def point(cls, source: Source | None, line: int, col: int, width: int = 1) -> Span:
        return cls(line, col, line, col + max(width, 1), source)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a ruleset, a case or a table."""

    message: str
    span: Span | None = None
    hint: str | None = None
    severity: str = "error"
    law: tuple[str, ...] = ()

    def localized(self, lang: str = "en", words: Mapping[str, str] | None = None) -> Diagnostic:
        """This diagnostic in ``lang`` ("en" as written; "zh": :func:`ruledsl.core.messages.to_chinese`, with
        ``words`` the keywords in Chinese)."""
        if lang != "zh":
            return self
        return replace(self, message=to_chinese(self.message, words) or self.message,
                       hint=to_chinese(self.hint, words))

    def render(self, lang: str = "en", words: Mapping[str, str] | None = None) -> str:
        """``file:line:col: error: message``, the source line, a caret under the place, the hint and the law;
        in ``lang`` (the language of the ruleset's keywords, or ``--lang``)."""
        if lang != "en":
            return self.localized(lang, words)._render(FRAME.get(lang, {}))
        return self._render({})

    def _render(self, words: dict[str, str]) -> str:
        where = f"{self.span}: " if self.span else ""
        out = [f"{where}{words.get(self.severity, self.severity)}: {self.message}"]
        if self.span and self.span.source:
            text = self.span.source.line(self.span.line)
            if text:
                gutter = f"{self.span.line:>5} | "
                out.append(gutter + text)
                end = self.span.end_col if self.span.end_line == self.span.line else len(text) + 1
                marked = text[self.span.col - 1: end - 1]
                width = max(1, _cells(marked))
                out.append(" " * (len(gutter) - 2) + "| " + _caret_pad(text, self.span.col) + "^" * width)
        if self.hint:
            out.append(f"      = {words.get('hint', 'hint')}: {self.hint}")
        for heading in self.law:
            out.append(f"      = {words.get('law', 'law')}: {heading}")
        return "\n".join(out)

    def as_dict(self) -> dict[str, object]:
        """Plain data for the UI, JSON output and reports."""
        return {
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "col": self.span.col if self.span else None,
            "hint": self.hint,
            "law": list(self.law),
        }


def _cells(text: str) -> int:
    """Terminal cells a text takes: Chinese characters and full-width punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _caret_pad(text: str, col: int) -> str:
    # keep tabs, and two cells per wide character, so the caret lines up under the source
    prefix = text[: col - 1]
    pad = "".join("\t" if ch == "\t" else " " * _cells(ch) for ch in prefix)
    return pad + " " * max(0, col - 1 - len(prefix))


class RulesError(Exception):
    """Base of every ruledsl error; holds one or more diagnostics."""

    kind = "error"

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__(self.diagnostics[0].message if self.diagnostics else self.kind)

    @classmethod
    def at(cls, message: str, span: Span | None = None, hint: str | None = None) -> RulesError:
        return cls(Diagnostic(message, span, hint))

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en", words: Mapping[str, str] | None = None) -> str:
        return "\n".join(d.render(lang, words) for d in self.diagnostics)

    def __reduce__(self):  # picklable across processes (precheck workers)
        return (type(self), (self.diagnostics,))


class RulesSyntaxError(RulesError):
    """The text is not a ruleset: a token the grammar does not allow."""

    kind = "syntax error"


class RulesCheckError(RulesError):
    """A well-formed ruleset that is wrong: names, types, units, dates, cycles."""

    kind = "check error"


class TableError(RulesError):
    """A data table (CSV) that cannot be trusted: unsorted dates, gaps, bad numbers."""

    kind = "table error"


class InputError(RulesError):
    """A case that does not fit the ruleset's inputs: unknown field, wrong type, out of range."""

    kind = "input error"


class RulesRuntimeError(RulesError):
    """A rule failed while running (division by zero, no table value in force)."""

    kind = "runtime error"


# ---- evidence, storage and reports ------------------------------------------------------------------
# Every failure a user can provoke with bad evidence input (a note, key, proof, bundle, record), a log
# store that cannot be trusted or reached, or a report that cannot be written is one of these: the CLI
# prints it and exits 1; nothing ends in a traceback.


class EvidenceError(RulesError):
    """Anything wrong with evidence-log input: a note, key, proof, checkpoint, bundle or record."""

    kind = "evidence error"

    @classmethod
    def of(cls, message: str, hint: str | None = None) -> EvidenceError:
        return cls(Diagnostic(message, None, hint))


class MalformedError(EvidenceError):
    """Input that does not parse: a note, key, checkpoint, proof or record in the wrong format."""

    kind = "malformed input"


class VerificationError(EvidenceError):
    """Input that parses but does not verify: bad signature, proof that does not lead to the root."""

    kind = "verification failed"


class RefusedError(EvidenceError):
    """A request the log or a witness refuses: a shrinking or forked tree, an unknown origin."""

    kind = "refused"


class StoreError(EvidenceError):
    """The log's storage is missing, inconsistent or cannot be reached."""

    kind = "storage error"


class ReportError(RulesError):
    """A report (PDF) that cannot be rendered or written: a missing extra, a font library, a path."""

    kind = "report error"


class AccessDenied(RulesError):
    """A request the case store's service refuses: a failed or locked sign-in, an expired or unknown
    session, a role that may not do this, a lender asking for another lender's case."""

    kind = "access denied"

    @classmethod
    def of(cls, message: str, hint: str | None = None) -> AccessDenied:
        return cls(Diagnostic(message, None, hint))


class RulesetSignatureError(RulesError):
    """A ruleset whose court signature does not hold, or that cannot be signed: not signed, signed by
    another key, its signature file altered or malformed, its text or a table it loads changed since it
    was signed.  One diagnostic per difference, its message Chinese first with the English beside it;
    ``differences`` names each one as ``(what, subject)`` — ``what`` one of :data:`SIGNATURE_PROBLEMS`,
    ``subject`` the table or key it concerns (None for the ruleset itself)."""

    kind = "ruleset not verified"

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic],
                 differences: Iterable[tuple[str, str | None]] = ()) -> None:
        super().__init__(diagnostics)
        self.differences: tuple[tuple[str, str | None], ...] = tuple(differences)

    def __reduce__(self):
        return (type(self), (self.diagnostics, self.differences))


#: what :class:`RulesetSignatureError` can say is wrong with a ruleset's signature
SIGNATURE_PROBLEMS = ("not signed", "malformed signature", "another key", "bad signature", "text changed",
                      "table changed", "table missing", "table added", "table removed")


def signature_error(problems: Iterable[tuple[str, str | None, str, str | None]]) -> RulesetSignatureError:
    """The error for a ruleset whose signature does not hold: each problem is (what — one of
    :data:`SIGNATURE_PROBLEMS` —, subject, message, hint)."""
    problems = list(problems)
    unknown = [p[0] for p in problems if p[0] not in SIGNATURE_PROBLEMS]
    if unknown:
        raise ValueError(f"unknown signature problem {unknown[0]!r}")
    return RulesetSignatureError([Diagnostic(message, None, hint) for _, _, message, hint in problems],
                                 [(what, subject) for what, subject, _, _ in problems])


def bounds_error(bad: list[tuple]) -> InputError:
    """The error for inputs outside their declared ``min``/``max`` (compiled rules raise it): each item is
    (name, "at least"/"at most", limit, value[, how a rate is shown: "rate", "per day" or "per month"])."""
    return InputError([
        Diagnostic(f"`{item[0]}` must be {item[1]} {_bound_text(item[2], *item[4:])}, but it is "
                   f"{_bound_text(item[3], *item[4:])}")
        for item in bad
    ])


def _bound_text(value: object, shown: str = "") -> str:
    """A bound or a value as the ruleset writes it: 24% for a rate, 1.5% per month for a monthly one."""
    if not shown or not isinstance(value, Decimal):
        return plain_number(value)
    if shown == "per month":
        value = value / 12  # kept as the yearly rate it stands for
    text = f"{(value * 100).normalize():f}%"
    return text if shown == "rate" else f"{text} {shown}"


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, or None when nothing is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
