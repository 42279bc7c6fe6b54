"""Verified means verified: a required witness must have cosigned; every signature line that was not
verified (an unknown key, a duplicate line) is reported as a warning, without failing the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.core.errors import VerificationError
from ruledsl.evidence.bundle import build_bundle, verify_bundle
from ruledsl.evidence.checkpoint import Checkpoint, open_checkpoint
from ruledsl.evidence.findings import FAILED, WARNING
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.merkle import CompactRange, inclusion_plan, resolve
from ruledsl.evidence.note import ALG_COSIGNATURE_V1, Signer, open_note, sign_note
from ruledsl.evidence.record import Digest, EvidenceRecord
from ruledsl.evidence.verify import exit_status, verify_evidence

EVIDENCE = b"loan contract no. 9\n"
runner = CliRunner()


def _tree() -> tuple[bytes, list[bytes], bytes]:
    recs = [EvidenceRecord.make(Digest("sha256", SHA256.digest(b"%d" % i if i else EVIDENCE).hex()), "loan_contract",
                                "LC-9", "lender-1", f"2024-05-01T0{i}:00:00Z").canonical() for i in range(3)]
    cr, out = CompactRange(SHA256), []
    for r in recs:
        cr.append(SHA256.leaf(r), out)
    store = dict(out)
    proof = resolve(inclusion_plan(0, 3), lambda i: {k: store[k] for k in i}, SHA256)
    return recs[0], proof, cr.root()


def bundle(court: Signer, cosigners: tuple[Signer, ...] = (), extra_lines: str = "") -> bytes:
    record, proof, root = _tree()
    note = sign_note(Checkpoint.make(court.name, 3, root).text(), [court, *cosigners], timestamp=1714521600)
    return build_bundle(record, "sha256", 0, 3, proof, note + extra_lines, EVIDENCE)


def _lines(note_bundle: bytes) -> list[str]:
    from ruledsl.evidence.bundle import read_members

    return read_members(note_bundle)["checkpoint.txt"].decode().split("\n\n", 1)[1].splitlines(keepends=True)


def test_a_required_witness_must_have_cosigned(court: Signer, witness_key: Signer) -> None:
    w = witness_key.verifier()
    with pytest.raises(VerificationError, match=f"not cosigned by the required witness {w.name}\\+{w.hash:08x}"):
        verify_bundle(bundle(court), court.verifier(), [w])
    res = verify_bundle(bundle(court, (witness_key,)), court.verifier(), [w, w])  # given twice: fine
    assert res.checkpoint.cosigners == [w.name]
    other = Signer.generate("notary.example/w2", ALG_COSIGNATURE_V1).verifier()
    with pytest.raises(VerificationError, match="required witness notary.example/w2"):
        verify_bundle(bundle(court, (witness_key,)), court.verifier(), [w, other])
    v = verify_evidence(bundle(court), court.verifier(), witnesses=[w])
    assert not v.log_ok and exit_status(v) == 1
    assert f"required witness {w.name}+{w.hash:08x}" in v.log_findings[0].text


def test_unknown_and_duplicate_signature_lines_are_warnings(court: Signer, witness_key: Signer) -> None:
    cosigned = bundle(court, (witness_key,))
    court_line, witness_line = _lines(cosigned)
    stranger = Signer.generate("stranger.example/k")
    stranger_line = sign_note(Checkpoint.make(court.name, 3, b"\0" * 32).text(), [stranger]).split("\n\n")[1]
    data = bundle(court, (witness_key,), court_line + witness_line + stranger_line + stranger_line)
    v = verify_evidence(data, court.verifier(), witnesses=[witness_key.verifier()], check_signatures=False)
    assert v.log_ok and v.integrity == "ok" and exit_status(v) == 0
    warnings = [f.text for f in v.log_findings if f.status == WARNING]
    c, w, s = (f"{k.name}+{k.hash:08x}" for k in (court, witness_key, stranger))
    assert len(warnings) == 4, warnings
    assert f"second signature line for key {c}" in warnings[0]
    assert f"second signature line for key {w}" in warnings[1]
    assert f"signature line by {s} was not verified: that key is unknown" in warnings[2]
    assert f"second signature line for key {s}" in warnings[3]
    assert v.conclusion[0] == WARNING and not any(f.status == FAILED for f in v.all_findings)
    # without the witness's key its cosignature is one more line not verified
    v = verify_evidence(cosigned, court.verifier())
    assert [f.text for f in v.log_findings if f.status == WARNING] == [
        f"A signature line by {w} was not verified: that key is unknown here (give it, e.g. with --witness, "
        "to check it)."]
    # a bundle whose lines all verify has no such warning
    v = verify_evidence(cosigned, court.verifier(), witnesses=[witness_key.verifier()], check_signatures=False)
    assert not [f for f in v.log_findings if f.status == WARNING] and v.conclusion[0] == "ok"


def test_open_note_lists_every_line_not_verified(court: Signer, witness_key: Signer) -> None:
    note = sign_note("text\n", [court, witness_key])
    sig_c, sig_w = note.split("\n\n")[1].splitlines(keepends=True)
    n = open_note(note + sig_c + sig_w + sig_w, [court.verifier()])
    assert [(s.name, reason) for s, reason in n.ignored] == [
        (witness_key.name, "unknown key"), (court.name, "duplicate"), (witness_key.name, "duplicate"),
        (witness_key.name, "duplicate")]
    assert [s.name for s in n.unverified] == [witness_key.name]  # unchanged: distinct unknown lines
    sc = open_checkpoint(bundle_note(court), court.verifier())
    assert sc.ignored_signatures() == []


def bundle_note(court: Signer) -> str:
    _, _, root = _tree()
    return sign_note(Checkpoint.make(court.name, 3, root).text(), [court])


def test_warnings_reach_the_report_and_the_command_line(tmp_path: Path, court: Signer, witness_key: Signer) -> None:
    from ruledsl.reports import render_html

    court_line = _lines(bundle(court))[0]
    data = bundle(court, (), court_line)
    v = verify_evidence(data, court.verifier())
    text = f"A second signature line for key {court.name}+{court.hash:08x} was ignored"
    assert text in render_html(v)
    (tmp_path / "b.zip").write_bytes(data)
    (tmp_path / "court.pub").write_text(court.verifier().encode() + "\n")
    (tmp_path / "w.pub").write_text(witness_key.verifier().encode() + "\n")
    r = runner.invoke(app, ["verify", str(tmp_path / "b.zip"), "--key", str(tmp_path / "court.pub")])
    assert r.exit_code == 0 and text in r.output and "valid, with reservations" in r.output
    r = runner.invoke(app, ["verify", str(tmp_path / "b.zip"), "--key", str(tmp_path / "court.pub"),
                            "--witness", str(tmp_path / "w.pub")])
    assert r.exit_code == 1, r.output
    assert f"required witness {witness_key.name}+{witness_key.hash:08x}" in r.output
    assert "Traceback" not in r.output
