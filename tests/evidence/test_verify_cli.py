"""End to end through the real command line: test CA, timestamp, anchor, prove, verify, cosign."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def court_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed_pdf: bytes) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RULEDSL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RULEDSL_DB_URL", raising=False)
    monkeypatch.delenv("RULEDSL_TRUST_STORE", raising=False)
    (tmp_path / "contract.pdf").write_bytes(signed_pdf)
    assert run("log", "keygen", "--name", "court.example/evidence", "--out", "court").exit_code == 0
    assert run("log", "init", "--key", "court.pub").exit_code == 0
    r = run("log", "test-ca", "ca", "--seed", "ruledsl-tests")  # the PKI that signed signed_pdf
    assert r.exit_code == 0 and "TEST — NOT FOR PRODUCTION" in r.output
    return tmp_path


def _anchor_with_timestamp(d: Path) -> None:
    r = run("log", "timestamp", "contract.pdf", "--tsa", "ca", "--time", "2024-03-01T10:20:00+08:00")
    assert r.exit_code == 0, r.output
    assert (d / "contract.pdf.tsr").exists()
    r = run("log", "add", "contract.pdf", "--kind", "loan_contract", "--case", "LC-2024-7",
            "--time", "2024-03-01T10:30:00+08:00", "--tst", "contract.pdf.tsr")
    assert r.exit_code == 0, r.output
    assert run("log", "checkpoint", "--key", "court.key", "--out", "cp1.txt").exit_code == 0


def test_verify_with_timestamp_and_signature(court_dir: Path) -> None:
    _anchor_with_timestamp(court_dir)
    r = run("log", "prove", "--file", "contract.pdf", "--timestamp", "contract.pdf.tsr", "--out", "b.zip")
    assert r.exit_code == 0, r.output
    r = run("verify", "b.zip", "--key", "court.pub", "--trust", "ca/root-ca.pem")
    assert r.exit_code == 0, r.output
    for text in ("inclusion proof places leaf 0", "equals the anchored digest", "timestamp token is the one anchored",
                 "TSA certificate chains to a trusted root", "signature is intact", "valid"):
        assert text in r.output, text
    r = run("verify", "b.zip", "--key", "court.pub", "--trust", "ca/root-ca.pem", "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["integrity"] == "ok" and out["leaf_index"] == 0 and out["timestamp"]["valid"] is True
    assert out["timestamp"]["gen_time"] == "2024-03-01T02:20:00+00:00"
    assert out["signatures"]["signed"] is True
    assert out["signatures"]["signatures"][0]["signer"] == "示例网络小额贷款有限公司"
    # the trust store from the environment
    r = runner.invoke(app, ["verify", "b.zip", "--key", "court.pub", "--json"],
                      env={"RULEDSL_TRUST_STORE": str(court_dir / "ca" / "root-ca.pem")})
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["timestamp"]["trusted"] is True
    # without a trust store: valid anchoring, chains unchecked — said so, exit 0
    r = run("verify", "b.zip", "--key", "court.pub")
    assert r.exit_code == 0 and "No trust store" in r.output
    # with another CA as trust store: the timestamp and the signature fail → exit 1
    assert run("log", "test-ca", "other", "--seed", "someone-else").exit_code == 0
    r = run("verify", "b.zip", "--key", "court.pub", "--trust", "other/root-ca.pem")
    assert r.exit_code == 1 and "does not chain" in r.output
    # the file changed after anchoring
    (court_dir / "edited.pdf").write_bytes((court_dir / "contract.pdf").read_bytes() + b"\n%edited\n")
    r = run("verify", "b.zip", "--key", "court.pub", "--trust", "ca", "--file", "edited.pdf")
    assert r.exit_code == 1 and "does not match the anchored digest" in r.output
    assert "NOT the anchored file" in r.output


def test_prove_refuses_a_foreign_token(court_dir: Path) -> None:
    _anchor_with_timestamp(court_dir)
    (court_dir / "other.txt").write_bytes(b"other")
    assert run("log", "timestamp", "other.txt", "--tsa", "ca").exit_code == 0
    r = run("log", "prove", "--index", "0", "--timestamp", "other.txt.tsr", "--out", "b.zip")
    assert r.exit_code == 1 and "not the timestamp token anchored" in r.output
    r = run("log", "add", "other.txt", "--kind", "note", "--case", "LC-2024-7")
    assert run("log", "checkpoint", "--key", "court.key").exit_code == 0
    r = run("log", "prove", "--index", "1", "--timestamp", "other.txt.tsr")
    assert r.exit_code == 1 and "anchors no timestamp token" in r.output
    r = run("log", "timestamp", "contract.pdf", "--tsa", "nowhere")
    assert r.exit_code == 1 and "cannot load" in r.output
    r = run("log", "test-ca", "ca")
    assert r.exit_code == 1 and "not overwriting" in r.output


def test_verify_report_option_failure_paths(court_dir: Path) -> None:
    (court_dir / "junk.zip").write_bytes(b"not a zip")
    r = run("verify", "junk.zip", "--key", "court.pub", "--report", "r.pdf")
    assert r.exit_code == 1 and "not a readable bundle" in r.output
    assert (court_dir / "r.pdf").read_bytes().startswith(b"%PDF")  # a report of the failure is still written
    r = run("verify", "missing.zip", "--key", "court.pub")
    assert r.exit_code == 1 and "cannot read" in r.output


def test_witness_cosign_cli(court_dir: Path) -> None:
    _anchor_with_timestamp(court_dir)
    assert run("log", "keygen", "--name", "notary.example/w1", "--witness", "--out", "w").exit_code == 0
    base = ["log", "cosign", "--key", "w.key", "--log-key", "court.pub", "--state", "w-state.json"]
    r = run(*base[:2], "cp1.txt", *base[2:], "--out", "cp1.cosigned.txt")
    assert r.exit_code == 0, r.output
    r = run("note", "verify", "cp1.cosigned.txt", "--key", "court.pub", "--key", "w.pub")
    assert r.exit_code == 0 and "notary.example/w1" in r.output
    # the log grows; the witness needs a consistency proof
    (court_dir / "notice.txt").write_bytes("逾期通知".encode())
    assert run("log", "add", "notice.txt", "--kind", "overdue_notice", "--case", "LC-2024-7").exit_code == 0
    assert run("log", "checkpoint", "--key", "court.key", "--out", "cp2.txt").exit_code == 0
    r = run(*base[:2], "cp2.txt", *base[2:])
    assert r.exit_code == 1 and "not consistent" in r.output  # no proof given
    r = run("log", "consistency", "--from", "1")
    proof = r.output.split("--proof ")[1].strip()
    r = run(*base[:2], "cp2.txt", *base[2:], "--proof", proof)
    assert r.exit_code == 0, r.output
    # shrink: the old checkpoint again is refused and the state does not move
    r = run(*base[:2], "cp1.txt", *base[2:])
    assert r.exit_code == 1 and "shrinks the tree from 2 to 1" in r.output
    assert json.loads((court_dir / "w-state.json").read_text())["court.example/evidence"]["size"] == 2
    # fork: another log under the same key with different content at size 3; the court's signer refuses to
    # sign it (its record, court.state, holds the size-2 checkpoint of the real log), so the fork is signed
    # by a rogue signer without that record
    fork_env = {"RULEDSL_DATA_DIR": str(court_dir / "fork")}
    for args in (["log", "init", "--key", "court.pub"],
                 ["log", "add", "contract.pdf", "notice.txt", "w.pub", "--kind", "x", "--case", "FORK"]):
        assert runner.invoke(app, args, env=fork_env).exit_code == 0
    r = runner.invoke(app, ["log", "checkpoint", "--key", "court.key"], env=fork_env)
    assert r.exit_code == 1 and "does not extend the checkpoint of size 2" in r.output
    r = runner.invoke(app, ["log", "checkpoint", "--key", "court.key", "--state", "rogue.state", "--out", "fork.txt"],
                      env=fork_env)
    assert r.exit_code == 0, r.output
    assert run("log", "add", "w.pub", "--kind", "x", "--case", "LC-2024-7").exit_code == 0
    assert run("log", "checkpoint", "--key", "court.key", "--out", "cp3.txt").exit_code == 0
    r = run(*base[:2], "fork.txt", *base[2:], "--from-log")
    assert r.exit_code == 1 and "not consistent" in r.output and "forked" in r.output
    r = run(*base[:2], "cp3.txt", *base[2:], "--from-log")  # the real size-3 checkpoint is fine
    assert r.exit_code == 0, r.output
    # unknown origin, wrong key type, malformed checkpoint
    r = run("log", "cosign", "fork.txt", "--key", "w.key", "--log-key", "w.pub", "--state", "s.json")
    assert r.exit_code == 1 and "unknown origin" in r.output
    r = run("log", "cosign", "cp3.txt", "--key", "court.key", "--log-key", "court.pub", "--state", "s.json")
    assert r.exit_code == 1 and "cosignature/v1" in r.output
    (court_dir / "bad.txt").write_text("court.example/evidence\n3\nnot base64!\n\n— x y\n")
    r = run(*base[:2], "bad.txt", *base[2:])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_console_script_help() -> None:
    exe = Path(sys.executable).with_name("ruledsl")
    r = subprocess.run([str(exe), "log", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for cmd in ("cosign", "timestamp", "test-ca"):
        assert cmd in r.stdout
    r = subprocess.run([str(exe), "verify", "--help"], capture_output=True, text=True)
    assert "--report" in r.stdout and "--trust" in r.stdout
