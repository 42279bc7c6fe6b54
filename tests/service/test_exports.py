"""Exporting the drafts of several cases at once, and the next undecided case (SQLite and PostgreSQL).

The PDFs are rendered for real and read back with poppler's pdftotext (as tests/reports does).

Case 101 is the worked example of ``rulesets/cn/consumer_loan.rules`` that tests/service/test_decide.py
works by hand: 10,000.00 lent 2023-01-01 at 18 %, due 2024-01-01 with interest 1,800.00, filed 2024-07-01
(182 days overdue), penalty rate 27 %:

* penalty  = 10,000 × 27 % × 182 / 365 = 1,346.3013… → 1,346.30 (claimed 1,500.00: more than the law allows);
* compound =  1,800 × 27 % × 182 / 365 =   242.3342… →   242.33;
* awarded 10,000.00 + 1,800.00 + 1,346.30 + 242.33 = 13,388.63;
  claimed 10,000.00 + 1,800.00 + 1,500.00 + 242.33 + 0.00 = 13,542.33.

In capitals (大写, 《支付结算办法》's rules, see ruledsl/core/numerals.py), by hand:
10,000.00 壹万元整 · 1,800.00 壹仟捌佰元整 · 1,346.30 壹仟叁佰肆拾陆元叁角 · 242.33 贰佰肆拾贰元叁角叁分;
the total 13,388.63 壹万叁仟叁佰捌拾捌元陆角叁分.

The evidence reports: cases filed with the evidence demo's files (examples/evidence/cases): loan-2024-003 has
five items, each with its bundle, its repayment record edited after it was anchored; loan-2024-004 four, its
overdue notice declared without a bundle.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ruledsl.core.errors import AccessDenied, InputError
from ruledsl.service import Session, add_case, audit_entries, create_user, demo, sign_in
from ruledsl.service.access import RulesetRef
from ruledsl.service.decide import RULESETS, file_case, ruleset_ref, save_decision
from ruledsl.service.exports import MAX_EXPORT, export_bundle, export_drafts, next_undecided, safe_file_name
from tests.reports.test_verification_report import pdftotext

PASSWORD = "correct horse 42"
BANK, OTHER = "甲银行股份有限公司", "乙消费金融有限公司"
COURT = "杭州互联网法院"
D = Decimal
LOAN = {
    "principal": D("10000.00"), "contract_rate": D("0.18"), "disbursed_on": date(2023, 1, 1),
    "instalments": [{"due_on": date(2024, 1, 1), "principal": D("10000.00"), "interest": D("1800.00")}],
    "filed_on": date(2024, 7, 1),
    "claimed": {"principal_outstanding": D("10000.00"), "interest": D("1800.00"), "penalty_interest": D("1500.00"),
                "compound_interest": D("242.33"), "fees": D("0.00")},
}
UNCLAIMED = {k: v for k, v in LOAN.items() if k != "claimed"}
PARTIES = [{"role": "原告", "name": BANK, "kind": "organisation"},
           {"role": "被告", "name": "张三丰", "id_number": "11010119900307123X", "phone": "13812345678"}]
A, B, BAD, THEIRS = "(2024)浙0192民初101号", "(2024)浙0192民初102号", "(2024)浙0192民初103号", "(2024)浙0192民初201号"


@dataclass(frozen=True)
class World:
    store: Engine
    judge: Session
    clerk: Session
    bank: Session
    mediator: Session
    admin: Session
    ids: dict[str, int]  # 案号 → id


@pytest.fixture
def world(store: Engine) -> World:
    sessions = {}
    for name, role, lender in (("judge", "judge", None), ("clerk", "clerk", None), ("bank", "lender", BANK),
                               ("other", "lender", OTHER), ("mediator", "mediator", None), ("admin", "admin", None)):
        create_user(store, name, PASSWORD, role, name, lender=lender)
        sessions[name] = sign_in(store, name, PASSWORD)
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    ids = {
        A: file_case(store, sessions["bank"], A, BANK, ref, LOAN, PARTIES),
        B: file_case(store, sessions["bank"], B, BANK, ref, UNCLAIMED, PARTIES),
        # filed under a text of the ruleset that is no longer the published one: it cannot be decided
        BAD: add_case(store, sessions["bank"], BAD, BANK, RulesetRef(ref.id, ref.version, "0" * 64), LOAN, PARTIES),
        THEIRS: file_case(store, sessions["other"], THEIRS, OTHER, ref, LOAN,
                          [{"role": "原告", "name": OTHER, "kind": "organisation"}, {"role": "被告", "name": "李四"}]),
    }
    return World(store, sessions["judge"], sessions["clerk"], sessions["bank"], sessions["mediator"],
                 sessions["admin"], ids)


def unpack(data: bytes) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {name: z.read(name) for name in z.namelist()}
    raw = files.pop("清单.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return files, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def text_of(pdf: bytes, tmp_path: Path) -> str:
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return "".join(pdftotext(path).split())  # lines wrap anywhere in Chinese text


def exports(world: World) -> list[tuple[str | None, int | None, dict]]:
    return [(e.username, e.case_id, e.detail) for e in audit_entries(world.store, world.judge) if e.action == "export"]


# ---------------------------------------------------------------- the judgment drafts


def test_a_judge_exports_one_judgment_draft_per_case_and_the_list(world: World, tmp_path: Path) -> None:
    data = export_drafts(world.store, world.judge, [world.ids[A], world.ids[B]], COURT)
    files, rows = unpack(data)
    assert sorted(files) == [f"判决主文草稿-{A}.pdf", f"判决主文草稿-{B}.pdf"]

    text = text_of(files[f"判决主文草稿-{A}.pdf"], tmp_path)
    assert A in text and COURT in text
    for capitals in ("壹万元整", "壹仟捌佰元整", "壹仟叁佰肆拾陆元叁角", "贰佰肆拾贰元叁角叁分"):
        assert f"大写：人民币{capitals}" in text
    assert "张三丰" in text  # a draft judgment names the parties: a judge opening one case sees them plain
    assert "驳回原告甲银行股份有限公司的其他诉讼请求" in text  # 1,500.00 of penalty claimed, 1,346.30 awarded

    by_number = {r["案号"]: r for r in rows}
    assert list(by_number) == [A, B]
    assert by_number[A]["诉请合计（元）"] == "13542.33" and by_number[A]["判决合计（元）"] == "13388.63"
    assert by_number[B]["诉请合计（元）"] == ""  # no claim stated
    assert {r["结果"] for r in rows} == {"已导出"} and {r["原因"] for r in rows} == {""}
    assert by_number[A]["文件"] == f"判决主文草稿-{A}.pdf"
    # a list is masked for a judge (plain only when one case is opened): the name's first character, no ID
    assert by_number[A]["当事人"] == f"原告 {BANK}；被告 张**"
    listed = str(rows)
    assert "11010119900307123X" not in listed and "13812345678" not in listed and "张三丰" not in listed

    assert exports(world) == [
        ("judge", world.ids[A], {"kind": "judgment", "file": f"判决主文草稿-{A}.pdf"}),
        ("judge", world.ids[B], {"kind": "judgment", "file": f"判决主文草稿-{B}.pdf"}),
    ]


def test_a_lender_sees_its_own_parties_plain_and_another_lenders_case_is_refused(world: World) -> None:
    bundle = export_bundle(world.store, world.bank, [world.ids[THEIRS], world.ids[A]], COURT)
    files, rows = unpack(bundle.data)
    assert list(files) == [f"判决主文草稿-{A}.pdf"]
    assert [r["结果"] for r in rows] == ["拒绝", "已导出"]
    refused, done = rows
    assert refused["案件编号"] == str(world.ids[THEIRS])
    assert "放贷机构只能查看本机构的案件" in refused["原因"]
    assert refused["案号"] == "" and refused["当事人"] == "" and "李四" not in str(rows)
    assert done["当事人"] == f"原告 {BANK}；被告 张三丰"  # a lender's own debtor, plain (as in its queue)
    assert [r.case_id for r in bundle.not_exported] == [world.ids[THEIRS]]
    assert exports(world) == [("bank", world.ids[A], {"kind": "judgment", "file": f"判决主文草稿-{A}.pdf"})]


def test_a_case_that_cannot_be_decided_is_listed_and_the_others_are_exported(world: World) -> None:
    files, rows = unpack(export_drafts(world.store, world.clerk, [world.ids[BAD], world.ids[A], 999999], COURT))
    assert list(files) == [f"判决主文草稿-{A}.pdf"]
    bad, done, missing = rows
    assert (bad["案号"], bad["结果"]) == (BAD, "失败") and "自立案以来已变更" in bad["原因"]
    assert done["结果"] == "已导出"
    assert (missing["案件编号"], missing["结果"]) == ("999999", "失败") and "没有编号为 999999 的案件" in missing["原因"]
    assert [c for _, c, _ in exports(world)] == [world.ids[A]]


@pytest.mark.parametrize("who", ["mediator", "admin"])
def test_mediators_and_admins_export_nothing(world: World, who: str) -> None:
    name = {"mediator": "调解员", "admin": "管理员"}[who]
    with pytest.raises(AccessDenied, match=f"{name}无权导出案件"):
        export_drafts(world.store, getattr(world, who), [world.ids[A]], COURT)
    assert exports(world) == []


def test_at_most_200_cases_at_once(world: World) -> None:
    with pytest.raises(InputError, match="一次最多导出 200 件案件，本次选择了 201 件"):
        export_drafts(world.store, world.judge, list(range(1, MAX_EXPORT + 2)), COURT)
    # 200 are taken (ids no case has: each is listed as failed, none stops the rest)
    _, rows = unpack(export_drafts(world.store, world.judge, list(range(10**6, 10**6 + MAX_EXPORT)), COURT))
    assert len(rows) == 200 and {r["结果"] for r in rows} == {"失败"}
    with pytest.raises(InputError, match="请选择要导出的案件"):
        export_drafts(world.store, world.judge, [], COURT)


def test_the_same_case_twice_is_exported_once(world: World) -> None:
    files, rows = unpack(export_drafts(world.store, world.judge, [world.ids[A], world.ids[A]], COURT))
    assert len(files) == 1 and len(rows) == 1


# ---------------------------------------------------------------- the calculation sheet


def test_the_calculation_sheets(world: World, tmp_path: Path) -> None:
    # 2027-03-04 18:30 UTC is 2027-03-05 02:30 in China: the sheet is dated as the court's calendar reads
    at = datetime(2027, 3, 4, 18, 30, tzinfo=UTC)
    judge = sign_in(world.store, "judge", PASSWORD, now=at)
    files, rows = unpack(export_drafts(world.store, judge, [world.ids[A]], COURT, kind="sheet", now=at))
    assert list(files) == [f"计算明细-{A}.pdf"]
    text = text_of(files[f"计算明细-{A}.pdf"], tmp_path)
    assert A in text and "裁判金额计算书" in text
    assert COURT in text and "制表日期：2027年3月5日" in text and "第1页共" in text  # the court's name, as given
    assert "13,388.63" in text and "1,346.30" in text
    assert "合计：人民币13,388.63元（大写：人民币壹万叁仟叁佰捌拾捌元陆角叁分）" in text
    assert "principal_outstanding" not in text and "penalty_interest" not in text
    assert rows[0]["文件"] == f"计算明细-{A}.pdf"
    assert exports(replace(world, judge=judge)) == [("judge", world.ids[A], {"kind": "sheet", "file": f"计算明细-{A}.pdf"})]
    with pytest.raises(InputError, match="未知的导出类型"):
        export_drafts(world.store, judge, [world.ids[A]], COURT, kind="letter", now=at)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the evidence verification reports


def evidence_world(world: World) -> dict[str, int]:
    ref = ruleset_ref(RULESETS / "cn" / "consumer_loan.rules")
    return {folder: file_case(world.store, world.bank, number, BANK, ref, UNCLAIMED, PARTIES,
                              evidence=demo.evidence_of(folder, demo.DEMO_KEYS))
            for folder, number in (("loan-2024-003", "(2025)浙0192民初301号"), ("loan-2024-004", "(2025)浙0192民初302号"))}


def test_the_evidence_reports(world: World, tmp_path: Path) -> None:
    ids = evidence_world(world)
    bundle = export_bundle(world.store, world.judge, [ids["loan-2024-003"], ids["loan-2024-004"], world.ids[A]], COURT,
                           kind="evidence", keys=demo.DEMO_KEYS)
    files, rows = unpack(bundle.data)
    tampered, declared = "(2025)浙0192民初301号", "(2025)浙0192民初302号"
    reports = [f"证据核验报告-{tampered}-{f}.pdf" for f in ("identity_check.json", "contract.pdf", "disbursement.csv",
                                                         "repayments.csv", "overdue_notice.txt")]
    reports += [f"证据核验报告-{declared}-{f}.pdf" for f in ("contract.pdf", "disbursement.csv", "repayments.csv")]
    assert sorted(files) == sorted(reports)  # one report per item filed with its bundle, none for the notice of 302

    text = text_of(files[f"证据核验报告-{tampered}-repayments.csv.pdf"], tmp_path)
    assert "电子证据核验报告" in text and "文件与存证不一致" in text  # edited after it was anchored
    assert "repayments.csv" in text
    contract = text_of(files[f"证据核验报告-{tampered}-contract.pdf.pdf"], tmp_path)
    assert "文件与存证不一致" not in contract and "经验证，所提交的文件与" in contract

    by_file = {r["文件"]: r for r in rows if r["文件"]}
    assert set(by_file) == set(reports) and {r["结果"] for r in by_file.values()} == {"已导出"}
    missing = [r for r in rows if not r["文件"]]
    notice, no_evidence = missing
    assert (notice["案号"], notice["结果"]) == (declared, "未存证")
    assert "逾期催收通知（overdue_notice.txt）未提交存证证据包" in notice["原因"]
    assert (no_evidence["案号"], no_evidence["结果"]) == (A, "未存证") and "未提交证据文件" in no_evidence["原因"]
    assert len(bundle.exported) == 8 and len(bundle.not_exported) == 2

    # one audit entry per case exported, listing its reports (the case without evidence: none)
    assert exports(world) == [
        ("judge", ids["loan-2024-003"], {"kind": "evidence", "files": reports[:5]}),
        ("judge", ids["loan-2024-004"], {"kind": "evidence", "files": reports[5:]}),
    ]


def test_the_evidence_reports_need_the_courts_keys(world: World) -> None:
    ids = evidence_world(world)
    with pytest.raises(InputError, match="未配置法院存证核验密钥"):
        export_drafts(world.store, world.judge, [ids["loan-2024-003"]], COURT, kind="evidence")
    assert exports(world) == []


def test_a_lender_exports_the_evidence_reports_of_its_own_cases_only(world: World) -> None:
    ids = evidence_world(world)
    files, rows = unpack(export_drafts(world.store, world.bank, [world.ids[THEIRS], ids["loan-2024-004"]], "",
                                       kind="evidence", keys=demo.DEMO_KEYS))
    assert len(files) == 3 and [r["结果"] for r in rows] == ["拒绝", "已导出", "已导出", "已导出", "未存证"]


def test_safe_file_names() -> None:
    assert safe_file_name("判决主文草稿-(2024)浙0192民初101号") == "判决主文草稿-(2024)浙0192民初101号"
    assert safe_file_name("../a/b:c*?\"<>|\n") == "_a_b_c_"
    assert safe_file_name("...") == "_"


# ---------------------------------------------------------------- the next undecided case


def test_next_undecided_skips_decided_cases_in_the_queues_order(world: World) -> None:
    ids = world.ids
    save_decision(world.store, world.judge, ids[B])
    order = {"sort": "case_number", "descending": False}  # 101, 102 (decided), 103, 201
    assert next_undecided(world.store, world.judge, None, **order) == ids[A]
    assert next_undecided(world.store, world.judge, ids[A], **order) == ids[BAD]
    assert next_undecided(world.store, world.judge, ids[B], **order) == ids[BAD]
    assert next_undecided(world.store, world.judge, ids[BAD], **order) == ids[THEIRS]
    assert next_undecided(world.store, world.judge, ids[THEIRS], **order) is None  # the last: no wrapping round
    # newest first, the queue's default: 201, 103, 102 (decided), 101
    assert next_undecided(world.store, world.judge, ids[BAD]) == ids[A]
    # the queue's filters: only the other lender's, only the decided, a search, a lender's own queue
    assert next_undecided(world.store, world.judge, None, lender=OTHER) == ids[THEIRS]
    assert next_undecided(world.store, world.judge, None, stage="已裁判") is None
    assert next_undecided(world.store, world.judge, None, search="李四") == ids[THEIRS]
    assert next_undecided(world.store, world.bank, ids[BAD]) == ids[A]
    # a case the filters leave out: the first undecided of the queue
    assert next_undecided(world.store, world.judge, ids[THEIRS], lender=BANK, **order) == ids[A]
    with pytest.raises(InputError):
        next_undecided(world.store, world.judge, None, limit=5)
