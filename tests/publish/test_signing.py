"""Signed rulesets (issue 15, first slice): the court signs a ruleset's canonical text and the SHA-256 of each
table file it loads; verification recomputes both from the files as they are and names every difference.

Every test works on a copy of the shipped rulesets (``rulesets/cn`` with its ``tables/``) in ``tmp_path``,
signed with a key made here by the keygen API (:meth:`Signer.generate`, what ``ruledsl log keygen`` calls).
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pytest

from ruledsl.core.errors import SIGNATURE_PROBLEMS, RulesCheckError, RulesError, RulesetSignatureError
from ruledsl.evidence.note import ALG_COSIGNATURE_V1, Signer
from ruledsl.lang.fmt import format_text, language_of
from ruledsl.publish import SignedNote, digest_ruleset, sign_ruleset, signature_path, verify_ruleset

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "rulesets" / "cn"
RULESETS = sorted(p.name for p in SHIPPED.glob("*.rules"))


@pytest.fixture(scope="module")
def court() -> Signer:
    return Signer.generate("court.example/rulesets")


@pytest.fixture
def cn(tmp_path: Path) -> Path:
    """A copy of the shipped rulesets and their tables."""
    folder = tmp_path / "cn"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("*.sig"))
    return folder


def signed(cn: Path, court: Signer, name: str) -> Path:
    path = cn / name
    sign_ruleset(path, court)
    return path


def failure(path: Path, court: Signer) -> RulesetSignatureError:
    with pytest.raises(RulesetSignatureError) as info:
        verify_ruleset(path, court.verifier())
    return info.value


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sign_then_verify(cn, court):
    path = signed(cn, court, "consumer_loan.rules")
    result = verify_ruleset(path, court.verifier())
    assert result.key == f"court.example/rulesets+{court.hash:08x}"
    assert (result.digest.ruleset, result.digest.version, result.digest.effective) == (
        "cn.consumer_loan", "2026.1", "2021-01-01")
    assert [(t.name, t.path) for t in result.digest.tables] == [("lpr_1y", "tables/lpr.csv")]
    # the note says what the module docstring says it says, line by line
    sig = signature_path(path)
    assert sig == cn / "consumer_loan.rules.sig"
    text, _, sigs = sig.read_text(encoding="utf-8").rpartition("\n\n")
    lines = text.split("\n")
    assert lines[:5] == ["court.example/rulesets", "ruledsl ruleset signature v1", "ruleset cn.consumer_loan",
                         'version "2026.1"', "effective 2021-01-01"]
    canonical = format_text(path.read_text(encoding="utf-8"))
    assert lines[5] == f"sha256 {hashlib.sha256(canonical.encode()).hexdigest()}"
    assert lines[6] == f"table lpr_1y {hashlib.sha256((cn / 'tables' / 'lpr.csv').read_bytes()).hexdigest()}"
    assert len(lines) == 7
    assert sigs.startswith("— court.example/rulesets ") and sigs.endswith("\n") and sigs.count("\n") == 1
    assert SignedNote.parse(text + "\n").tables == (("lpr_1y", lines[6].split()[-1]),)


def test_a_changed_number_fails_naming_the_text(cn, court):
    path = signed(cn, court, "court_fees.rules")
    edit(path, "up to 10000: 50.00", "up to 10000: 51.00")  # one byte: the fee up to 10,000 yuan
    exc = failure(path, court)
    assert exc.differences == (("text changed", None),)
    message = exc.diagnostics[0].message
    assert "规则集文本自签署后已改动" in message and "the ruleset's text changed since it was signed" in message


def test_a_changed_version_is_named(cn, court):
    path = signed(cn, court, "court_fees.rules")
    edit(path, 'version "2026.1"', 'version "2026.2"')
    exc = failure(path, court)
    assert exc.differences == (("text changed", None),)
    assert "version 2026.1 → 2026.2" in exc.diagnostics[0].message


def test_layout_does_not_break_the_signature(cn, court):
    """Blank lines, CRLF line ends, a byte-order mark: `ruledsl fmt` writes them one way, so they are not signed."""
    path = signed(cn, court, "consumer_loan.rules")
    before = path.read_bytes()
    relaid = before.decode("utf-8").replace("\n\n", "\n\n\n\n").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + relaid.encode("utf-8"))
    assert path.read_bytes() != before
    verify_ruleset(path, court.verifier())


def test_a_comment_is_signed(cn, court):
    """A comment is kept by `ruledsl fmt` and read as the court's words: changing one breaks the signature."""
    path = signed(cn, court, "consumer_loan.rules")
    edit(path, "# What the lender may claim", "# What the lender may NOT claim")
    assert failure(path, court).differences == (("text changed", None),)
    # and so is a comment added where there was none
    path = signed(cn, court, "consumer_loan.rules")
    edit(path, "\ntable lpr_1y", "\n# 本院意见：以合同成立时的一年期 LPR 为准\ntable lpr_1y")
    assert failure(path, court).differences == (("text changed", None),)


def test_a_changed_table_fails_naming_that_table(cn, court):
    path = signed(cn, court, "private_lending.rules")
    edit(cn / "tables" / "lpr.csv", "2019-08-20,4.25%", "2019-08-20,4.35%")
    exc = failure(path, court)
    assert exc.differences == (("table changed", "lpr_1y"),)
    message = exc.diagnostics[0].message
    assert "lpr_1y" in message and "tables/lpr.csv" in message and "changed since the ruleset was signed" in message
    assert "自签署后已改动" in message


def test_a_missing_table_fails_naming_that_table(cn, court):
    path = signed(cn, court, "consumer_loan.rules")
    (cn / "tables" / "lpr.csv").unlink()
    exc = failure(path, court)
    assert exc.differences == (("table missing", "lpr_1y"),)
    assert "tables/lpr.csv is missing" in exc.diagnostics[0].message


def test_text_and_table_changed_together_are_both_named(cn, court):
    path = signed(cn, court, "consumer_loan.rules")
    edit(path, 'version "2026.1"', 'version "2026.2"')
    edit(cn / "tables" / "lpr.csv", "2019-08-20,4.25%", "2019-08-20,4.35%")
    assert failure(path, court).differences == (("text changed", None), ("table changed", "lpr_1y"))


def test_a_table_pointed_elsewhere(cn, court):
    """The ruleset now loads its LPR from another file: the text changed, and the table's bytes did too."""
    path = signed(cn, court, "consumer_loan.rules")
    shutil.copy(cn / "tables" / "benchmark_rates.csv", cn / "tables" / "other.csv")
    edit(path, '"tables/lpr.csv"', '"tables/other.csv"')
    assert failure(path, court).differences == (("text changed", None), ("table changed", "lpr_1y"))


def test_a_wrong_key_fails(cn, court):
    path = signed(cn, court, "court_fees.rules")
    other = Signer.generate("court.example/rulesets")  # the same name, another key
    with pytest.raises(RulesetSignatureError) as info:
        verify_ruleset(path, other.verifier())
    assert info.value.differences == (("another key", f"court.example/rulesets+{court.hash:08x}"),)
    assert "signed by another key" in info.value.diagnostics[0].message
    assert "其他密钥" in info.value.diagnostics[0].message


def test_a_missing_signature_fails_not_signed(cn, court):
    exc = failure(cn / "court_fees.rules", court)
    assert exc.differences == (("not signed", None),)
    assert "规则集未签名" in exc.diagnostics[0].message and "not signed" in exc.diagnostics[0].message
    assert "ruledsl sign court_fees.rules" in exc.diagnostics[0].hint


def test_a_tampered_signature_file_fails(cn, court):
    """Editing the hash in the .sig to match an edited ruleset does not help: the signature no longer verifies."""
    path = signed(cn, court, "court_fees.rules")
    edit(path, "up to 10000: 50.00", "up to 10000: 51.00")
    sig = signature_path(path)
    now = digest_ruleset(path).sha256
    text = sig.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("sha256 ")).split()[1]
    sig.write_text(text.replace(old, now), encoding="utf-8")
    assert failure(path, court).differences == (("bad signature", f"court.example/rulesets+{court.hash:08x}"),)


@pytest.mark.parametrize("junk", [b"", b"not a note\n", b"\xff\xfe", "x\n\n— court 123\n".encode()])
def test_a_malformed_signature_file_fails(cn, court, junk):
    path = cn / "court_fees.rules"
    signature_path(path).write_bytes(junk)
    assert failure(path, court).differences == (("malformed signature", None),)


def test_a_note_of_another_kind_is_not_a_ruleset_signature(cn, court):
    """A checkpoint-like note signed by the same key is refused: line 2 says what the note is."""
    from ruledsl.evidence.note import sign_note

    path = cn / "court_fees.rules"
    signature_path(path).write_text(sign_note("court.example/rulesets\n12\nq83b2w==\n", [court]), encoding="utf-8")
    exc = failure(path, court)
    assert exc.differences == (("malformed signature", None),)
    assert "ruledsl ruleset signature v1" in exc.diagnostics[0].message


def test_a_ruleset_that_does_not_check_is_not_signed(cn, court):
    path = cn / "court_fees.rules"
    edit(path, "else acceptance_bands(claim_amount)", "else acceptance_bands(claim_amout)")
    with pytest.raises(RulesCheckError):
        sign_ruleset(path, court)
    assert not signature_path(path).exists()


def test_a_witness_key_does_not_sign_rulesets(cn):
    with pytest.raises(RulesError, match="cosigning key"):
        sign_ruleset(cn / "court_fees.rules", Signer.generate("notary.example/w1", ALG_COSIGNATURE_V1))


def test_signing_again_replaces_the_signature(cn, court):
    path = signed(cn, court, "court_fees.rules")
    edit(path, 'version "2026.1"', 'version "2026.2"')
    sign_ruleset(path, court)
    assert verify_ruleset(path, court.verifier()).digest.version == "2026.2"
    assert sorted(p.name for p in cn.glob("court_fees.rules*")) == ["court_fees.rules", "court_fees.rules.sig"]


def test_the_error_travels_between_processes():
    exc = RulesetSignatureError([], [("text changed", None), ("table changed", "lpr_1y")])
    assert pickle.loads(pickle.dumps(exc)).differences == exc.differences
    assert set(SIGNATURE_PROBLEMS) >= {"not signed", "another key", "text changed", "table changed", "table missing"}


def test_the_shipped_rulesets_include_one_in_chinese_keywords():
    assert "zh" in {language_of((SHIPPED / name).read_text(encoding="utf-8")) for name in RULESETS}


@pytest.mark.parametrize("name", RULESETS)
def test_every_shipped_ruleset_signs_and_verifies(cn, court, name):
    path = signed(cn, court, name)
    result = verify_ruleset(path, court.verifier())
    tables = {t.name for t in result.digest.tables}
    assert tables == ({"lpr_1y"} if "table lpr_1y" in path.read_text(encoding="utf-8") else set())
