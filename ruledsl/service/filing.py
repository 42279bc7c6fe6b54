"""批量立案: a pre-check's ready rows filed into the case store, each with its verified evidence.

:func:`import_rows` runs the lenders' pre-check itself on the table (the readers and the row judging of
:mod:`ruledsl.precheck.run`, as :func:`~ruledsl.precheck.run.precheck` uses them: the verdicts are the
pre-check's, never judged again here) and files each row whose verdict the caller
asked for (``include``: ``ready`` by default; a clerk may add ``exceeds_limit``, and the court then awards
what the law allows) through :func:`ruledsl.service.decide.file_case`:

* its inputs as the pre-check read them (typed by the case parser: amounts as Decimals, dates, rates);
* its evidence files (``证据文件`` / ``evidence_files``, paths from ``evidence_dir``, by default the table's
  folder, never outside it) verified by :func:`ruledsl.service.evidence.verify_filing` against the court's
  key: an item is stored *anchored* only when its proof was checked;
* its parties: the plaintiff is the lender organisation (a lender user's own; ``lender`` for a clerk or
  judge), the defendant from the optional columns no input of the ruleset takes — :data:`PARTY_HEADINGS`
  (被告姓名 / 借款人姓名, 被告证件号码 / 身份证号, 被告电话 / 手机号), read from the same file by the same
  readers, so the row numbers are the pre-check's;
* its 案号 ``({year}){court_code}{procedure_word}{n}号``: the year of its 起诉日 (``filed_on``, else today's
  in China), ``n`` the next number of that prefix the store has not given (from 1, never one it holds).

Every row gets one :class:`ImportRow` — filed, skipped (its 借据号 is already filed for that lender), not
ready (its verdict was not asked for: the pre-check's reasons) or failed (the store or the access rules
refused it: the reason) — and no row stops the others.  Each filing is its own transaction
(:func:`~ruledsl.service.access.add_case`): a crash in the middle loses no filed case, and a rerun skips
what was filed.

How a row filed twice is found: once per import, one query reads the 借据号 (``case_id``) of every case
the store holds for the lender, taken out of ``cases.inputs_json`` by the database itself (SQLite's
``json_extract``, PostgreSQL's ``->>``), over the ``ix_cases_lender`` index; the numbers filed by this
import are added as it goes.  (No index on the 借据号 itself: that would be a migration of its own.)
A lender user importing another lender's batch is not shown whether that lender has filed them: each
row is refused by the access rules instead.  A row without a 借据号 is not filed, since a rerun could not
tell it was.

Imports: core, precheck, store and the rest of service; nothing above.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, cast, func, select
from sqlalchemy.dialects.postgresql import JSON as PG_JSON

from ruledsl.cases.evidence import DECLARATIONS
from ruledsl.cases.inputs import CHINA, parse_case
from ruledsl.core.errors import InputError, RulesError
from ruledsl.lang.checker import CheckedRuleset
from ruledsl.precheck.output import guard
from ruledsl.precheck.run import EXCEEDS, READY, VERDICT_LABELS, Options, RowVerdict, index_rows, judge_rows
from ruledsl.precheck.table import CASE_KEY, Row, Table, _csv, _excel, _parquet, heading_key, read_table
from ruledsl.service.access import MAY_ADD, refusal, signed_in
from ruledsl.service.auth import Session, moment
from ruledsl.service.decide import RULESETS, file_case, load_ruleset, ruleset_ref
from ruledsl.service.evidence import ANCHORED, EvidenceKeys, verify_filing
from ruledsl.store.cases import cases

#: a row's outcome
FILED, SKIPPED, NOT_READY, FAILED = "filed", "skipped", "not_ready", "failed"
OUTCOMES = (FILED, SKIPPED, NOT_READY, FAILED)
OUTCOME_LABELS = {FILED: "已立案", SKIPPED: "此前已立案", NOT_READY: "预审未通过", FAILED: "立案失败"}
#: the verdicts an import may file: ready, and (when asked) a claim above the law, awarded at what it allows
MAY_INCLUDE = (READY, EXCEEDS)

#: the defendant's columns (headings the ruleset gives no input), as matched (full-width alike, no spaces)
PARTY_HEADINGS = {heading_key(k): v for k, v in {
    "被告姓名": "name", "借款人姓名": "name", "defendant_name": "name",
    "被告证件号码": "id_number", "身份证号": "id_number", "defendant_id_number": "id_number",
    "被告电话": "phone", "手机号": "phone", "defendant_phone": "phone",
}.items()}
PARTY_FIELD_LABELS = {"name": "被告姓名", "id_number": "被告证件号码", "phone": "被告电话"}
#: the columns of the report file, in order
REPORT_COLUMNS = ("row", "case_id", "verdict", "案号", "outcome", "reason")
#: rows judged at a time, each part filed before the next is judged
PART_ROWS = 500
#: tries at a 案号 another filing took between this import's look and its insert
_NUMBER_TRIES = 5


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of the table: its row number (the pre-check's), 借据号, the pre-check's verdict, the 案号
    it was filed under (None when it was not filed now), the outcome and why (Chinese)."""

    row: int
    case_id: str
    verdict: str
    case_number: str | None
    outcome: str
    reason: str
    store_id: int | None = None  # the case's id in the store, when filed now

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "case_id": self.case_id, "verdict": self.verdict, "case_number": self.case_number,
                "outcome": self.outcome, "outcome_label": OUTCOME_LABELS[self.outcome], "reason": self.reason,
                "store_id": self.store_id}


@dataclass
class ImportReport:
    """What an import did: every row's outcome, in row order, and what was read."""

    ruleset: str
    version: str
    input_file: str
    input_sha256: str
    lender: str
    include: tuple[str, ...]
    rows: list[ImportRow] = field(default_factory=list)
    blank_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for r in self.rows:
            out[r.outcome] += 1
        return out

    @property
    def ok(self) -> bool:
        """Every row was filed, or had been filed before."""
        return all(r.outcome in (FILED, SKIPPED) for r in self.rows)

    def as_json(self) -> dict[str, Any]:
        return {"ruleset": self.ruleset, "version": self.version, "input_file": self.input_file,
                "input_sha256": self.input_sha256, "lender": self.lender, "include": list(self.include),
                "rows_read": len(self.rows), "blank_rows_skipped": self.blank_rows,
                "ignored_columns": self.ignored_columns, "counts": self.counts,
                "rows": [r.as_json() for r in self.rows]}


def import_rows(engine: Engine, session: Session, ruleset_path: str | Path, input_path: str | Path, *,
                lender: str | None = None, keys: EvidenceKeys | None = None,
                evidence_dir: str | Path | None = None, include: Iterable[str] = (READY,),
                court_code: str = "浙0192", procedure_word: str = "民初", now: datetime | None = None,
                root: Path = RULESETS, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """File the rows of ``input_path`` whose pre-check verdict is in ``include`` (see the module docstring).

    ``keys``: what the evidence is verified against (None: ``RULEDSL_COURT_KEY`` / ``RULEDSL_TRUST_STORE``,
    else no key, and a row that declares evidence files is not ready).  ``progress(done, total)`` is called
    after each row.  Raises before filing anything when the session may not file cases, when a clerk or
    judge names no lender, when ``include`` asks for a verdict that may not be filed, or when the ruleset or
    the table cannot be read; after that every problem is a row's."""
    include = tuple(dict.fromkeys(include))
    bad = [v for v in include if v not in MAY_INCLUDE]
    if not include or bad:
        raise InputError.at(f"只能导入可立案或超出法定上限的行（include is {' and/or '.join(MAY_INCLUDE)}, "
                            f"not {', '.join(bad) or 'nothing'}）")
    for what, value in (("法院代字 court code", court_code), ("案件类型代字 procedure word", procedure_word)):
        if not value or len(value) > 16 or any(c.isspace() or c in "()（）号" for c in value):
            raise InputError.at(f"{what} {value!r} 无效（1 to 16 characters, no spaces, brackets or 号）")
    with engine.begin() as conn:
        who = signed_in(conn, session, moment(now))
    if who.role not in MAY_ADD:
        raise refusal(who, "立案", "file cases")
    lender = (lender or "").strip() or (who.lender if who.role == "lender" else None)
    if not lender:
        raise InputError.at("书记员、法官批量立案须指明放贷机构（a clerk or judge names the lender whose batch this is）")
    keys = keys if keys is not None else EvidenceKeys.from_env()
    input_path = Path(input_path)
    base = Path(evidence_dir) if evidence_dir is not None else input_path.parent
    ref = ruleset_ref(Path(ruleset_path), root)
    ruleset = load_ruleset(ref, root)
    checked = ruleset.checked
    table = read_table(input_path, checked)
    party_columns, people = _party_cells(input_path, table, checked)
    # the pre-check's own judging, as precheck() does it — case ids given twice found over the whole table,
    # then the rows judged in parts, as its batch runner's workers judge theirs (the same verdicts) — so that
    # each part is filed as soon as it is judged and the session is used while a long batch runs
    twice, _, _ = index_rows((row.number, row.case_id()) for row in table.rows)
    options = Options.of(table.columns, twice, base, keys.court_key if keys else None, keys.trust if keys else ())
    report = ImportReport(checked.name, checked.version, input_path.name, _sha256(input_path), lender, include,
                          blank_rows=table.blank_rows, ignored_columns=list(table.ignored))
    filed = _filed_case_ids(engine, session, lender, moment(now))
    numbers = _Numbers(engine, court_code, procedure_word)
    total = len(table.rows)
    for start in range(0, total, PART_ROWS):
        part = table.rows[start:start + PART_ROWS]
        if start:
            with engine.begin() as conn:  # still signed in (an expired session stops here: rerun to go on)
                signed_in(conn, session, moment(now))
        by_number = {row.number: row for row in part}
        for verdict in judge_rows(ruleset, part, options):
            report.rows.append(_file_row(engine, session, ref, checked, verdict, by_number[verdict.row],
                                         people.get(verdict.row), party_columns, lender, include,
                                         keys, base, filed, numbers, now, root))
            if progress is not None:
                progress(len(report.rows), total)
    return report


def _file_row(engine: Engine, session: Session, ref, checked: CheckedRuleset, verdict: RowVerdict,  # type: ignore[no-untyped-def]
              row: Row, party: dict[str, Any] | None, party_columns: bool, lender: str, include: tuple[str, ...],
              keys: EvidenceKeys | None, base: Path, filed: dict[str, str], numbers: _Numbers,
              now: datetime | None, root: Path) -> ImportRow:
    """One row filed, skipped or reported (never raises a :class:`RulesError`)."""
    v = verdict.verdict

    def out(outcome: str, reason: str, number: str | None = None, store_id: int | None = None) -> ImportRow:
        return ImportRow(verdict.row, verdict.case_id, v, number, outcome, reason, store_id)

    case_id = row.inputs.get(CASE_KEY)
    case_id = str(case_id).strip() if case_id is not None else ""
    if case_id in filed:  # whatever its verdict now: the store has it
        return out(SKIPPED, f"借据号 {case_id} 已立案（案号 {filed[case_id]}），未重复立案")
    if v not in include:
        why = "；".join(r.text() for r in verdict.reasons)
        asked = "本次未选择导入此类行" if v == EXCEEDS else "未立案"
        return out(NOT_READY, f"预审{VERDICT_LABELS[v]}，{asked}：{why}")
    if not case_id:
        return out(FAILED, "缺少借据号，重新导入时无法识别是否已立案，未立案（the row gives no case_id）")
    if party is not None and party.get("problems"):
        return out(FAILED, "；".join(party["problems"]))
    try:
        inputs = _stored_inputs(checked, row)
        parties: list[dict[str, Any]] = [{"role": "原告", "name": lender, "kind": "organisation"}]
        if party_columns:
            if not party or not party.get("name"):
                return out(FAILED, "被告姓名为空，未立案（the defendant's name is required）")
            parties.append({"role": "被告", "kind": "person",
                            **{k: party[k] for k in PARTY_FIELD_LABELS if party.get(k)}})
        declared = row.inputs.get(DECLARATIONS) or []
        if declared and keys is None:
            return out(FAILED, "未提供法院公钥，证据文件无法核验，未立案（no court key to verify the evidence files）")
        evidence = verify_filing(declared, base, keys) if declared else []
        filed_on = inputs.get("filed_on")
        year = filed_on.year if isinstance(filed_on, date) else moment(now).astimezone(CHINA).year
        for _ in range(_NUMBER_TRIES):
            number = numbers.next(year)
            try:
                store_id = file_case(engine, session, number, lender, ref, inputs, parties, evidence=evidence,
                                     now=now, root=root)
            except InputError:
                if numbers.taken(number):  # another filing took the number between the look and the insert
                    numbers.look_again(year)
                    continue
                raise
            break
        else:
            return out(FAILED, "案号连续被占用，未立案（case numbers kept being taken by other filings: try again）")
    except RulesError as exc:
        return out(FAILED, _text(exc))
    except OSError as exc:  # an evidence file gone or unreadable since the pre-check read it
        return out(FAILED, f"无法读取证据文件 {exc.filename}（{exc.strerror}），未立案")
    numbers.used(year)
    filed[case_id] = number
    anchored = sum(e.status == ANCHORED for e in evidence)
    how = "，按依法可支持的金额裁判" if v == EXCEEDS else ""
    return out(FILED, f"已立案，证据 {len(evidence)} 项，其中存证已核验 {anchored} 项{how}", number, store_id)


def _text(exc: RulesError) -> str:
    return "；".join(d.message + (f"（{d.hint}）" if d.hint else "") for d in exc.diagnostics) or exc.kind


def _stored_inputs(checked: CheckedRuleset, row: Row) -> dict[str, Any]:
    """The inputs the row gives, typed as the case parser reads them (what the store keeps; the evidence
    files go verified, apart; items typed in an ``evidence`` column stay declared, as written)."""
    data = {k: v for k, v in row.inputs.items() if k != DECLARATIONS}
    values = parse_case(checked, data, f"row {row.number}")
    return {k: (data[k] if k == "evidence" else values[k]) for k in data if k in values}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- what the store already holds


def _filed_case_ids(engine: Engine, session: Session, lender: str, at: datetime) -> dict[str, str]:
    """借据号 → 案号 of the cases the store holds for ``lender`` (none for a lender user asking of another
    lender: its rows are refused one by one, and it is not told what that lender filed)."""
    with engine.begin() as conn:
        who = signed_in(conn, session, at)
        if who.role == "lender" and who.lender != lender:
            return {}
        if conn.dialect.name == "postgresql":
            case_id = cast(cases.c.inputs_json, PG_JSON)[CASE_KEY].astext
        else:
            case_id = func.json_extract(cases.c.inputs_json, f"$.{CASE_KEY}")
        rows = conn.execute(select(case_id, cases.c.case_number).where(cases.c.lender == lender)).all()
    return {str(cid): number for cid, number in rows if cid is not None and str(cid).strip()}


class _Numbers:
    """The next free 案号 of each prefix ``({year}){court}{word}``: one look at the store per prefix, then
    counted here (a number is used once it is filed; a failed filing leaves it for the next row)."""

    def __init__(self, engine: Engine, court: str, word: str) -> None:
        self.engine, self.court, self.word = engine, court, word
        self.free: dict[int, int] = {}

    def prefix(self, year: int) -> str:
        return f"({year}){self.court}{self.word}"

    def _highest(self, year: int) -> int:
        prefix = self.prefix(year)
        pattern = re.compile(re.escape(prefix) + r"([1-9][0-9]*)号\Z")
        with self.engine.connect() as conn:
            found = conn.execute(select(cases.c.case_number)
                                 .where(cases.c.case_number.startswith(prefix, autoescape=True))).scalars()
            return max((int(m[1]) for n in found if (m := pattern.match(n))), default=0)

    def next(self, year: int) -> str:
        if year not in self.free:
            self.free[year] = self._highest(year) + 1
        return f"{self.prefix(year)}{self.free[year]}号"

    def used(self, year: int) -> None:
        """The number :meth:`next` gave was filed now."""
        self.free[year] += 1

    def look_again(self, year: int) -> None:
        """Another filing took the number :meth:`next` gave: past it, and past what the store holds now."""
        self.free[year] = max(self.free[year] + 1, self._highest(year) + 1)

    def taken(self, number: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(cases.c.id).where(cases.c.case_number == number)).first() is not None


# ---------------------------------------------------------------- the defendant's columns


def _party_cells(path: Path, table: Table, checked: CheckedRuleset) -> tuple[bool, dict[int, dict[str, Any]]]:
    """Whether the table has any of the columns of :data:`PARTY_HEADINGS` that no input of the ruleset takes,
    and row number → the defendant's cells in them (``name``, ``id_number``, ``phone``, and ``problems``: why
    a cell cannot be used).  A sheet is read again by the pre-check's
    own readers (numbered as it numbers rows); JSON rows give them as keys, taken out of the row here (the
    case parser would refuse them as unknown inputs)."""
    suffix = path.suffix.lower()
    out: dict[int, dict[str, Any]] = {}
    if suffix in (".json", ".jsonl"):
        seen = False
        for row in table.rows:
            for key in [k for k in row.inputs if k not in checked.input_types and heading_key(k) in PARTY_HEADINGS]:
                seen = True
                _put(out.setdefault(row.number, {}), PARTY_HEADINGS[heading_key(key)], row.inputs.pop(key))
        return seen, out
    used = set(table.columns)
    if not any(h not in used and heading_key(h) in PARTY_HEADINGS for h in table.ignored):
        return False, out
    header, records = _records(path, checked)
    at: list[tuple[int, str]] = []
    given: dict[str, str] = {}
    for position, heading in enumerate(header):
        name = PARTY_HEADINGS.get(heading_key(heading))
        if name is None or heading in used:
            continue
        if name in given:
            raise InputError.at(f"{path}: 两列都是{PARTY_FIELD_LABELS[name]}（{given[name]}、{heading}）",
                                hint="keep one of them")
        given[name] = heading
        at.append((position, name))
    table.ignored[:] = [h for h in table.ignored if h not in given.values()]
    for number, cells in records():
        for position, name in at:
            if position < len(cells) and cells[position] is not None and str(cells[position]).strip():
                _put(out.setdefault(number, {}), name, cells[position])
    return True, out


def _records(path: Path, checked: CheckedRuleset) -> tuple[list[str], Callable[[], Iterator[tuple[int, tuple]]]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, records, _, _ = _excel(path)
        return header, records
    if suffix == ".parquet":
        return _parquet(path)
    return _csv(path, checked)


def _put(party: dict[str, Any], name: str, value: Any) -> None:
    """One cell of the defendant's, as text; a number where text is needed is a problem (Excel keeps an
    18-digit ID number typed as a number only to 15 digits)."""
    label = PARTY_FIELD_LABELS[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if isinstance(value, bool) or (isinstance(value, float) and not (name == "phone" and value.is_integer())):
        party.setdefault("problems", []).append(
            f"{label}：{value!r} 须以文本填写（Excel 将长数字按数值保存会丢失末位：write the cell as text）")
        return
    text = str(int(value)) if isinstance(value, float) else str(value).strip()
    if len(text) > {"name": 255, "id_number": 64, "phone": 32}[name]:
        party.setdefault("problems", []).append(f"{label}：过长（{len(text)} 个字符）")
        return
    party[name] = text


# ---------------------------------------------------------------- the report file


def write_report(report: ImportReport, path: str | Path) -> Path:
    """The report as CSV (UTF-8 with a BOM, as Excel opens it): :data:`REPORT_COLUMNS`, one line a row; no
    cell can start a formula."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(REPORT_COLUMNS)
        for r in report.rows:
            w.writerow([r.row, guard(r.case_id), r.verdict, r.case_number or "", r.outcome, guard(r.reason)])
    return path


# ---------------------------------------------------------------- a batch uploaded through the assistant

#: what an uploaded evidence ZIP may hold: members, bytes in all (unpacked), and how much larger than packed
MAX_MEMBERS = 20_000
MAX_UNPACKED = 2 * 1024 ** 3
MAX_RATIO = 200
#: the tables an upload may be
TABLE_SUFFIXES = (".xlsx", ".csv", ".jsonl", ".json", ".parquet")


def _unpack(data: bytes, into: Path) -> None:
    """Unpack an uploaded evidence ZIP into ``into``, refusing what a ZIP must not do to a server: a member
    outside the folder (``../``, an absolute path, a link), too many members, a bomb (too large in all, or
    far larger than packed); each refusal an :class:`InputError` saying which member."""
    import io
    import stat
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError.at("证据压缩包不是 ZIP 文件（the evidence upload is not a ZIP archive）") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError.at(f"证据压缩包文件过多：{len(members):,} 个，上限 {MAX_MEMBERS:,}（too many members）")
        total = sum(m.file_size for m in members)
        if total > MAX_UNPACKED or total > MAX_RATIO * max(len(data), 1):
            raise InputError.at(f"证据压缩包解压后 {total:,} 字节，超出上限（the evidence ZIP unpacks to {total:,} bytes: "
                                "too large, or far larger than it is packed）")
        root = into.resolve()
        for m in members:
            target = (root / m.filename).resolve()
            if m.filename.startswith(("/", "\\")) or not target.is_relative_to(root):
                raise InputError.at(f"证据压缩包中的 {m.filename!r} 指向文件夹之外（a member points outside the folder）")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise InputError.at(f"证据压缩包中的 {m.filename!r} 是链接（a member is a link）")
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(m) as src, target.open("wb") as out:
                left = m.file_size + 1  # never more than the member says it holds
                while chunk := src.read(min(1 << 20, left)):
                    left -= len(chunk)
                    if left <= 0:
                        raise InputError.at(f"证据压缩包中的 {m.filename!r} 大于其声明的大小（a member is larger than "
                                            "its header says）")
                    out.write(chunk)


def import_upload(engine: Engine, session: Session, ruleset_id: str, table_name: str, table: bytes,
                  evidence_zip: bytes | None = None, **options: Any) -> ImportReport:
    """:func:`import_rows` of a batch uploaded through the assistant: the table (``table_name`` says its kind:
    .xlsx, .csv, .jsonl/.json, .parquet) and, when the rows declare evidence files, a ZIP of them (the
    paths of the 证据文件 column are paths inside it), unpacked into a folder of its own that is removed
    afterwards — the store keeps what it files.  ``ruleset_id``: a published ruleset (``cn.consumer_loan``)."""
    import tempfile

    from ruledsl.service.decide import ruleset_path

    suffix = Path(table_name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError.at(f"不支持的文件类型 {suffix or '（无扩展名）'}（a batch is {', '.join(TABLE_SUFFIXES)}）")
    path = ruleset_path(ruleset_id, options.get("root", RULESETS))
    if not path.is_file():
        raise InputError.at(f"没有已发布的规则集 {ruleset_id}（no published ruleset {ruleset_id}）")
    with tempfile.TemporaryDirectory(prefix="ruledsl-upload-") as tmp:
        folder = Path(tmp) / "evidence"
        folder.mkdir()
        if evidence_zip:
            _unpack(evidence_zip, folder)
        name = re.sub(r"[^\w.\-]", "_", Path(table_name).stem)[:100] or "batch"
        where = Path(tmp) / f"{name}{suffix}"
        where.write_bytes(table)
        return import_rows(engine, session, path, where, evidence_dir=folder, **options)


def published_rulesets(root: Path = RULESETS) -> list[str]:
    """The ids of the published rulesets under ``root`` that take a case id (the loan rulesets a batch is for)."""
    out = []
    for p in sorted(root.rglob("*.rules")):
        rel = p.relative_to(root).with_suffix("")
        if re.search(r"^\s+case_id:", p.read_text("utf-8"), re.M):
            out.append(".".join(rel.parts))
    return out
