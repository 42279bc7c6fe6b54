"""The verification report PDF, generated for real and read back with poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruledsl.cli import app
from ruledsl.evidence.note import Verifier
from ruledsl.evidence.pki import TrustStore
from ruledsl.evidence.verify import verify_evidence
from ruledsl.reports import render_html, write_verification_report

DEMO = Path(__file__).resolve().parents[2] / "examples" / "evidence"
runner = CliRunner()


def pdftotext(path: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext missing: scripts/sysdeps.sh installs poppler-utils"
    return subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return "".join(text.split())  # long hashes wrap across table lines


def fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def court() -> Verifier:
    return Verifier.parse((DEMO / "court.pub").read_text().strip())


def test_report_of_a_verified_contract(tmp_path: Path) -> None:
    case = DEMO / "cases" / "loan-2024-001"
    out = tmp_path / "report.pdf"
    r = runner.invoke(app, ["verify", str(case / "contract.pdf.bundle.zip"), "--key", str(DEMO / "court.pub"),
                            "--file", str(case / "contract.pdf"), "--trust", str(DEMO / "trust" / "root-ca.pem"),
                            "--witness", str(DEMO / "witness.pub"), "--report", str(out), "--json"])
    assert r.exit_code == 0, r.output
    facts = json.loads(r.stdout)
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdftotext(out)
    f = flat(text)
    assert facts["file_digest"].split(":")[1] in f  # file name and digest
    assert "contract.pdf" in text
    assert f"叶子序号Leafindex{facts['leaf_index']}" in f  # leaf index, labelled in both languages
    assert facts["leaf_hash"] in f and facts["root_hash"] in f
    assert "有效valid(RFC9162§2.1.3.2)" in f  # inclusion proof result
    assert "demo.court.example/evidence+" in f and "demo.notary.example/witness+" in f  # signer, cosigner
    assert "2024-03-0102:15:00UTC" in f  # the timestamp's genTime
    assert "示例网络小额贷款有限公司" in text  # document signer
    assert flat(facts["conclusion_zh"]) in f and flat(facts["conclusion_en"]) in f
    assert "经验证，所提交的文件与" in text  # Chinese, rendered as text (a real font, with a ToUnicode map)
    assert "TEST — NOT FOR PRODUCTION" in text
    listing = fonts(out)
    assert "Noto-Sans-CJK" in listing
    for line in listing.splitlines()[2:]:
        assert " yes yes yes " in line, f"font not embedded as a subset with Unicode map: {line}"


def test_report_of_a_tampered_file(tmp_path: Path, court: Verifier) -> None:
    case = DEMO / "cases" / "loan-2024-003"
    v = verify_evidence((case / "repayments.csv.bundle.zip").read_bytes(), court,
                        file=(case / "repayments.csv").read_bytes(), file_name="repayments.csv",
                        signature=(case / "repayments.csv.p7s").read_bytes(),
                        trust=TrustStore.load([DEMO / "trust" / "root-ca.pem"]), bundle_name="repayments.csv.bundle.zip")
    assert v.integrity == "tampered" and v.conclusion[0] == "failed"
    out = write_verification_report(v, tmp_path / "tampered.pdf")
    text = pdftotext(out)
    f = flat(text)
    assert "文件与存证不一致" in text and "NOTtheanchoredfile" in f
    assert "不一致altered" in f and v.file_digest.split(":")[1] in f and v.record.digest.hex in f  # type: ignore[union-attr]
    assert "changedaftersigning" in f  # the CMS signature no longer matches either


def test_report_of_an_unverifiable_bundle(tmp_path: Path, court: Verifier) -> None:
    data = bytearray((DEMO / "cases" / "loan-2024-001" / "disbursement.csv.bundle.zip").read_bytes())
    data[100] ^= 0x01
    v = verify_evidence(bytes(data), court, bundle_name="broken.zip")
    assert not v.log_ok and v.conclusion[0] == "failed"
    text = pdftotext(write_verification_report(v, tmp_path / "broken.pdf"))
    assert "无法确认" in text and "Not verified" in text and "broken.zip" in text


def test_html_escapes_what_it_is_given(court: Verifier) -> None:
    case = DEMO / "cases" / "loan-2024-001"
    v = verify_evidence((case / "disbursement.csv.bundle.zip").read_bytes(), court,
                        file=(case / "disbursement.csv").read_bytes(), file_name="<script>x</script>.csv")
    html = render_html(v)
    assert "<script>x" not in html and "&lt;script&gt;x" in html
