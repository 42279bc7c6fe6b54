"""A batch uploaded through the assistant's 立案 page (service.filing.import_upload), on SQLite and
PostgreSQL: the table and a ZIP of its evidence files, unpacked safely and filed as ``import_rows`` files.

The expectations come from the evidence demo's batch (examples/evidence/filings.csv, README.md
"Pre-checking filings"): row 2 (L-2024-001) claims more than the law allows and its evidence files are
all anchored (examples/evidence/README.md); rows 3–5 need correction; row 6 has an impossible date; row 7
is for another court.
"""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from sqlalchemy import Engine

from ruledsl.core.errors import InputError
from ruledsl.service import create_user, get_case, sign_in
from ruledsl.service.demo import DEMO_KEYS, EVIDENCE_DEMO
from ruledsl.service.filing import FILED, import_upload, published_rulesets

PASSWORD = "a long test password"
BANK = "某某银行股份有限公司"


def evidence_zip() -> bytes:
    """The demo's evidence files, at the paths the batch's 证据文件 column gives (cases/<folder>/<file>)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for p in sorted((EVIDENCE_DEMO / "cases").rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(EVIDENCE_DEMO).as_posix())
    return out.getvalue()


def clerk(store: Engine):  # type: ignore[no-untyped-def]
    create_user(store, "clerk", PASSWORD, "clerk", "书记员")
    return sign_in(store, "clerk", PASSWORD)


def test_an_uploaded_batch_is_filed_with_its_evidence(store: Engine) -> None:
    session = clerk(store)
    report = import_upload(store, session, "cn.consumer_loan", "批量立案.csv", (EVIDENCE_DEMO / "filings.csv").read_bytes(),
                           evidence_zip(), lender=BANK, keys=DEMO_KEYS, include=("ready", "exceeds_limit"))
    by_row = {r.row: r for r in report.rows}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
    assert by_row[2].outcome == FILED and by_row[2].case_number == "(2025)浙0192民初1号"
    assert all(by_row[n].outcome != FILED for n in (3, 4, 5, 6, 7))
    record = get_case(store, session, by_row[2].store_id)
    assert [e["status"] for e in record.evidence] == ["anchored"] * 5 and all(e["verified"] for e in record.evidence)


def test_without_the_zip_no_declared_file_is_presented(store: Engine) -> None:
    session = clerk(store)
    report = import_upload(store, session, "cn.consumer_loan", "filings.csv", (EVIDENCE_DEMO / "filings.csv").read_bytes(),
                           None, lender=BANK, keys=DEMO_KEYS, include=("ready", "exceeds_limit"))
    assert not any(r.outcome == FILED for r in report.rows)  # evidence missing: every row needs correction


def _zip(*members: tuple[str, bytes], link: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return out.getvalue()


@pytest.mark.parametrize(("archive", "why"), [
    (_zip(("../outside.txt", b"x")), "指向文件夹之外"),
    (_zip(("/abs.txt", b"x")), "指向文件夹之外"),
    (_zip(link="cases/link.pdf"), "是链接"),
    # 50 MB of zeros packs to some 50 KB: a thousand times larger unpacked than packed
    (_zip(("cases/zeros.bin", bytes(50 * 1024 * 1024))), "超出上限"),
    (b"not a zip at all", "不是 ZIP"),
])
def test_a_hostile_zip_is_refused_before_anything_is_filed(store: Engine, archive: bytes, why: str) -> None:
    session = clerk(store)
    with pytest.raises(InputError, match=why):
        import_upload(store, session, "cn.consumer_loan", "filings.csv", (EVIDENCE_DEMO / "filings.csv").read_bytes(),
                      archive, lender=BANK, keys=DEMO_KEYS)


def test_an_upload_of_another_kind_or_ruleset_is_refused(store: Engine) -> None:
    session = clerk(store)
    with pytest.raises(InputError, match="不支持的文件类型"):
        import_upload(store, session, "cn.consumer_loan", "filings.exe", b"MZ", lender=BANK)
    with pytest.raises(InputError, match="没有已发布的规则集"):
        import_upload(store, session, "cn.no_such", "filings.csv", b"", lender=BANK)


def test_the_batch_rulesets_are_the_published_loan_rulesets() -> None:
    assert {"cn.consumer_loan", "cn.credit_card", "cn.private_lending"} <= set(published_rulesets())
    assert "cn.court_fees" not in published_rulesets()  # no case id: not a batch of cases
