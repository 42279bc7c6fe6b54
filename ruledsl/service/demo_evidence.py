"""Evidence files for the demo store's generated loans, anchored in the demo court's log (演示证据).

:func:`build` writes, for each generated consumer loan, the files a lender files with it — small but real:

* ``identity_check.json`` — the borrower's identity check (实名认证 + 人脸识别) a few minutes before signing;
* ``contract.txt`` and ``contract.txt.p7s`` — the loan contract as text, signed with a detached CMS
  signature (:func:`ruledsl.evidence.signing.sign_detached_cms`) by the lender's TEST certificate at the
  signing time;
* ``disbursement.csv`` — the disbursement (放款) on the loan's disbursement day;
* ``repayments.csv`` — the borrower's repayments, exactly the case's ``repayments``;
* ``overdue_notice.txt`` — the overdue notice (逾期催收通知) sent after the first missed instalment, or the
  notice calling the loan in (宣布提前到期) on the day the case says it was called in;

and anchors every one of them as the lender would, minutes after it was made, in the demo court's
evidence log (:class:`ruledsl.store.log.EvidenceLog`); each item gets its bundle (``*.bundle.zip``: the
record, its inclusion proof and the checkpoint, cosigned by the demo witness) and an ``evidence.json``
declaring the files as a filing does (:mod:`ruledsl.evidence.facts`).  Nothing here marks an item
verified: the filing is verified by :func:`ruledsl.service.evidence.verify_filing` like any other.

The log: a copy of the evidence demo's log (``examples/evidence/demo.db``), extended — the court signs
the new tree only because it extends the checkpoint the demo published (``examples/evidence/checkpoint.txt``),
and the witness cosigns it with a consistency proof from that checkpoint — so the demo court never signs
two different trees of one origin.  The keys are the evidence demo's own, derived from its fixed seed by
``examples/evidence/build_demo.py`` (:func:`demo_keys` calls its derivation; no key is written anywhere):
the court's checkpoints verify with ``examples/evidence/court.pub``, the signatures chain to
``examples/evidence/trust/root-ca.pem``.  All of it is TEST data.

Most loans (:data:`CLEAN_SHARE`) have every item in order; each of the others has one problem of
:data:`PROBLEMS` (:func:`problems` deals them out), as a court's intake sees them:

* ``late`` — the contract anchored 30 to 120 hours after it was signed (the ruleset allows 24);
* ``tampered`` — the repayment record (the disbursement record when nothing was repaid) edited after it
  was anchored: the file presented no longer has the anchored digest;
* ``declared`` — the overdue notice presented without a bundle, never anchored (declared only);
* ``missing`` — no identity check filed at all.

Where it is written (``evidence_dir``)::

    .ruledsl-demo-evidence     marks the folder as this module's (a folder without it is never cleared)
    log.db                     the demo court's log, extended (SQLite)
    court-state.json           the court signer's record of its last checkpoint
    witness-state.json         the witness's record of the last checkpoint it cosigned
    checkpoint.txt             the new checkpoint, signed by the court and cosigned by the witness
    cases/<n>-<借据号>/          one folder a loan: the files, their bundles and evidence.json (its
                               ``evidence_files`` as a filing declares them, and ``demo_problem``: what
                               the demo made wrong on purpose, one of PROBLEMS, or null)
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruledsl.core.errors import RefusedError

CST = timezone(timedelta(hours=8))
#: the evidence demo (examples/evidence, built by its build_demo.py): its log, keys and checkpoint
EVIDENCE_DEMO = Path(__file__).resolve().parents[2] / "examples" / "evidence"
MARKER = ".ruledsl-demo-evidence"

#: the share of generated loans filed with every item in order
CLEAN_SHARE = 0.85
#: the problems of the other loans, with their weights (see the module docstring)
PROBLEMS = {"late": 4, "tampered": 3, "declared": 5, "missing": 3}


def problems(n: int, rng: random.Random) -> list[str | None]:
    """Each of ``n`` loans' problem (None: every item in order), in a shuffled order: ``round(n × (1 −
    CLEAN_SHARE))`` loans have one, dealt out from :data:`PROBLEMS` in turn while each has weight left (so
    every problem appears once there are that many, and 15 of them follow the weights exactly)."""
    left = dict(PROBLEMS)
    deal: list[str] = []
    while len(deal) < sum(PROBLEMS.values()):
        for p in PROBLEMS:
            if left[p]:
                deal.append(p)
                left[p] -= 1
    k = round(n * (1 - CLEAN_SHARE))
    out: list[str | None] = [deal[i % len(deal)] for i in range(k)] + [None] * (n - k)
    rng.shuffle(out)
    return out


@dataclass(frozen=True)
class Loan:
    """A generated loan as filed: ``number`` its case number's serial (names its folder), ``case_id`` its
    借据号 (the log's record names the contract by it, never the borrower), ``submitter`` the lender's
    统一社会信用代码, ``inputs`` the case's inputs (:func:`ruledsl.service.demo.random_loan`)."""

    number: int
    case_id: str
    lender: str
    submitter: str
    borrower: str
    inputs: Mapping[str, Any]


@dataclass
class Filing:
    """What one loan is filed with: its folder and the evidence files it declares there."""

    folder: Path
    declarations: list[dict[str, Any]]
    problem: str | None


@dataclass
class _Item:
    kind: str
    name: str
    data: bytes
    anchored: datetime | None  # None: never anchored (declared only)
    signed_at: datetime | None = None
    signature: bytes | None = None
    index: int | None = None  # its leaf in the log, once anchored


# ---------------------------------------------------------------- the demo's keys


@functools.cache
def _build_demo() -> Any:
    """examples/evidence/build_demo.py as a module (its seed, origin and key derivation)."""
    spec = importlib.util.spec_from_file_location("_ruledsl_evidence_build_demo", EVIDENCE_DEMO / "build_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path  # it puts the repository first on the path for its own use
    return module


@dataclass(frozen=True)
class DemoKeys:
    """The evidence demo's TEST signers, as its build_demo.py derives them from its seed."""

    origin: str
    court: Any  # note Signer
    notary: Any  # witness Signer (cosignature/v1)
    pki: Any  # TestPKI


@functools.cache
def demo_keys() -> DemoKeys:
    bd = _build_demo()
    court = bd.seeded_signer(bd.ORIGIN, "court")
    notary = bd.seeded_signer("demo.notary.example/witness", "witness", bd.ALG_COSIGNATURE_V1)
    return DemoKeys(bd.ORIGIN, court, notary, bd.make_test_pki(bd.SEED))


# ---------------------------------------------------------------- the folder


def prepare(evidence_dir: str | os.PathLike) -> Path:
    """The folder, emptied of what an earlier :func:`build` wrote; a folder with other files is refused."""
    out = Path(evidence_dir)
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise RefusedError.of(f"{out} is not empty and was not written by the demo's seeding",
                              hint="give an empty folder or one the demo wrote before")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("log.db", "log.db-wal", "log.db-shm", "court-state.json", "court-state.json.lock",
                 "witness-state.json", "checkpoint.txt"):
        (out / name).unlink(missing_ok=True)
    if (out / "cases").is_dir():
        shutil.rmtree(out / "cases")
    (out / MARKER).write_text("written by ruledsl.service.demo_evidence: cleared when the demo is seeded again\n",
                              "utf-8")
    return out


def _copy_log(target: Path) -> None:
    """The evidence demo's log as committed, copied through SQLite's backup (opened immutable: a WAL-mode
    database opened even read-only would leave -wal and -shm files in examples/evidence)."""
    src = sqlite3.connect(f"{(EVIDENCE_DEMO / 'demo.db').as_uri()}?mode=ro&immutable=1", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# ---------------------------------------------------------------- the files


def _csv(rows: Sequence[Sequence[Any]]) -> bytes:
    return ("\n".join(",".join(str(c) for c in r) for r in rows) + "\n").encode("utf-8")


def _at(day: date, rng: random.Random, first: int = 9, last: int = 20) -> datetime:
    return datetime.combine(day, time(rng.randrange(first, last), rng.randrange(60)), CST)


def _missed(inputs: Mapping[str, Any]) -> date:
    """The first instalment's due date the borrower did not pay on (the generated loans pay on due dates)."""
    paid_on = {(r["paid_on"], r["amount"]) for r in inputs.get("repayments") or ()}
    plan = inputs["instalments"]
    return next((i["due_on"] for i in plan if (i["due_on"], i["principal"] + i["interest"]) not in paid_on),
                plan[-1]["due_on"])


def _items(loan: Loan, problem: str | None, rng: random.Random) -> list[_Item]:
    inputs = loan.inputs
    contract_no = loan.case_id
    principal = Decimal(inputs["principal"])
    rate = Decimal(inputs["contract_rate"])
    plan = inputs["instalments"]
    disbursed: date = inputs["disbursed_on"]
    filed: date = inputs["filed_on"]
    signed = _at(disbursed, rng)
    test = "演示数据 TEST — NOT FOR PRODUCTION"
    items = []

    if problem != "missing":
        checked = signed - timedelta(minutes=rng.randrange(5, 21))
        idv = json.dumps({"contract": contract_no, "name": loan.borrower, "method": "实名认证+人脸识别（演示）",
                          "result": "通过", "verified_at": checked.isoformat(), "note": test},
                         ensure_ascii=False, indent=1).encode() + b"\n"
        items.append(_Item("identity_verification", "identity_check.json", idv,
                           checked + timedelta(minutes=rng.randrange(1, 5))))

    contract = "\n".join([
        test, "个人消费借款合同", f"合同编号（借据号）：{contract_no}", f"出借人：{loan.lender}（演示）",
        f"借款人：{loan.borrower}（演示，非真实人员）",
        f"借款金额：人民币 {principal:.2f} 元；年利率：{rate * 100:.2f}%；借款期限：{len(plan)} 个月，"
        f"自 {disbursed:%Y年%m月%d日} 起按还款计划表分期还款，每期本金相等，利息按实际天数计算。",
        "还款计划表：" + "；".join(f"第{n}期 {i['due_on']:%Y-%m-%d} 本金 {i['principal']:.2f} 元 利息 {i['interest']:.2f} 元"
                             for n, i in enumerate(plan, start=1)),
        "借款人逾期的，出借人有权按借款利率上浮50%计收罚息，对未付利息计收复利，并有权宣布借款提前到期。",
        f"本合同以电子签名方式于 {signed:%Y年%m月%d日 %H:%M} 签署，签署后由出借人提交法院电子证据平台存证。", "",
    ]).encode("utf-8")
    late = problem == "late"
    anchored = signed + (timedelta(hours=rng.randrange(30, 121), minutes=rng.randrange(60)) if late
                         else timedelta(minutes=rng.randrange(1, 31)))
    items.append(_Item("loan_contract", "contract.txt", contract, anchored, signed_at=signed))

    paid = signed + timedelta(minutes=rng.randrange(10, 121))
    account = f"6222****{rng.randrange(10 ** 4):04d}"
    items.append(_Item("disbursement_record", "disbursement.csv", _csv([
        ["contract", "paid_at", "amount_yuan", "account", "channel"],
        [contract_no, paid.isoformat(), f"{principal:.2f}", account, "银行转账"]]),
        paid + timedelta(minutes=rng.randrange(5, 41))))

    repayments = inputs.get("repayments") or ()
    exported = _at(filed - timedelta(days=rng.randrange(3, 11)), rng)
    items.append(_Item("repayment_record", "repayments.csv", _csv(
        [["contract", "paid_on", "amount_yuan"]]
        + [[contract_no, r["paid_on"].isoformat(), f"{Decimal(r['amount']):.2f}"] for r in repayments]),
        exported + timedelta(minutes=rng.randrange(5, 61))))

    if inputs.get("accelerated_on") is not None:
        sent = _at(inputs["accelerated_on"], rng)
        title, body = "宣布借款提前到期通知", f"您未按约还款，本公司依合同约定宣布借款于 {sent:%Y年%m月%d日} 全部提前到期，请立即归还全部本息。"
    else:
        missed = _missed(inputs)
        sent = _at(min(missed + timedelta(days=rng.randrange(3, 16)), filed - timedelta(days=1)), rng)
        title, body = "逾期还款催收通知", f"您于 {missed:%Y年%m月%d日} 到期的借款本息未按期归还，已逾期，请于七日内还清。"
    notice = "\n".join([test, title, f"发送时间：{sent.isoformat()}　渠道：短信、电子邮件", f"合同编号（借据号）：{contract_no}",
                        f"{loan.borrower}：", body, f"{loan.lender}（演示）", ""]).encode("utf-8")
    items.append(_Item("overdue_notice", "overdue_notice.txt", notice,
                       None if problem == "declared" else sent + timedelta(minutes=rng.randrange(1, 61))))
    return items


def _tamper(items: list[_Item]) -> _Item:
    """The lender "corrects" a figure after anchoring (1,000 yuan more): the last repayment's amount, else,
    when nothing was repaid, the amount disbursed."""
    repay = next(i for i in items if i.kind == "repayment_record")
    target = repay if repay.data.count(b"\n") > 1 else next(i for i in items if i.kind == "disbursement_record")
    lines = target.data.decode("utf-8").splitlines()
    cells = lines[-1].split(",")
    cells[2] = f"{Decimal(cells[2]) + 1000:.2f}"  # amount_yuan, the third column of both records
    lines[-1] = ",".join(cells)
    target.data = ("\n".join(lines) + "\n").encode("utf-8")
    return target


# ---------------------------------------------------------------- building


#: below this many loans the files are made and verified in this process (a pool costs its start-up)
POOL_FROM = 200


def workers() -> int:
    """Processes for signing and verifying: the CPUs this process may use, at most 8."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def _pool_map(fn: Any, jobs: list[Any], processes: int | None) -> list[Any]:
    """``[fn(j) for j in jobs]``, in a pool of forked processes when it pays (on Linux: a forked worker
    starts at once, with the keys already derived, and re-runs no caller's ``__main__``)."""
    import multiprocessing

    n = workers() if processes is None else processes
    if n <= 1 or len(jobs) < POOL_FROM or sys.platform != "linux":
        return [fn(j) for j in jobs]
    from concurrent.futures import ProcessPoolExecutor

    demo_keys()  # derived once, before the workers fork
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(fn, jobs, chunksize=max(1, len(jobs) // (4 * n))))


def _make(job: tuple[Loan, str | None, str, Path]) -> list[_Item]:
    """One loan's files, written to its folder; the contract signed at its signing time."""
    from ruledsl.evidence.signing import sign_detached_cms

    loan, problem, rng_seed, folder = job
    items = _items(loan, problem, random.Random(rng_seed))
    keys = demo_keys()
    contract = next(i for i in items if i.kind == "loan_contract")
    contract.signature = sign_detached_cms(contract.data, keys.pki.issue_signer(loan.lender, "演示出借机构"),
                                           keys.pki.chain, signing_time=contract.signed_at)
    folder.mkdir(parents=True)
    for i in items:
        (folder / i.name).write_bytes(i.data)
        if i.signature is not None:
            (folder / (i.name + ".p7s")).write_bytes(i.signature)
    return items


def build(evidence_dir: str | os.PathLike, loans: Sequence[Loan], *, seed: int | str = 2026,
          processes: int | None = None) -> list[Filing]:
    """Write and anchor the evidence of ``loans`` in ``evidence_dir`` (see the module docstring).  Which
    loans have a problem (:func:`problems`) comes from ``random.Random(f"{seed}:evidence")``, each loan's
    times from a generator of its own (so the files are the same however many ``processes`` make them:
    default :func:`workers`).  Returns each loan's filing, in the order of ``loans``."""
    from ruledsl.evidence.witness import Witness
    from ruledsl.store import LogStore
    from ruledsl.store.log import EvidenceLog

    out = prepare(evidence_dir)
    keys = demo_keys()
    jobs = []
    for loan, problem in zip(loans, problems(len(loans), random.Random(f"{seed}:evidence")), strict=True):
        jobs.append((loan, problem, f"{seed}:evidence:{loan.number}", out / "cases" / f"{loan.number}-{loan.case_id}"))
    plans = [(loan, problem, folder, items)
             for (loan, problem, _, folder), items in zip(jobs, _pool_map(_make, jobs, processes), strict=True)]

    # anchor: every item in time order, one append, then one checkpoint extending the published one
    _copy_log(out / "log.db")
    store = LogStore(f"sqlite:///{out / 'log.db'}")
    try:
        log = EvidenceLog.open(store, keys.origin)
        published = (EVIDENCE_DEMO / "checkpoint.txt").read_text("utf-8")
        size0 = log.head()[0]
        queue = sorted(((i.anchored, loan.number, i.kind, loan, folder, i) for loan, _, folder, items in plans
                        for i in items if i.anchored is not None), key=lambda x: x[:3])
        records = [log.record_for_file(folder / i.name, i.kind, loan.case_id, loan.submitter, when)
                   for when, _, _, loan, folder, i in queue]
        first, _, _ = log.append(records)
        for n, (*_, i) in enumerate(queue):
            i.index = first + n
        note = log.sign_checkpoint(keys.court, out / "court-state.json", since=[published])
        witness = Witness(keys.notary, {keys.origin: keys.court.verifier()}, out / "witness-state.json")
        witness.cosign(published)  # the witness starts from the checkpoint it cosigned for the evidence demo
        proof = store.consistency_proof(log.info, size0, log.head()[0])
        last = max((q[0] for q in queue), default=datetime(2026, 1, 1, tzinfo=CST))
        cosigned = witness.cosign(note, proof, timestamp=int(last.timestamp()) + 3600)
        (out / "checkpoint.txt").write_text(cosigned, "utf-8")
    finally:
        store.close()  # closed before the workers fork: each opens the log itself
    (out / "court-state.json.lock").unlink(missing_ok=True)
    url = f"sqlite:///{out / 'log.db'}"
    jobs2 = [(url, keys.origin, cosigned, loan.case_id, folder, problem, items)
             for loan, problem, folder, items in plans]
    try:
        done = _pool_map(_finish, jobs2, processes)
    finally:
        _close_logs()  # the log this process opened, if it proved in-process
    return [Filing(folder, declared, problem) for (*_, folder, problem, _), declared in zip(jobs2, done, strict=True)]


#: the log each process proves from (opened on first use, in the process that uses it)
_LOGS: dict[str, Any] = {}


def _close_logs() -> None:
    for log in _LOGS.values():
        log.store.close()
    _LOGS.clear()


def _finish(job: tuple[str, str, str, str, Path, str | None, list[_Item]]) -> list[dict[str, Any]]:
    """One loan's bundles (each item proven against the cosigned checkpoint by the log), the file tampered
    with after anchoring when that is the loan's problem, and its evidence.json; returns the declarations."""
    from ruledsl.store import LogStore
    from ruledsl.store.log import EvidenceLog

    url, origin, cosigned, case_id, folder, problem, items = job
    if url not in _LOGS:
        _close_logs()
        _LOGS[url] = EvidenceLog.open(LogStore(url), origin)
    log = _LOGS[url]
    declared = []
    for i in items:
        decl: dict[str, Any] = {"kind": i.kind, "file": i.name}
        if i.index is not None:
            decl["bundle"] = i.name + ".bundle.zip"
            (folder / decl["bundle"]).write_bytes(log.bundle(i.index, checkpoint=cosigned))
        if i.signed_at is not None:
            decl["signed_at"] = i.signed_at.isoformat()
        if i.signature is not None:
            decl["signature"] = i.name + ".p7s"
        declared.append(decl)
    if problem == "tampered":
        edited = _tamper(items)
        (folder / edited.name).write_bytes(edited.data)
    text = json.dumps({"case_id": case_id, "demo_problem": problem, "evidence_files": declared},
                      ensure_ascii=False, indent=1)
    (folder / "evidence.json").write_text(text + "\n", "utf-8")
    return declared


def _verify(job: tuple[list[dict[str, Any]], Path, Any]) -> list[Any]:
    from ruledsl.service.evidence import verify_filing

    declarations, folder, keys = job
    return verify_filing(declarations, folder, keys)


def verify_filings(filings: Sequence[Filing], keys: Any, *, processes: int | None = None) -> list[list[Any]]:
    """Each filing's declarations verified against ``keys`` (:class:`~ruledsl.service.evidence.EvidenceKeys`)
    by :func:`~ruledsl.service.evidence.verify_filing`, as any filing is (spread over :func:`workers`
    processes when there are many)."""
    return _pool_map(_verify, [(f.declarations, f.folder, keys) for f in filings], processes)
