"""The evidence record: what goes on the log, and its canonical bytes.

A record says *that* a piece of evidence with a given digest was deposited, by
whom, for which case or contract, and when.  It never holds the evidence bytes
or personal data: the file stays with its owner, the log keeps its digest.

Canonical bytes (format ``ruledsl-evidence/v1``) — the leaf hash is
``H(0x00 || canonical bytes)``.  UTF-8 text, one field a line, each line
``<key> SP <value> LF``, keys in exactly this order, no other lines::

    ruledsl-evidence/v1
    digest sha256:<64 lowercase hex>          (or sm3:<64 lowercase hex>)
    kind <kind>                               ([a-z][a-z0-9_]{0,63})
    case <case or contract id>
    submitter <submitter id>
    time <YYYY-MM-DDTHH:MM:SSZ>               (UTC, whole seconds)
    tst sha256:<64 lowercase hex>             (only when an RFC 3161 token was given)

Values are NFC-normalised, non-empty, at most 256 characters, with no control
characters and no leading or trailing white space.  ``case`` and ``submitter``
are identifiers (a court case number such as ``(2024)京0105民初123号``, a
contract number, an organisation code), never a person's name, resident ID
number or mobile number: values that look like a resident ID or mobile number
are refused.  Any implementation can rebuild these bytes from the fields and
recompute the leaf hash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from ruledsl.core.errors import MalformedError

FORMAT = "ruledsl-evidence/v1"
DIGEST_ALGS = ("sha256", "sm3")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DIGEST = re.compile(r"(sha256|sm3):([0-9a-f]{64})")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Personal data that must never reach the log: PRC resident ID numbers, mobile numbers.
_RESIDENT_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_MAX = 256


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise MalformedError.of(f"record field `{field}` must be text")
    v = unicodedata.normalize("NFC", value)
    if not v:
        raise MalformedError.of(f"record field `{field}` is empty")
    if len(v) > _MAX:
        raise MalformedError.of(f"record field `{field}` is longer than {_MAX} characters")
    if v != v.strip():
        raise MalformedError.of(f"record field `{field}` has leading or trailing white space")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in v):
        raise MalformedError.of(f"record field `{field}` has a control character")
    return v


def _no_personal_data(field: str, value: str) -> None:
    if _RESIDENT_ID.search(value) or _MOBILE.search(value):
        raise MalformedError.of(
            f"record field `{field}` looks like a resident ID or mobile number",
            hint="personal data never goes on the log: use a case, contract or organisation identifier",
        )


def format_time(t: datetime) -> str:
    if t.tzinfo is None:
        raise MalformedError.of("record time must carry a time zone")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s: str) -> datetime:
    if not _TIME.fullmatch(s):
        raise MalformedError.of(f"record time {s!r} is not YYYY-MM-DDTHH:MM:SSZ")
    try:
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise MalformedError.of(f"record time {s!r} is not a valid date and time") from None


@dataclass(frozen=True, slots=True)
class Digest:
    alg: str
    hex: str

    @classmethod
    def parse(cls, s: str) -> Digest:
        m = _DIGEST.fullmatch(s) if isinstance(s, str) else None
        if not m:
            raise MalformedError.of(
                f"digest {s!r} is not `sha256:<64 hex>` or `sm3:<64 hex>`", hint="hex digits in lower case"
            )
        return cls(m.group(1), m.group(2))

    def __str__(self) -> str:
        return f"{self.alg}:{self.hex}"


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One deposit on the log (see the module docstring for the canonical bytes)."""

    digest: Digest
    kind: str
    case: str
    submitter: str
    time: str  # canonical UTC time text
    tst: Digest | None = None

    @classmethod
    def make(
        cls,
        digest: Digest | str,
        kind: str,
        case: str,
        submitter: str,
        time: datetime | str,
        tst: Digest | str | None = None,
    ) -> EvidenceRecord:
        d = digest if isinstance(digest, Digest) else Digest.parse(digest)
        if not isinstance(kind, str) or not _KIND.fullmatch(kind):
            raise MalformedError.of(
                f"evidence kind {kind!r} is not a lower-case identifier", hint="e.g. `loan_contract`"
            )
        c = _text("case", case)
        s = _text("submitter", submitter)
        _no_personal_data("case", c)
        _no_personal_data("submitter", s)
        t = format_time(time) if isinstance(time, datetime) else time
        parse_time(t)
        ts = None if tst is None else (tst if isinstance(tst, Digest) else Digest.parse(tst))
        return cls(d, kind, c, s, t, ts)

    @property
    def when(self) -> datetime:
        return parse_time(self.time)

    def canonical(self) -> bytes:
        lines = [
            FORMAT,
            f"digest {self.digest}",
            f"kind {self.kind}",
            f"case {self.case}",
            f"submitter {self.submitter}",
            f"time {self.time}",
        ]
        if self.tst is not None:
            lines.append(f"tst {self.tst}")
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> EvidenceRecord:
        """Parse canonical bytes; anything that would not re-encode to the same bytes is refused."""
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError.of("evidence record is not UTF-8") from None
        if not text.endswith("\n"):
            raise MalformedError.of("evidence record must end with a newline")
        lines = text[:-1].split("\n")
        if lines[0] != FORMAT:
            raise MalformedError.of(f"evidence record does not start with `{FORMAT}`")
        keys = ["digest", "kind", "case", "submitter", "time", "tst"]
        fields: dict[str, str] = {}
        for line, key in zip(lines[1:], keys, strict=False):
            k, sep, v = line.partition(" ")
            if k != key or not sep:
                raise MalformedError.of(f"evidence record line {line!r}: expected field `{key}`")
            fields[key] = v
        if len(lines) - 1 not in (5, 6):
            raise MalformedError.of("evidence record has missing or extra lines")
        rec = cls.make(
            fields["digest"], fields["kind"], fields["case"], fields["submitter"], fields["time"],
            fields.get("tst"),
        )
        if rec.canonical() != bytes(data):
            raise MalformedError.of("evidence record is not in canonical form")
        return rec

    def as_dict(self) -> dict[str, str | None]:
        return {
            "digest": str(self.digest),
            "kind": self.kind,
            "case": self.case,
            "submitter": self.submitter,
            "time": self.time,
            "tst": None if self.tst is None else str(self.tst),
        }
