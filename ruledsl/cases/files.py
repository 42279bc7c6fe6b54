"""Case files: a case's inputs, title, ruleset and parties, read from JSON.

A case file is JSON.  Either the inputs themselves (``{"principal": "10000", …}``) or a
wrapped case that names its title and ruleset::

    {"title": "信用卡纠纷 — …", "ruleset": "rulesets/cn/credit_card.rules", "case": {"principal": "48650.32", …},
     "parties": [{"role": "原告 贷款人", "name": "…", "kind": "法人"}, …]}

(``ruleset`` is relative to the project root the file sits in; see :func:`read_case_file`).
Numbers are read exactly (``Decimal``, never float) and a key given twice is refused
(:func:`ruledsl.core.text.exact_json`).  Deciding a case file is :mod:`ruledsl.review`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruledsl.core.errors import Diagnostic, InputError, RulesError
from ruledsl.core.text import decode_text, exact_json


@dataclass(frozen=True)
class CaseFile:
    """One case: where it came from, its title, the ruleset that decides it and its raw inputs."""

    path: Path
    title: str
    ruleset: Path | None
    inputs: dict[str, Any] = field(repr=False)
    #: the parties as the case file lists them (当事人): role and name, and optionally
    #: kind (自然人 / 法人), id (masked), address, note — shown to the judge, never used by the rules
    parties: tuple[dict[str, str], ...] = ()


def read_case_file(path: Path, ruleset: Path | None = None) -> CaseFile:
    """A case file, plain or wrapped; ``ruleset`` is used when the file names none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError.at(f"cannot read {path}: {exc.strerror}") from None
    return read_case_bytes(data, path, ruleset)


def read_case_bytes(data: bytes, path: Path, ruleset: Path | None = None, root: Path | None = None) -> CaseFile:
    """A case file's content (an upload, say) as if read from ``path``.

    A ruleset the file names is looked for in the folders above ``path``, or, when ``root`` is
    given, only among the published rulesets under ``root/rulesets`` (an upload has no folder of
    its own, and must not make the server read any other file).
    """
    raw = load_case_json(decode_text(data, str(path)), str(path))
    if "case" in raw and ("ruleset" in raw or "title" in raw) and not isinstance(raw["case"], dict):
        raise InputError(Diagnostic(f"{path}: \"case\": a case is a JSON object of input names to values"))
    if isinstance(raw.get("case"), dict) and ("ruleset" in raw or "title" in raw):
        named = raw.get("ruleset")
        if named is not None:
            ruleset = _resolve(path, str(named), root)
        return CaseFile(path, str(raw.get("title") or path.stem), ruleset, raw["case"],
                        _parties(path, raw.get("parties", [])))
    return CaseFile(path, path.stem, ruleset, raw)


PARTY_FIELDS = ("role", "name", "kind", "id", "address", "note")


def _parties(path: Path, raw: object) -> tuple[dict[str, str], ...]:
    if not isinstance(raw, list):
        raise RulesError.at(f"{path}: \"parties\" must be a list of objects", hint='[{"role": "原告", "name": "…"}]')
    parties = []
    for n, party in enumerate(raw, start=1):
        where = f"{path}: parties[{n}]"
        if not isinstance(party, dict):
            raise RulesError.at(f"{where} must be an object with role and name")
        unknown = sorted(set(party) - set(PARTY_FIELDS))
        if unknown:
            raise RulesError.at(f"{where}: unknown field {unknown[0]!r}", hint=f"fields: {', '.join(PARTY_FIELDS)}")
        if not all(isinstance(v, str) for v in party.values()) or not party.get("role") or not party.get("name"):
            raise RulesError.at(f"{where} needs text values, role and name among them")
        parties.append({k: party.get(k, "") for k in PARTY_FIELDS})
    return tuple(parties)


def _resolve(path: Path, named: str, root: Path | None = None) -> Path:
    """A ruleset path from a case file: absolute, or relative to ``root`` or else to the first folder
    above the file that holds it."""
    candidate = Path(named)
    if root is not None:
        published = (root / "rulesets").resolve()
        found = (root / candidate).resolve()
        if candidate.is_absolute() or found.suffix != ".rules" or not found.is_relative_to(published) \
                or not found.is_file():
            raise RulesError.at(f"{path}: {named} is not a published ruleset",
                                hint="name one under rulesets/, e.g. rulesets/cn/consumer_loan.rules")
        return found
    if candidate.is_absolute():
        return candidate
    for folder in path.resolve().parents:
        if (folder / candidate).exists():
            return folder / candidate
    raise RulesError.at(f"{path}: the ruleset {named} named by the case file is not found",
                        hint="give it relative to the project root, e.g. rulesets/cn/consumer_loan.rules")


def load_case_json(text: str, origin: str) -> dict[str, Any]:
    """Decode a case file, keeping every number exact (Decimal, never float); a key given twice is an error."""
    try:
        data = exact_json(text)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):
            raise InputError(Diagnostic(f"{origin}: {exc}")) from None
        raise InputError(Diagnostic(f"{origin}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}")) from None
    if not isinstance(data, dict):
        raise InputError(Diagnostic(f"{origin}: a case file holds one JSON object of input names to values"))
    return data
