"""A judge's review of one case: read the case file, verify the evidence it declares, decide it.

What ``make demo``, ``ruledsl explain --case`` and the judge assistant share.  Evidence files a
case declares (``evidence_files``) are found next to the case file and verified against the
court's log before the rules judge them (:func:`ruledsl.cases.evidence.attach_evidence`);
:func:`evidence_log_summary` audits the log they are verified against.

Imports: core, the compiled-ruleset API, cases, evidence and store; nothing above.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruledsl.cases.evidence import attach_evidence
from ruledsl.cases.files import CaseFile, read_case_bytes, read_case_file
from ruledsl.core.errors import EvidenceError, RulesError
from ruledsl.ruleset import Decision, Ruleset, load

#: the repository's root (examples/ and rulesets/ sit under it)
ROOT = Path(__file__).resolve().parents[2]
#: the demo court log and its keys (examples/evidence/README.md)
EVIDENCE_DEMO = ROOT / "examples" / "evidence"


@dataclass(frozen=True)
class Evidence:
    """How to verify the evidence files cases declare: the court's public key and trusted roots."""

    court_key: Path | None = None
    trust: tuple[Path, ...] = ()


#: the demo log's key and test root (examples/evidence)
DEMO_EVIDENCE = Evidence(EVIDENCE_DEMO / "court.pub", (EVIDENCE_DEMO / "trust" / "root-ca.pem",))


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
    Raises :class:`~ruledsl.core.errors.RulesError` (located, with a hint) for a bad ruleset or case.
    """
    if ruleset is None:
        if case.ruleset is None:
            raise RulesError.at(f"{case.path}: no ruleset for this case", hint="name one with \"ruleset\": …")
        ruleset = load(case.ruleset)
    data, verified = attach_evidence(dict(case.inputs), files or case.path.parent, evidence.court_key,
                                     [str(t) for t in evidence.trust], frozenset(ruleset.checked.input_types))
    return ruleset, ruleset.evaluate(data, str(case.path), trace=trace, verified=verified)


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
    from ruledsl.store import LogStore
    from ruledsl.store.log import EvidenceLog

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
