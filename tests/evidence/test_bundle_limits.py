"""Zip bombs: a hostile bundle is refused from its ZIP directory, before anything is decompressed or read.

Every bomb here is generated at test time (a few hundred KB at most, in memory); each refusal is
checked for its reason, and for what it cost: at most a few MiB of memory (tracemalloc) and well
under a second.  The old reader decompressed each member (up to 1 GiB) before looking at it.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.core.errors import MalformedError
from ruledsl.evidence import bundle as bundle_mod
from ruledsl.evidence.bundle import ORDER, read_members, verify_bundle
from ruledsl.evidence.note import Signer

from .test_bundle import make_bundle

BOMB = 64 << 20  # what the bombs expand to: 64 MiB of zeros (64 KiB compressed)
runner = CliRunner()


def _members(court: Signer) -> dict[str, bytes]:
    return read_members(make_bundle(court, with_evidence=False))


def _zip(members: dict[str, bytes], deflate: frozenset[str] = frozenset()) -> bytes:
    """A ZIP of ``members`` in bundle order, those named in ``deflate`` compressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ORDER:
            if name in members:
                info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
                zf.writestr(info, members[name])
    return buf.getvalue()


def _deflated_bomb(members: dict[str, bytes], name: str = "evidence.bin") -> bytes:
    """The bundle's members with ``name`` = BOMB zeros, deflated, written in 1 MiB pieces (no memory cost)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in ORDER:
            if n == name:
                info = zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w", force_zip64=False) as f:
                    for _ in range(BOMB >> 20):
                        f.write(bytes(1 << 20))
            elif n in members:
                zf.writestr(zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0)), members[n])
    return buf.getvalue()


def _patch_size(data: bytes, name: str, file_size: int) -> bytes:
    """Make member ``name`` lie about its uncompressed size, in its local header and the central directory."""
    out = bytearray(data)
    raw = name.encode()
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        (n,) = struct.unpack_from("<H", out, local + 26)
        if out[local + 30: local + 30 + n] == raw:
            struct.pack_into("<L", out, local + 22, file_size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        (n,) = struct.unpack_from("<H", out, central + 28)
        if out[central + 46: central + 46 + n] == raw:
            struct.pack_into("<L", out, central + 24, file_size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def refused(data: bytes, fn: Callable[[bytes], object] = read_members) -> str:
    """The reason ``fn`` refuses ``data``, having checked the refusal was cheap."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(MalformedError) as exc:
            fn(data)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"refusing it cost {peak >> 20} MiB"
    assert elapsed < 1.0, f"refusing it took {elapsed:.2f} s"
    return exc.value.diagnostics[0].message


def test_a_compressed_member_is_refused_unread(court: Signer) -> None:
    data = _deflated_bomb(_members(court))
    assert len(data) < 200_000  # 64 MiB of zeros in ~64 KiB
    message = refused(data)
    assert "bundle member evidence.bin is compressed (deflate); refused without decompressing it" in message
    # through verify_bundle, and a small compressed required member too
    assert "compressed" in refused(data, lambda d: verify_bundle(d, court.verifier()))
    small = _members(court)
    message = refused(_zip(small, deflate=frozenset({"record.txt"})))
    assert "bundle member record.txt is compressed (deflate)" in message


def test_a_member_lying_about_its_size_is_refused_unread(court: Signer) -> None:
    members = _members(court)
    liar = _patch_size(_deflated_bomb(members), "evidence.bin", 100)  # says 100 bytes, inflates to 64 MiB
    assert "compressed" in refused(liar)
    stored = _zip({**members, "evidence.bin": b"x" * 5000})
    message = refused(_patch_size(stored, "evidence.bin", 10))
    assert message == "bundle member evidence.bin declares 10 bytes but stores 5000"
    message = refused(_patch_size(stored, "evidence.bin", 1 << 30))
    assert message == "bundle member evidence.bin declares 1073741824 bytes but stores 5000"


def test_member_and_total_sizes_are_bounded(court: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    members = _members(court)
    big_token = {**members, "timestamp.tsr": bytes((1 << 20) + 1)}
    message = refused(_zip(big_token))
    assert message == "bundle member timestamp.tsr is 1,048,577 bytes, more than it may be (1 MiB)"
    assert bundle_mod.MAX_BUNDLE_BYTES == 256 << 20
    monkeypatch.setattr(bundle_mod, "MAX_BUNDLE_BYTES", 4096)
    data = _zip({**members, "evidence.bin": bytes(5000)})
    assert "more than a bundle may be (4 KiB)" in refused(data)
    assert bundle_mod.MAX_MEMBER_BYTES == {"record.txt": 64 << 10, "proof.json": 64 << 10,
                                           "checkpoint.txt": 64 << 10, "evidence.bin": 256 << 20,
                                           "timestamp.tsr": 1 << 20}


def test_a_directory_of_many_members_is_refused_before_it_is_parsed(court: Signer) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(3000):
            zf.writestr(f"m{i}", b"")
    assert "bundle has 3000 members; a bundle holds at most 5" in refused(buf.getvalue())
    # the count in the end record says 4, the directory holds 3000 entries
    data = bytearray(buf.getvalue())
    struct.pack_into("<HH", data, len(data) - 14, 4, 4)
    assert "ZIP directory is" in refused(bytes(data))


def test_an_oversized_bundle_file_is_refused_unread(tmp_path: Path, court: Signer) -> None:
    sparse = tmp_path / "huge.zip"
    with sparse.open("wb") as f:  # 300 MiB on paper, nothing on disk
        f.truncate(300 << 20)
    with pytest.raises(MalformedError, match="bundle huge.zip is 300 MiB, more than a bundle may be .256 MiB."):
        bundle_mod.read_bundle_file(sparse)
    (tmp_path / "court.pub").write_text(court.verifier().encode() + "\n")
    (tmp_path / "bomb.zip").write_bytes(_deflated_bomb(_members(court)))
    for name, reason in (("huge.zip", "more than a bundle may be"), ("bomb.zip", "is compressed (deflate)")):
        r = runner.invoke(app, ["verify", str(tmp_path / name), "--key", str(tmp_path / "court.pub")])
        assert r.exit_code == 1 and reason in r.output, r.output
        assert "Traceback" not in r.output


def test_a_declared_evidence_bundle_that_is_too_large_is_unverifiable(tmp_path: Path, court: Signer) -> None:
    from ruledsl.evidence.facts import verify_declarations

    with (tmp_path / "b.zip").open("wb") as f:
        f.truncate(300 << 20)
    facts = verify_declarations([{"kind": "loan_contract", "bundle": "b.zip"}], tmp_path, court.verifier())
    assert facts[0].item is not None and facts[0].item["integrity"] == "unverifiable"
    assert "more than a bundle may be" in facts[0].item["note"]
