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
from rich.markup import escape
from rich.table import Table

from ruledsl.cli.console import err, out
from ruledsl.core.errors import EvidenceError, MalformedError, ReportError
from ruledsl.evidence.hashing import HASH_SIZE, hasher
from ruledsl.evidence.note import ALG_COSIGNATURE_V1, ALG_ED25519, Signer, Verifier, open_note

log_app = typer.Typer(help="The court's evidence log: keys, deposits, checkpoints, proofs, audits.",
                      no_args_is_help=True)
proof_app = typer.Typer(help="Check RFC 9162 proofs that come from elsewhere (all hashes hex).", no_args_is_help=True)
note_app = typer.Typer(help="Check C2SP signed notes (checkpoints, cosignatures, Go sumdb notes).",
                       no_args_is_help=True)


def _fail(exc: EvidenceError | ReportError, what: str = "invalid") -> None:
    for d in exc.diagnostics:
        err.print(f"[bold red]{what}:[/] {escape(d.message)}", markup=True, highlight=False)
        if d.hint:
            err.print(f"  [dim]hint: {escape(d.hint)}[/]", markup=True, highlight=False)
    raise typer.Exit(1)


def _run(fn, what: str = "invalid"):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except (EvidenceError, ReportError) as exc:
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
        out.print(f"[green]verified:[/] {escape(v.label)} ({v.algorithm})")
    for s, reason in note.ignored:
        out.print(f"[dim]ignored ({reason}, not verified): {escape(s.label)}[/]")


# --------------------------------------------------------------------------- ruledsl verify BUNDLE


TrustOpt = Annotated[list[Path] | None, typer.Option(
    "--trust", help="trusted root certificates (PEM/DER file or directory; repeatable) for signatures and "
                    "timestamps; default: $RULEDSL_TRUST_STORE")]


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MalformedError.of(f"cannot read {path}: {exc.strerror}") from None


_MARK = {"ok": "[green]✓[/]", "warning": "[yellow]![/]", "failed": "[bold red]✗[/]"}


def print_verification(v) -> None:  # type: ignore[no-untyped-def]
    """The findings of :func:`ruledsl.evidence.verify.verify_evidence`, section by section."""
    sections = [("log", v.log_findings), ("file", v.file_findings)]
    if v.timestamp_findings or v.timestamp is not None:
        sections.append(("timestamp", [*v.timestamp_findings, *(v.timestamp.findings if v.timestamp else [])]))
    if v.signatures is not None:
        sig = list(v.signatures.findings)
        for s in v.signatures.signatures:
            sig += s.findings
        sections.append(("signatures", sig))
    for title, findings in sections:
        if not findings:
            continue
        out.print(f"[bold]{title}[/]")
        for f in findings:
            out.print(f"  {_MARK[f.status]} {escape(f.text)}")
    status, _zh, en = v.conclusion
    colour = {"ok": "bold green", "warning": "bold yellow", "failed": "bold red"}[status]
    word = {"ok": "valid", "warning": "valid, with reservations", "failed": "invalid"}[status]
    (err if status == "failed" else out).print(f"[{colour}]{word}:[/] {escape(en)}")


def verify_cmd(
    bundle: Annotated[Path, typer.Argument(help="the bundle (ZIP) made by `ruledsl log prove`")],
    key: Annotated[str, typer.Option("--key", help="the court's verifier key, or a file with it (court.pub)")],
    witness: Annotated[list[str] | None, typer.Option("--witness", help="a witness's verifier key (repeatable)")]
    = None,
    file: Annotated[Path | None, typer.Option("--file", help="the evidence file to check against the record")]
    = None,
    origin: Annotated[str | None, typer.Option("--origin", help="expected log origin (default: the key's name)")]
    = None,
    trust: TrustOpt = None,
    signature: Annotated[Path | None, typer.Option("--signature", help="detached CMS/PKCS#7 signature of the file")]
    = None,
    timestamp: Annotated[Path | None, typer.Option("--timestamp",
                                                   help="RFC 3161 token anchored with the record, if not in the bundle")]
    = None,
    report: Annotated[Path | None, typer.Option("--report", help="also write a verification report (PDF) here")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the findings as JSON")] = False,
) -> None:
    """Verify an evidence bundle offline: record, inclusion proof, signed checkpoint, evidence file,
    timestamp and document signatures.  Exit 1 when anything checked fails."""
    from ruledsl.evidence.bundle import read_bundle_file
    from ruledsl.evidence.facts import trust_store
    from ruledsl.evidence.verify import exit_status, verify_evidence

    def go():  # type: ignore[no-untyped-def]
        data = read_bundle_file(bundle)
        return verify_evidence(
            data, _verifier(key), witnesses=[_verifier(w) for w in witness or []], origin=origin,
            file=_read(file), file_name=file.name if file else None, signature=_read(signature),
            timestamp=_read(timestamp), trust=trust_store(trust or None), bundle_name=bundle.name,
        )

    v = _run(go)
    if as_json:
        import json

        sys.stdout.write(json.dumps(v.as_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        print_verification(v)
    if report is not None:
        from ruledsl.reports import write_verification_report

        def write() -> None:
            write_verification_report(v, report)

        _run(write, "error")
        (err if as_json else out).print(escape(f"report: {report}"))
    raise typer.Exit(exit_status(v))


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
    from ruledsl.store.log import EvidenceLog

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
    from ruledsl.store.log import EvidenceLog

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
    state: Annotated[Path | None, typer.Option(
        "--state", help="the signer's record of the last checkpoint it signed, kept outside the database "
                        "(default: beside the key file, court.key → court.state)")] = None,
    since: Annotated[list[Path] | None, typer.Option(
        "--since", help="a checkpoint published before that the new one must extend (repeatable); starts the "
                        "signer's record when it is missing")] = None,
    origin: OriginOpt = None,
) -> None:
    """Sign the current tree head as a C2SP checkpoint — only if it extends the last checkpoint this key
    signed (recorded in --state) and the last one published; a shrunken or forked log is refused."""
    from ruledsl.evidence.signerstate import default_state_path

    def go() -> str:
        signer = _signer(key)
        path = state
        if path is None:
            if not (len(key) < 4096 and Path(key).is_file()):
                raise MalformedError.of("give --state: where the signer records the last checkpoint it signed",
                                        hint="with --key as a file, the record defaults to beside it (court.state)")
            path = default_state_path(key)
        published = []
        for p in since or []:
            raw = _read(p)
            assert raw is not None
            try:
                published.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise MalformedError.of(f"{p} is not UTF-8 text") from None
        return _open(origin).sign_checkpoint(signer, path, published)

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
    timestamp: Annotated[Path | None, typer.Option(
        "--timestamp", help="the RFC 3161 token anchored with the record (`log add --tst`), to carry in the bundle")]
    = None,
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
        token = _read(timestamp)
        if token is not None:
            rec = EvidenceRecord.parse(lg.store.leaf(lg.info, idx)[1])
            if rec.tst is None:
                raise MalformedError.of(f"leaf {idx} anchors no timestamp token",
                                        hint="anchor the token with the file: `ruledsl log add FILE --tst TOKEN`")
            if hasher(rec.tst.alg).digest(token).hex() != rec.tst.hex:
                raise MalformedError.of(f"{timestamp} is not the timestamp token anchored in leaf {idx}")
        data = lg.bundle(idx, evidence if include_file else None, token)
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
def log_verify(
    against: Annotated[list[Path] | None, typer.Option(
        "--against", help="a checkpoint published before (as signed, or as cosigned by a witness), or the "
                          "signer's state file: prove the log extends it (repeatable)")] = None,
    origin: OriginOpt = None,
) -> None:
    """Audit the whole log: every leaf, stored hash, tree head and signed checkpoint; with --against, also
    prove it extends checkpoints published before (a truncated or forked log fails)."""

    def go():  # type: ignore[no-untyped-def]
        lg = _open(origin)
        n, ncp, root = lg.audit()
        proved = []
        for p in against or []:
            raw = _read(p)
            assert raw is not None
            proved.append((p, lg.prove_extends(raw, f"the checkpoint {p.name}")))
        return lg, n, ncp, root, proved

    lg, n, ncp, root, proved = _run(go)
    out.print(f"[green]valid:[/] log {escape(lg.origin)}: {n} leaves recomputed, root {root.hex()}, "
              f"{ncp} signed checkpoints consistent with it")
    for p, cp in proved:
        out.print(escape(f"  extends {p} (tree size {cp.size}, root {cp.root.hex()}): consistency proved"))


@log_app.command("timestamp")
def log_timestamp(
    file: Annotated[Path, typer.Argument(help="the evidence file to timestamp")],
    tsa_dir: Annotated[Path, typer.Option("--tsa", help="directory with tsa.pem, tsa.key.pem and issuing-ca.pem "
                                                       "(as written by `ruledsl log test-ca`)")],
    out_file: Annotated[Path | None, typer.Option("--out", help="token path (default: FILE.tsr)")] = None,
    time: Annotated[str | None, typer.Option("--time", help="genTime, ISO with zone (default: now)")] = None,
) -> None:
    """Obtain an RFC 3161 timestamp over a file's SHA-256 digest from a TSA key on disk (the TEST TSA).

    Anchor the token with the file (`log add FILE --tst TOKEN`) and carry it in the bundle
    (`log prove --timestamp TOKEN`); `ruledsl verify` then checks it."""
    import hashlib

    from ruledsl.evidence.pki import load_certificates, load_issued
    from ruledsl.evidence.tsa import issue_timestamp

    def go() -> Path:
        data = _read(file)
        assert data is not None
        tsa = load_issued(tsa_dir / "tsa.pem", tsa_dir / "tsa.key.pem")
        chain = load_certificates([tsa_dir / "issuing-ca.pem"]) if (tsa_dir / "issuing-ca.pem").exists() else []
        when = _parse_time(time) if time else None
        resp = issue_timestamp(tsa, hashlib.sha256(data).digest(), chain=chain, gen_time=when)
        path = out_file or file.with_name(file.name + ".tsr")
        path.write_bytes(resp)
        return path

    path = _run(go, "error")
    out.print(escape(f"timestamp token: {path}"))


@log_app.command("test-ca")
def log_test_ca(
    directory: Annotated[Path, typer.Argument(help="where to write the TEST CA, issuing CA and TSA")],
    seed: Annotated[str | None, typer.Option("--seed", help="make the keys deterministic (demos, tests)")] = None,
) -> None:
    """Create a LOCAL TEST CA and TEST TSA (TEST — NOT FOR PRODUCTION) for demos and trials.

    Writes root-ca.pem (the trust anchor for --trust), issuing-ca.pem, tsa.pem and their keys."""
    from ruledsl.evidence.pki import make_test_pki

    def go() -> None:
        if directory.exists() and any(directory.glob("*.key.pem")):
            raise MalformedError.of(f"{directory} already holds keys; not overwriting")
        make_test_pki(seed).save(directory)

    _run(go, "error")
    out.print(escape(f"TEST — NOT FOR PRODUCTION CA and TSA in {directory}; trust anchor: {directory / 'root-ca.pem'}"))


@log_app.command("cosign")
def log_cosign(
    checkpoint: Annotated[Path, typer.Argument(help="the court's signed checkpoint (e.g. from `log checkpoint`)")],
    key: Annotated[str, typer.Option("--key", help="the witness's signer key (from `log keygen --witness`)")],
    log_key: Annotated[list[str], typer.Option("--log-key", help="verifier key of a log this witness follows "
                                                                  "(repeatable)")],
    state: Annotated[Path, typer.Option("--state", help="the witness's state file (last cosigned checkpoints)")],
    proof: Annotated[str | None, typer.Option("--proof", help="consistency proof from the last cosigned size, "
                                                              "H1,H2,… hex (`ruledsl log consistency`)")] = None,
    from_log: Annotated[bool, typer.Option("--from-log", help="take the consistency proof from the log database "
                                                               "(--db) instead of --proof")] = False,
    hash_alg: HashOpt = "sha256",
    out_file: Annotated[Path | None, typer.Option("--out", help="write the cosigned checkpoint here")] = None,
) -> None:
    """As a witness, cosign a checkpoint after checking it is consistent with the last one cosigned.

    A checkpoint that shrinks the tree or forks it is refused (exit 1) and the state does not move."""
    from ruledsl.evidence.checkpoint import Checkpoint
    from ruledsl.evidence.note import parse_note
    from ruledsl.evidence.witness import Witness

    def go() -> str:
        raw = _read(checkpoint)
        assert raw is not None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError.of(f"{checkpoint} is not UTF-8 text") from None
        logs = {v.name: v for v in (_verifier(k) for k in log_key)}
        w = Witness(_signer(key), logs, state, {o: hash_alg for o in logs})
        if proof and from_log:
            raise MalformedError.of("give --proof or --from-log, not both")
        path = _hex_list(proof, "--proof")
        if from_log:
            cp = Checkpoint.parse(parse_note(text).text)
            last = w.last(cp.origin)
            if last is not None and last[0] < cp.size:
                lg = _open(cp.origin)
                path = lg.store.consistency_proof(lg.info, last[0], cp.size)
        return w.cosign(text, path)

    note = _run(go, "refused")
    if out_file is not None:
        out_file.write_text(note, "utf-8")
    sys.stdout.write(note)


def _parse_time(value: str) -> datetime:
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedError.of(f"{value!r} is not an ISO date and time") from None
    if t.tzinfo is None:
        raise MalformedError.of(f"{value!r} has no time zone", hint="e.g. 2024-03-01T10:00:00+08:00")
    return t


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
    app.add_typer(proof_app, name="proof")
    app.add_typer(note_app, name="note")
    app.command("verify")(verify_cmd)
