"""Ruleset text → syntax tree (:mod:`ruledsl.lang.ast`).

Lark (LALR, positions kept) builds a parse tree; :class:`ToAst` turns each
grammar alias into one frozen AST node with its :class:`Span`. Lark's own
exceptions never escape: they become :class:`RulesSyntaxError` with a caret
and a hint in plain words.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import io
import pickle
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import lark
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from ruledsl.core import cache, errors
from ruledsl.core.calendar import MONTHS_PER_YEAR
from ruledsl.core.errors import Diagnostic, RulesSyntaxError, Source, Span
from ruledsl.lang import ast, keywords

GRAMMAR = Path(__file__).with_name("grammar.lark")


_LARK_OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": True}


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    """A digest of what a parse depends on: the grammar, this module, the classes of the tree and
    of its spans, Lark's version."""
    digest = hashlib.sha256(lark.__version__.encode())
    for path in (GRAMMAR, Path(__file__), Path(ast.__file__), Path(errors.__file__), Path(keywords.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def lark_parser() -> Lark:
    """The LALR parser of ``grammar.lark``, reading its keywords in English and in Chinese
    (:func:`ruledsl.lang.keywords.localized_grammar`).  Its tables take about 0.4 s to build, so they
    are kept in the private cache (:mod:`ruledsl.core.cache`) and read back by later runs."""
    name = f"lark-{_fingerprint()}.pickle"
    data = cache.read(name)
    if data is not None:
        try:
            return Lark.load(io.BytesIO(data))
        except Exception:  # noqa: BLE001 — an entry another version wrote: build afresh
            pass
    parser = Lark(keywords.localized_grammar(GRAMMAR.read_text(encoding="utf-8")), **_LARK_OPTIONS)
    buffer = io.BytesIO()
    parser.save(buffer)
    cache.write(name, buffer.getvalue())
    return parser


#: the limits of a ruleset's shape, checked before anything walks it (every later stage — checker,
#: compiler, the generated Python, formatter, interpreter — is sure to handle what passes them)
MAX_CHARS = 128 * 1024     # characters in a ruleset file (the largest shipped one has about 25,000)
MAX_LINE = 4000            # characters in one line
MAX_NESTING = 100          # levels of nested expressions: a sum of ~100 terms, an if-ladder of ~100 branches
MAX_NUMBER = 30            # characters in a number literal
_NUMBERS = frozenset({"NUMBER", "INT", "PERCENT"})


def parse(text: str, name: str = "<rules>", *, cached: bool = False) -> ast.Ruleset:
    """Parse ruleset text; raise :class:`RulesSyntaxError` pointing at the first bad token.

    ``cached``: keep the tree in the private cache (:mod:`ruledsl.core.cache`) and take it from
    there when this very text, under this name, parsed before — for ruleset files, which a
    command reads again on every run (only trees that parsed are kept, so errors are always
    found afresh)."""
    source = Source(name, text)
    _check_size(text, source)
    if not cached:
        return _parse(text, source)
    key = hashlib.sha256("\0".join((_fingerprint(), name, text)).encode())
    entry = f"ast-{key.hexdigest()[:32]}.pickle"
    data = cache.read(entry)
    if data is not None:
        try:
            tree = pickle.loads(data)
            if isinstance(tree, ast.Ruleset):
                return tree
        except Exception:  # noqa: BLE001 — an unreadable entry: parse afresh
            pass
    tree = _parse(text, source)
    cache.write(entry, pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL))
    return tree


def _parse(text: str, source: Source) -> ast.Ruleset:
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        raise RulesSyntaxError(_syntax_diagnostic(exc, source)) from None
    _check_nesting(tree, source)
    _in_english(tree)
    try:
        return ToAst(source).transform(tree)
    except VisitError as exc:  # raised inside a callback: unwrap into our own error
        if isinstance(exc.orig_exc, RulesSyntaxError):
            raise exc.orig_exc from None
        raise


def _in_english(tree: Tree) -> None:
    """The Chinese values of the named terminals (``金额``, ``首日`` …) as the English the tree keeps, in
    place and at their positions (:data:`ruledsl.lang.keywords.CANONICAL`); keywords the tree drops need
    nothing."""
    canonical = keywords.CANONICAL
    for node in tree.iter_subtrees():
        for i, child in enumerate(node.children):
            if not isinstance(child, Token):
                continue
            english = None
            if child.type in canonical:
                english = canonical[child.type].get(str(child))
            elif child.type == "PERCENT" and str(child).endswith("％"):  # 24％ is 24%
                english = str(child)[:-1] + "%"
            if english is not None:
                node.children[i] = Token.new_borrow_pos(child.type, english, child)


def _check_size(text: str, source: Source) -> None:
    if len(text) > MAX_CHARS:
        raise RulesSyntaxError(Diagnostic(
            f"the ruleset is {len(text):,} characters long; at most {MAX_CHARS:,} are allowed", None,
            "split it: a ruleset per kind of case, tables in CSV files"))
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE:
            raise RulesSyntaxError(Diagnostic(
                f"line {number} is {len(line):,} characters long; at most {MAX_LINE:,} are allowed",
                Span.point(source, number, MAX_LINE + 1), "break the expression over several lines, or name "
                                                           "its parts under `compute:`"))


def _check_nesting(tree: Tree, source: Source) -> None:
    """Refuse expressions nested deeper than :data:`MAX_NESTING` and number literals longer than
    :data:`MAX_NUMBER` characters, found without recursion."""
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        for tok in node.children:
            if isinstance(tok, Token) and tok.type in _NUMBERS and len(tok) > MAX_NUMBER:
                raise RulesSyntaxError(Diagnostic(
                    f"a number of {len(tok):,} characters; at most {MAX_NUMBER} are allowed",
                    Span.point(source, tok.line or 1, tok.column or 1, min(len(tok), 20)),
                    "no amount, rate, count or basis in a court case has that many digits"))
        if depth > MAX_NESTING:
            meta = node.meta
            line, col = (meta.line, meta.column) if not meta.empty else (1, 1)
            raise RulesSyntaxError(Diagnostic(
                f"expression nested more than {MAX_NESTING} levels deep (a sum of more than about {MAX_NESTING} "
                f"terms, an if-ladder of more than about {MAX_NESTING} branches, or as many parentheses)",
                Span.point(source, line, col),
                "name parts of it under `compute:` (part_1 = a + b + …) and combine the parts; "
                "many bands of a fee are a `schedule` table"))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def parse_file(path: str | Path) -> ast.Ruleset:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8-sig"), str(path))


def parse_expression(text: str, name: str = "<expr>") -> ast.Expr:
    """Parse a lone expression (used for ``--set name=expr`` values in tests and tools)."""
    wrapper = f'ruleset x version "0" effective 2000-01-01 compute: v = {text}'
    ruleset = parse(wrapper, name)
    return ruleset.decls[0].definitions[0].expr


# ---------------------------------------------------------------- syntax errors
_FRIENDLY = {
    "NAME": "a name",
    "STRING": "a quoted text",
    "LONG_STRING": 'a """text block"""',
    "NUMBER": "a number",
    "INT": "a whole number",
    "DATE": "a date (YYYY-MM-DD)",
    "PERCENT": "a percentage such as 24%",
    "COMPARE": "a comparison",
    "SCALAR": "a type (money, rate, date, days, hours, bool, text, number)",
    "DURATION_UNIT": "days, hours, months or years",
    "DAY_END": "first or last",
    "SCHEDULE_KIND": "progressive or banded",
    "PER_DAY": "per day",
    "PER_MONTH": "per month",
    "RATE": "rate",
    "$END": "the end of the file",
}

_SECTIONS = "source, table, input:, compute:, award:, evidence:, route: or example"


def _describe_terminal(name: str) -> str:
    if name in _FRIENDLY:
        return _FRIENDLY[name]
    for term in lark_parser().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


def _syntax_diagnostic(exc: UnexpectedInput, source: Source) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    col = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedCharacters):
        ch = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        hint = None
        if ch == '"':
            hint = "a quoted text must close on the same line; use text \"\"\"…\"\"\" for long passages"
        elif ch in "“”‘’「」":
            hint = f'`{ch}` is a full-width quotation mark; texts are written in ASCII double quotes: "…"'
        elif unicodedata.east_asian_width(ch) in ("F", "W") and not ch.isalnum():
            read = "".join(keywords.FULL_WIDTH)
            hint = (f"`{ch}` is a full-width character the language does not read ({read} and the full-width "
                    f"space are read as {' '.join(keywords.FULL_WIDTH.values())}); use its ASCII form, or write "
                    "the statement on a line of its own")
        elif ch == "'":
            hint = 'texts are written in double quotes: "…"'
        return Diagnostic(f"unexpected character `{ch}`", Span.point(source, line, col), hint)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = sorted(_describe_terminal(t) for t in getattr(exc, "expected", ()) if t != "$END")
        lines = source.text.splitlines() or [""]
        span = Span.point(source, len(lines), len(lines[-1]) + 1)
        hint = f"expected {_join(expected)}" if expected else None
        return Diagnostic("the ruleset ends too early", span, hint)
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    width = max(1, len(str(token)))
    span = Span(line, col, getattr(token, "end_line", line) or line,
                getattr(token, "end_column", col + width) or col + width, source)
    expected = sorted({_describe_terminal(t) for t in exc.expected})
    shown = str(token).splitlines()[0] if str(token) else token.type
    message = f"unexpected `{shown}`"
    hint = f"expected {_join(expected)}"
    before = source.line(line)[: col - 1]
    if "RULESET" in exc.expected:
        message = "a ruleset must start with `ruleset NAME version \"…\" effective YYYY-MM-DD`"
        hint = None
    elif token.type == "EQUAL" and re.search(r"\b(if|when|and|or|not|then|else|where)\b", before):
        hint = "to compare, write `==`"
    elif exc.expected & {"SOURCE", "TABLE", "INPUT", "COMPUTE", "AWARD"} and token.type in {"NAME", "EQUAL"}:
        hint = f"a new section starts here ({_SECTIONS}); is a `:` or a keyword missing above?"
    rest = source.line(line)[col - 1:]
    word = before.strip()
    if _NAME_RUN.fullmatch(word or "-") and token.type in ("STRING", "NAME", "COLON") and word not in _ALL_KEYWORDS:
        near = difflib.get_close_matches(word, _ALL_KEYWORDS, n=1, cutoff=0.75)
        if near:  # a statement starting with a misspelt keyword: `exmaple "…":`
            start = before.index(word) + 1  # (``before`` is the line up to the token)
            return Diagnostic(f"unknown keyword `{word}`", Span(line, start, line, start + len(word), source),
                              f"did you mean `{near[0]}`?")
    if str(token) == "," and re.search(r"\d$", before) and re.match(r",\d{3}", rest):
        number = re.search(r"[\d,.]+$", before + re.match(r"[\d,.]+", rest).group())
        written = number.group() if number else ""
        return Diagnostic("unexpected `,` in a number", span,
                          f"numbers have no thousands separators: write {written.replace(',', '')}")
    per = re.match(r"(?:per\s+(year|annum)|(每年|年))\b", rest)
    rate = re.search(r"(\d[\d_]*(?:\.\d+)?)[%％]\s*$", before)
    if per and rate:
        return Diagnostic("a rate is a yearly rate already", span, f"write {rate.group(1)}% without `{per.group()}`")
    glued = _glued_keyword(before) if str(token) in _CHINESE_KEYWORDS else None
    if glued is not None:  # a Chinese keyword where it does not belong: one earlier may be glued to a name
        name, word = glued
        hint = (f"`{name}` is read as one name; if `{word}` is the keyword, write a space after it: "
                f"`{word} {name[len(word):]}`")
    return Diagnostic(message, span, hint)


_CHINESE_KEYWORDS = sorted({*keywords.ALIASES.values(), *keywords.PHRASES.values()}, key=len, reverse=True)
_NAME_RUN = re.compile(keywords.NAME_PATTERN)
#: the keywords a line may start with, in both languages, for "did you mean"
_STATEMENT_WORDS = ("ruleset", "jurisdiction", "language", "source", "table", "input", "settings", "compute", "award",
                    "cap", "within", "ledger", "allocate", "evidence", "require", "warn", "admissibility", "route", "stage",
                    "refuse",
                    "example", "given", "expect")
_ALL_KEYWORDS = sorted({*_STATEMENT_WORDS, *(keywords.ALIASES[w] for w in _STATEMENT_WORDS)})


def _glued_keyword(text: str) -> tuple[str, str] | None:
    """The last name in ``text`` that starts with a Chinese keyword and goes on (``如果本金``), and that
    keyword — a clerk wrote the keyword and the name without a space between them."""
    found = None
    for m in _NAME_RUN.finditer(text):
        word = next((w for w in _CHINESE_KEYWORDS if m.group().startswith(w) and len(m.group()) > len(w)), None)
        if word is not None:
            found = (m.group(), word)
    return found


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 8:
        items = items[:8] + ["…"]
    return ", ".join(items[:-1]) + " or " + items[-1]


# ---------------------------------------------------------------- tree → AST
#: what follows a backslash in a text literal, and what it stands for
ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class ToAst(Transformer):
    """One method per grammar alias, each returning one AST node."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    # helpers
    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return ast.NO_SPAN
        return Span(meta.line, meta.column, meta.end_line, meta.end_column, self.source)

    def _tok_span(self, tok: Token) -> Span:
        return Span(tok.line, tok.column, tok.end_line, tok.end_column, self.source)

    def _string(self, tok: Token) -> str:
        raw = str(tok)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\":
                nxt = raw[i + 1]
                if nxt not in ESCAPES:
                    span = Span.point(self.source, tok.line, tok.column + i + 1, 2)
                    raise RulesSyntaxError.at(f"unknown escape `\\{nxt}` in text", span,
                                              'the escapes are \\" \\\\ \\n \\t')
                out.append(ESCAPES[nxt])
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    @staticmethod
    def _number(tok: Token) -> Decimal:
        return Decimal(str(tok).replace("_", ""))

    # header
    @v_args(meta=True)
    def start(self, meta, children):
        header, *decls = children
        return ast.Ruleset(header, tuple(decls), span=self._span(meta))

    @v_args(meta=True)
    def header(self, meta, children):
        name, version, effective, *settings = children
        options: dict[str, object] = {}
        for key, value in settings:
            options[key] = value
        date = ast.DateLit(str(effective), span=self._tok_span(effective))
        return ast.Header(name, self._string(version), date, span=self._span(meta), **options)

    def qualname(self, children):
        return ".".join(str(c) for c in children)

    def jurisdiction(self, children):
        return ("jurisdiction", self._string(children[0]))

    def language(self, children):
        return ("language", self._string(children[0]))

    @v_args(meta=True)
    def day_count(self, meta, children):
        basis, first, last = children
        if first[0] != "first" or last[0] != "last":
            raise RulesSyntaxError.at("write the first day, then the last day",
                                      self._span(meta),
                                      "day count basis 365 first day counted last day not counted")
        return ("day_count", ast.DayCountSetting(int(basis), first[1], last[1], span=self._span(meta)))

    def day_end(self, children):
        which, negation = children
        return (str(which), negation is None)

    # declarations
    @v_args(meta=True)
    def source_decl(self, meta, children):
        name, citation, text = children
        return ast.SourceDecl(str(name), self._string(citation), text, span=self._span(meta))

    def law_text(self, children):
        raw = str(children[0])[3:-3]
        return "\n".join(line.strip() for line in raw.strip().splitlines())

    @v_args(meta=True)
    def citation(self, meta, children):
        return ast.Citation(tuple(str(c) for c in children), span=self._span(meta))

    @v_args(meta=True)
    def dated_table(self, meta, children):
        name, vtype, path, column, citation = children
        return ast.DatedTableDecl(str(name), vtype, self._string(path), self._string(column), citation,
                                  span=self._span(meta))

    @v_args(meta=True)
    def schedule_table(self, meta, children):
        name, kind, citation, *bands = children
        return ast.ScheduleDecl(str(name), str(kind), tuple(bands), citation, span=self._span(meta))

    @v_args(meta=True)
    def band_upto(self, meta, children):
        upper, amount = children
        bound = ast.Number(self._number(upper), str(upper), span=self._tok_span(upper))
        return self._band(bound, amount, meta)

    @v_args(meta=True)
    def band_above(self, meta, children):
        return self._band(None, children[0], meta)

    def _band(self, upper, amount, meta):
        if isinstance(amount, ast.Percent):
            return ast.BandDecl(upper, rate=amount, span=self._span(meta))
        return ast.BandDecl(upper, fixed=amount, span=self._span(meta))

    @v_args(meta=True)
    def band_rate(self, meta, children):
        return self._percent(children[0], False)

    @v_args(meta=True)
    def band_fixed(self, meta, children):
        tok = children[0]
        return ast.Number(self._number(tok), str(tok), span=self._tok_span(tok))

    # inputs
    @v_args(meta=True)
    def input_section(self, meta, children):
        return ast.InputSection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def settings_section(self, meta, children):
        return ast.InputSection(tuple(children), True, span=self._span(meta))

    @v_args(meta=True)
    def input_field(self, meta, children):
        name, type_ref, *options = children
        kwargs: dict[str, object] = {}
        for key, value, span in options:
            if key in kwargs:
                raise RulesSyntaxError.at(f"`{key}` is given twice for input `{name}`", span)
            kwargs[key] = value
        return ast.InputField(str(name), type_ref, span=self._span(meta), **kwargs)

    @v_args(meta=True)
    def opt_default(self, meta, children):
        return ("default", children[0], self._span(meta))

    @v_args(meta=True)
    def opt_label(self, meta, children):
        return ("label", self._string(children[0]), self._span(meta))

    @v_args(meta=True)
    def opt_optional(self, meta, children):
        return ("optional", True, self._span(meta))

    @v_args(meta=True)
    def opt_min(self, meta, children):
        return ("min", children[0], self._span(meta))

    @v_args(meta=True)
    def opt_max(self, meta, children):
        return ("max", children[0], self._span(meta))

    @v_args(meta=True)
    def value_type(self, meta, children):
        return ast.ScalarType(str(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def rate_type(self, meta, children):
        return ast.ScalarType("rate", span=self._span(meta))

    @v_args(meta=True)
    def daily_rate_type(self, meta, children):
        return ast.ScalarType("rate per day", span=self._span(meta))

    @v_args(meta=True)
    def monthly_rate_type(self, meta, children):
        return ast.ScalarType("rate per month", span=self._span(meta))

    @v_args(meta=True)
    def enum_type(self, meta, children):
        return ast.EnumType(tuple(self._string(c) for c in children), span=self._span(meta))

    @v_args(meta=True)
    def list_type(self, meta, children):
        return ast.ListType(children[0], span=self._span(meta))

    @v_args(meta=True)
    def record_type(self, meta, children):
        return ast.RecordType(tuple(children), span=self._span(meta))

    def record_field(self, children):
        return (str(children[0]), children[1])

    # definitions
    @v_args(meta=True)
    def compute_section(self, meta, children):
        return ast.ComputeSection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def award_section(self, meta, children):
        return ast.AwardSection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def definition(self, meta, children):
        name, expr, *options = children
        label = citation = None
        for opt in options:
            if isinstance(opt, ast.Citation):
                if citation is not None:
                    raise RulesSyntaxError.at("one `per` list per rule; join the sources with commas", opt.span)
                citation = opt
            else:
                if label is not None:
                    raise RulesSyntaxError.at(f"`label` is given twice for `{name}`", opt[2])
                label = opt[1]
        return ast.Definition(str(name), expr, label, citation, span=self._span(meta))

    @v_args(meta=True)
    def cap(self, meta, children):
        *names, limit, when, citation = children
        return ast.Cap(tuple(str(n) for n in names), limit, when, citation, span=self._span(meta))

    @v_args(meta=True)
    def claim_limit(self, meta, children):
        name, citation = children
        return ast.ClaimLimit(str(name), citation, span=self._span(meta))

    # ledger
    @v_args(meta=True)
    def ledger_decl(self, meta, children):
        name, citation, *items = children
        settings = tuple(i for i in items if isinstance(i, ast.LedgerSetting))
        caps = tuple(i for i in items if isinstance(i, ast.LedgerCap))
        allocations = [i for i in items if isinstance(i, tuple) and i[3] is None]
        agreed = tuple(ast.AgreedOrder(i[0], i[3], i[1], span=i[2]) for i in items
                       if isinstance(i, tuple) and i[3] is not None)
        if len(allocations) > 1:
            raise RulesSyntaxError.at("a ledger has one `allocate` order without `when`", allocations[1][2],
                                      "an order the parties may agree is written `allocate … when CONDITION`")
        order, order_citation = (allocations[0][0], allocations[0][1]) if allocations else (None, None)
        first = items[0].span if items and hasattr(items[0], "span") else self._span(meta)
        ledger = ast.Ledger(settings, order, order_citation, caps, agreed,
                            span=Span(first.line, first.col, meta.end_line, meta.end_column, self.source))
        return ast.LedgerDecl(str(name), ledger, citation, span=self._span(meta))

    @v_args(meta=True)
    def ledger_setting(self, meta, children):
        return ast.LedgerSetting(str(children[0]), children[1], span=self._span(meta))

    @v_args(meta=True)
    def ledger_allocate(self, meta, children):
        *names, when, citation = children
        return (tuple(str(n) for n in names), citation, self._span(meta), when)

    @v_args(meta=True)
    def ledger_cap(self, meta, children):
        citation = children[-1]
        names = [str(c) for c in children if isinstance(c, Token) and c.type == "NAME"]
        rest = [c for c in children[:-1] if not (isinstance(c, Token) and c.type == "NAME")]
        rate, *options = rest
        kwargs: dict[str, object] = {}
        for key, value, span in options:
            if key in kwargs:
                raise RulesSyntaxError.at(f"`{key}` is given twice for this cap", span)
            kwargs[key] = value
        return ast.LedgerCap(tuple(names), rate, citation=citation, span=self._span(meta), **kwargs)

    @v_args(meta=True)
    def cap_from(self, meta, children):
        return ("start", children[0], self._span(meta))

    @v_args(meta=True)
    def cap_before(self, meta, children):
        return ("before", children[0], self._span(meta))

    @v_args(meta=True)
    def cap_when(self, meta, children):
        return ("when", children[0], self._span(meta))

    @v_args(meta=True)
    def cap_unsupported(self, meta, children):
        return ("unsupported", True, self._span(meta))

    # evidence
    @v_args(meta=True)
    def evidence_section(self, meta, children):
        return ast.EvidenceSection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def require(self, meta, children):
        at_least, kind, *rest = children
        message = citation = None
        options: dict[str, object] = {}
        for item in rest:
            if item is None:
                continue
            if isinstance(item, ast.Citation):
                citation = item
            elif isinstance(item, tuple) and item[0] == "message":
                message = item[1]
            else:
                options.update(item)
        return ast.Require(self._string(kind), at_least if at_least is not None else 1, message=message,
                           citation=citation, span=self._span(meta), **options)

    def at_least(self, children):
        return int(children[0])

    def cond_signed(self, children):
        by = children[0]
        return {"signed": True, "signed_by": self._string(by) if by is not None else None}

    def cond_anchored(self, children):
        return {"anchored": True, "within": children[0]}

    def cond_timestamped(self, children):
        return {"timestamped": True}

    def cond_dated(self, children):
        return {"dated": children[0]}

    @v_args(meta=True)
    def within_of(self, meta, children):
        return ast.Within(children[0], str(children[1]), "of", span=self._span(meta))

    @v_args(meta=True)
    def within_after(self, meta, children):
        return ast.Within(children[0], str(children[1]), "after", span=self._span(meta))

    @v_args(meta=True)
    def within_before(self, meta, children):
        return ast.Within(children[0], str(children[1]), "before", span=self._span(meta))

    def otherwise_message(self, children):
        return ("message", self._string(children[0]))

    @v_args(meta=True)
    def warn_if_missing(self, meta, children):
        kind, message, citation = children
        return ast.WarnIfMissing(self._string(kind), message[1] if message else None, citation,
                                 span=self._span(meta))

    # admissibility
    @v_args(meta=True)
    def admissibility_section(self, meta, children):
        return ast.AdmissibilitySection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def ground_refuse(self, meta, children):
        message, cond, citation = children
        return ast.Ground(self._string(message), cond, citation, span=self._span(meta))

    @v_args(meta=True)
    def ground_require(self, meta, children):
        cond, message, citation = children
        return ast.Ground(self._string(message), cond, citation, require=True, span=self._span(meta))

    # route
    @v_args(meta=True)
    def route_section(self, meta, children):
        return ast.RouteSection(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def route_when(self, meta, children):
        stage, cond, citation = children
        return ast.RouteRule(self._string(stage), cond, citation, span=self._span(meta))

    @v_args(meta=True)
    def route_refuse(self, meta, children):
        reason, cond, citation = children
        return ast.RouteRule(self._string(reason), cond, citation, refuse=True, span=self._span(meta))

    @v_args(meta=True)
    def route_otherwise(self, meta, children):
        stage, citation = children
        return ast.RouteRule(self._string(stage), None, citation, span=self._span(meta))

    # examples
    @v_args(meta=True)
    def example(self, meta, children):
        title, base, *parts = children
        given = tuple(b for kind, bindings in parts if kind == "given" for b in bindings)
        expect = tuple(b for kind, bindings in parts if kind == "expect" for b in bindings)
        return ast.Example(self._string(title), given, expect, base, span=self._span(meta))

    def extends(self, children):
        (title,) = children
        return ast.String(self._string(title), span=self._tok_span(title))

    def given(self, children):
        return ("given", children)

    def expect(self, children):
        return ("expect", children)

    @v_args(meta=True)
    def binding(self, meta, children):
        return ast.Binding(str(children[0]), children[1], span=self._span(meta))

    @v_args(meta=True)
    def evidence_items(self, meta, children):
        return ast.Binding("evidence", children[0], span=self._span(meta))

    @v_args(meta=True)
    def evidence_binding(self, meta, children):
        kind, status = children
        status_node = ast.String(self._string(status), span=self._tok_span(status))
        return ast.Binding("evidence", status_node, self._string(kind), span=self._span(meta))

    # expressions
    @v_args(meta=True)
    def if_expr(self, meta, children):
        return ast.If(*children, span=self._span(meta))

    def _binary(self, cls, op, meta, children):
        return cls(op, children[0], children[-1], span=self._span(meta))

    @v_args(meta=True)
    def or_op(self, meta, children):
        return self._binary(ast.BoolOp, "or", meta, children)

    @v_args(meta=True)
    def and_op(self, meta, children):
        return self._binary(ast.BoolOp, "and", meta, children)

    @v_args(meta=True)
    def not_op(self, meta, children):
        return ast.Not(children[0], span=self._span(meta))

    @v_args(meta=True)
    def compare(self, meta, children):
        left, op, right = children
        return ast.Compare(str(op), left, right, span=self._span(meta))

    @v_args(meta=True)
    def add(self, meta, children):
        return self._binary(ast.BinOp, "+", meta, children)

    @v_args(meta=True)
    def sub(self, meta, children):
        return self._binary(ast.BinOp, "-", meta, children)

    @v_args(meta=True)
    def mul(self, meta, children):
        return self._binary(ast.BinOp, "*", meta, children)

    @v_args(meta=True)
    def div(self, meta, children):
        return self._binary(ast.BinOp, "/", meta, children)

    @v_args(meta=True)
    def pow(self, meta, children):
        return self._binary(ast.BinOp, "^", meta, children)

    @v_args(meta=True)
    def index(self, meta, children):
        return ast.Index(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def list_comp(self, meta, children):
        body, var, iterable, where = children
        return ast.ListComp(body, str(var), iterable, where, span=self._span(meta))

    @v_args(meta=True)
    def previous(self, meta, children):
        return ast.Previous(span=self._span(meta))

    def iteration(self, children):
        return children[0]

    @v_args(meta=True)
    def number_range(self, meta, children):
        return ast.NumberRange(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def neg(self, meta, children):
        return ast.Neg(children[0], span=self._span(meta))

    @v_args(meta=True)
    def attr(self, meta, children):
        return ast.Attr(children[0], str(children[1]), span=self._span(meta))

    @v_args(meta=True)
    def call(self, meta, children):
        func, *args = children
        args = tuple(a for a in args if a is not None)
        return ast.Call(str(func), args, span=self._span(meta))

    @v_args(meta=True)
    def aggregate(self, meta, children):
        func, body, var, iterable, where = children
        return ast.Aggregate(str(func), body, str(var), iterable, where, span=self._span(meta))

    @v_args(meta=True)
    def linked_rate(self, meta, children):
        expr, (fixing, at) = children
        return ast.LinkedRate(expr, fixing, at, span=self._span(meta))

    def fixing_floating(self, children):
        return ("floating", None)

    def fixing_fixed(self, children):
        return ("fixed", children[0])

    def fixing_repriced(self, children):
        return ("repriced", children[0])

    @v_args(meta=True)
    def table_at(self, meta, children):
        return ast.TableAt(str(children[0]), children[1], span=self._span(meta))

    @v_args(meta=True)
    def accrue(self, meta, children):
        base, rate, start, end, basis = children
        return ast.Accrue(base, rate, start, end, int(basis) if basis is not None else None,
                          span=self._span(meta))

    @v_args(meta=True)
    def number(self, meta, children):
        tok = children[0]
        return ast.Number(self._number(tok), str(tok), span=self._span(meta))

    def _percent(self, tok: Token, per_day: bool) -> ast.Percent:
        text = str(tok)
        scale = Decimal(100) if text.endswith("%") else Decimal(10000)
        value = Decimal(text[:-1].replace("_", "")) / scale
        return ast.Percent(value, text, per_day, span=self._tok_span(tok))

    @v_args(meta=True)
    def monthly_percent(self, meta, children):
        node = self._percent(children[0], False)  # 1.5% per month: the annual rate 18%, exactly
        return ast.Percent(node.value * MONTHS_PER_YEAR, node.text, per_month=True, span=self._span(meta))

    @v_args(meta=True)
    def percent(self, meta, children):
        return self._percent(children[0], False)

    @v_args(meta=True)
    def daily_percent(self, meta, children):
        node = self._percent(children[0], True)
        return ast.Percent(node.value, node.text, True, span=self._span(meta))

    @v_args(meta=True)
    def date(self, meta, children):
        return ast.DateLit(str(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def duration(self, meta, children):
        amount, unit = children
        unit_name = next(u for u in ("hours", "months", "years", "days") if str(unit).startswith(u[:-1]))
        value = self._number(amount)  # the text in canonical form: 1 day, 2 days (whichever was written)
        return ast.Duration(value, unit_name, f"{amount} {unit_name[:-1] if value == 1 else unit_name}",
                            span=self._span(meta))

    @v_args(meta=True)
    def string(self, meta, children):
        return ast.String(self._string(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def true(self, meta, children):
        return ast.Bool(True, span=self._span(meta))

    @v_args(meta=True)
    def false(self, meta, children):
        return ast.Bool(False, span=self._span(meta))

    @v_args(meta=True)
    def name(self, meta, children):
        return ast.Name(str(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def basis(self, meta, children):
        return ast.Basis(span=self._span(meta))

    @v_args(meta=True)
    def evidence_complete(self, meta, children):
        return ast.EvidenceComplete(span=self._span(meta))

    @v_args(meta=True)
    def list_lit(self, meta, children):
        return ast.ListLit(tuple(c for c in children if c is not None), span=self._span(meta))

    @v_args(meta=True)
    def record_lit(self, meta, children):
        pairs = tuple((str(children[i]), children[i + 1]) for i in range(0, len(children), 2))
        return ast.RecordLit(pairs, span=self._span(meta))


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_identifier(text: str) -> bool:
    return bool(_IDENT.match(text))
