"""A private on-disk cache for work that comes out the same on every run (the parser's tables, parsed rulesets).

Every ``ruledsl`` command starts a fresh process, and building the LALR tables and parsing a
shipped ruleset cost more than deciding a 360-instalment case; a run keeps their results in
``$RULEDSL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ruledsl``, i.e. ``~/.cache/ruledsl``) and
the next run reads them back.  Entries are pickles, and reading a pickle runs code, so the
cache is used only in a directory of the user's own that no one else may write (created
0700) and only for files in it that are the user's own and writable by no one else;
anywhere else, or with ``RULEDSL_NO_CACHE=1``, every run does the work afresh.  An entry is
written beside its final name and renamed into place: a run never reads half an entry.

Callers name entries by a digest of everything the result depends on, so a stale entry is
never found, only left behind; the cache keeps the :data:`MAX_ENTRIES` written last
(``rm -r ~/.cache/ruledsl`` clears it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_path(name: str) -> Path | None:
    """The path of entry ``name`` (a plain file name) in the private cache, or ``None`` when
    there is no cache to use (disabled, not private, not creatable, or ``name`` not private)."""
    if os.environ.get("RULEDSL_NO_CACHE"):
        return None
    base = os.environ.get("RULEDSL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "ruledsl")
    folder = Path(base)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return None
        path = folder / name
        if path.exists() and not (path.is_file() and _private(path)):
            return None
        return path
    except OSError:
        return None


def read(name: str) -> bytes | None:
    """The bytes of entry ``name``, or ``None`` when it is absent or the cache is not usable."""
    path = cache_path(name)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Store entry ``name`` (whole or not at all); a cache that cannot be written is no error."""
    path = cache_path(name)
    if path is None:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(partial, path)
        _prune(path.parent)
    except OSError:
        partial.unlink(missing_ok=True)


#: the entries kept; writing one more removes the least recently written
MAX_ENTRIES = 200


def _prune(folder: Path) -> None:
    entries = [p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".partial")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)


def _private(path: Path) -> bool:
    """Owned by this user, writable by no one else, not a symbolic link."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
