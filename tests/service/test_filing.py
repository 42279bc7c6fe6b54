"""批量立案 (service.filing.import_rows) on SQLite and PostgreSQL: a pre-check's rows filed into the case store.

Where the expectations come from:

* the verdicts of the evidence demo's batch, ``examples/evidence/filings.csv``: README.md ("Pre-checking
  filings"): row 2 (L-2024-001) exceeds the limit on penalty interest, rows 3–5 need correction (late,
  tampered, missing / declared evidence), row 6 an impossible date (放款日 2024-02-30), row 7 a case for
  another court (不予受理, no jurisdiction);
* L-2024-001 with its claim corrected to what the law allows (penalty 2,722.19 = 20,000 × 27 % × 184 / 365,
  compound 489.99) is ready, claimed = claimable = 26,812.18 (the same README paragraph); a row with the same
  loan and no stated claim claims nothing above the law, so it is ready too;
* every evidence file of loan-2024-001 verifies as anchored (examples/evidence/README.md: "every requirement
  satisfied");
* the 案号 ``({year}){court}民初{n}号`` counted from 1 per prefix, the year the row's 起诉日's: the task;
* a lender adds only its own lender's cases (ruledsl/service/access.py, "放贷机构只能为本机构立案").
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.service import case_award, create_user, file_case, get_case, ruleset_ref, sign_in
from ruledsl.service import filing as filing_module
from ruledsl.service.decide import RULESETS
from ruledsl.service.demo import DEMO_KEYS, EVIDENCE_DEMO
from ruledsl.service.filing import FAILED, FILED, NOT_READY, SKIPPED, import_rows, write_report
from ruledsl.store import cases as cs

PASSWORD = "a long test password"
BANK = "某某银行股份有限公司"
OTHER = "某某消费金融有限公司"
RULESET = RULESETS / "cn" / "consumer_loan.rules"
FILINGS = EVIDENCE_DEMO / "filings.csv"
#: L-2024-001's claim as README.md says to correct it: what the law allows on each line
CORRECTED = {"principal_outstanding": "20000.00", "interest": "3600.00", "penalty_interest": "2722.19",
             "compound_interest": "489.99", "fees": "0.00"}


def demo_rows() -> tuple[list[str], dict[str, dict[str, str]]]:
    with FILINGS.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    return list(reader.fieldnames or ()), {r["借据号"]: r for r in rows}


HEADINGS, DEMO = demo_rows()


def loan(case_id: str, *, filed_on: str = "2025-09-01", claim: dict[str, str] | None = CORRECTED,
         **cells: str) -> dict[str, str]:
    """L-2024-001's row (its evidence files are the demo's anchored ones) under another 借据号 and 起诉日."""
    row = dict(DEMO["L-2024-001"], 借据号=case_id, 起诉日=filed_on)
    row["贷款人诉请金额"] = json.dumps(claim) if claim else ""
    row.update(cells)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], extra: tuple[str, ...] = ()) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, [*HEADINGS, *extra])
        w.writeheader()
        w.writerows(rows)
    return path


def user(store: Engine, name: str, role: str = "clerk", lender: str | None = None):  # type: ignore[no-untyped-def]
    create_user(store, name, PASSWORD, role, name, lender=lender)
    return sign_in(store, name, PASSWORD)


def count(store: Engine) -> int:
    with store.connect() as conn:
        return conn.execute(select(func.count()).select_from(cs.cases)).scalar_one()


def by_row(report) -> dict:  # type: ignore[no-untyped-def]
    return {r.row: r for r in report.rows}


def test_the_demo_batch_files_only_ready_rows_by_default(store: Engine) -> None:
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, FILINGS, lender=BANK, keys=DEMO_KEYS)
    rows = by_row(report)
    assert sorted(rows) == [2, 3, 4, 5, 6, 7]  # the sheet's own row numbers, header = 1
    assert {n: r.verdict for n, r in rows.items()} == {
        2: "exceeds_limit", 3: "needs_correction", 4: "needs_correction", 5: "needs_correction",
        6: "needs_correction", 7: "not_admissible"}
    assert all(r.outcome == NOT_READY and r.case_number is None for r in report.rows)  # none is ready
    assert "放款日" in rows[6].reason and "2024-02-30" in rows[6].reason  # its column and its value
    assert "无管辖权" in rows[7].reason
    assert "超出" in rows[2].reason
    assert report.counts == {FILED: 0, SKIPPED: 0, NOT_READY: 6, FAILED: 0} and not report.ok
    assert count(store) == 0


def test_exceeds_limit_included_is_filed_with_its_verified_evidence(store: Engine) -> None:
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, FILINGS, lender=BANK, keys=DEMO_KEYS,
                         include=("ready", "exceeds_limit"))
    rows = by_row(report)
    assert rows[2].outcome == FILED and rows[2].case_number == "(2025)浙0192民初1号"  # filed 2025-09-01
    assert [n for n, r in rows.items() if r.outcome == FILED] == [2]  # the other five stay out
    assert "2024-02-30" in rows[6].reason and "无管辖权" in rows[7].reason
    record = get_case(store, clerk, rows[2].store_id)
    assert record.case_number == "(2025)浙0192民初1号" and record.lender == BANK
    assert [(e["kind"], e["status"], e["verified"]) for e in record.evidence] == [
        (kind, "anchored", True) for kind in ("identity_verification", "loan_contract", "disbursement_record",
                                              "repayment_record", "overdue_notice")]
    assert record.inputs["case_id"] == "L-2024-001" and "evidence_files" not in record.inputs
    assert [p["role"] for p in record.parties] == ["原告"] and record.parties[0]["name"] == BANK
    award = case_award(record)
    assert award.evidence_complete
    # the court awards what the law allows: penalty 20,000 × 27 % × 184 / 365 = 2,722.19 of the 4,000.00 claimed;
    # the claim of 0.00 compound interest limits that line (民事诉讼法 art.211(11))
    assert str(award.line("penalty_interest").awarded.amount) == "2722.19"
    assert str(award.line("compound_interest").awarded.amount) == "0.00"
    with store.connect() as conn:
        assert conn.execute(select(cs.cases.c.verdict)).scalar_one() == "exceeds_limit"


def test_ready_rows_are_numbered_per_prefix(store: Engine, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", filed_on="2026-01-15", claim=None),
                                               loan("B-2", claim=None)])
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.row, r.verdict, r.outcome, r.case_number) for r in report.rows] == [
        (2, "ready", FILED, "(2025)浙0192民初1号"),
        (3, "ready", FILED, "(2026)浙0192民初1号"),  # another year: its own count
        (4, "ready", FILED, "(2025)浙0192民初2号"),
    ]
    assert report.ok and report.counts[FILED] == 3
    for r in report.rows:
        record = get_case(store, clerk, r.store_id)
        assert {e["status"] for e in record.evidence} == {"anchored"} and len(record.evidence) == 5
    first = case_award(get_case(store, clerk, report.rows[0].store_id))
    assert str(first.total.claimed.amount) == "26812.18" and str(first.total.awarded.amount) == "26812.18"


def test_numbers_follow_the_highest_the_store_holds(store: Engine, tmp_path: Path) -> None:
    clerk = user(store, "clerk")
    ref = ruleset_ref(RULESET)
    base = {"principal": "1000.00", "contract_rate": "12%", "disbursed_on": "2024-01-01", "filed_on": "2025-06-01",
            "instalments": [{"due_on": "2024-12-31", "principal": "1000.00", "interest": "120.00"}]}
    for number in ("(2025)浙0192民初7号", "(2025)浙0192民初10号x", "(2024)浙0192民初30号", "(2025)浙0192执9号"):
        file_case(store, clerk, number, OTHER, ref, base, [])  # (…10号x is no number of the prefix)
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", claim=None)])
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [r.case_number for r in report.rows] == ["(2025)浙0192民初8号", "(2025)浙0192民初9号"]


def test_a_rerun_files_nothing_new(store: Engine, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", claim=None),
                                               dict(DEMO["L-2024-005"])])
    clerk = user(store, "clerk")
    first = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [r.outcome for r in first.rows] == [FILED, FILED, NOT_READY]
    again = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [r.outcome for r in again.rows] == [SKIPPED, SKIPPED, NOT_READY]
    assert all(r.case_number is None for r in again.rows)
    assert "(2025)浙0192民初1号" in again.rows[0].reason and "L-2024-001" in again.rows[0].reason
    assert count(store) == 2
    # the same 借据号 of another lender is another lender's loan: filed
    other = import_rows(store, clerk, RULESET, batch, lender=OTHER, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.outcome, r.case_number) for r in other.rows[:2]] == [
        (FILED, "(2025)浙0192民初3号"), (FILED, "(2025)浙0192民初4号")]


def test_a_lender_importing_another_lenders_batch_is_refused_row_by_row(store: Engine, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", claim=None),
                                               dict(DEMO["L-2024-005"])])
    xiaofei = user(store, "xiaofei", "lender", OTHER)
    report = import_rows(store, xiaofei, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.row, r.outcome) for r in report.rows] == [(2, FAILED), (3, FAILED), (4, NOT_READY)]
    assert all("放贷机构只能为本机构立案" in r.reason for r in report.rows[:2])
    assert count(store) == 0
    bank = user(store, "bank", "lender", BANK)  # its own lender's, without naming it
    report = import_rows(store, bank, RULESET, batch, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [r.outcome for r in report.rows] == [FILED, FILED, NOT_READY] and report.lender == BANK
    assert get_case(store, bank, report.rows[0].store_id).lender == BANK


PARTY = ("被告姓名", "被告证件号码", "手机号")


def test_party_columns_of_a_csv(store: Engine, tmp_path: Path) -> None:
    rows = [loan("L-2024-001", 被告姓名="钱文博", 被告证件号码="330106198703142134", 手机号="13857112468"),
            loan("B-1", claim=None, 被告姓名=" 冯佳慧 "),  # no ID number or phone: none stored
            loan("B-2", claim=None, 被告证件号码="310104199409273262")]  # no name
    batch = write_csv(tmp_path / "batch.csv", rows, PARTY)
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [r.outcome for r in report.rows] == [FILED, FILED, FAILED]
    assert "被告姓名" in report.rows[2].reason
    assert not set(PARTY) & set(report.ignored_columns)  # read, so not reported as unused
    parties = get_case(store, clerk, report.rows[0].store_id).parties
    assert [(p["role"], p["name"], p["kind"], p["id_number"], p["phone"]) for p in parties] == [
        ("原告", BANK, "organisation", None, None),
        ("被告", "钱文博", "person", "330106198703142134", "13857112468")]
    second = get_case(store, clerk, report.rows[1].store_id).parties[1]
    assert (second["name"], second["id_number"], second["phone"]) == ("冯佳慧", None, None)


def test_party_columns_of_a_workbook(store: Engine, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    headings = [*HEADINGS, "借款人姓名", "身份证号", "被告电话"]
    sheet.append(headings)
    first = loan("L-2024-001")
    sheet.append([first[h] or None for h in HEADINGS] + ["钱文博", "330106198703142134", 13857112468])
    sheet.append([None] * len(headings))  # a blank row: not a case, but it keeps its number
    second = loan("B-1", claim=None)
    sheet.append([second[h] or None for h in HEADINGS] + ["杨振宇", 440305197901054513, "13728905678"])
    third = loan("B-2", claim=None)
    sheet.append([third[h] or None for h in HEADINGS] + ["董小芳", "420106199811195621", None])
    path = tmp_path / "batch.xlsx"
    book.save(path)
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, path, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.row, r.outcome) for r in report.rows] == [(2, FILED), (4, FAILED), (5, FILED)]
    assert report.blank_rows == 1
    # an 18-digit ID number typed as a number: Excel keeps 15 significant digits, so it cannot be trusted
    assert "身份证号" in report.rows[1].reason or "证件号码" in report.rows[1].reason
    assert "文本" in report.rows[1].reason
    people = get_case(store, clerk, report.rows[0].store_id).parties[1]
    assert (people["name"], people["id_number"], people["phone"]) == ("钱文博", "330106198703142134", "13857112468")
    assert report.rows[2].case_number == "(2025)浙0192民初2号"  # the failed row took no number


def test_evidence_outside_the_evidence_dir_is_reported_and_the_others_filed(store: Engine, tmp_path: Path) -> None:
    outside = json.dumps([{"kind": "loan_contract", "file": "../../README.md"}])
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", claim=None, 证据文件=outside),
                                               loan("B-2", claim=None)])
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.row, r.outcome) for r in report.rows] == [(2, FILED), (3, NOT_READY), (4, FILED)]
    assert "outside" in report.rows[1].reason and "证据文件" in report.rows[1].reason
    assert count(store) == 2


def test_without_a_court_key_nothing_declared_counts(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RULEDSL_COURT_KEY", raising=False)
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, FILINGS, lender=BANK, keys=None, include=("ready", "exceeds_limit"))
    assert report.rows[0].outcome == NOT_READY and "court key" in report.rows[0].reason
    assert count(store) == 0


def test_a_crash_mid_import_loses_no_filed_case(store: Engine, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001"), loan("B-1", claim=None), loan("B-2", claim=None)])
    clerk = user(store, "clerk")
    real = filing_module.file_case
    calls = []

    def crashing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(filing_module, "file_case", crashing)
    with pytest.raises(RuntimeError):
        import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert count(store) == 1
    monkeypatch.setattr(filing_module, "file_case", real)
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.outcome, r.case_number) for r in report.rows] == [
        (SKIPPED, None), (FILED, "(2025)浙0192民初2号"), (FILED, "(2025)浙0192民初3号")]


def test_a_number_taken_meanwhile_is_not_reused(store: Engine, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = user(store, "clerk")
    ref = ruleset_ref(RULESET)
    file_case(store, clerk, "(2025)浙0192民初1号", OTHER, ref,
              {"principal": "1000.00", "contract_rate": "12%", "disbursed_on": "2024-01-01", "filed_on": "2025-06-01",
               "instalments": [{"due_on": "2024-12-31", "principal": "1000.00", "interest": "120.00"}]}, [])
    real = filing_module._Numbers._highest
    looks = []

    def stale(self, year):  # type: ignore[no-untyped-def]
        looks.append(year)
        return 0 if len(looks) == 1 else real(self, year)  # the first look misses the other filing

    monkeypatch.setattr(filing_module._Numbers, "_highest", stale)
    batch = write_csv(tmp_path / "batch.csv", [loan("L-2024-001")])
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    assert [(r.outcome, r.case_number) for r in report.rows] == [(FILED, "(2025)浙0192民初2号")]


def test_who_may_import_and_what(store: Engine) -> None:
    mediator = user(store, "mediator", "mediator")
    with pytest.raises(AccessDenied):
        import_rows(store, mediator, RULESET, FILINGS, lender=BANK, keys=DEMO_KEYS)
    clerk = user(store, "clerk")
    with pytest.raises(InputError, match="放贷机构"):
        import_rows(store, clerk, RULESET, FILINGS, keys=DEMO_KEYS)  # a clerk names the lender
    with pytest.raises(InputError):
        import_rows(store, clerk, RULESET, FILINGS, lender=BANK, keys=DEMO_KEYS, include=("needs_correction",))
    with pytest.raises(InputError):
        import_rows(store, clerk, RULESET, FILINGS, lender=BANK, keys=DEMO_KEYS, court_code="浙 0192")
    with pytest.raises(InputError):  # not a published ruleset: its cases could not be decided again
        import_rows(store, clerk, EVIDENCE_DEMO / "demo.rules", FILINGS, lender=BANK, keys=DEMO_KEYS)
    assert count(store) == 0


def test_the_report_file(store: Engine, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "batch.csv", [loan("=cmd|' /C calc'!A0"), dict(DEMO["L-2024-005"])])
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO)
    path = write_report(report, tmp_path / "report.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, as Excel opens it
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert lines[0] == ["row", "case_id", "verdict", "案号", "outcome", "reason"]
    assert lines[1][:5] == ["2", "'=cmd|' /C calc'!A0", "ready", "(2025)浙0192民初1号", "filed"]  # no formula
    assert lines[2][0] == "3" and lines[2][4] == "not_ready" and "2024-02-30" in lines[2][5]


def test_the_verdicts_are_the_prechecks_however_the_rows_are_parted(store: Engine, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ruledsl.precheck import precheck, read_table
    from ruledsl.ruleset import load

    rows = [loan("L-2024-001"), *(dict(DEMO[k]) for k in sorted(DEMO)), loan("B-1", claim=None)]
    batch = write_csv(tmp_path / "batch.csv", rows)  # L-2024-001 twice (rows 2 and 3): both need correction
    monkeypatch.setattr(filing_module, "PART_ROWS", 2)  # the two rows fall in different parts
    clerk = user(store, "clerk")
    report = import_rows(store, clerk, RULESET, batch, lender=BANK, keys=DEMO_KEYS, evidence_dir=EVIDENCE_DEMO,
                         include=("ready", "exceeds_limit"))
    ruleset = load(RULESET)
    expected = precheck(ruleset, read_table(batch, ruleset.checked), evidence_dir=EVIDENCE_DEMO,
                        court_key=DEMO_KEYS.court_key, trust=[str(t) for t in DEMO_KEYS.trust])
    assert [(r.row, r.case_id, r.verdict) for r in report.rows] == [
        (r.row, r.case_id, r.verdict) for r in expected.results]
    assert [r.verdict for r in report.rows[:2]] == ["needs_correction", "needs_correction"]
    assert "重复" in report.rows[0].reason and "重复" in report.rows[1].reason
    assert [(r.row, r.outcome) for r in report.rows if r.outcome == FILED] == [(9, FILED)]
