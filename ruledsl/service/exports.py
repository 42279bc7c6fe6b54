"""Batch actions on the queue's cases: export the drafts of the chosen cases, open the next undecided one.

* :func:`export_drafts` — one ZIP holding a PDF per case, each made by the same functions the case page
  uses (:func:`~ruledsl.service.access.get_case` → :func:`~ruledsl.service.decide.case_award` →
  :func:`~ruledsl.service.decide.judgment_of` → :func:`~ruledsl.reports.judgment.render_judgment_pdf` for the
  draft main text of the judgment, 判决主文草稿; the case's sheet →
  :func:`~ruledsl.reports.calculation.render_calculation_pdf` for the calculation sheet, 计算明细, headed with
  the court's name, the 案号 and the day it was drawn; for the evidence verification reports, 证据核验报告,
  one PDF per stored evidence item filed with its bundle, verified again from the store's copy of its files by
  :func:`~ruledsl.service.evidence.verification_report` against the court's keys, the caller passes them),
  and a list of them, ``清单.csv`` (UTF-8 with a BOM, so Excel reads the Chinese): 案号, parties, lender, the totals
  claimed and awarded as plain numbers (``13542.33``: no thousands separators, so a spreadsheet reads them
  as numbers), the file, and for a case that could not be exported why not.  A case that fails (refused,
  missing, its ruleset changed since filing, a report that cannot be rendered) is listed with its reason
  and the others are exported all the same.  For the evidence reports the list has a line per report and a
  line per item that has none (filed without a bundle: 未存证, with the reason), and a case that has no
  evidence at all is one line saying so.  :func:`export_bundle` gives the same ZIP with the list as
  rows, for a page to show.
* :func:`next_undecided` — the next case in the queue's order (its filters and sort, those of
  :func:`~ruledsl.service.access.list_cases`) that no judge has decided yet.

Who may export: judges and clerks any case, a lender its own lender's (another lender's case is listed as
refused, with neither its 案号 nor its parties), mediators and admins none.  At most :data:`MAX_EXPORT`
cases at once.  Each exported case is one ``export`` entry in the audit log (kind and file name; for the
evidence reports the list of its files), written when the ZIP is complete; opening each case is its ``view``
entry, as on the case page.

Personal data: each PDF shows the parties as the case page shows them to the role (a judge or clerk opening
one case sees them plain: a draft judgment names the parties); the list is a list, so it shows them as the
queue does (:func:`~ruledsl.service.access.mask_party` without ``single_case``: masked for judges and
clerks, plain for a lender, whose own debtors they are).

Imports: core, store, reports and the rest of service; nothing above.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from ruledsl.core.errors import AccessDenied, InputError, RulesError
from ruledsl.core.money import Money
from ruledsl.reports.calculation import COURT_ZONE, render_calculation_pdf
from ruledsl.reports.judgment import render_judgment_pdf
from ruledsl.service.access import MAX_LIMIT, get_case, list_cases, mask_party, refusal, signed_in
from ruledsl.service.auth import Session, moment
from ruledsl.service.decide import DECIDED, RULESETS, case_award, judgment_of
from ruledsl.service.evidence import KIND_LABELS, EvidenceKeys, verification_report
from ruledsl.store.cases import append_audit

#: who may export cases (a lender only its own: :func:`~ruledsl.service.access.get_case` refuses the rest)
MAY_EXPORT = ("judge", "clerk", "lender")
#: the most cases one export takes
MAX_EXPORT = 200
#: what can be exported, and the name each file starts with
KINDS = {"judgment": "判决主文草稿", "sheet": "计算明细", "evidence": "证据核验报告"}
#: the list of an export, inside its ZIP
MANIFEST = "清单.csv"
#: the list's columns
COLUMNS = ("案件编号", "案号", "当事人", "放贷机构", "诉请合计（元）", "判决合计（元）", "文件", "结果", "原因")
EXPORTED, REFUSED, FAILED = "已导出", "拒绝", "失败"
#: an evidence item filed without a bundle (or a case filed without evidence): no report to draw
NOT_ANCHORED = "未存证"
#: why the evidence reports cannot be exported
NO_KEYS = ("未配置法院存证核验密钥（RULEDSL_COURT_KEY），无法重新核验证据、生成证据核验报告"
           "（no court key is configured: the evidence cannot be verified again）")

Kind = Literal["judgment", "sheet", "evidence"]


@dataclass(frozen=True)
class ExportRow:
    """One line of the list: a case exported (``file`` set) or not (``reason`` says why)."""

    case_id: int
    case_number: str
    parties: str
    lender: str
    claimed: Money | None
    awarded: Money | None
    file: str | None
    result: str
    reason: str


@dataclass(frozen=True)
class ExportBundle:
    """An export: the ZIP's bytes, the name to save it under, and its list as rows."""

    data: bytes
    file_name: str
    rows: tuple[ExportRow, ...]

    @property
    def exported(self) -> tuple[ExportRow, ...]:
        return tuple(r for r in self.rows if r.file is not None)

    @property
    def not_exported(self) -> tuple[ExportRow, ...]:
        return tuple(r for r in self.rows if r.file is None)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_file_name(text: str) -> str:
    """``text`` as a file name every system accepts: no path separators, no characters Windows refuses,
    no control characters, no leading dots or trailing dots and spaces; at most 100 characters."""
    name = _UNSAFE.sub("_", text).strip().lstrip(".").rstrip(". ")
    return name[:100] or "_"


def _message(exc: RulesError) -> str:
    """An error's message as a list cell: the first diagnostic's text (Chinese first), one line."""
    text = exc.diagnostics[0].message if exc.diagnostics else str(exc)
    return " ".join(text.split())


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not take for a formula (a party's name is a lender's input)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _parties(parties: tuple[dict[str, Any], ...], role: str) -> str:
    shown = (mask_party(p, role) for p in parties)
    return "；".join(f"{p['role']} {p['name']}" for p in shown)


def _plain(money: Money | None) -> str:
    return "" if money is None else str(money)  # 13542.33: rounded to the fen, two places, no separators


def manifest_csv(rows: tuple[ExportRow, ...] | list[ExportRow]) -> bytes:
    """The list as CSV, UTF-8 with a BOM (Excel reads it as UTF-8 only so), one header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.case_id, _cell(r.case_number), _cell(r.parties), _cell(r.lender), _plain(r.claimed),
                         _plain(r.awarded), r.file or "", r.result, _cell(r.reason)])
    return out.getvalue().encode("utf-8-sig")


def export_bundle(engine: Engine, session: Session, case_ids: list[int] | tuple[int, ...], court: str, *,
                  kind: Kind = "judgment", now: datetime | None = None, root: Path = RULESETS,
                  keys: EvidenceKeys | None = None) -> ExportBundle:
    """Export ``case_ids`` (in the order given, each once) as ``kind``; see the module docstring.  ``keys``: the
    court's keys the evidence reports verify against (:meth:`EvidenceKeys.from_env`), needed for
    ``kind="evidence"`` only."""
    at = moment(now)
    if kind not in KINDS:
        raise InputError.at(f"未知的导出类型 {kind!r}（export one of {', '.join(KINDS)}）")
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise InputError.at("请选择要导出的案件（choose at least one case to export）")
    if len(ids) > MAX_EXPORT:
        raise InputError.at(f"一次最多导出 {MAX_EXPORT} 件案件，本次选择了 {len(ids)} 件，请分批导出"
                            f"（at most {MAX_EXPORT} cases at once, {len(ids)} chosen: export them in parts）")
    court = court.strip()
    if kind == "judgment" and not court:
        raise InputError.at("请填写法院名称（a judgment draft names its court）")
    if kind == "evidence" and keys is None:
        raise InputError.at(NO_KEYS)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        if who.role not in MAY_EXPORT:
            raise refusal(who, "导出案件", "export cases")

    rows: list[ExportRow] = []
    files: dict[str, bytes] = {}
    done: dict[int, list[str]] = {}  # case id → its files, for the audit log
    for case_id in ids:
        record = None
        try:
            record = get_case(engine, session, case_id, now=at)
            if kind == "evidence":
                assert keys is not None
                rows.extend(_evidence(engine, record, who.role, keys, files, done))
                continue
            award = case_award(record, traced=(kind == "sheet"), root=root)
            if kind == "judgment":
                pdf = render_judgment_pdf(judgment_of(record, award, court, root=root))
            else:
                assert award.sheet is not None  # decided with the trace
                pdf = render_calculation_pdf(award.sheet, court=court or None, case_number=record.case_number,
                                             drawn_on=at.astimezone(COURT_ZONE).date())
        except AccessDenied as exc:
            with engine.begin() as conn:  # the session itself has ended: nothing more can be exported
                signed_in(conn, session, at)
            rows.append(ExportRow(case_id, "", "", "", None, None, None, REFUSED, _message(exc)))
            continue
        except RulesError as exc:
            rows.append(_failed(case_id, record, who.role, _message(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 — one case's broken report must not stop the others
            rows.append(_failed(case_id, record, who.role, f"生成 PDF 失败（the PDF could not be made: "
                                                           f"{type(exc).__name__}）"))
            continue
        name = _unique(files, safe_file_name(f"{KINDS[kind]}-{record.case_number}"), str(record.id))
        files[name] = pdf
        done[record.id] = [name]
        total = award.total
        rows.append(ExportRow(record.id, record.case_number, _parties(record.parties, who.role), record.lender,
                              total.claimed if total else None, total.awarded if total else None, name,
                              EXPORTED, ""))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:  # UTF-8 names: zipfile flags them
        for name, content in (*files.items(), (MANIFEST, manifest_csv(rows))):
            info = zipfile.ZipInfo(name, at.timetuple()[:6])
            info.external_attr = 0o644 << 16  # rw-r--r-- once unpacked
            z.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        for case_id, names in done.items():  # one entry per case exported
            detail = {"kind": kind, "files": names} if kind == "evidence" else {"kind": kind, "file": names[0]}
            append_audit(conn, at, who.user_id, "export", case_id, detail)
    return ExportBundle(buffer.getvalue(), f"{KINDS[kind]}-{at:%Y%m%d-%H%M%S}.zip", tuple(rows))


def _unique(files: dict[str, bytes], name: str, tag: str) -> str:
    """``name.pdf``, or ``name-tag.pdf`` when the ZIP already holds a file of that name (two 案号 or file names
    that differ only in characters a file name cannot hold)."""
    return f"{name}.pdf" if f"{name}.pdf" not in files else f"{name}-{tag}.pdf"


def _evidence(engine: Engine, record, role: str, keys: EvidenceKeys,  # type: ignore[no-untyped-def]
              files: dict[str, bytes], done: dict[int, list[str]]) -> list[ExportRow]:
    """The verification report of each of the case's stored items that has a bundle (added to ``files``), and a
    line of the list for each report and each item that has none."""
    def row(file: str | None, result: str, reason: str) -> ExportRow:
        return ExportRow(record.id, record.case_number, _parties(record.parties, role), record.lender, None, None,
                         file, result, reason)

    if not record.evidence:
        return [row(None, NOT_ANCHORED, "立案时未提交证据文件，无存证记录可核验（the case was filed without evidence files）")]
    out = []
    for position, item in enumerate(record.evidence):
        what = KIND_LABELS.get(item["kind"], item["kind"]) + (f"（{item['file']}）" if item.get("file") else "")
        refs = (item.get("detail") or {}).get("files") or {}
        if "bundle" not in refs:
            out.append(row(None, NOT_ANCHORED, f"{what}未提交存证证据包，仅为当事人声明，无存证记录可核验"))
            continue
        try:
            pdf = verification_report(engine, item, keys).pdf
        except RulesError as exc:
            out.append(row(None, FAILED, f"{what}：{_message(exc)}"))
            continue
        except Exception as exc:  # noqa: BLE001 — one item's broken report must not stop the others
            out.append(row(None, FAILED, f"{what}：生成 PDF 失败（the PDF could not be made: {type(exc).__name__}）"))
            continue
        stem = safe_file_name(f"{KINDS['evidence']}-{record.case_number}-{item.get('file') or item['kind']}")
        name = _unique(files, stem, f"{record.id}-{position + 1}")
        files[name] = pdf
        done.setdefault(record.id, []).append(name)
        out.append(row(name, EXPORTED, ""))
    return out


def _failed(case_id: int, record, role: str, reason: str) -> ExportRow:  # type: ignore[no-untyped-def]
    if record is None:  # not opened (no such case): nothing of it to show
        return ExportRow(case_id, "", "", "", None, None, None, FAILED, reason)
    return ExportRow(record.id, record.case_number, _parties(record.parties, role), record.lender, None, None, None,
                     FAILED, reason)


def export_drafts(engine: Engine, session: Session, case_ids: list[int] | tuple[int, ...], court: str, *,
                  kind: Kind = "judgment", now: datetime | None = None, root: Path = RULESETS,
                  keys: EvidenceKeys | None = None) -> bytes:
    """The ZIP of :func:`export_bundle`: one PDF per case exported (``判决主文草稿-<案号>.pdf`` or
    ``计算明细-<案号>.pdf``; ``证据核验报告-<案号>-<file>.pdf`` per evidence item anchored) and ``清单.csv``."""
    return export_bundle(engine, session, case_ids, court, kind=kind, now=now, root=root, keys=keys).data


def next_undecided(engine: Engine, session: Session, after_case_id: int | None = None, *,
                   now: datetime | None = None, **queue: Any) -> int | None:
    """The id of the first case after ``after_case_id`` in the queue's order that no judge has decided
    (its stage is not :data:`~ruledsl.service.decide.DECIDED`), or None.  ``queue``: the queue's filters and
    sort, as :func:`~ruledsl.service.access.list_cases` takes them (``search``, ``stage``, ``lender``,
    ``verdict``, ``evidence_state``, ``sort``, ``descending``).  ``after_case_id`` None, or a case the queue
    no longer shows (its filters leave it out): the first undecided case of the queue.  No wrapping round:
    after the last case, None."""
    if {"limit", "offset"} & set(queue):
        raise InputError.at("next_undecided 自行分页（it pages through the queue itself: no limit or offset）")
    seen = after_case_id is None
    first: int | None = None
    offset = 0
    while True:
        page = list_cases(engine, session, limit=MAX_LIMIT, offset=offset, now=now, **queue)
        for c in page:
            if c.id == after_case_id:
                seen = True
                continue
            if c.stage == DECIDED:
                continue
            if seen:
                return c.id
            if first is None:
                first = c.id
        if len(page) < MAX_LIMIT:
            break
        offset += MAX_LIMIT
    return None if seen else first
