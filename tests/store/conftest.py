"""Store fixtures: a SQLite file per test, and a real PostgreSQL server per xdist worker.

The PostgreSQL server is started from the Debian ``postgresql`` package's
binaries: ``initdb`` into a fresh temp dir, ``pg_ctl start`` listening only on a
unix socket inside that dir (so parallel workers never collide), and stopped at
the end of the session.  As root, the server runs as the ``postgres`` system
user (created if missing) via ``runuser``.  Without the binaries the PostgreSQL
tests skip locally but FAIL when ``CI`` is set.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _ensure_pg_user() -> None:
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A running PostgreSQL server for this worker; yields the directory of its unix socket."""
    bindir = _pg_bindir()
    if bindir is None:
        msg = "PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    _ensure_pg_user()
    root = Path(tempfile.mkdtemp(prefix="rdpg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    subprocess.run(
        _as_pg_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--no-sync"]),
        check=True, capture_output=True,
    )
    opts = f"-k {root} -c listen_addresses='' -c fsync=off -c max_connections=50"
    started = subprocess.run(
        _as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "server.log"), "-w",
                     "-t", "60", "start"]),
        capture_output=True, text=True,
    )
    if started.returncode != 0:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        pytest.fail(f"pg_ctl start failed: {started.stderr}\n{log}")
    try:
        yield str(root)
    finally:
        subprocess.run(_as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database on the worker's server."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(host=pg_server, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@/{name}?host={pg_server}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'evidence.db'}"
    return request.getfixturevalue("pg_url")
