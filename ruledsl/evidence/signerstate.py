"""The signer's own record of the last checkpoint it signed: a log that shrinks or forks is never signed.

Whoever runs the log's database can alter it: deleting the newest leaves with their tree-head
and checkpoint rows leaves a smaller log that audits clean, and a signer that trusted the
database would sign the shrunken tree although a larger one was published.  So the court's
signer keeps, outside the database, the last checkpoint it signed — as Go's sumdb and
Sunlight keep their latest signed tree head apart from the tree — and signs a new tree only
if it extends that one (:func:`require_extension`): the same size with the same root, or a
larger size with an RFC 9162 consistency proof from the recorded checkpoint that verifies.
A smaller tree, or a different root at the same size, is refused (:class:`RefusedError`
naming both sizes).

The record is a small file beside the signing key (``ruledsl log checkpoint --key court.key``
keeps it in ``court.state``; ``--state`` puts it elsewhere)::

    {"checkpoint": "<the signed checkpoint note>", "format": "ruledsl-signer-state/v1",
     "origin": "<origin>", "size": <tree size>}

It is written (write, fsync, rename) *before* the new checkpoint goes into the database, so
the record is never behind what was published, and it is read back and verified with the
signer's key every time, so a damaged record or one written for another key is refused, not
ignored.  The whole check–sign–record step holds an exclusive lock on ``<state>.lock``
(POSIX ``flock``), so two signing processes never record out of order.  Keep the file with
the key and back it up with it: without it the signer cannot tell a truncated log from a new
one, and signing a log that has published checkpoints then needs the last checkpoint the
court published (``--since``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ruledsl.core.errors import EvidenceError, MalformedError, RefusedError
from ruledsl.evidence.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from ruledsl.evidence.hashing import Hasher
from ruledsl.evidence.merkle import verify_consistency
from ruledsl.evidence.note import Verifier

STATE_FORMAT = "ruledsl-signer-state/v1"
_KEYS = {"checkpoint", "format", "origin", "size"}


def default_state_path(key_file: str | os.PathLike) -> Path:
    """Where the signer keeps its record beside its key file: ``court.key`` → ``court.state``."""
    return Path(key_file).with_suffix(".state")


def _root(cp: Checkpoint) -> str:
    return cp.root.hex()


def require_extension(prev: Checkpoint, size: int, root: bytes, proof: Sequence[bytes], h: Hasher,
                      where: str) -> None:
    """Raise :class:`RefusedError` unless the tree (``size``, ``root``) extends ``prev``, the checkpoint
    signed before (``where`` says where it was recorded); ``proof`` is the consistency proof from
    ``prev.size`` to ``size`` (empty when the sizes are equal or the tree is smaller)."""
    if size < prev.size:
        raise RefusedError.of(
            f"refusing to sign a tree of size {size}: a checkpoint of size {prev.size} was signed before"
            f" ({where}); the log has lost leaves",
            hint="the log was truncated or restored from an old backup; restore its newest leaves",
        )
    if size == prev.size:
        if root != prev.root:
            raise RefusedError.of(
                f"refusing to sign the tree of size {size} with root {root.hex()}: the checkpoint of size"
                f" {prev.size} signed before ({where}) has root {_root(prev)}; the log was rewritten",
                hint="a transparency log never changes a tree it published",
            )
        return
    try:
        verify_consistency(prev.size, size, proof, prev.root, root, h)
    except EvidenceError as exc:
        raise RefusedError.of(
            f"refusing to sign a tree of size {size}: it does not extend the checkpoint of size {prev.size}"
            f" signed before ({where}): {exc.diagnostics[0].message}",
            hint="the log forked or was rewritten after that checkpoint was published",
        ) from None


def checkpoint_text(raw: bytes | str, what: str = "checkpoint") -> str:
    """The signed checkpoint in ``raw``: a checkpoint note as published (or as cosigned by witnesses),
    or a signer's state file, which holds the last one signed."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError.of(f"{what} is not UTF-8 text") from None
    if raw.lstrip().startswith("{"):
        return _parse_state(raw, what)["checkpoint"]
    return raw


def _parse_state(text: str, what: str) -> dict:
    try:
        obj = json.loads(text)
    except ValueError:
        raise MalformedError.of(f"{what} is not a signer state (not JSON)") from None
    if not isinstance(obj, dict) or set(obj) != _KEYS or obj.get("format") != STATE_FORMAT:
        raise MalformedError.of(f"{what} is not a signer state ({STATE_FORMAT})")
    if not isinstance(obj["checkpoint"], str) or type(obj["size"]) is not int or not isinstance(obj["origin"], str):
        raise MalformedError.of(f"{what} is not a signer state: wrong field types")
    return obj


class SignerState:
    """The file in which a log's signer records the last checkpoint it signed (see the module docstring)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"SignerState({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    def load(self, verifier: Verifier) -> SignedCheckpoint | None:
        """The recorded checkpoint, verified with ``verifier`` (the log's key); ``None`` when there is no record."""
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedError.of(f"signer state {self.path} is unreadable: {exc}") from None
        obj = _parse_state(text, f"signer state {self.path}")
        try:
            sc = open_checkpoint(obj["checkpoint"], verifier)
        except EvidenceError as exc:
            raise RefusedError.of(
                f"signer state {self.path} does not hold a checkpoint signed with this key:"
                f" {exc.diagnostics[0].message}",
                hint="each log key keeps its own state file; restore the right one from its backup",
            ) from None
        if obj["origin"] != sc.checkpoint.origin or obj["size"] != sc.checkpoint.size:
            raise MalformedError.of(f"signer state {self.path} does not agree with the checkpoint it holds")
        return sc

    def save(self, note: str, verifier: Verifier) -> None:
        """Record ``note`` (a checkpoint signed with the key of ``verifier``), replacing the file atomically."""
        cp = open_checkpoint(note, verifier).checkpoint
        obj = {"checkpoint": note, "format": STATE_FORMAT, "origin": cp.origin, "size": cp.size}
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(obj, f, sort_keys=True, indent=1, ensure_ascii=False)
                    f.write("\n")
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            _fsync_dir(directory)
        except OSError as exc:
            raise RefusedError.of(f"cannot record the checkpoint in signer state {self.path}: {exc.strerror}",
                                  hint="nothing was published") from None

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on ``<state>.lock`` (POSIX systems; elsewhere no lock is taken)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RefusedError.of(f"cannot lock signer state {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
