"""C2SP signed notes (https://c2sp.org/signed-note), byte-compatible with Go's golang.org/x/mod/sumdb/note.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> <base64(4-byte key hash || signature)>``.  Keys:

* verifier key  ``<name>+<8 hex key hash>+<base64(alg byte || public key)>``
* signer key    ``PRIVATE+KEY+<name>+<8 hex key hash>+<base64(alg byte || Ed25519 seed)>``
* key hash      first 4 bytes (big-endian) of SHA-256(name || "\\n" || alg byte || public key)

Algorithms: 0x01 Ed25519 signs the note text itself (Go's only type, used by the
court's log key); 0x04 is a C2SP tlog-cosignature/v1 Ed25519 witness key, which
signs ``"cosignature/v1\\ntime <t>\\n" || text`` and puts the 8-byte big-endian
timestamp before the 64-byte signature.

:func:`open_note` follows Go's ``note.Open``: signatures by unknown keys are
kept as unverified, a known key whose signature fails is an error, a note with
no verified signature is an error.  Base64 must be canonical here (Go's decoder
tolerates stray padding bits; this one does not, so any bit flip is caught).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
import time as _time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ruledsl.core.errors import MalformedError, VerificationError

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
_ALGS = {ALG_ED25519: "Ed25519", ALG_COSIGNATURE_V1: "cosignature/v1 (Ed25519)"}
_SIG_PREFIX = "— "
MAX_SIGNATURES = 100


def b64decode(s: str, what: str) -> bytes:
    """Strict, canonical standard base64 (RFC 4648 §4, with padding)."""
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedError.of(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != s:
        raise MalformedError.of(f"{what} is not canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_valid_name(name: str) -> bool:
    """Non-empty, no Unicode white space, no '+' (Go: isValidName)."""
    return bool(name) and "+" not in name and not any(c.isspace() or c == "\x85" for c in name)


def key_label(name: str, hash32: int) -> str:
    """How a key is named to people: ``name+hash`` (the hash as 8 hex digits), as note signature lines carry it."""
    return f"{name}+{hash32:08x}"


def key_hash(name: str, key: bytes) -> int:
    return struct.unpack(">I", hashlib.sha256(name.encode("utf-8") + b"\n" + key).digest()[:4])[0]


def _parse_hash(hash16: str, what: str) -> int:
    if len(hash16) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hash16):
        raise MalformedError.of(f"{what}: key hash must be 8 hex digits")
    return int(hash16, 16)


@dataclass(frozen=True)
class Verifier:
    """A public key that checks signatures by one named key."""

    name: str
    hash: int
    alg: int
    public: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """From ``name+hash+base64`` (Go: NewVerifier)."""
        if not isinstance(vkey, str):
            raise MalformedError.of("verifier key must be text")
        vkey = vkey.strip()
        parts = vkey.split("+", 2)  # base64 may itself hold "+"
        if len(parts) != 3 or vkey.startswith("PRIVATE+KEY+"):
            raise MalformedError.of(
                "verifier key is not `name+hash+base64`",
                hint="a verifier key looks like `court.example/log+1a2b3c4d+AXu…`",
            )
        name, hash16, key64 = parts
        if not is_valid_name(name):
            raise MalformedError.of("verifier key has an invalid name")
        h = _parse_hash(hash16, "verifier key")
        key = b64decode(key64, "verifier key data")
        if not key:
            raise MalformedError.of("verifier key has no key data")
        if h != key_hash(name, key):
            raise MalformedError.of("verifier key hash does not match its name and key")
        alg, pub = key[0], key[1:]
        if alg not in _ALGS:
            raise MalformedError.of(f"verifier key has unknown algorithm {alg}")
        if len(pub) != 32:
            raise MalformedError.of("verifier key has the wrong length for Ed25519")
        return cls(name, h, alg, pub)

    def encode(self) -> str:
        return f"{self.label}+{b64encode(bytes([self.alg]) + self.public)}"

    @property
    def label(self) -> str:
        """``name+hash``, how people are shown this key (:func:`key_label`)."""
        return key_label(self.name, self.hash)

    @property
    def algorithm(self) -> str:
        return _ALGS[self.alg]

    def verify(self, text: bytes, sig: bytes) -> bool:
        pub = Ed25519PublicKey.from_public_bytes(self.public)
        if self.alg == ALG_COSIGNATURE_V1:
            if len(sig) != 8 + 64:
                return False
            (ts,) = struct.unpack(">Q", sig[:8])
            if ts > 2**63 - 1:
                return False
            msg = b"cosignature/v1\ntime %d\n" % ts + text
            sig = sig[8:]
        else:
            msg = text
        try:
            pub.verify(sig, msg)
        except InvalidSignature:
            return False
        return True

    def cosigned_at(self, sig: bytes) -> int | None:
        """The POSIX time inside a cosignature/v1 signature."""
        if self.alg != ALG_COSIGNATURE_V1 or len(sig) < 8:
            return None
        return struct.unpack(">Q", sig[:8])[0]


@dataclass(frozen=True)
class Signer:
    """A private key that signs notes (keep it secret)."""

    name: str
    hash: int
    alg: int
    seed: bytes = field(repr=False)

    @classmethod
    def parse(cls, skey: str) -> Signer:
        """From ``PRIVATE+KEY+name+hash+base64`` (Go: NewSigner)."""
        if not isinstance(skey, str):
            raise MalformedError.of("signer key must be text")
        skey = skey.strip()
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise MalformedError.of("signer key is not `PRIVATE+KEY+name+hash+base64`")
        _, _, name, hash16, key64 = parts
        if not is_valid_name(name):
            raise MalformedError.of("signer key has an invalid name")
        h = _parse_hash(hash16, "signer key")
        key = b64decode(key64, "signer key data")
        if not key:
            raise MalformedError.of("signer key has no key data")
        alg, seed = key[0], key[1:]
        if alg not in _ALGS:
            raise MalformedError.of(f"signer key has unknown algorithm {alg}")
        if len(seed) != 32:
            raise MalformedError.of("signer key has the wrong length for Ed25519")
        s = cls(name, h, alg, seed)
        if key_hash(name, bytes([alg]) + s.public) != h:
            raise MalformedError.of("signer key hash does not match its name and key")
        return s

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        if not is_valid_name(name):
            raise MalformedError.of(f"key name {name!r} is invalid", hint="no spaces and no `+`")
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        s = cls(name, 0, alg, seed)
        return cls(name, key_hash(name, bytes([alg]) + s.public), alg, seed)

    @property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def encode(self) -> str:
        return f"PRIVATE+KEY+{key_label(self.name, self.hash)}+{b64encode(bytes([self.alg]) + self.seed)}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.hash, self.alg, self.public)

    def sign(self, text: bytes, timestamp: int | None = None) -> bytes:
        if self.alg == ALG_COSIGNATURE_V1:
            ts = int(_time.time()) if timestamp is None else timestamp
            return struct.pack(">Q", ts) + self._key.sign(b"cosignature/v1\ntime %d\n" % ts + text)
        return self._key.sign(text)


@dataclass(frozen=True)
class Signature:
    name: str
    hash: int
    b64: str

    def line(self) -> str:
        return f"{_SIG_PREFIX}{self.name} {self.b64}\n"

    @property
    def label(self) -> str:
        """``name+hash``, how people are shown this key (:func:`key_label`)."""
        return key_label(self.name, self.hash)

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.b64)[4:]


UNKNOWN_KEY = "unknown key"
DUPLICATE = "duplicate"


@dataclass
class Note:
    """A note's text and its signatures (verified, and unverified = by keys not given).

    ``ignored`` lists, in order, every signature line :func:`open_note` did not verify, with
    the reason: ``"unknown key"`` (a key not given; each distinct line once more in
    ``unverified``) or ``"duplicate"`` (a second line for a key already seen — Go's
    ``note.Open`` skips these without a word; a verifier should say so)."""

    text: str
    sigs: list[Signature] = field(default_factory=list)
    unverified: list[Signature] = field(default_factory=list)
    verified_by: list[Verifier] = field(default_factory=list)
    ignored: list[tuple[Signature, str]] = field(default_factory=list)


def _check_chars(msg: str) -> None:
    for c in msg:
        if c < " " and c != "\n":
            raise MalformedError.of("malformed note: control character", hint="notes are plain UTF-8 text")


def parse_note(msg: bytes | str) -> Note:
    """Split a signed note into text and (unchecked) signatures; raise on any malformation."""
    if isinstance(msg, bytes | bytearray):
        try:
            s = bytes(msg).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError.of("malformed note: not UTF-8") from None
    else:
        s = msg
    _check_chars(s)
    split = s.rfind("\n\n")
    if split < 0:
        raise MalformedError.of(
            "malformed note: no blank line before the signatures", hint="a note is text, a blank line, signatures"
        )
    text, sigs = s[: split + 1], s[split + 2 :]
    if not sigs or not sigs.endswith("\n"):
        raise MalformedError.of("malformed note: the signature block must end with a newline")
    out = Note(text)
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedError.of(f"malformed note: more than {MAX_SIGNATURES} signatures")
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise MalformedError.of(
                f"malformed note: unexpected line {line[:60]!r} in the signature block",
                hint="signature lines start with an em dash and a space",
            )
        name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not is_valid_name(name) or not b64:
            raise MalformedError.of(f"malformed note: bad signature line {line[:60]!r}")
        raw = b64decode(b64, "note signature")
        if len(raw) < 5:
            raise MalformedError.of("malformed note: signature too short")
        out.sigs.append(Signature(name, struct.unpack(">I", raw[:4])[0], b64))
    return out


def open_note(msg: bytes | str, verifiers: Iterable[Verifier]) -> Note:
    """Parse and verify (Go: note.Open).

    Raises :class:`VerificationError` when a given key's signature fails, when
    two given keys share a name and hash and that key signed, or when no given
    key signed the note.
    """
    parsed = parse_note(msg)
    known: dict[tuple[str, int], list[Verifier]] = {}
    for v in verifiers:
        known.setdefault((v.name, v.hash), []).append(v)
    text = parsed.text.encode("utf-8")
    note = Note(parsed.text)
    seen: set[tuple[str, int]] = set()
    seen_unverified: set[str] = set()
    for sig in parsed.sigs:
        key = (sig.name, sig.hash)
        vs = known.get(key)
        if vs is None:
            if sig.line() not in seen_unverified:
                seen_unverified.add(sig.line())
                note.unverified.append(sig)
                note.ignored.append((sig, UNKNOWN_KEY))
            else:
                note.ignored.append((sig, DUPLICATE))
            continue
        if len(vs) > 1:
            raise VerificationError.of(f"ambiguous key {sig.label}")
        if key in seen:
            note.ignored.append((sig, DUPLICATE))
            continue
        seen.add(key)
        if not vs[0].verify(text, sig.raw):
            raise VerificationError.of(
                f"invalid signature for key {sig.label}",
                hint="the note's text or signature was changed after signing",
            )
        note.sigs.append(sig)
        note.verified_by.append(vs[0])
    if not note.sigs:
        names = ", ".join(s.label for s in note.unverified) or "none"
        raise VerificationError.of(
            "note has no verifiable signatures", hint=f"signed by: {names}; check the key you were given"
        )
    return note


def sign_note(text: str, signers: Sequence[Signer], existing: Sequence[Signature] = (),
              timestamp: int | None = None) -> str:
    """Sign ``text`` (Go: note.Sign): keep existing signatures not replaced by a new signer, then add new ones.

    ``timestamp`` — the time (Unix seconds) cosignature/v1 signers attest; default now."""
    if not text.endswith("\n"):
        raise MalformedError.of("malformed note: text must end with a newline")
    _check_chars(text)
    have = {(s.name, s.hash) for s in signers}
    out = [text, "\n"]
    for sig in existing:
        if (sig.name, sig.hash) in have:
            continue
        out.append(sig.line())
    for s in signers:
        if not is_valid_name(s.name):
            raise MalformedError.of("invalid signer name")
        raw = struct.pack(">I", s.hash) + s.sign(text.encode("utf-8"), timestamp)
        out.append(Signature(s.name, s.hash, b64encode(raw)).line())
    return "".join(out)
