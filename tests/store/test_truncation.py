"""A log whose database lost its newest leaves (and their checkpoint rows) is never signed again.

The database alone cannot tell: a consistently truncated log opens and audits clean.  The signer's
own record of the last checkpoint it signed (ruledsl.evidence.signerstate), kept outside the
database, and a checkpoint published earlier (``prove_extends``) can.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ruledsl.core.errors import MalformedError, RefusedError, VerificationError
from ruledsl.evidence.note import Signer
from ruledsl.store import LogStore
from ruledsl.store.log import EvidenceLog

from .damage import truncate

ORIGIN = "court.example/trunc"


@pytest.fixture
def court() -> Signer:
    return Signer.generate(ORIGIN)


def _log(db_url: str, court: Signer) -> tuple[LogStore, EvidenceLog]:
    store = LogStore(db_url)
    return store, EvidenceLog.create(store, court.verifier().encode())


def test_truncated_log_is_refused(db_url: str, tmp_path: Path, court: Signer) -> None:
    state = tmp_path / "court.state"
    store, lg = _log(db_url, court)
    lg.append([b"a%d" % i for i in range(5)])
    lg.sign_checkpoint(court, state)
    lg.append([b"b%d" % i for i in range(3)])
    n8 = lg.sign_checkpoint(court, state)
    assert json.loads(state.read_text())["size"] == 8
    truncate(store, lg.info, 5)
    lg = EvidenceLog.open(store, ORIGIN)  # the database alone is a smaller log that audits clean
    assert lg.audit() == (5, 1, store.root_at(lg.info, 5))
    with pytest.raises(RefusedError) as exc:
        lg.sign_checkpoint(court, state)
    message = exc.value.diagnostics[0].message
    assert "tree of size 5" in message and "checkpoint of size 8" in message and str(state) in message
    assert [s for s, _ in store.checkpoints(lg.info)] == [5]  # nothing was signed
    with pytest.raises(VerificationError, match="the log has 5 leaves, fewer than the 8 .* truncated"):
        lg.prove_extends(n8)
    # the truncated log grows again with other leaves: same size, another root — refused too
    lg.append([b"c%d" % i for i in range(3)])
    with pytest.raises(RefusedError) as exc:
        lg.sign_checkpoint(court, state)
    message = exc.value.diagnostics[0].message
    assert "tree of size 8 with root" in message and "checkpoint of size 8" in message and "rewritten" in message
    with pytest.raises(VerificationError, match="does not extend the checkpoint .size 8.*forked"):
        lg.prove_extends(n8, "the checkpoint (size 8)")
    # and larger: no consistency proof from the recorded checkpoint
    lg.append([b"d"])
    with pytest.raises(RefusedError, match="tree of size 9: it does not extend the checkpoint of size 8"):
        lg.sign_checkpoint(court, state)
    assert json.loads(state.read_text())["size"] == 8  # the record never moved
    store.close()


def test_honest_growth_is_signed_and_recorded(db_url: str, tmp_path: Path, court: Signer) -> None:
    from ruledsl.evidence.signerstate import STATE_FORMAT

    state = tmp_path / "court.state"
    store, lg = _log(db_url, court)
    lg.append([b"x"] * 3)
    n3 = lg.sign_checkpoint(court, state)
    lg.prove_extends(n3)
    lg.append([b"y"] * 4)
    n7 = lg.sign_checkpoint(court, state)
    assert lg.sign_checkpoint(court, state) == n7  # same tree: the same checkpoint
    recorded = json.loads(state.read_text())
    assert recorded == {"checkpoint": n7, "format": STATE_FORMAT, "origin": ORIGIN, "size": 7}
    assert lg.prove_extends(n3).size == 3 and lg.prove_extends(state.read_text()).size == 7
    store.close()


def test_record_is_written_before_the_checkpoint_is_published(db_url: str, tmp_path: Path, court: Signer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "court.state"
    store, lg = _log(db_url, court)
    lg.append([b"x"] * 2)

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("crashed before the database commit")

    monkeypatch.setattr(store, "add_checkpoint", crash)
    with pytest.raises(RuntimeError):
        lg.sign_checkpoint(court, state)
    monkeypatch.undo()
    assert json.loads(state.read_text())["size"] == 2 and store.checkpoints(lg.info) == []
    note = lg.sign_checkpoint(court, state)  # after the crash: the recorded checkpoint is published
    assert store.checkpoints(lg.info) == [(2, note)]
    store.close()


def test_missing_record_needs_the_last_published_checkpoint(db_url: str, tmp_path: Path, court: Signer) -> None:
    store, lg = _log(db_url, court)
    lg.append([b"x"] * 4)
    n4 = lg.sign_checkpoint(court, tmp_path / "court.state")
    lost = tmp_path / "elsewhere" / "court.state"
    with pytest.raises(RefusedError, match="no record of the last checkpoint signed with this key"):
        lg.sign_checkpoint(court, lost)
    assert lg.sign_checkpoint(court, lost, [n4]) == n4  # the record started from the published checkpoint
    assert json.loads(lost.read_text())["size"] == 4
    truncate(store, lg.info, 2)
    lg = EvidenceLog.open(store, ORIGIN)
    fresh = tmp_path / "fresh.state"
    with pytest.raises(RefusedError, match="size 2: a checkpoint of size 4 was signed before .given as published"):
        lg.sign_checkpoint(court, fresh, [n4])  # the published checkpoint catches the truncation too
    assert not fresh.exists()
    store.close()


def test_damaged_or_foreign_record_is_refused(tmp_path: Path, court: Signer) -> None:
    from ruledsl.evidence.signerstate import SignerState

    store, lg = _log(f"sqlite:///{tmp_path / 'e.db'}", court)
    lg.append([b"x"])
    state = tmp_path / "court.state"
    other = Signer.generate("court.example/other")
    store2, lg2 = _log(f"sqlite:///{tmp_path / 'o.db'}", other)
    lg2.append([b"y"])
    lg2.sign_checkpoint(other, state)  # the state file of another key
    with pytest.raises(RefusedError, match="does not hold a checkpoint signed with this key"):
        lg.sign_checkpoint(court, state)
    state.write_text("{not json")
    with pytest.raises(MalformedError, match="not a signer state"):
        lg.sign_checkpoint(court, state)
    state.write_text(json.dumps({"format": "x"}))
    with pytest.raises(MalformedError, match="not a signer state"):
        SignerState(state).load(court.verifier())
    store.close()
    store2.close()
