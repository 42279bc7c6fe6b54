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
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field

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
MAX_MEMBER = 1 << 30


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


def read_members(data: bytes) -> dict[str, bytes]:
    """The members of a canonical bundle; any other ZIP is refused."""
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
            members = {}
            for info in infos:
                if info.file_size > MAX_MEMBER:
                    raise MalformedError.of(f"bundle member {info.filename} is too large")
                members[info.filename] = zf.read(info)
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
