"""The fixed command-line interface: `ruledsl proof …`, `ruledsl note verify`, `ruledsl log …`, `ruledsl verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app

from .test_merkle import CONSISTENCY, INCLUSION, LEAVES, ROOTS
from .test_note import ENOCH_SIG, ENOCH_VKEY, PETER_SIG, PETER_VKEY, TEXT

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_proof_inclusion_go_vector() -> None:
    from ruledsl.evidence.hashing import SHA256

    leaf, size, proof = INCLUSION[1]
    args = ["proof", "inclusion", "--leaf-hash", SHA256.leaf(LEAVES[leaf - 1]).hex(), "--index", str(leaf - 1),
            "--size", str(size), "--root", ROOTS[size - 1].hex()]
    r = run(*args, "--proof", ",".join(proof))
    assert r.exit_code == 0, r.output
    r = run(*args, "--proof", ",".join(proof[:-1]))  # truncated proof
    assert r.exit_code == 1 and "too short" in r.output
    r = run(*args[:6], "--size", str(size), "--root", ROOTS[size - 1].hex()[:10])
    assert r.exit_code == 1 and "hash" in r.output
    r = run("proof", "inclusion", "--leaf-hash", ROOTS[0].hex(), "--index", "1", "--size", "1", "--root",
            ROOTS[0].hex())
    assert r.exit_code == 1 and "not in a tree of size 1" in r.output
    assert run("proof", "inclusion", "--index", "1").exit_code == 2


def test_proof_consistency_go_vector() -> None:
    s1, s2, proof = CONSISTENCY[1]
    base = ["proof", "consistency", "--size1", str(s1), "--size2", str(s2), "--root1", ROOTS[s1 - 1].hex(),
            "--root2", ROOTS[s2 - 1].hex()]
    assert run(*base, "--proof", ",".join(proof)).exit_code == 0
    assert run(*base).exit_code == 1
    r = run("proof", "consistency", "--size1", "3", "--size2", "3", "--root1", ROOTS[2].hex(), "--root2",
            ROOTS[3].hex())
    assert r.exit_code == 1 and "forked" in r.output
    r = run("proof", "consistency", "--size1", "4", "--size2", "3", "--root1", ROOTS[3].hex(), "--root2",
            ROOTS[2].hex())
    assert r.exit_code == 1 and "shrank" in r.output


def test_note_verify(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    r = run("note", "verify", str(note), "--key", PETER_VKEY)
    assert r.exit_code == 0 and "PeterNeumann" in r.output and "ignored" in r.output
    keyfile = tmp_path / "enoch.pub"
    keyfile.write_text(ENOCH_VKEY + "\n")
    r = run("note", "verify", str(note), "--key", PETER_VKEY, "--key", str(keyfile))
    assert r.exit_code == 0 and "EnochRoot" in r.output
    # a given key whose signature fails makes the note invalid even if another verifies
    bad = tmp_path / "bad.txt"
    tampered = ENOCH_SIG[:60] + ("A" if ENOCH_SIG[60] != "A" else "B") + ENOCH_SIG[61:]  # past the key hash
    bad.write_text(TEXT + "\n" + PETER_SIG + tampered)
    r = run("note", "verify", str(bad), "--key", PETER_VKEY, "--key", ENOCH_VKEY)
    assert r.exit_code == 1 and "invalid signature for key EnochRoot" in r.output
    # only unknown keys signed
    r = run("note", "verify", str(note), "--key", "Other+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    assert r.exit_code == 1
    extra = tmp_path / "extra.txt"
    extra.write_text(TEXT + "\n" + PETER_SIG + "Unexpected line.\n")
    r = run("note", "verify", str(extra), "--key", PETER_VKEY)
    assert r.exit_code == 1 and "unexpected line" in r.output
    r = run("note", "verify", str(tmp_path / "missing.txt"), "--key", PETER_VKEY)
    assert r.exit_code == 1 and "cannot read" in r.output


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RULEDSL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RULEDSL_DB_URL", raising=False)
    return tmp_path


def test_log_workflow(workdir: Path) -> None:
    assert run("log", "keygen", "--name", "court.example/evidence", "--out", "court").exit_code == 0
    assert (workdir / "court.key").stat().st_mode & 0o777 == 0o600
    assert run("log", "keygen", "--name", "court.example/evidence", "--out", "court").exit_code == 1
    assert run("log", "init", "--key", "court.pub").exit_code == 0
    (workdir / "contract.pdf").write_bytes(b"%PDF loan contract")
    (workdir / "notice.pdf").write_bytes(b"%PDF overdue notice")
    r = run("log", "add", "contract.pdf", "notice.pdf", "--kind", "loan_contract", "--case", "LC-2024-7",
            "--submitter", "lender-1", "--time", "2024-05-01T08:00:00+08:00")
    assert r.exit_code == 0, r.output
    r = run("log", "prove", "--index", "0")
    assert r.exit_code == 1 and "no signed checkpoint" in r.output
    r = run("log", "checkpoint", "--key", "court.key", "--out", "cp.txt")
    assert r.exit_code == 0 and r.output.startswith("court.example/evidence\n2\n")
    assert run("note", "verify", "cp.txt", "--key", "court.pub").exit_code == 0
    r = run("log", "prove", "--file", "contract.pdf", "--out", "b.zip")
    assert r.exit_code == 0, r.output
    r = run("verify", "b.zip", "--key", "court.pub")
    assert r.exit_code == 0 and "valid" in r.output and "LC-2024-7" in r.output
    (workdir / "contract.pdf").write_bytes(b"%PDF loan contract, amended")
    r = run("verify", "b.zip", "--key", "court.pub", "--file", "contract.pdf")
    assert r.exit_code == 1 and "does not match" in r.output
    r = run("log", "prove", "--file", "contract.pdf")
    assert r.exit_code == 1 and "not anchored" in r.output
    r = run("log", "add", "notice.pdf", "--kind", "overdue_notice", "--case", "LC-2024-7")
    assert r.exit_code == 0
    r = run("log", "consistency", "--from", "2")
    assert r.exit_code == 0 and "--size2 3" in r.output
    assert run("log", "checkpoint", "--key", "court.key").exit_code == 0
    r = run("log", "verify")
    assert r.exit_code == 0 and "3 leaves" in r.output and "2 signed checkpoints" in r.output
    other = workdir / "other"
    assert run("log", "keygen", "--name", "court.example/evidence", "--out", str(other)).exit_code == 0
    r = run("verify", "b.zip", "--key", str(other) + ".pub")
    assert r.exit_code == 1
    r = run("log", "checkpoint", "--key", str(other) + ".key")
    assert r.exit_code == 1 and "not the log's key" in r.output
    (workdir / "junk.zip").write_bytes(b"not a zip")
    r = run("verify", "junk.zip", "--key", "court.pub")
    assert r.exit_code == 1 and "not a readable bundle" in r.output
    r = run("verify", "b.zip", "--key", "garbage")
    assert r.exit_code == 1 and "verifier key" in r.output


def test_log_without_init(workdir: Path) -> None:
    r = run("log", "verify")
    assert r.exit_code == 1 and "no log here yet" in r.output


def test_rich_markup_in_input_is_printed_as_text(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(TEXT + "\n" + PETER_SIG + "[/bold] [red]x[/red]\n")
    r = run("note", "verify", str(note), "--key", PETER_VKEY)
    assert r.exit_code == 1 and "[/bold]" in r.output


def test_log_add_markup_in_case_id(workdir: Path) -> None:
    assert run("log", "keygen", "--name", "court.example/m", "--out", "court").exit_code == 0
    assert run("log", "init", "--key", "court.pub").exit_code == 0
    (workdir / "[bold]x.pdf").write_bytes(b"x")
    r = run("log", "add", "[bold]x.pdf", "--kind", "loan_contract", "--case", "[/]LC-1")
    assert r.exit_code == 0 and "[bold]x.pdf" in r.output


def test_truncated_log_fails_verify_against_and_is_not_signed(workdir: Path) -> None:
    from ruledsl.store import LogStore
    from ruledsl.store.log import EvidenceLog
    from tests.store.damage import truncate

    assert run("log", "keygen", "--name", "court.example/evidence", "--out", "court").exit_code == 0
    assert run("log", "init", "--key", "court.pub").exit_code == 0
    for i in range(8):
        (workdir / f"e{i}.pdf").write_bytes(b"%%PDF evidence %d" % i)
    assert run("log", "add", *[f"e{i}.pdf" for i in range(5)], "--kind", "loan_contract", "--case", "LC-1").exit_code == 0
    assert run("log", "checkpoint", "--key", "court.key", "--out", "cp5.txt").exit_code == 0
    assert run("log", "add", *[f"e{i}.pdf" for i in range(5, 8)], "--kind", "x", "--case", "LC-1").exit_code == 0
    assert run("log", "checkpoint", "--key", "court.key", "--out", "cp8.txt").exit_code == 0
    assert (workdir / "court.state").exists()  # the signer's record, beside its key
    assert run("log", "keygen", "--name", "notary.example/w1", "--witness", "--out", "w").exit_code == 0
    r = run("log", "cosign", "cp8.txt", "--key", "w.key", "--log-key", "court.pub", "--state", "w.json",
            "--out", "cp8.cosigned.txt")
    assert r.exit_code == 0, r.output
    r = run("log", "verify", "--against", "cp5.txt", "--against", "cp8.cosigned.txt", "--against", "court.state")
    assert r.exit_code == 0 and "extends cp8.cosigned.txt (tree size 8" in r.output, r.output
    # the operator deletes the newest three leaves with their checkpoint rows
    store = LogStore()
    truncate(store, EvidenceLog.open(store).info, 5)
    store.close()
    r = run("log", "verify")  # the database alone cannot tell
    assert r.exit_code == 0 and "5 leaves" in r.output
    for published in ("cp8.txt", "cp8.cosigned.txt", "court.state"):
        r = run("log", "verify", "--against", published)
        assert r.exit_code == 1, r.output
        assert "the log has 5 leaves, fewer than the 8" in r.output and "truncated" in r.output
        assert "Traceback" not in r.output
    assert run("log", "verify", "--against", "cp5.txt").exit_code == 0
    r = run("log", "checkpoint", "--key", "court.key")
    assert r.exit_code == 1 and "refused:" in r.output
    assert "refusing to sign a tree of size 5: a checkpoint of size 8 was signed before" in r.output
    # regrown with other leaves to size 8: a fork
    assert run("log", "add", "e0.pdf", "e1.pdf", "e2.pdf", "--kind", "other", "--case", "LC-9").exit_code == 0
    r = run("log", "verify", "--against", "cp8.txt")
    assert r.exit_code == 1 and "does not extend the checkpoint cp8.txt (size 8)" in r.output
    assert "forked" in r.output
    r = run("log", "checkpoint", "--key", "court.key")
    assert r.exit_code == 1 and "the checkpoint of size 8 signed before" in r.output
    # bad input to the new options: a clear message, exit 1
    r = run("log", "verify", "--against", "missing.txt")
    assert r.exit_code == 1 and "cannot read" in r.output
    (workdir / "junk.txt").write_text("{junk")
    r = run("log", "verify", "--against", "junk.txt")
    assert r.exit_code == 1 and "not a signer state" in r.output
    r = run("log", "checkpoint", "--key", (workdir / "court.key").read_text().strip())
    assert r.exit_code == 1 and "give --state" in r.output
    r = run("log", "checkpoint", "--key", "court.key", "--state", "new.state")
    assert r.exit_code == 1 and "no record of the last checkpoint" in r.output
    r = run("log", "checkpoint", "--key", "court.key", "--state", "new.state", "--since", "cp8.txt")
    assert r.exit_code == 1 and "the checkpoint of size 8 signed before (given as published)" in r.output
