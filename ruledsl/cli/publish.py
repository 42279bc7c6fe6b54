"""The publishing commands: ``sign`` and ``verify-ruleset`` (the court's signature over a ruleset, see
:mod:`ruledsl.publish.signing` for what is signed).

Exit status: 0 every ruleset signed / verified, 1 one was not (each says why), 2 usage (typer's own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ruledsl.cli.console import err, out, report
from ruledsl.core.errors import MalformedError, RulesError
from ruledsl.core.text import read_text
from ruledsl.evidence.note import Signer, Verifier
from ruledsl.publish import Signed, sign_ruleset, verify_ruleset

Rulesets = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="ruleset files")]
SignerKey = Annotated[Path, typer.Option("--key", exists=True, dir_okay=False, readable=True,
                                         help="the court's secret key (court.key, from `ruledsl log keygen`)")]
VerifierKey = Annotated[Path, typer.Option("--key", exists=True, dir_okay=False, readable=True,
                                           help="the court's public key (court.pub)")]


def _key_file(path: Path) -> str:
    text = read_text(path)
    if len(text) > 4096:
        raise MalformedError.of(f"{path} is not a key file: larger than 4096 characters")
    return text


def _show(signed: Signed) -> None:
    d = signed.digest
    for label, value in (("ruleset", d.ruleset), ("version", d.version), ("effective", d.effective),
                         ("sha256", d.sha256)):
        out.print(f"  {label:<9} {value}", markup=False)
    for table in d.tables:
        out.print(f"  {'table':<9} {table.name} {table.path} {table.sha256}", markup=False)


def _each(files: list[Path], key: Path, parse, act, done, failed_label: str) -> None:
    """Parse the key file with ``parse``, then ``act(path, key)`` on every file: print ``done(path, signed)``
    and the digest, or ``failed_label`` and the error; exit 1 after the last file if any failed."""
    try:
        parsed = parse(_key_file(key))
    except RulesError as exc:
        report(exc)
        raise typer.Exit(1) from None
    failed = 0
    for path in files:
        try:
            signed = act(path, parsed)
        except RulesError as exc:
            err.print(f"{failed_label}: {path}", markup=False)
            report(exc)
            failed += 1
            continue
        out.print(done(path, signed), markup=False)
        _show(signed)
    if failed:
        raise typer.Exit(1)


def sign_cmd(files: Rulesets, key: SignerKey) -> None:
    """Sign rulesets with the court's key: writes NAME.rules.sig beside each (a ruleset that does not check
    is not signed)."""
    _each(files, key, Signer.parse, sign_ruleset,
          lambda path, signed: f"signed {path} → {signed.signature} (key {signed.key})", "not signed")


def verify_ruleset_cmd(files: Rulesets, key: VerifierKey) -> None:
    """Verify rulesets against the court's public key: the signature, the canonical text and every table file
    they load; exit 1 naming each difference when one does not verify."""
    _each(files, key, Verifier.parse, verify_ruleset,
          lambda path, signed: f"verified {path} (signed by {signed.key})", "NOT VERIFIED")


def register(app: typer.Typer) -> None:
    app.command("sign")(sign_cmd)
    app.command("verify-ruleset")(verify_ruleset_cmd)
