"""A log database that is damaged or is no database at all is a clear StoreError, on the CLI exit 1,
never a SQLAlchemy traceback; the judge assistant's audit line says FAILED."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.core.errors import StoreError
from ruledsl.review import evidence_log_summary
from ruledsl.store import LogStore
from ruledsl.store.log import EvidenceLog

DEMO_DB = Path(__file__).resolve().parents[2] / "examples" / "evidence" / "demo.db"


def damaged(tmp_path: Path) -> Path:
    db = tmp_path / "damaged.db"
    shutil.copy(DEMO_DB, db)
    with db.open("r+b") as f:  # overwrite pages after the header: tables the log reads are garbage
        f.seek(4096)
        f.write(b"\xff" * 8192)
    return db


def not_a_database(tmp_path: Path) -> Path:
    db = tmp_path / "junk.db"
    db.write_bytes(bytes(range(256)) * 4)
    return db


@pytest.mark.parametrize("make", [damaged, not_a_database])
def test_a_broken_database_is_a_store_error(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{make(tmp_path)}"
    with pytest.raises(StoreError, match="database"):
        store = LogStore(url)
        try:
            EvidenceLog.open(store).audit()
        finally:
            store.close()
    result = subprocess.run([sys.executable, "-m", "ruledsl.cli", "log", "--db", url, "verify"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "database" in result.stderr
    assert evidence_log_summary(url)["audit"].startswith("失败 FAILED")
