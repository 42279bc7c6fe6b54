"""The hash function of a log: SHA-256 (RFC 9162) or SM3 (GB/T 32905-2016).

A log has one algorithm for its whole life; it is fixed when the log is created
and recorded with it.  Leaf and node hashes follow RFC 9162 §2.1.1 for either
algorithm::

    leaf  = H(0x00 || record)
    node  = H(0x01 || left || right)
    empty = H("")            (the hash of the empty tree)

SM3 comes from ``cryptography`` (OpenSSL), which implements it; no local copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ruledsl.core.errors import MalformedError

HASH_SIZE = 32
_LEAF = b"\x00"
_NODE = b"\x01"


def _sm3_factory() -> Callable[[bytes], bytes]:
    if "sm3" in hashlib.algorithms_available:
        try:
            hashlib.new("sm3", b"abc")

            def sm3(data: bytes) -> bytes:
                return hashlib.new("sm3", data).digest()

            return sm3
        except ValueError:  # listed but disabled in this OpenSSL build
            pass
    from cryptography.hazmat.primitives import hashes

    def sm3_c(data: bytes) -> bytes:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    return sm3_c


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True, slots=True)
class Hasher:
    """RFC 9162 tree hashing with a named 32-byte hash function."""

    name: str
    digest: Callable[[bytes], bytes]

    def leaf(self, record: bytes) -> bytes:
        return self.digest(_LEAF + record)

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.digest(_NODE + left + right)

    def empty(self) -> bytes:
        return self.digest(b"")

    def file(self, path) -> bytes:
        """Digest of a file's bytes (the evidence digest), read in chunks."""
        if self.name == "sha256":
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            return h.digest()
        with open(path, "rb") as f:
            return self.digest(f.read())


SHA256 = Hasher("sha256", _sha256)
SM3 = Hasher("sm3", _sm3_factory())
HASHERS = {"sha256": SHA256, "sm3": SM3}


def hasher(name: str) -> Hasher:
    """The hasher called ``name`` (``sha256`` or ``sm3``)."""
    try:
        return HASHERS[name.lower()]
    except (KeyError, AttributeError):
        raise MalformedError.of(
            f"unknown hash algorithm {name!r}", hint="a log hashes with `sha256` or `sm3`"
        ) from None
