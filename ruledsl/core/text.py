"""Reading text and JSON the one way every command does: rulesets, case files, filing tables, tables.

* :func:`read_text` — a file's bytes as text (UTF-8, the BOM Notepad and Excel write allowed); a
  file that cannot be read or is not UTF-8 is a located :class:`~ruledsl.core.errors.InputError`,
  never a ``UnicodeDecodeError`` traceback.
* :func:`exact_json` — JSON as case data reads it: every number an exact ``Decimal`` (never a
  float), a key given twice refused.
* :func:`file_sha256` — a file's SHA-256, as the pre-check summary and a ruleset's signature name files.

>>> exact_json('{"principal": 1e5}')
{'principal': Decimal('1E+5')}
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruledsl.core.errors import Diagnostic, InputError, RulesError


def decode_text(data: bytes, origin: str, hint: str | None = None) -> str:
    """A file's bytes as text: UTF-8, with or without the BOM Notepad and Excel write; else a located error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        where = f"{origin}:{line}:{col}: not UTF-8 text (byte {exc.start})"
        raise InputError(Diagnostic(where, hint=hint or _encoding_hint(data))) from None


def _encoding_hint(data: bytes) -> str:
    """What to do with a file that is not UTF-8: save it as UTF-8 — naming GB18030 (GBK) when it reads as that."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return "save the file as UTF-8"
    return "the file looks like GBK / GB18030 (a Chinese Windows editor's default): save it as UTF-8 (“UTF-8”, not “ANSI”)"


def read_text(path: str | Path, hint: str | None = None) -> str:
    """The text of the file at ``path`` (see :func:`decode_text`); a file that cannot be read is an error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError.at(f"cannot read {path}: {exc.strerror}") from None
    return decode_text(data, str(path), hint)


def file_sha256(path: str | Path) -> str:
    """A file's SHA-256 in hex, read in pieces (a filing may be hundreds of megabytes)."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"`{key}` is given twice")
        seen[key] = value
    return seen


#: how deep case data may nest (a case is an object of lists of records: 3 or 4 levels)
MAX_JSON_DEPTH = 32


def exact_json(text: str) -> Any:
    """JSON as case data reads it: every number an exact Decimal (never a float), a key given twice
    an error, nesting deeper than :data:`MAX_JSON_DEPTH` an error (``ValueError``; malformed text
    raises ``json.JSONDecodeError``, a ``ValueError`` too)."""
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_float=Decimal, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    if text.count("[") + text.count("{") < MAX_JSON_DEPTH:
        return data  # nesting is at most the number of brackets opened (a case's lists and records: a few)
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:  # without recursion: what reads the data next (validation, the rules) may recurse
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if children and depth >= MAX_JSON_DEPTH:
            raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in children)
    return data
