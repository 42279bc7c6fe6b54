"""Evidence bundles: everything needed to check a deposit offline, in one ZIP file.

Members, in this order (names fixed; nothing else allowed)::

    record.txt       the canonical record bytes (ruledsl.evidence.record)
    proof.json       {"format": "ruledsl-inclusion-proof/v1", "hash": "sha256"|"sm3",
                      "leaf_index": i, "tree_size": n, "leaf_hash": hex, "proof": [hex, …]}
    checkpoint.txt   the signed checkpoint (C2SP tlog-checkpoint in a signed note) of size n
    evidence.bin     optional: the evidence file itself (its original name is not kept:
                     file names often carry personal data)
    timestamp.tsr    optional: the RFC 3161 timestamp token whose digest the record holds

The ZIP is canonical: entries stored (not compressed), dated 1980-01-01 00:00,
mode 0644, no comments or extra fields; proof.json is ``json.dumps(…,
indent=1, sort_keys=True)`` plus a newline.  A verifier rebuilds the canonical
form from the members it read and refuses a bundle that differs by a single
byte, so no bit of a bundle can change without the change being reported.

Hostile bundles (zip bombs): :func:`read_members` decides from the ZIP's end
record and central directory alone, before it reads or decompresses a byte of
any member, that the bundle has at most the five members, that every member is
stored (a compressed member is refused unread — no bundle needs one), that
each member stores exactly the bytes it declares, and that the sizes are within
:data:`MAX_MEMBER_BYTES` and, all together, :data:`MAX_BUNDLE_BYTES`; it then
reads each member with a bounded read.  So a bundle costs at most about its own
size to read, and never more than :data:`MAX_BUNDLE_BYTES`.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ruledsl.core.errors import EvidenceError, MalformedError, VerificationError
from ruledsl.evidence.checkpoint import SignedCheckpoint, open_checkpoint
from ruledsl.evidence.hashing import HASH_SIZE, hasher
from ruledsl.evidence.merkle import verify_inclusion
from ruledsl.evidence.note import Verifier
from ruledsl.evidence.record import EvidenceRecord

PROOF_FORMAT = "ruledsl-inclusion-proof/v1"
ORDER = ("record.txt", "proof.json", "checkpoint.txt", "evidence.bin", "timestamp.tsr")
REQUIRED = ORDER[:3]
_HEX = re.compile(r"[0-9a-f]{64}")

#: the largest bundle read: the bundle file itself, and all its members together (256 MiB)
MAX_BUNDLE_BYTES = 256 << 20
#: the largest each member may be; record, proof and checkpoint are small text (a proof holds
#: at most 64 hashes, a checkpoint at most 100 signature lines), a timestamp token is at most
#: 1 MiB (as ruledsl.evidence.tsa.MAX_TOKEN), the evidence file at most MAX_BUNDLE_BYTES
MAX_MEMBER_BYTES = {
    "record.txt": 64 << 10,
    "proof.json": 64 << 10,
    "checkpoint.txt": 64 << 10,
    "evidence.bin": MAX_BUNDLE_BYTES,
    "timestamp.tsr": 1 << 20,
}
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_DIRECTORY = 1024  # five central-directory entries of 46 bytes and a short name, no extra fields
_METHODS = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n:,} bytes"


def proof_json(hash_alg: str, index: int, size: int, leaf_hash: bytes, proof: list[bytes]) -> bytes:
    obj = {
        "format": PROOF_FORMAT,
        "hash": hash_alg,
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": leaf_hash.hex(),
        "proof": [p.hex() for p in proof],
    }
    return (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode("ascii")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in ORDER:
            if name not in members:
                continue
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED
            zi.create_system = 3
            zi.external_attr = 0o100644 << 16
            zf.writestr(zi, members[name])
    return buf.getvalue()


def build_bundle(
    record: bytes,
    hash_alg: str,
    index: int,
    size: int,
    proof: list[bytes],
    checkpoint: str,
    evidence: bytes | None = None,
    timestamp_token: bytes | None = None,
) -> bytes:
    h = hasher(hash_alg)
    members = {
        "record.txt": record,
        "proof.json": proof_json(h.name, index, size, h.leaf(record), proof),
        "checkpoint.txt": checkpoint.encode("utf-8"),
    }
    if evidence is not None:
        members["evidence.bin"] = evidence
    if timestamp_token is not None:
        members["timestamp.tsr"] = timestamp_token
    return _zip(members)


def read_bundle_file(path: str | os.PathLike) -> bytes:
    """The bytes of a bundle file, refused unread when it is larger than :data:`MAX_BUNDLE_BYTES`."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise MalformedError.of(
                f"bundle {p.name} is {_size(size)}, more than a bundle may be ({_size(MAX_BUNDLE_BYTES)})",
                hint="refused unread",
            )
        return p.read_bytes()
    except OSError as exc:
        raise MalformedError.of(f"cannot read {p}: {exc.strerror}") from None


def _precheck(data: bytes) -> None:
    """What the end record says, before zipfile reads the central directory."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise MalformedError.of(f"bundle is {_size(len(data))}, more than a bundle may be ({_size(MAX_BUNDLE_BYTES)})")
    # a canonical bundle has no archive comment, so its end record is its last 22 bytes
    if len(data) < _EOCD_SIZE or data[-_EOCD_SIZE:-_EOCD_SIZE + 4] != _EOCD:
        raise MalformedError.of("not a readable bundle: no ZIP end record where a bundle has it",
                                hint="a bundle is a ZIP file written by `ruledsl log prove`")
    entries, directory = struct.unpack("<HL", data[-12:-6])
    if entries > len(ORDER):
        raise MalformedError.of(f"bundle has {entries} members; a bundle holds at most {len(ORDER)}",
                                hint=f"a bundle holds {', '.join(ORDER)} in this order")
    if directory > _MAX_DIRECTORY:  # zipfile would parse every entry of it, whatever the count says
        raise MalformedError.of(f"bundle's ZIP directory is {_size(directory)}, far more than five members need")


def _check_infos(infos: list[zipfile.ZipInfo], length: int) -> None:
    """Every member stored, its size declared truly and within bounds: decided before reading any."""
    total = 0
    for info in infos:
        name = info.filename
        if info.compress_type != zipfile.ZIP_STORED:
            method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
            raise MalformedError.of(
                f"bundle member {name} is compressed ({method}); refused without decompressing it",
                hint="bundle members are stored uncompressed: a compressed member is never needed",
            )
        if info.flag_bits & 0x1:
            raise MalformedError.of(f"bundle member {name} is encrypted")
        if info.file_size != info.compress_size:
            raise MalformedError.of(
                f"bundle member {name} declares {info.file_size} bytes but stores {info.compress_size}",
                hint="a stored member holds exactly its declared size; refused unread",
            )
        limit = MAX_MEMBER_BYTES[name]
        if info.file_size > limit:
            raise MalformedError.of(
                f"bundle member {name} is {_size(info.file_size)}, more than it may be ({_size(limit)})")
        if info.header_offset + info.compress_size > length:
            raise MalformedError.of(f"bundle member {name} runs past the end of the bundle")
        total += info.file_size
    if total > MAX_BUNDLE_BYTES:
        raise MalformedError.of(
            f"bundle members hold {_size(total)} together, more than a bundle may ({_size(MAX_BUNDLE_BYTES)})")


def read_members(data: bytes) -> dict[str, bytes]:
    """The members of a canonical bundle; any other ZIP is refused (see the module docstring for the bounds)."""
    _precheck(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise MalformedError.of("bundle has duplicate members")
            expected = [n for n in ORDER if n in names]
            if names != expected or any(n not in names for n in REQUIRED):
                raise MalformedError.of(
                    f"bundle members are {names}", hint=f"a bundle holds {', '.join(ORDER)} in this order"
                )
            _check_infos(infos, len(data))
            members = {}
            for info in infos:
                with zf.open(info) as f:
                    blob = f.read(info.file_size + 1)  # bounded: never more than the size checked above
                if len(blob) != info.file_size:
                    raise MalformedError.of(f"bundle member {info.filename} does not hold its declared size")
                members[info.filename] = blob
    except EvidenceError:
        raise
    except Exception as exc:  # zipfile raises many types on corrupt input; all mean "not a bundle"
        raise MalformedError.of(f"not a readable bundle: {exc}", hint="a bundle is a ZIP file") from None
    if _zip(members) != bytes(data):
        raise MalformedError.of(
            "bundle is not in canonical form: its container was altered",
            hint="bundles are written by `ruledsl log prove`; any change to the file is refused",
        )
    return members


@dataclass
class BundleResult:
    record: EvidenceRecord
    leaf_index: int
    leaf_hash: bytes
    checkpoint: SignedCheckpoint
    hash_alg: str
    evidence_checked: bool = False
    timestamp_checked: bool = False
    notes: list[str] = field(default_factory=list)


def _parse_proof(raw: bytes) -> dict:
    try:
        obj = json.loads(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedError.of("proof.json is not valid JSON") from None
    if not isinstance(obj, dict) or set(obj) != {"format", "hash", "leaf_index", "tree_size", "leaf_hash", "proof"}:
        raise MalformedError.of("proof.json has missing or unknown fields")
    if obj["format"] != PROOF_FORMAT:
        raise MalformedError.of(f"proof.json format is not {PROOF_FORMAT}")
    for k in ("leaf_index", "tree_size"):
        if type(obj[k]) is not int or obj[k] < 0:
            raise MalformedError.of(f"proof.json `{k}` must be a non-negative integer")
    if not isinstance(obj["proof"], list) or not all(isinstance(p, str) and _HEX.fullmatch(p) for p in obj["proof"]):
        raise MalformedError.of("proof.json `proof` must be a list of 64-digit lower-case hex hashes")
    if not isinstance(obj["leaf_hash"], str) or not _HEX.fullmatch(obj["leaf_hash"]):
        raise MalformedError.of("proof.json `leaf_hash` must be 64 lower-case hex digits")
    if not isinstance(obj["hash"], str):
        raise MalformedError.of("proof.json `hash` must be text")
    if raw != proof_json(obj["hash"], obj["leaf_index"], obj["tree_size"], bytes.fromhex(obj["leaf_hash"]),
                         [bytes.fromhex(p) for p in obj["proof"]]):
        raise MalformedError.of("proof.json is not in canonical form")
    return obj


def verify_bundle(
    data: bytes,
    log_key: Verifier,
    witnesses: list[Verifier] | None = None,
    origin: str | None = None,
    evidence: bytes | None = None,
) -> BundleResult:
    """Check a bundle offline with the court's verifier key; raise :class:`EvidenceError` on any problem."""
    m = read_members(data)
    record = EvidenceRecord.parse(m["record.txt"])
    obj = _parse_proof(m["proof.json"])
    h = hasher(obj["hash"])
    leaf_hash = h.leaf(m["record.txt"])
    if leaf_hash.hex() != obj["leaf_hash"]:
        raise VerificationError.of("the record does not hash to the bundle's leaf hash")
    sc = open_checkpoint(m["checkpoint.txt"], log_key, witnesses or [], origin)
    if sc.checkpoint.size != obj["tree_size"]:
        raise VerificationError.of(
            f"the proof is for tree size {obj['tree_size']}, the checkpoint for {sc.checkpoint.size}"
        )
    proof = [bytes.fromhex(p) for p in obj["proof"]]
    assert all(len(p) == HASH_SIZE for p in proof)
    verify_inclusion(obj["leaf_index"], sc.checkpoint.size, leaf_hash, proof, sc.checkpoint.root, h)
    res = BundleResult(record, obj["leaf_index"], leaf_hash, sc, h.name)
    for name, blob in (("evidence.bin", m.get("evidence.bin")), ("--file", evidence)):
        if blob is None:
            continue
        got = hasher(record.digest.alg).digest(blob)
        if got.hex() != record.digest.hex:
            raise VerificationError.of(
                f"evidence file ({name}) does not match the anchored digest",
                hint=f"anchored {record.digest}, file has {record.digest.alg}:{got.hex()}: the file was altered",
            )
        res.evidence_checked = True
    tst = m.get("timestamp.tsr")
    if tst is not None:
        if record.tst is None:
            raise VerificationError.of("bundle has a timestamp token but the record anchors none")
        if hasher(record.tst.alg).digest(tst).hex() != record.tst.hex:
            raise VerificationError.of("timestamp token does not match the digest anchored in the record")
        res.timestamp_checked = True
    return res
