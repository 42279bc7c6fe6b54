"""Zip bombs in filing workbooks: refused with the file and the member named, before openpyxl opens them.

Every bomb is generated at test time from a real one-row workbook (a few hundred KB at most) and
checked for what refusing it cost: a few MiB of memory (tracemalloc) and well under a second.
Before, a 1 MB .xlsx bomb cost 2.2 GB and 13 s before the pre-check refused it.
"""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.core.errors import RulesError
from ruledsl.precheck import read_table, table
from ruledsl.ruleset import load

ROOT = Path(__file__).resolve().parents[2]
FEES = ROOT / "rulesets" / "cn" / "court_fees.rules"
SHEET = "xl/worksheets/sheet1.xml"
BOMB = 64 << 20  # 64 MiB of blanks, 64 KiB deflated
runner = CliRunner()


def workbook(path: Path, rows: int = 1) -> Path:
    book = Workbook()
    book.active.append(["诉讼请求金额", "procedure"])
    for i in range(rows):
        book.active.append([100000 + i, "ordinary"])
    book.save(path)
    return path


def rewrite(src: Path, dst: Path, name: str, blanks: int, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """``src`` with member ``name`` padded by ``blanks`` spaces (after its XML declaration, where XML allows
    them), written in 1 MiB pieces so that making the bomb costs no memory."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.compress_type = method
            if info.filename != name:
                zout.writestr(out, data)
                continue
            cut = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
            head, rest = data[:cut], data[cut:]
            with zout.open(out, "w") as f:
                f.write(head)
                for _ in range(blanks >> 20):
                    f.write(b" " * (1 << 20))
                f.write(rest)
    return dst


def lie(path: Path, name: str, file_size: int, crc: int | None = None) -> Path:
    """Make member ``name`` declare ``file_size`` bytes (and ``crc``), in its local header and the directory."""
    data = bytearray(path.read_bytes())
    raw = name.encode()
    for sig, name_at, size_at, crc_at, base in ((b"PK\x03\x04", 26, 22, 14, 30), (b"PK\x01\x02", 28, 24, 16, 46)):
        at = data.find(sig)
        while at >= 0:
            (n,) = struct.unpack_from("<H", data, at + name_at)
            if data[at + base: at + base + n] == raw:
                struct.pack_into("<L", data, at + size_at, file_size)
                if crc is not None:
                    struct.pack_into("<L", data, at + crc_at, crc)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    return path


def refusal(path: Path) -> str:
    """Why ``read_table`` refuses ``path``, having checked that refusing it was cheap."""
    checked = load(FEES).checked
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(RulesError) as exc:
            read_table(path, checked)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"refusing {path.name} cost {peak >> 20} MiB"
    assert elapsed < 2.0, f"refusing {path.name} took {elapsed:.2f} s"
    message = exc.value.diagnostics[0].message
    assert message.startswith(f"{path}: "), message  # located: the file, then the member
    return message


def test_a_legitimate_workbook_still_reads(tmp_path: Path) -> None:
    t = read_table(workbook(tmp_path / "ok.xlsx", rows=3), load(FEES).checked)
    assert [r.number for r in t.rows] == [2, 3, 4]


def test_a_highly_compressed_member_is_refused_unread(tmp_path: Path) -> None:
    bomb = rewrite(workbook(tmp_path / "src.xlsx"), tmp_path / "bomb.xlsx", SHEET, BOMB)
    assert bomb.stat().st_size < 200_000
    message = refusal(bomb)
    assert f"workbook member {SHEET} would expand" in message and "to 64.0 MiB" in message
    assert f"more than {table.XLSX_MAX_RATIO}:1): refused unread as a zip bomb" in message
    r = runner.invoke(app, ["precheck", str(FEES), str(bomb)])
    assert r.exit_code == 1 and "zip bomb" in r.output and "Traceback" not in r.output


def test_a_member_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    src = workbook(tmp_path / "src.xlsx")
    with zipfile.ZipFile(src) as z:
        real = z.read("[Content_Types].xml")
    # the content types (read whole by openpyxl) padded to 64 MiB, but declaring only their real size and
    # CRC: zipfile cuts the data there, so the CRC passes — after inflating up to 1 GiB in one call
    liar = rewrite(src, tmp_path / "liar.xlsx", "[Content_Types].xml", BOMB)
    head = real[: real.index(b"?>") + 2] if real.startswith(b"<?xml") else b""
    lie(liar, "[Content_Types].xml", len(real), zlib.crc32(head + b" " * (len(real) - len(head))))
    message = refusal(liar)
    assert "workbook member [Content_Types].xml holds more than the" in message and "zip bomb" in message
    # a sheet that declares less than it holds, with a wrong CRC
    liar = lie(rewrite(src, tmp_path / "liar2.xlsx", SHEET, 1 << 20), SHEET, 1000)
    assert f"workbook member {SHEET} holds more than the 1,000 bytes it declares" in refusal(liar)


def test_declared_sizes_are_bounded_in_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = workbook(tmp_path / "src.xlsx", rows=3000)  # ≈ 150 KB of sheet XML
    monkeypatch.setattr(table, "XLSX_MAX_UNCOMPRESSED", 64 << 10)
    message = refusal(src)
    assert "the workbook's members expand to more than 65,536 bytes" in message and "refused unread" in message
    assert (table.XLSX_MAX_FILE_BYTES, table.XLSX_MAX_MEMBERS) == (200 << 20, 10_000)


def test_only_deflate_or_stored_members(tmp_path: Path) -> None:
    src = workbook(tmp_path / "src.xlsx")
    assert len(read_table(rewrite(src, tmp_path / "same.xlsx", SHEET, 0), load(FEES).checked).rows) == 1
    lzma = rewrite(src, tmp_path / "lzma.xlsx", SHEET, 0, zipfile.ZIP_LZMA)
    assert "is compressed with method 14; a workbook uses deflate only" in refusal(lzma)


def test_a_malformed_sheet_is_a_clear_error(tmp_path: Path) -> None:
    src = workbook(tmp_path / "src.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, data.replace(b"</sheetData>", b"<row>") if info.filename == SHEET else data)
    r = runner.invoke(app, ["precheck", str(FEES), str(bad)])
    assert r.exit_code == 1 and "the first sheet cannot be read" in r.output and "Traceback" not in r.output


def test_an_oversized_or_overfull_workbook_is_refused_unread(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.xlsx"
    with sparse.open("wb") as f:  # 300 MiB on paper, nothing on disk
        f.truncate(300 << 20)
    assert "the workbook is 300.0 MiB, more than a filing table may be (200.0 MiB)" in refusal(sparse)
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(table.XLSX_MAX_MEMBERS + 1):
            z.writestr(f"m{i}", b"")
    assert "the workbook's ZIP container has 10,001 members" in refusal(many)
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip at all")
    assert "not a readable Excel workbook" in refusal(tmp_path / "junk.xlsx")
