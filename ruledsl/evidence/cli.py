"""`ruledsl log …`, `ruledsl verify`, `ruledsl proof …`, `ruledsl note …` — the evidence log's command line.

Exit status: 0 valid / done, 1 invalid or refused (the reason is printed), 2 usage.
Keys may be given as the key text itself or as the path of a file holding it.
All hashes on the command line are hex.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ruledsl.evidence.errors import EvidenceError, MalformedError
from ruledsl.evidence.hashing import HASH_SIZE, hasher
from ruledsl.evidence.note import ALG_COSIGNATURE_V1, ALG_ED25519, Signer, Verifier, open_note

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

log_app = typer.Typer(help="The court's evidence log: keys, deposits, checkpoints, proofs, audits.",
                      no_args_is_help=True)
proof_app = typer.Typer(help="Check RFC 9162 proofs that come from elsewhere (all hashes hex).", no_args_is_help=True)
note_app = typer.Typer(help="Check C2SP signed notes (checkpoints, cosignatures, Go sumdb notes).",
                       no_args_is_help=True)


def _fail(exc: EvidenceError, what: str = "invalid") -> None:
    for d in exc.diagnostics:
        err.print(f"[bold red]{what}:[/] {escape(d.message)}", markup=True, highlight=False)
        if d.hint:
            err.print(f"  [dim]hint: {escape(d.hint)}[/]", markup=True, highlight=False)
    raise typer.Exit(1)


def _run(fn, what: str = "invalid"):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except EvidenceError as exc:
        _fail(exc, what)


def _key_text(value: str) -> str:
    p = Path(value)
    try:
        if len(value) < 4096 and p.is_file():
            return p.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise MalformedError.of(f"cannot read key file {value}") from None
    return value.strip()


def _verifier(value: str) -> Verifier:
    return Verifier.parse(_key_text(value))


def _signer(value: str) -> Signer:
    return Signer.parse(_key_text(value))


def _hex(value: str, what: str) -> bytes:
    v = value.strip().lower()
    try:
        raw = bytes.fromhex(v)
    except ValueError:
        raise MalformedError.of(f"{what} is not hex: {value[:80]!r}") from None
    if len(raw) != HASH_SIZE:
        raise MalformedError.of(f"{what} is {len(raw)} bytes, a hash is {HASH_SIZE} (64 hex digits)")
    return raw


def _hex_list(value: str | None, what: str) -> list[bytes]:
    if value is None or not value.strip():
        return []
    return [_hex(p, f"{what} entry {i + 1}") for i, p in enumerate(value.split(","))]


# --------------------------------------------------------------------------- ruledsl proof …

HashOpt = Annotated[str, typer.Option("--hash", help="hash algorithm of the log: sha256 or sm3")]


@proof_app.command("inclusion")
def proof_inclusion(
    leaf_hash: Annotated[str, typer.Option("--leaf-hash", help="leaf hash H(0x00 || record), hex")],
    index: Annotated[int, typer.Option("--index", help="leaf index (from 0)")],
    size: Annotated[int, typer.Option("--size", help="tree size of the checkpoint")],
    root: Annotated[str, typer.Option("--root", help="root hash of the checkpoint, hex")],
    proof: Annotated[str | None, typer.Option("--proof", help="inclusion path H1,H2,… (hex)")] = None,
    hash_alg: HashOpt = "sha256",
) -> None:
    """Verify an inclusion proof (RFC 9162 §2.1.3.2)."""
    from ruledsl.evidence.merkle import verify_inclusion

    def go() -> None:
        verify_inclusion(index, size, _hex(leaf_hash, "--leaf-hash"), _hex_list(proof, "--proof"),
                         _hex(root, "--root"), hasher(hash_alg))

    _run(go)
    out.print(f"[green]valid:[/] leaf {index} is in the tree of size {size} with root {escape(root.lower())}")


@proof_app.command("consistency")
def proof_consistency(
    size1: Annotated[int, typer.Option("--size1", help="earlier tree size")],
    size2: Annotated[int, typer.Option("--size2", help="later tree size")],
    root1: Annotated[str, typer.Option("--root1", help="earlier root, hex")],
    root2: Annotated[str, typer.Option("--root2", help="later root, hex")],
    proof: Annotated[str | None, typer.Option("--proof", help="consistency path H1,H2,… (hex)")] = None,
    hash_alg: HashOpt = "sha256",
) -> None:
    """Verify a consistency proof between two tree heads (RFC 9162 §2.1.4.2)."""
    from ruledsl.evidence.merkle import verify_consistency

    def go() -> None:
        verify_consistency(size1, size2, _hex_list(proof, "--proof"), _hex(root1, "--root1"),
                           _hex(root2, "--root2"), hasher(hash_alg))

    _run(go)
    out.print(f"[green]valid:[/] the tree of size {size2} extends the tree of size {size1}")


# --------------------------------------------------------------------------- ruledsl note …


@note_app.command("verify")
def note_verify(
    note_file: Annotated[Path, typer.Argument(help="the signed note (a checkpoint, a cosigned checkpoint, …)")],
    key: Annotated[list[str], typer.Option("--key", help="verifier key `name+hash+base64` or a file with it")],
) -> None:
    """Valid when a given key's signature verifies and none of the given keys' signatures fails."""

    def go():  # type: ignore[no-untyped-def]
        try:
            data = note_file.read_bytes()
        except OSError as exc:
            raise MalformedError.of(f"cannot read {note_file}: {exc.strerror}") from None
        return open_note(data, [_verifier(k) for k in key])

    note = _run(go)
    for v in note.verified_by:
        out.print(f"[green]verified:[/] {escape(v.name)}+{v.hash:08x} ({v.algorithm})")
    for s in note.unverified:
        out.print(f"[dim]ignored (unknown key): {escape(s.name)}+{s.hash:08x}[/]")


# --------------------------------------------------------------------------- ruledsl verify BUNDLE


def verify_cmd(
    bundle: Annotated[Path, typer.Argument(help="the bundle (ZIP) made by `ruledsl log prove`")],
    key: Annotated[str, typer.Option("--key", help="the court's verifier key, or a file with it (court.pub)")],
    witness: Annotated[list[str] | None, typer.Option("--witness", help="a witness's verifier key (repeatable)")]
    = None,
    file: Annotated[Path | None, typer.Option("--file", help="the evidence file to check against the record")]
    = None,
    origin: Annotated[str | None, typer.Option("--origin", help="expected log origin (default: the key's name)")]
    = None,
) -> None:
    """Verify an evidence bundle offline: record, inclusion proof, signed checkpoint, evidence file."""
    from ruledsl.evidence.bundle import verify_bundle

    def go():  # type: ignore[no-untyped-def]
        try:
            data = bundle.read_bytes()
            ev = file.read_bytes() if file is not None else None
        except OSError as exc:
            raise MalformedError.of(f"cannot read {exc.filename}: {exc.strerror}") from None
        return verify_bundle(data, _verifier(key), [_verifier(w) for w in witness or []], origin, ev)

    res = _run(go)
    cp = res.checkpoint.checkpoint
    t = Table(show_header=False, box=None)
    rec = res.record
    for k, v in (
        ("record", f"{rec.kind} · case {rec.case} · submitter {rec.submitter}"),
        ("anchored at", rec.time),
        ("evidence digest", str(rec.digest)),
        ("leaf", f"index {res.leaf_index} · hash {res.leaf_hash.hex()}"),
        ("checkpoint", f"{cp.origin} · size {cp.size} · root {cp.root.hex()}"),
        ("signed by", ", ".join(f"{v.name}+{v.hash:08x}" for v in res.checkpoint.note.verified_by)),
        ("evidence file", "matches the anchored digest" if res.evidence_checked else "not checked (none given)"),
        ("timestamp token", "matches the record" if res.timestamp_checked
         else ("anchored, token not in the bundle" if rec.tst else "none")),
    ):
        t.add_row(f"[bold]{k}[/]", escape(v))
    out.print(t)
    out.print("[bold green]valid:[/] the record is in the court's log as of the signed checkpoint")


# --------------------------------------------------------------------------- ruledsl log …


class _Ctx:
    db: str | None = None


@log_app.callback()
def log_main(
    db: Annotated[str | None, typer.Option("--db", envvar="RULEDSL_DB_URL",
                                           help="SQLAlchemy URL (default: SQLite in RULEDSL_DATA_DIR or .data/)")]
    = None,
) -> None:
    _Ctx.db = db


def _store():  # type: ignore[no-untyped-def]
    from ruledsl.store import LogStore

    return LogStore(_Ctx.db)


def _open(origin: str | None):  # type: ignore[no-untyped-def]
    from ruledsl.evidence.log import EvidenceLog

    return EvidenceLog.open(_store(), origin)


OriginOpt = Annotated[str | None, typer.Option("--origin", help="which log (needed when several share the database)")]


@log_app.command("keygen")
def log_keygen(
    name: Annotated[str, typer.Option("--name", help="key name; for the court's key, the log origin")],
    out_prefix: Annotated[Path, typer.Option("--out", help="writes PREFIX.key (secret) and PREFIX.pub")] = Path(
        "court"),
    witness: Annotated[bool, typer.Option("--witness", help="a witness cosigning key (cosignature/v1)")] = False,
) -> None:
    """Create an Ed25519 key pair in Go sumdb/note format."""

    def go() -> Signer:
        s = Signer.generate(name, ALG_COSIGNATURE_V1 if witness else ALG_ED25519)
        key_path, pub_path = out_prefix.with_suffix(".key"), out_prefix.with_suffix(".pub")
        for p in (key_path, pub_path):
            if p.exists():
                raise MalformedError.of(f"{p} exists; not overwriting a key")
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(s.encode() + "\n")
        pub_path.write_text(s.verifier().encode() + "\n")
        return s

    s = _run(go, "error")
    out.print(f"secret key  {escape(str(out_prefix.with_suffix('.key')))} (keep it offline; mode 0600)")
    out.print(escape(f"public key  {out_prefix.with_suffix('.pub')}: {s.verifier().encode()}"))


@log_app.command("init")
def log_init(
    key: Annotated[str, typer.Option("--key", help="the court's verifier key (court.pub); its name is the origin")],
    hash_alg: HashOpt = "sha256",
) -> None:
    """Create a log; its hash algorithm is fixed for life."""
    from ruledsl.evidence.log import EvidenceLog

    def go():  # type: ignore[no-untyped-def]
        v = _verifier(key)
        return EvidenceLog.create(_store(), v.encode(), hash_alg)

    lg = _run(go, "error")
    out.print(f"created log [bold]{escape(lg.origin)}[/] ({lg.hasher.name}) in {escape(lg.store.url.split('@')[-1])}")


@log_app.command("add")
def log_add(
    files: Annotated[list[Path], typer.Argument(help="evidence files (only their digests go on the log)")],
    kind: Annotated[str, typer.Option("--kind", help="evidence kind, e.g. loan_contract")],
    case: Annotated[str, typer.Option("--case", help="case or contract id")],
    submitter: Annotated[str, typer.Option("--submitter", help="submitter id (an organisation code)")] = "court",
    time: Annotated[str | None, typer.Option("--time", help="ISO time with zone (default: now)")] = None,
    tst: Annotated[Path | None, typer.Option("--tst", help="RFC 3161 token to anchor with the file")] = None,
    origin: OriginOpt = None,
) -> None:
    """Anchor evidence files: one record each, appended in one atomic batch."""

    def go():  # type: ignore[no-untyped-def]
        lg = _open(origin)
        when = None
        if time is not None:
            try:
                when = datetime.fromisoformat(time.replace("Z", "+00:00"))
            except ValueError:
                raise MalformedError.of(f"--time {time!r} is not an ISO date and time") from None
        try:
            token = tst.read_bytes() if tst is not None else None
        except OSError as exc:
            raise MalformedError.of(f"cannot read {tst}: {exc.strerror}") from None
        recs = [lg.record_for_file(f, kind, case, submitter, when, token) for f in files]
        first, size, root = lg.append(recs)
        return lg, recs, first, size, root

    lg, recs, first, size, root = _run(go, "error")
    t = Table("index", "file", "evidence digest", "leaf hash")
    for col in t.columns:
        col.overflow = "fold"
    for i, (f, r) in enumerate(zip(files, recs, strict=True)):
        t.add_row(str(first + i), escape(str(f)), str(r.digest), lg.hasher.leaf(r.canonical()).hex())
    out.print(t)
    out.print(escape(f"log {lg.origin}: size {size}, root {root.hex()}"))


@log_app.command("checkpoint")
def log_checkpoint(
    key: Annotated[str, typer.Option("--key", help="the court's signer key (court.key)")],
    out_file: Annotated[Path | None, typer.Option("--out", help="also write the signed checkpoint here")] = None,
    origin: OriginOpt = None,
) -> None:
    """Sign the current tree head as a C2SP checkpoint (after checking it extends the last one)."""

    def go() -> str:
        return _open(origin).sign_checkpoint(_signer(key))

    note = _run(go, "refused")
    if out_file is not None:
        out_file.write_text(note, "utf-8")
    sys.stdout.write(note)


@log_app.command("prove")
def log_prove(
    index: Annotated[int | None, typer.Option("--index", help="leaf index")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="find the leaf by this evidence file")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="bundle path (default: leaf-<index>.zip)")] = None,
    include_file: Annotated[bool, typer.Option("--include-file/--no-include-file",
                                               help="put the evidence file in the bundle")] = True,
    origin: OriginOpt = None,
) -> None:
    """Write a bundle proving a leaf against the latest signed checkpoint."""

    def go():  # type: ignore[no-untyped-def]
        from ruledsl.evidence.record import EvidenceRecord

        if (index is None) == (file is None):
            raise MalformedError.of("give exactly one of --index and --file")
        lg = _open(origin)
        evidence = None
        idx = index
        if file is not None:
            try:
                evidence = file.read_bytes()
            except OSError as exc:
                raise MalformedError.of(f"cannot read {file}: {exc.strerror}") from None
            digest = lg.hasher.digest(evidence).hex()
            size, _ = lg.head()
            matches = [i for i, _, rec in lg.store.iter_leaves(lg.info)
                       if EvidenceRecord.parse(rec).digest.hex == digest]
            if not matches:
                raise MalformedError.of(f"{file} is not anchored in log {lg.origin}",
                                        hint="its digest is on no record: never anchored, or altered since")
            idx = matches[0]
        assert idx is not None
        data = lg.bundle(idx, evidence if include_file else None)
        path = out_file or Path(f"leaf-{idx}.zip")
        path.write_bytes(data)
        return idx, path

    idx, path = _run(go, "refused")
    out.print(escape(f"bundle for leaf {idx}: {path}"))


@log_app.command("consistency")
def log_consistency(
    size1: Annotated[int, typer.Option("--from", help="earlier tree size")],
    size2: Annotated[int | None, typer.Option("--to", help="later tree size (default: current)")] = None,
    origin: OriginOpt = None,
) -> None:
    """Print a consistency proof between two sizes of this log (hex, comma-separated)."""
    from ruledsl.evidence.merkle import verify_consistency

    def go():  # type: ignore[no-untyped-def]
        lg = _open(origin)
        n = size2 if size2 is not None else lg.head()[0]
        r1, r2 = lg.store.root_at(lg.info, size1), lg.store.root_at(lg.info, n)
        proof = lg.store.consistency_proof(lg.info, size1, n)
        verify_consistency(size1, n, proof, r1, r2, lg.hasher)
        return n, r1, r2, proof

    n, r1, r2, proof = _run(go, "refused")
    out.print(f"--size1 {size1} --size2 {n} --root1 {r1.hex()} --root2 {r2.hex()} "
              f"--proof {','.join(p.hex() for p in proof)}")


@log_app.command("verify")
def log_verify(origin: OriginOpt = None) -> None:
    """Audit the whole log: every leaf, stored hash, tree head and signed checkpoint."""
    from ruledsl.evidence.checkpoint import open_checkpoint
    from ruledsl.evidence.merkle import verify_consistency

    def go():  # type: ignore[no-untyped-def]
        lg = _open(origin)
        n = lg.store.audit(lg.info)
        cps = lg.store.checkpoints(lg.info)
        size, root = lg.head()
        for s, note in cps:
            cp = open_checkpoint(note, lg.verifier).checkpoint
            if cp.size != s:
                raise MalformedError.of(f"stored checkpoint {s} says size {cp.size}")
            verify_consistency(cp.size, size, lg.store.consistency_proof(lg.info, cp.size, size), cp.root, root,
                               lg.hasher)
        return lg, n, len(cps), root

    lg, n, ncp, root = _run(go)
    out.print(f"[green]valid:[/] log {escape(lg.origin)}: {n} leaves recomputed, root {root.hex()}, "
              f"{ncp} signed checkpoints consistent with it")


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
    app.add_typer(proof_app, name="proof")
    app.add_typer(note_app, name="note")
    app.command("verify")(verify_cmd)
