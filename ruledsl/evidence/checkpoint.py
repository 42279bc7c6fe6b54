"""C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed tree head.

Note text::

    <origin>              unique identity of the log, e.g. ``court.example/evidence``
    <tree size>           ASCII decimal, no leading zeros
    <base64 root hash>    standard base64 of the 32-byte root
    [<extension line>]    optional, non-empty (this log writes none)

The court signs the text as a signed note with its Ed25519 log key, whose name
is the origin; witnesses add cosignatures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ruledsl.core.errors import MalformedError, VerificationError
from ruledsl.evidence.hashing import HASH_SIZE
from ruledsl.evidence.note import DUPLICATE, Note, Verifier, b64decode, b64encode, open_note, parse_note

_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_SIZE = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def make(cls, origin: str, size: int, root: bytes) -> Checkpoint:
        cp = cls(origin, size, bytes(root))
        return cls.parse(cp.text())

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise MalformedError.of("malformed checkpoint: text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedError.of(
                "malformed checkpoint: needs an origin, a tree size and a root hash line",
                hint="see c2sp.org/tlog-checkpoint",
            )
        origin, size_s, root_s, *ext = lines
        if not origin or origin != origin.strip():
            raise MalformedError.of("malformed checkpoint: empty or padded origin line")
        if not _SIZE.fullmatch(size_s) or int(size_s) > MAX_SIZE:
            raise MalformedError.of(f"malformed checkpoint: tree size {size_s[:30]!r} is not a decimal number")
        root = b64decode(root_s, "checkpoint root hash")
        if len(root) != HASH_SIZE:
            raise MalformedError.of(f"malformed checkpoint: root hash is {len(root)} bytes, not {HASH_SIZE}")
        if any(not e for e in ext):
            raise MalformedError.of("malformed checkpoint: empty extension line")
        return cls(origin, int(size_s), root, tuple(ext))


@dataclass
class SignedCheckpoint:
    checkpoint: Checkpoint
    note: Note
    raw: str

    @property
    def cosigners(self) -> list[str]:
        return [v.name for v in self.note.verified_by if v.name != self.checkpoint.origin]

    def ignored_signatures(self) -> list[str]:
        """One sentence per signature line that was not verified (unknown key, duplicate line)."""
        out = []
        for sig, reason in self.note.ignored:
            who = sig.label
            if reason == DUPLICATE:
                out.append(f"A second signature line for key {who} was ignored: only the first line for a key "
                           "is checked, so this one was not verified.")
            else:
                out.append(f"A signature line by {who} was not verified: that key is unknown here "
                           "(give it, e.g. with --witness, to check it).")
        return out


def open_checkpoint(
    raw: bytes | str, log_key: Verifier, witnesses: Iterable[Verifier] = (), origin: str | None = None
) -> SignedCheckpoint:
    """Verify a signed checkpoint: the log's signature must be there and valid, and every witness
    given must have cosigned it (a witness asked for but absent is a :class:`VerificationError`
    naming it).  Signature lines by other keys, and duplicate lines, are kept in
    ``note.ignored`` (see :meth:`SignedCheckpoint.ignored_signatures`).

    ``origin`` defaults to the log key's name; a checkpoint from another origin is refused.
    """
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError.of("malformed checkpoint: not UTF-8") from None
    expected = origin or log_key.name
    cp = Checkpoint.parse(parse_note(raw).text)
    if cp.origin != expected:
        raise VerificationError.of(
            f"checkpoint is for unknown origin {cp.origin!r}", hint=f"expected the log {expected!r}"
        )
    required = [w for w in dict.fromkeys(witnesses) if w != log_key]  # each witness once
    note = open_note(raw, [log_key, *required])
    if not any(v is log_key for v in note.verified_by):
        raise VerificationError.of(
            f"checkpoint is not signed by the log key {log_key.label}",
            hint="a witness's cosignature alone does not make a checkpoint",
        )
    missing = [w for w in required if not any(v is w for v in note.verified_by)]
    if missing:
        names = ", ".join(w.label for w in missing)
        raise VerificationError.of(
            f"the checkpoint is not cosigned by the required witness{'es' if len(missing) > 1 else ''} {names}",
            hint="a witness given with --witness must have cosigned the checkpoint the bundle carries",
        )
    return SignedCheckpoint(cp, note, raw)
