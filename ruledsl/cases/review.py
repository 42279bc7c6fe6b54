"""Case files and deciding them: what ``make demo``, ``ruledsl explain --case`` and the judge assistant share.

A case file is JSON.  Either the inputs themselves (``{"principal": "10000", …}``) or a
wrapped case that names its title and ruleset::

    {"title": "信用卡纠纷 — …", "ruleset": "rulesets/cn/credit_card.rules", "case": {"principal": "48650.32", …},
     "parties": [{"role": "原告 贷款人", "name": "…", "kind": "法人"}, …]}

(``ruleset`` is relative to the project root the file sits in; see :func:`read_case_file`).
Evidence files a case declares (``evidence_files``) are found next to the case file and
verified against the court's log before the rules judge them
(:func:`ruledsl.cases.evidence.attach_evidence`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..lang.errors import RulesError
from ..lang.loader import Decision, Ruleset, load
from .evidence import attach_evidence
from .inputs import decode_text, load_case_json

#: the repository's root (examples/ and rulesets/ sit under it)
ROOT = Path(__file__).resolve().parents[2]
#: the demo court log and its keys (examples/evidence/README.md)
EVIDENCE_DEMO = ROOT / "examples" / "evidence"


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


@dataclass(frozen=True)
class Evidence:
    """How to verify the evidence files cases declare: the court's public key and trusted roots."""

    court_key: Path | None = None
    trust: tuple[Path, ...] = ()


#: the demo log's key and test root (examples/evidence)
DEMO_EVIDENCE = Evidence(EVIDENCE_DEMO / "court.pub", (EVIDENCE_DEMO / "trust" / "root-ca.pem",))


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


def example_cases(root: Path = ROOT) -> list[CaseFile]:
    """The shipped demo cases: ``examples/cases/*.json``, then the evidence demo's cases."""
    cases = [read_case_file(p) for p in sorted((root / "examples" / "cases").glob("*.json"))]
    demo = root / "examples" / "evidence"
    for p in sorted(demo.glob("cases/*/evidence.json")):
        case = read_case_file(p, demo / "demo.rules")
        cases.append(CaseFile(p, f"证据核验 evidence check — {p.parent.name}", case.ruleset, case.inputs,
                              case.parties))
    return cases


def decide_case(case: CaseFile, evidence: Evidence = Evidence(), ruleset: Ruleset | None = None,
                trace: bool = True, files: Path | None = None) -> tuple[Ruleset, Decision]:
    """Load the case's ruleset (unless given), verify its evidence files and decide it.

    Evidence files are looked for in ``files``, by default the case file's folder.
    Raises :class:`~ruledsl.lang.errors.RulesError` (located, with a hint) for a bad ruleset or case.
    """
    if ruleset is None:
        if case.ruleset is None:
            raise RulesError.at(f"{case.path}: no ruleset for this case", hint="name one with \"ruleset\": …")
        ruleset = load(case.ruleset)
    data = attach_evidence(dict(case.inputs), files or case.path.parent, evidence.court_key,
                           [str(t) for t in evidence.trust], frozenset(ruleset.checked.input_types))
    return ruleset, ruleset.evaluate(data, str(case.path), trace=trace)


def decide_upload(data: bytes, name: str, evidence: Evidence = Evidence(),
                  root: Path = ROOT) -> tuple[CaseFile, Ruleset, Decision]:
    """A case file uploaded to the judge assistant, decided.

    It may name only a published ruleset (under ``root/rulesets``), and the evidence files it
    declares are looked for in an empty folder: an upload brings none, so each is reported
    missing, and no file of the server is ever read on its behalf.
    """
    case = read_case_bytes(data, Path(Path(name).name), root=root)
    with tempfile.TemporaryDirectory() as nothing:
        ruleset, decision = decide_case(case, evidence, files=Path(nothing))
    return case, ruleset, decision


def evidence_log_summary(url: str | None = None) -> dict[str, str]:
    """The court log the demo's evidence is verified against, audited: origin, leaves, checkpoints, root.

    ``url`` defaults to the demo log (``examples/evidence/demo.db``, SQLite); an audit failure
    is reported in the ``audit`` entry, not raised (the page still shows the case).
    """
    from ..evidence.errors import EvidenceError
    from ..evidence.log import EvidenceLog
    from ..store import LogStore

    try:
        store = LogStore(url or f"sqlite:///{EVIDENCE_DEMO / 'demo.db'}")
    except EvidenceError as exc:
        return {"audit": f"失败 FAILED: {exc}"}
    try:
        log = EvidenceLog.open(store)
        leaves, checkpoints, root = log.audit()
    except EvidenceError as exc:
        return {"audit": f"失败 FAILED: {exc}"}
    finally:
        store.close()
    return {"origin": log.origin, "leaves": str(leaves), "signed checkpoints": str(checkpoints),
            "root": root.hex()[:16] + "…", "audit": "通过 passed"}
