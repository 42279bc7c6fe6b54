"""The private on-disk cache (ruledsl.core.cache) and the parses kept in it (lang.parser.parse(cached=True)).

A cache entry is a pickle, and reading a pickle runs code: the cache is used only in a
directory and for files of the user's own that no one else may write.  A parse from the
cache is the parse of the text; a text that does not parse is never kept.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys

import pytest

from ruledsl.core import cache
from ruledsl.core.errors import RulesSyntaxError
from ruledsl.lang import parser
from tests.conftest import RULESETS


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RULEDSL_CACHE_DIR", str(folder))
    monkeypatch.delenv("RULEDSL_NO_CACHE", raising=False)
    return folder


def test_an_entry_is_written_whole_in_a_private_directory(cache_dir):
    cache.write("x.pickle", b"payload")
    assert cache.read("x.pickle") == b"payload"
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    assert (cache_dir / "x.pickle").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in cache_dir.iterdir()] == ["x.pickle"]  # no partial file left behind


def test_a_directory_others_may_write_is_not_used(cache_dir):
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)
    cache.write("x.pickle", b"payload")
    assert not (cache_dir / "x.pickle").exists()
    assert cache.read("x.pickle") is None


def test_an_entry_others_may_write_or_a_symlink_is_not_read(cache_dir, tmp_path):
    cache.write("x.pickle", b"payload")
    (cache_dir / "x.pickle").chmod(0o666)
    assert cache.read("x.pickle") is None
    elsewhere = tmp_path / "planted"
    elsewhere.write_bytes(b"planted")
    elsewhere.chmod(0o600)
    (cache_dir / "y.pickle").symlink_to(elsewhere)
    assert cache.read("y.pickle") is None


def test_no_cache_when_disabled(cache_dir, monkeypatch):
    monkeypatch.setenv("RULEDSL_NO_CACHE", "1")
    cache.write("x.pickle", b"payload")
    assert not cache_dir.exists()
    assert cache.read("x.pickle") is None


def test_the_cache_keeps_the_entries_written_last(cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for i in range(5):
        cache.write(f"e{i}.pickle", b"x")
        os.utime(cache_dir / f"e{i}.pickle", (1_000_000 + i, 1_000_000 + i))
    assert sorted(p.name for p in cache_dir.iterdir()) == ["e2.pickle", "e3.pickle", "e4.pickle"]


def _spans(node) -> list:
    """Every span in the tree, in order."""
    if isinstance(node, tuple | list):
        return [s for item in node for s in _spans(item)]
    if not dataclasses.is_dataclass(node):
        return []
    return [getattr(node, "span", None)] + [s for f in dataclasses.fields(node) if f.name != "span"
                                            for s in _spans(getattr(node, f.name))]


def _entries(folder, prefix):
    return sorted(p for p in folder.iterdir() if p.name.startswith(prefix)) if folder.exists() else []


def test_a_cached_parse_is_the_parse_of_the_text(cache_dir):
    path = RULESETS / "consumer_loan.rules"
    text = path.read_text(encoding="utf-8")
    fresh = parser.parse(text, str(path))
    assert _entries(cache_dir, "ast-") == []  # not asked to cache: nothing kept
    first = parser.parse(text, str(path), cached=True)
    (entry,) = _entries(cache_dir, "ast-")
    again = parser.parse(text, str(path), cached=True)
    assert first == fresh and again == fresh
    assert len(_spans(fresh)) > 500 and _spans(again) == _spans(fresh)  # spans are not in ==: compare them too
    assert pickle.loads(entry.read_bytes()) == fresh


def test_a_corrupt_entry_is_parsed_afresh(cache_dir):
    text = (RULESETS / "credit_card.rules").read_text(encoding="utf-8")
    parser.parse(text, "card", cached=True)
    (entry,) = _entries(cache_dir, "ast-")
    entry.write_bytes(b"not a pickle")
    assert parser.parse(text, "card", cached=True) == parser.parse(text, "card")
    pickle.loads(entry.read_bytes())  # and the entry was written again, whole


def test_a_text_that_does_not_parse_is_never_kept(cache_dir):
    with pytest.raises(RulesSyntaxError):
        parser.parse("ruleset x\ncompute:\n  a = (\n", "bad.rules", cached=True)
    assert _entries(cache_dir, "ast-") == []


def test_the_parser_tables_from_the_cache_parse_alike(cache_dir):
    """A fresh process builds the tables and keeps them; the next reads them back and parses the same tree."""
    script = ("import sys; from ruledsl.lang import parser; "
              "print(parser.lark_parser().parse(open(sys.argv[1], encoding='utf-8').read()).pretty())")
    path = str(RULESETS / "private_lending.rules")
    env = {**os.environ, "RULEDSL_CACHE_DIR": str(cache_dir)}

    def run(**extra: str) -> str:
        return subprocess.run([sys.executable, "-c", script, path], env={**env, **extra}, capture_output=True,
                              text=True, check=True).stdout

    built = run()
    assert len(_entries(cache_dir, "lark-")) == 1
    loaded = run()
    assert loaded == built == run(RULEDSL_NO_CACHE="1")
    assert "private_lending" in loaded
