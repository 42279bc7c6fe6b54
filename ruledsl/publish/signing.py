"""The court's signature over a ruleset: what is signed, how it is written, how it is checked.

What is signed
--------------
* the ruleset's **canonical text** — exactly what ``ruledsl fmt`` writes for the file
  (:func:`ruledsl.lang.fmt.format_text`, keywords in the file's own language) — by its SHA-256 over
  the UTF-8 bytes;
* each **table file** the ruleset loads (``table NAME: date -> … from "tables/lpr.csv" …``), by the
  SHA-256 of the file's bytes as they are on disk, under the table's name.  Band schedules are
  written inside the ruleset, so the text covers them.

So layout is free and words are not: re-indenting, blank lines, trailing spaces, CRLF line ends or a
byte-order mark leave the canonical text — and the signature — as they were, because ``fmt`` writes
them one way.  **A comment is signed**: ``fmt`` keeps comments, and a published ruleset's comments are
read as the court's (they say how a rule reads the law, which article a block implements); a
signature that let anyone rewrite them would put words in the court's mouth.  Translating the
keywords (``fmt --lang en`` of a 规则集 file) changes the text and needs a new signature, because
the published text is what judges and lenders read.  A table is signed byte for byte (re-saving a CSV
from Excel with other line ends changes its hash): the file is the data, and a court re-signs after
editing it.

The signature file
------------------
Beside the ruleset, its name with ``.sig`` added (``consumer_loan.rules.sig``): a C2SP signed note
(:mod:`ruledsl.evidence.note`, the format of the evidence log's checkpoints) whose text is::

    court.example/log                       the origin: the name of the court's key
    ruledsl ruleset signature v1            what this note is (never a checkpoint: line 2 is no tree size)
    ruleset cn.consumer_loan                the ruleset's id, version and effective date (its header)
    version "2026.1"
    effective 2021-01-01
    sha256 3f1c…                            the canonical text's SHA-256, 64 hex digits
    table lpr_1y 9a0b…                      one line per table file it loads, in the order declared

    — court.example/log AbCd…               the Ed25519 signature line(s)

Signing (:func:`sign_ruleset`) refuses a ruleset that does not check (a bad ruleset is never
published) and a witness's cosigning key; signing again replaces the signature file.  Verifying
(:func:`verify_ruleset`) first opens the signature file with the court's public key — no file
(not signed), a malformed one, one signed by another key, or one whose signature does not verify
stops there, since nothing in it can be trusted to compare against — then recomputes the canonical
text and every table file's hash from the files as they are now and raises one
:class:`~ruledsl.core.errors.RulesetSignatureError` naming every difference together: the text
changed (and the id, version or effective date, when those did), a table changed, missing, added or
no longer loaded.  Messages are Chinese first, the English beside them; ``differences`` says the
same as ``(what, subject)`` pairs for programs.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruledsl.core.errors import MalformedError, RulesError, VerificationError, signature_error
from ruledsl.core.text import file_sha256, read_text
from ruledsl.evidence.note import ALG_ED25519, Signer, Verifier, open_note, parse_note, sign_note
from ruledsl.lang import ast
from ruledsl.lang.fmt import format_parsed, quote, unquote
from ruledsl.lang.parser import parse
from ruledsl.ruleset import check_text

SIGNATURE_SUFFIX = ".sig"
#: line 2 of every ruleset signature note
FORMAT_LINE = "ruledsl ruleset signature v1"
#: a signature file is a few hundred bytes; a larger one is not read
MAX_SIGNATURE_BYTES = 64 * 1024

_HEX64 = re.compile(r"[0-9a-f]{64}")


def signature_path(ruleset: str | Path) -> Path:
    """Where a ruleset's signature is: ``NAME.rules`` → ``NAME.rules.sig``, beside it."""
    ruleset = Path(ruleset)
    return ruleset.with_name(ruleset.name + SIGNATURE_SUFFIX)


@dataclass(frozen=True)
class TableDigest:
    """A table file a ruleset loads: its name, its path as the ruleset writes it, the SHA-256 of its bytes
    (None when the file is missing, not a regular file, or outside the ruleset's folder)."""

    name: str
    path: str
    sha256: str | None


@dataclass(frozen=True)
class Digest:
    """What is signed for one ruleset, computed from the files as they are now."""

    ruleset: str
    version: str
    effective: str
    sha256: str
    tables: tuple[TableDigest, ...]

    def note_text(self, origin: str) -> str:
        """The text the court signs (see the module's docstring); every table file must be there."""
        lines = [origin, FORMAT_LINE, f"ruleset {self.ruleset}", f"version {quote(self.version)}",
                 f"effective {self.effective}", f"sha256 {self.sha256}"]
        for table in self.tables:
            if table.sha256 is None:
                raise MalformedError.of(f"table `{table.name}`: its file {table.path} cannot be read")
            lines.append(f"table {table.name} {table.sha256}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SignedNote:
    """The text of a ruleset signature note, read back (see :meth:`parse`)."""

    origin: str
    ruleset: str
    version: str
    effective: str
    sha256: str
    tables: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> SignedNote:
        """Read a note's text; anything but the exact lines :meth:`Digest.note_text` writes is malformed."""
        lines = text.split("\n")
        if len(lines) < 3 or lines[1] != FORMAT_LINE:
            raise MalformedError.of(f"not a ruleset signature: line 2 is not `{FORMAT_LINE}`")
        if lines[-1] != "" or len(lines) < 7:
            raise MalformedError.of("not a ruleset signature: too few lines")
        lines.pop()
        origin, _, *fields = lines
        values = []
        for line, word in zip(fields[:4], ("ruleset", "version", "effective", "sha256"), strict=True):
            head, _, value = line.partition(" ")
            if head != word or not value:
                raise MalformedError.of(f"not a ruleset signature: expected a `{word}` line, not {line[:60]!r}")
            values.append(value)
        ruleset, version, effective, sha = values
        if not _HEX64.fullmatch(sha):
            raise MalformedError.of("not a ruleset signature: sha256 is not 64 lowercase hex digits")
        tables: list[tuple[str, str]] = []
        for line in fields[4:]:
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != "table" or not _HEX64.fullmatch(parts[2]):
                raise MalformedError.of(f"not a ruleset signature: expected `table NAME SHA256`, not {line[:60]!r}")
            if any(name == parts[1] for name, _ in tables):
                raise MalformedError.of(f"not a ruleset signature: table `{parts[1]}` is listed twice")
            tables.append((parts[1], parts[2]))
        return cls(origin, ruleset, _unquote(version), effective, sha, tuple(tables))


def _unquote(text: str) -> str:
    version = unquote(text)
    if version is None:
        raise MalformedError.of("not a ruleset signature: the version is not quoted as the formatter quotes")
    return version


@dataclass(frozen=True)
class Signed:
    """A ruleset whose signature holds (what :func:`sign_ruleset` wrote or :func:`verify_ruleset` found)."""

    path: Path
    signature: Path
    key: str  # the court key's name+hash
    digest: Digest


def _file_sha256(base: Path, written: str) -> str | None:
    path = (base / written).resolve()
    if not path.is_relative_to(base):
        return None
    try:
        if not path.is_file():  # never opens a FIFO or a device
            return None
        return file_sha256(path)
    except OSError:
        return None


def digest_ruleset(path: str | Path, text: str | None = None) -> Digest:
    """The canonical text's hash and every loaded table file's hash, as the files are now (a ruleset that
    does not parse raises its syntax error)."""
    path = Path(path)
    text = read_text(path) if text is None else text
    tree = parse(text, str(path), cached=True)
    canonical = format_parsed(tree, text)
    base = path.parent.resolve()
    tables = tuple(TableDigest(d.name, d.path, _file_sha256(base, d.path))
                   for d in tree.of_type(ast.DatedTableDecl))
    header = tree.header
    return Digest(header.name, header.version, header.effective.text,
                  hashlib.sha256(canonical.encode("utf-8")).hexdigest(), tables)


def sign_ruleset(path: str | Path, signer: Signer) -> Signed:
    """Check the ruleset, then write its signature beside it (replacing an older one); a ruleset that does
    not check raises its errors and nothing is written."""
    path = Path(path)
    if signer.alg != ALG_ED25519:
        raise MalformedError.of(f"{signer.name} 是见证人的副署密钥，规则集须用法院的密钥签署（key {signer.name} is a "
                                "witness's cosigning key; a ruleset is signed with the court's key）",
                                hint="生成法院密钥（make one）：`ruledsl log keygen --name …`")
    text = read_text(path)
    check_text(text, str(path), path.parent)
    digest = digest_ruleset(path, text)
    note = sign_note(digest.note_text(signer.name), [signer])
    sig = signature_path(path)
    fd, tmp = tempfile.mkstemp(prefix=sig.name, suffix=".tmp", dir=sig.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(note)
        os.replace(tmp, sig)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Signed(path, sig, signer.verifier().label, digest)


def verify_ruleset(path: str | Path, verifier: Verifier) -> Signed:
    """Check the ruleset's signature against the court's key and recompute what it signs; raise one
    :class:`~ruledsl.core.errors.RulesetSignatureError` naming every difference."""
    path = Path(path)
    sig = signature_path(path)
    note = _open_signature(sig, path, verifier)
    problems: list[tuple[str, str | None, str, str | None]] = []
    try:
        now = digest_ruleset(path)
    except RulesError as exc:
        if type(exc) is RulesError:  # the file cannot be read at all
            raise
        first = exc.diagnostics[0].message if exc.diagnostics else exc.kind
        raise signature_error([("text changed", None,
                                f"规则集文本自签署后已改动，且已无法解析（the ruleset's text changed since it was signed "
                                f"and no longer parses: {first}）", f"签署时（signed） sha256 {note.sha256}")]) from None
    if now.sha256 != note.sha256:
        what = [f"{word} {old} → {new}" for word, old, new in (("ruleset", note.ruleset, now.ruleset),
                                                              ("version", note.version, now.version),
                                                              ("effective", note.effective, now.effective))
                if old != new]
        said = f"：{'，'.join(what)}" if what else ""
        problems.append(("text changed", None,
                         f"规则集文本自签署后已改动{said}（the ruleset's text changed since it was signed"
                         f"{': ' + ', '.join(what) if what else ''}）",
                         f"签署时（signed） sha256 {note.sha256}；现在（now） {now.sha256}。只改排版不会改变它"
                         "（layout alone never changes it, `ruledsl fmt`）：改动的是文字、数字或注释（a word, a "
                         "number or a comment changed）"))
    signed = dict(note.tables)
    for table in now.tables:
        old = signed.pop(table.name, None)
        if old is None:
            problems.append(("table added", table.name,
                             f"表 `{table.name}`（{table.path}）未经签署（table `{table.name}` ({table.path}) was not "
                             "signed: the ruleset loads it since)", None))
        elif table.sha256 is None:
            problems.append(("table missing", table.name,
                             f"找不到表 `{table.name}` 的文件 {table.path}（table `{table.name}`: its file "
                             f"{table.path} is missing）", f"在规则集所在的目录中查找（looked beside the ruleset）：{path.parent}"))
        elif table.sha256 != old:
            problems.append(("table changed", table.name,
                             f"表 `{table.name}`（{table.path}）自签署后已改动（table `{table.name}` ({table.path}) "
                             "changed since the ruleset was signed）", f"签署时（signed） sha256 {old}；现在（now） {table.sha256}"))
    for name in signed:
        problems.append(("table removed", name,
                         f"签署时的表 `{name}` 已不在规则集中（table `{name}` was signed, but the ruleset no longer "
                         "loads it）", None))
    if problems:
        raise signature_error(problems)
    return Signed(path, sig, verifier.label, now)


def _open_signature(sig: Path, path: Path, verifier: Verifier) -> SignedNote:
    """The signature file's note, verified by the court's key, read back."""
    try:
        with sig.open("rb") as f:
            raw = f.read(MAX_SIGNATURE_BYTES + 1)
    except FileNotFoundError:
        raise signature_error([("not signed", None,
                                f"规则集未签名：找不到 {sig.name}（not signed: there is no {sig.name} beside the "
                                "ruleset）", f"由法院签署（the court signs it）：`ruledsl sign {path.name} --key court.key`")]
                              ) from None
    except OSError as exc:
        raise signature_error([("malformed signature", None,
                                f"无法读取签名文件 {sig.name}（cannot read the signature file {sig.name}: "
                                f"{exc.strerror or type(exc).__name__}）", None)]) from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise signature_error([_malformed(sig, f"larger than {MAX_SIGNATURE_BYTES:,} bytes")])
    try:
        parsed = parse_note(raw)
    except MalformedError as exc:
        raise signature_error([_malformed(sig, exc.diagnostics[0].message)]) from None
    if not any((s.name, s.hash) == (verifier.name, verifier.hash) for s in parsed.sigs):
        names = "、".join(s.label for s in parsed.sigs)
        raise signature_error([("another key", names,
                                f"规则集由其他密钥签署：{names}，而非 {verifier.label}（signed by another key: {names}, "
                                f"not {verifier.label}）",
                                "请使用发布该规则集的法院的公钥（verify with the public key of the court that "
                                "published the ruleset）")])
    try:
        note = open_note(raw, [verifier])
    except VerificationError:
        raise signature_error([("bad signature", verifier.label,
                                f"{sig.name} 的签名无效：签名文件在签署后被改动（the signature in {sig.name} does not "
                                "verify: the file was changed after signing）", None)]) from None
    try:
        signed = SignedNote.parse(note.text)
    except MalformedError as exc:
        raise signature_error([_malformed(sig, exc.diagnostics[0].message)]) from None
    if signed.origin != verifier.name:
        raise signature_error([_malformed(sig, f"its origin {signed.origin[:80]!r} is not the key's name "
                                               f"{verifier.name}")])
    return signed


def _malformed(sig: Path, detail: str) -> tuple[str, str | None, str, str | None]:
    return ("malformed signature", None, f"签名文件 {sig.name} 格式错误（malformed signature file {sig.name}: "
                                         f"{detail}）", "请重新签署（sign the ruleset again）：`ruledsl sign`")
