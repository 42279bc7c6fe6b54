"""The error gallery: every file in tests/lang/errors/ is a broken ruleset with one problem.

The first line of each file states what must be reported first::

    # expect 12:9 unknown name `claim_amout`
    # hint did you mean `claim_amount`?

``LINE:COL`` is where the problem really is in the file (1-based, columns
counted in characters); the text after it is a part of the message. A table
problem is reported in the CSV file, written ``# expect tables/x.csv:3:12 …``.
The optional second line ``# hint …`` is a part of the hint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from ruledsl.core.errors import RulesError, RulesSyntaxError
from ruledsl.ruleset import check_text, load, load_text

GALLERY = Path(__file__).resolve().parent / "errors"
FILES = sorted(GALLERY.glob("*.rules"))

EXPECT = re.compile(r"# expect (?:(?P<file>\S+\.csv):)?(?P<line>\d+):(?P<col>\d+) (?P<message>.+)")
HINT = re.compile(r"# hint (?P<hint>.+)")

#: gallery files whose hint is wrong today (project bugs; the hint line says what it should be)


@dataclass(frozen=True)
class Expectation:
    file: Path
    line: int
    col: int
    message: str
    hint: str | None


def expectation(path: Path) -> Expectation:
    lines = path.read_text(encoding="utf-8").splitlines()
    match = EXPECT.fullmatch(lines[0])
    assert match, f"{path.name}: first line must read `# expect LINE:COL message`, not {lines[0]!r}"
    hint = HINT.fullmatch(lines[1]) if len(lines) > 1 else None
    file = GALLERY / match["file"] if match["file"] else path
    return Expectation(file, int(match["line"]), int(match["col"]), match["message"],
                       hint["hint"] if hint else None)


def load_error(path: Path) -> RulesError:
    """Load a gallery file; it must fail with a RulesError (any other exception fails the test)."""
    with pytest.raises(RulesError) as info:
        load(path)
    assert info.value.diagnostics, "a RulesError must carry at least one diagnostic"
    return info.value


def ids(path: Path) -> str:
    return path.stem


def test_gallery_has_enough_files():
    assert len(FILES) >= 30, [f.name for f in FILES]


def test_every_gallery_file_states_its_expectation():
    for path in FILES:
        expectation(path)


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_first_diagnostic(path: Path):
    want = expectation(path)
    first = load_error(path).diagnostics[0]
    assert first.span is not None, f"no location for: {first.message}"
    assert Path(first.span.file).resolve() == want.file.resolve()
    assert (first.span.line, first.span.col) == (want.line, want.col), first.render()
    assert want.message in first.message, first.render()


HINTED = [p for p in FILES if expectation(p).hint is not None]


@pytest.mark.parametrize(
    "path",
    HINTED,
    ids=ids,
)
def test_hint(path: Path):
    want = expectation(path)
    first = load_error(path).diagnostics[0]
    assert first.hint is not None and want.hint in first.hint, first.render()


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_rendering_has_location_source_line_and_caret(path: Path):
    want = expectation(path)
    exc = load_error(path)
    first = exc.diagnostics[0]
    rendered = str(exc).splitlines()
    header = f"{first.span.file}:{want.line}:{want.col}: error: "
    assert rendered[0].startswith(header), rendered[0]
    assert want.file.name in rendered[0]
    assert want.message in rendered[0]

    source_line = want.file.read_text(encoding="utf-8-sig").splitlines()[want.line - 1]
    gutter = f"{want.line:>5} | "
    assert rendered[1] == gutter + source_line
    caret = rendered[2]
    assert caret.startswith(" " * (len(gutter) - 2) + "| ")
    marks = caret[len(gutter):]
    # one pad cell per terminal cell of the source before the column (tabs kept, CJK two cells), then carets
    before = source_line[: want.col - 1]
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before)
    assert marks.index("^") == cells, "\n".join(rendered[:3])
    assert set(marks[:cells]) <= {" ", "\t"}
    assert marks.rstrip(" ").endswith("^")
    for line in rendered[3:]:
        assert "Traceback" not in line


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_every_diagnostic_is_located(path: Path):
    for diagnostic in load_error(path).diagnostics:
        assert diagnostic.span is not None, diagnostic.message
        assert diagnostic.span.line >= 1 and diagnostic.span.col >= 1
        assert diagnostic.render().count("\n") >= 2, diagnostic.render()  # location, source line, caret


@pytest.mark.parametrize("path", [p for p in FILES if p.stem.startswith("syntax_")], ids=ids)
def test_syntax_files_raise_syntax_errors(path: Path):
    assert isinstance(load_error(path), RulesSyntaxError)


# ---------------------------------------------------------------- known bugs, kept visible


@pytest.mark.parametrize("stem", ["table_unsorted", "table_gap", "table_nonnumeric", "table_no_percent",
                                  "table_file_missing"])
def test_broken_dated_table_is_not_called_a_schedule(stem: str):
    exc = load_error(GALLERY / f"{stem}.rules")
    assert not [d for d in exc.diagnostics if "is a schedule" in d.message], str(exc)


HEADER = 'ruleset t.x version "1" effective 2024-01-01\n'


@pytest.mark.parametrize("literal", ["30 days", "1 day", "24 hours", "(30 days)"])
def test_duration_literals_parse(literal: str):
    # regression: DURATION_UNIT used to lose to NAME in the lexer, so `30 days` never parsed
    rs = load_text(HEADER + f"input:\n  c: money\ncompute:\n  grace = {literal}\naward:\n  fee = c * 2%\n")
    assert "grace" in rs.checked.definitions


@pytest.mark.parametrize("body", [
    'award:\n  fee = if p = "a" then c else c\n',
    'award:\n  fee = c\nroute:\n  stage "x" when p = "a"\n  stage "y" otherwise\n',
    'award:\n  fee = c\n  cap fee at 5.00 when p = "a"\n',
])
def test_single_equals_in_condition_suggests_double(body: str):
    text = HEADER + 'input:\n  c: money\n  p: enum("a", "b") = "a"\n' + body
    with pytest.raises(RulesSyntaxError) as info:
        load_text(text)
    first = info.value.diagnostics[0]
    assert first.message == "unexpected `=`"
    assert first.hint and "==" in first.hint, first.render()


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_caret_lines_up_after_chinese_text():
    line = '  claim_amount: money label "诉讼请求金额\\q"'
    with pytest.raises(RulesError) as info:
        load_text(HEADER + "input:\n" + line + "\naward:\n  fee = claim_amount * 2%\n", "cjk.rules")
    first = info.value.diagnostics[0]
    assert (first.span.line, first.span.col) == (3, line.index("\\") + 1)
    _, source, caret = first.render().splitlines()[:3]
    assert source.endswith(line)
    # the caret must appear under the backslash on a terminal (Chinese characters are two cells wide)
    want = display_width(source[: source.index("\\")])
    assert display_width(caret[: caret.index("^")]) == want


# ---------------------------------------------------------------- warnings (errors under `check --strict`)

WARNINGS = sorted((GALLERY / "warnings").glob("*.rules"))


@pytest.mark.parametrize("path", WARNINGS, ids=ids)
def test_first_warning(path: Path):
    want = expectation(path)
    checked = check_text(path.read_text(encoding="utf-8"), str(path), path.parent)  # a warning: it still checks
    first = checked.warnings[0]
    assert (first.severity, first.span.line, first.span.col) == ("warning", want.line, want.col), first.render()
    assert want.message in first.message, first.render()
    assert want.hint is None or (first.hint is not None and want.hint in first.hint), first.render()
    rendered = first.render().splitlines()
    assert rendered[0].startswith(f"{path}:{want.line}:{want.col}: warning: ")
    source_line = path.read_text(encoding="utf-8").splitlines()[want.line - 1]
    assert rendered[1] == f"{want.line:>5} | " + source_line
    assert rendered[2].index("^") == len(f"{want.line:>5} | ") + want.col - 1
