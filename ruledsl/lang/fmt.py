"""The canonical formatter: syntax tree (+ the comments of its source) → text.

``parse(format_ruleset(tree)) == tree`` for every ruleset (spans aside), and
formatting is idempotent. Comments are kept: a comment on its own line stays
above the statement that follows it, a comment at the end of a line stays at
the end of that statement's last line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ruledsl.core.errors import Span
from ruledsl.lang import ast, keywords
from ruledsl.lang.parser import ESCAPES, lark_parser, parse

INDENT = "  "
MAX_LINE = 100

# precedence of expression forms, loosest first
P_IF, P_OR, P_AND, P_NOT, P_CMP, P_SUM, P_PROD, P_UNARY, P_POWER, P_POSTFIX, P_ATOM = range(11)


@dataclass
class _Comment:
    line: int
    col: int
    text: str
    trailing: bool


def _comments(text: str) -> list[_Comment]:
    out = []
    lines = text.splitlines()
    for tok in lark_parser().lex(text, dont_ignore=True):
        if tok.type == "COMMENT":
            before = lines[tok.line - 1][: tok.column - 1]
            out.append(_Comment(tok.line, tok.column, str(tok).rstrip(), bool(before.strip())))
    return out


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal or an editor: a Chinese character (East Asian wide or
    full-width) takes two."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2e7f and unicodedata.east_asian_width(ch) in "WF")


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def unquote(text: str) -> str | None:
    """The text :func:`quote` wrote as ``text`` (the escapes the parser reads), or None when ``text`` is not
    written as :func:`quote` writes it."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    body = re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text[1:-1], flags=re.DOTALL)
    return body if quote(body) == text else None


class Formatter:
    def __init__(self, comments: list[_Comment]) -> None:
        self.comments = comments
        self.out: list[str] = []

    # -------------------------------------------------------------- comments
    def line(self, text: str, depth: int = 0) -> None:
        self.out.append(INDENT * depth + text if text else "")

    def leading(self, node: ast.Node, depth: int) -> None:
        """Emit comments that come before ``node`` or inside it (moved above it).

        A blank line between a comment block and what follows it is kept.
        """
        start, end = node.span.line, node.span.end_line
        keep, last = [], None
        for c in self.comments:
            inside_trailing = c.trailing and c.line == end
            before = c.line < start
            inside = start <= c.line <= end and not inside_trailing and (c.line != start or start != end)
            if before or inside:
                if last is not None and c.line > last + 1 and before:
                    self.line("")
                self.line(c.text, depth)
                last = c.line
            else:
                keep.append(c)
        if last is not None and last < start - 1:
            self.line("")
        self.comments = keep

    def trailing(self, node: ast.Node) -> None:
        end = node.span.end_line
        keep = []
        for c in self.comments:
            if c.trailing and c.line == end and self.out:
                self.out[-1] += "  " + c.text
            else:
                keep.append(c)
        self.comments = keep

    def statement(self, node: ast.Node, lines: list[str], depth: int) -> None:
        self.leading(node, depth)
        for i, text in enumerate(lines):
            self.line(text, depth + (1 if i else 0))
        self.trailing(node)

    # -------------------------------------------------------------- ruleset
    def ruleset(self, tree: ast.Ruleset) -> str:
        h = tree.header
        self.leading(ast.Node(span=_first_line(h.span)), 0)
        self.line(f"ruleset {h.name} version {quote(h.version)} effective {h.effective.text}")
        if h.jurisdiction is not None:
            self.line(f"jurisdiction {quote(h.jurisdiction)}", 1)
        if h.language is not None:
            self.line(f"language {quote(h.language)}", 1)
        if h.day_count is not None:
            dc = h.day_count
            self.line(f"day count basis {dc.basis} first day {'' if dc.first_day else 'not '}counted "
                      f"last day {'' if dc.last_day else 'not '}counted", 1)
        self.trailing(h)
        previous = None
        for decl in tree.decls:
            if not (isinstance(decl, ast.SourceDecl) and isinstance(previous, ast.SourceDecl) and not decl.text
                    and not previous.text):
                self.line("")
            getattr(self, f"decl_{type(decl).__name__}")(decl)
            previous = decl
        for c in self.comments:
            self.line(c.text)
        self.comments = []
        return "\n".join(self.out).rstrip("\n") + "\n"

    def decl_SourceDecl(self, d: ast.SourceDecl) -> None:
        lines = [f"source {d.name} = {quote(d.citation)}"]
        if d.text:
            lines.append('text """')
            lines.extend(d.text.splitlines())
            lines.append('"""')
        self.leading(d, 0)
        self.line(lines[0])
        for text in lines[1:]:
            self.line(text, 1)
        self.trailing(d)

    def decl_DatedTableDecl(self, d: ast.DatedTableDecl) -> None:
        self.statement(d, [f"table {d.name}: date -> {d.value_type.name} from {quote(d.path)} "
                           f"column {quote(d.column)}{self.cite(d.citation)}"], 0)

    def decl_ScheduleDecl(self, d: ast.ScheduleDecl) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line(f"table {d.name}: {d.kind} schedule{self.cite(d.citation).rstrip()}")
        for band in d.bands:
            amount = band.rate.text if band.rate is not None else band.fixed.text
            head = f"up to {band.upper.text}" if band.upper is not None else "above"
            self.statement(band, [f"{head}: {amount}"], 1)

    def decl_InputSection(self, d: ast.InputSection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("settings:" if d.settings else "input:")
        for f in d.fields:
            text = f"{f.name}: {self.type_ref(f.type)}" + self.clauses(("=", f.default))
            if f.label is not None:
                text += f" label {quote(f.label)}"
            if f.optional:
                text += " optional"
            self.statement(f, [text + self.clauses(("min", f.min), ("max", f.max))], 1)

    def decl_ComputeSection(self, d: ast.ComputeSection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("compute:")
        for item in d.definitions:
            self.definition(item)

    def decl_AwardSection(self, d: ast.AwardSection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("award:")
        for item in d.items:
            if isinstance(item, ast.Cap):
                text = f"cap {' + '.join(item.targets)} at {self.expr(item.limit)}"
                if item.when is not None:
                    text += f" when {self.expr(item.when)}"
                self.statement(item, [text + self.cite(item.citation)], 1)
            elif isinstance(item, ast.ClaimLimit):
                self.statement(item, [f"within {item.claim}" + self.cite(item.citation)], 1)
            else:
                self.definition(item)

    def definition(self, d: ast.Definition) -> None:
        lines = self.layout(f"{d.name} = ", d.expr)
        options = ((f"label {quote(d.label)}" if d.label is not None else "") + self.cite(d.citation)).strip()
        if options and len(lines) == 1 and width(INDENT + lines[0] + " " + options) <= MAX_LINE:
            lines[0] += " " + options  # a short rule keeps its citation on its own line
        elif options:
            lines.append(options)
        self.statement(d, lines, 1)

    def decl_LedgerDecl(self, d: ast.LedgerDecl) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line(f"ledger {d.name}{self.cite(d.citation)}:")
        led = d.ledger
        for setting in led.settings:
            self.statement(setting, self.layout(f"{setting.name} = ", setting.expr), 1)
        if led.allocate is not None:
            self.line(f"allocate {', '.join(led.allocate)}{self.cite(led.allocate_citation)}", 1)
        for agreed in led.agreed:
            self.statement(agreed, [f"allocate {', '.join(agreed.order)} when {self.expr(agreed.when)}"
                                    + self.cite(agreed.citation)], 1)
        for cap in led.caps:
            text = f"cap {', '.join(cap.components)} at {self.expr(cap.rate)}" + self.clauses(
                ("from", cap.start), ("before", cap.before), ("when", cap.when))
            if cap.unsupported:
                text += " unsupported"
            lines = [text]
            if cap.citation is not None:
                lines.append(self.cite(cap.citation).strip())
            self.statement(cap, lines, 1)

    def decl_EvidenceSection(self, d: ast.EvidenceSection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("evidence:")
        for rule in d.rules:
            if isinstance(rule, ast.WarnIfMissing):
                text = f"warn if no {quote(rule.kind)}"
            else:
                text = "require " + (f"at least {rule.at_least} " if rule.at_least != 1 else "") + quote(rule.kind)
                if rule.signed:
                    text += " signed" + (f" by {quote(rule.signed_by)}" if rule.signed_by else "")
                if rule.anchored:
                    text += " anchored"
                    if rule.within is not None:
                        text += " " + self.window(rule.within)
                if rule.timestamped:
                    text += " timestamped"
                if rule.dated is not None:
                    text += " dated " + self.window(rule.dated)
            lines = [text]
            tail = (f"otherwise {quote(rule.message)}" if rule.message else "") + self.cite(rule.citation)
            if tail:
                lines.append(tail.strip())
            self.statement(rule, lines, 1)

    @staticmethod
    def window(w: ast.Within) -> str:
        return f"within {w.duration.text} {w.side} {w.of}"

    def decl_AdmissibilitySection(self, d: ast.AdmissibilitySection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("admissibility:")
        for rule in d.rules:
            if rule.require:
                text = f"require {self.expr(rule.cond)} otherwise {quote(rule.message)}"
            else:
                text = f"refuse {quote(rule.message)} when {self.expr(rule.cond)}"
            self.statement(rule, [text + self.cite(rule.citation)], 1)

    def decl_RouteSection(self, d: ast.RouteSection) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        self.line("route:")
        for rule in d.rules:
            cond = f"when {self.expr(rule.cond)}" if rule.cond is not None else "otherwise"
            word = "refuse" if rule.refuse else "stage"
            self.statement(rule, [f"{word} {quote(rule.stage)} {cond}{self.cite(rule.citation)}"], 1)

    def decl_Example(self, d: ast.Example) -> None:
        self.leading(ast.Node(span=_first_line(d.span)), 0)
        head = f"example {quote(d.title)}"
        if d.extends is None:
            self.line(f"{head}:")
        elif width(f"{head} extends {quote(d.extends.value)}:") <= MAX_LINE:
            self.line(f"{head} extends {quote(d.extends.value)}:")
        else:  # the base's title on a line of its own
            self.line(head)
            self.line(f"{INDENT * 2}extends {quote(d.extends.value)}:")
        for word, bindings in (("given", d.given), ("expect", d.expect)):
            texts = [self.binding(b) for b in bindings]
            joined = f"{word} {', '.join(texts)}"
            if bindings and width(INDENT + joined) <= MAX_LINE:
                first, last = bindings[0].span, bindings[-1].span
                whole = Span(first.line, first.col, last.end_line, last.end_col, first.source)
                self.statement(ast.Node(span=whole), [joined], 1)
            else:
                for b in bindings:
                    head = f"{word} evidence {quote(b.evidence_kind)} = " if b.evidence_kind is not None \
                        else f"{word} {b.name} = "
                    self.statement(b, self.layout(head, b.expr), 1)

    def binding(self, b: ast.Binding) -> str:
        if b.evidence_kind is not None:
            return f"evidence {quote(b.evidence_kind)} = {self.expr(b.expr)}"
        return f"{b.name} = {self.expr(b.expr)}"

    def layout(self, head: str, e: ast.Expr) -> list[str]:
        """``head`` followed by ``e``: one line when it fits, else broken at the top of ``e`` —
        one branch of a choice, one term of a sum, one element of a list or call per line."""
        flat = head + self.expr(e)
        if width(INDENT * 2 + flat) <= MAX_LINE:
            return [flat]
        if isinstance(e, ast.If):
            lines = self.layout(f"{head}if {self.expr(e.cond)} then ", e.then)
            rest = e.else_
            while isinstance(rest, ast.If):
                lines += self.layout(f"else if {self.expr(rest.cond)} then ", rest.then)
                rest = rest.else_
            return lines + self.layout("else ", rest)
        if isinstance(e, ast.BinOp) and e.op in "+-":
            terms: list[tuple[str, ast.Expr]] = []
            left: ast.Expr = e
            while isinstance(left, ast.BinOp) and left.op in "+-":
                terms.append((left.op, left.right))
                left = left.left
            lines = [head + self.expr(left, P_SUM)]
            return lines + [f"{op} {self.expr(term, P_PROD)}" for op, term in reversed(terms)]
        parts = None
        if isinstance(e, ast.ListLit) and len(e.items) > 1:
            parts, opening, closing = [self.expr(i) for i in e.items], "[", "]"
        elif isinstance(e, ast.Call) and len(e.args) > 1:
            parts, opening, closing = [self.expr(a) for a in e.args], f"{e.func}(", ")"
        elif isinstance(e, ast.RecordLit) and len(e.fields) > 1:
            parts, opening, closing = [f"{k}: {self.expr(v)}" for k, v in e.fields], "{", "}"
        elif isinstance(e, ast.ListComp) and isinstance(e.body, ast.RecordLit) and len(e.body.fields) > 1:
            parts, opening = [f"{k}: {self.expr(v)}" for k, v in e.body.fields], "[{"
            closing = "} " + self.loop(e) + "]"
        if parts is None:
            return [flat]
        return ([head + opening + parts[0] + ","] + [p + "," for p in parts[1:-1]] + [parts[-1] + closing])

    # -------------------------------------------------------------- pieces
    def clauses(self, *pairs: tuple[str, ast.Expr | None]) -> str:
        """`` word expr`` for each clause that is present, in the given order."""
        return "".join(f" {word} {self.expr(e)}" for word, e in pairs if e is not None)

    @staticmethod
    def cite(c: ast.Citation | None) -> str:
        return f" per {', '.join(c.names)}" if c is not None else ""

    def type_ref(self, t: ast.TypeRef) -> str:
        if isinstance(t, ast.ScalarType):
            return t.name
        if isinstance(t, ast.EnumType):
            return "enum(" + ", ".join(quote(v) for v in t.values) + ")"
        if isinstance(t, ast.ListType):
            return f"list of {self.type_ref(t.item)}"
        if isinstance(t, ast.RecordType):
            return "{" + ", ".join(f"{k}: {self.type_ref(v)}" for k, v in t.fields) + "}"
        raise NotImplementedError(type(t).__name__)

    def loop(self, e: ast.Aggregate | ast.ListComp) -> str:
        """``for x in items where …`` or ``for k from 1 to term``."""
        if isinstance(e.iterable, ast.NumberRange):
            over = f"from {self.expr(e.iterable.start)} to {self.expr(e.iterable.end)}"
        else:
            over = f"in {self.expr(e.iterable)}"
        where = f" where {self.expr(e.where)}" if e.where is not None else ""
        return f"for {e.var} {over}{where}"

    def expr(self, e: ast.Expr, min_prec: int = P_IF) -> str:
        text, prec = self._expr(e)
        return f"({text})" if prec < min_prec else text

    def _expr(self, e: ast.Expr) -> tuple[str, int]:  # noqa: C901 — one case per node
        if isinstance(e, ast.Number):
            return e.text, P_ATOM
        if isinstance(e, ast.Percent):
            return e.text + (" per day" if e.per_day else " per month" if e.per_month else ""), P_ATOM
        if isinstance(e, ast.DateLit):
            return e.text, P_ATOM
        if isinstance(e, ast.Duration):
            return e.text, P_ATOM
        if isinstance(e, ast.String):
            return quote(e.value), P_ATOM
        if isinstance(e, ast.Bool):
            return ("true" if e.value else "false"), P_ATOM
        if isinstance(e, ast.Name):
            return e.name, P_ATOM
        if isinstance(e, ast.Basis):
            return "basis", P_ATOM
        if isinstance(e, ast.EvidenceComplete):
            return "evidence complete", P_ATOM
        if isinstance(e, ast.ListLit):
            return "[" + ", ".join(self.expr(i) for i in e.items) + "]", P_ATOM
        if isinstance(e, ast.RecordLit):
            return "{" + ", ".join(f"{k}: {self.expr(v)}" for k, v in e.fields) + "}", P_ATOM
        if isinstance(e, ast.Attr):
            return f"{self.expr(e.obj, P_POSTFIX)}.{e.name}", P_POSTFIX
        if isinstance(e, ast.Call):
            return f"{e.func}(" + ", ".join(self.expr(a) for a in e.args) + ")", P_POSTFIX
        if isinstance(e, ast.Aggregate):
            return f"{e.func}({self.expr(e.body)} {self.loop(e)})", P_POSTFIX
        if isinstance(e, ast.ListComp):
            return f"[{self.expr(e.body)} {self.loop(e)}]", P_ATOM
        if isinstance(e, ast.Index):
            return f"{self.expr(e.obj, P_POSTFIX)}[{self.expr(e.index)}]", P_POSTFIX
        if isinstance(e, ast.Previous):
            return "previous", P_ATOM
        if isinstance(e, ast.TableAt):
            return f"{e.table} at {self.expr(e.when, P_POSTFIX)}", P_POSTFIX
        if isinstance(e, ast.Accrue):
            basis = f", basis {e.basis}" if e.basis is not None else ""
            return (f"accrue({self.expr(e.base)}, {self.expr(e.rate)}, from {self.expr(e.start)} "
                    f"to {self.expr(e.end)}{basis})"), P_POSTFIX
        if isinstance(e, ast.Neg):
            return "-" + self.expr(e.operand, P_UNARY), P_UNARY
        if isinstance(e, ast.Not):
            return "not " + self.expr(e.operand, P_NOT), P_NOT
        if isinstance(e, ast.BinOp) and e.op == "^":  # right-associative: 2 ^ 3 ^ 2 is 2 ^ (3 ^ 2)
            return f"{self.expr(e.left, P_POSTFIX)} ^ {self.expr(e.right, P_UNARY)}", P_POWER
        if isinstance(e, ast.BinOp):
            prec = P_SUM if e.op in "+-" else P_PROD
            return f"{self.expr(e.left, prec)} {e.op} {self.expr(e.right, prec + 1)}", prec
        if isinstance(e, ast.Compare):
            return f"{self.expr(e.left, P_SUM)} {e.op} {self.expr(e.right, P_SUM)}", P_CMP
        if isinstance(e, ast.BoolOp):
            prec = P_OR if e.op == "or" else P_AND
            return f"{self.expr(e.left, prec)} {e.op} {self.expr(e.right, prec + 1)}", prec
        if isinstance(e, ast.If):
            return (f"if {self.expr(e.cond)} then {self.expr(e.then)} else {self.expr(e.else_)}", P_IF)
        if isinstance(e, ast.LinkedRate):  # `lpr_1y + 3% floating`, `… fixed at d`, `… repriced on dates`
            text = f"{self.expr(e.expr, P_SUM)} {e.fixing}"
            if e.at is not None:
                text += f" {'on' if e.fixing == 'repriced' else 'at'} {self.expr(e.at, P_POSTFIX)}"
            return text, P_IF
        raise NotImplementedError(f"formatter: unsupported node {type(e).__name__}")


def _first_line(span: Span) -> Span:
    return Span(span.line, span.col, span.line, span.col + 1, span.source)


def format_ruleset(tree: ast.Ruleset, source_text: str | None = None) -> str:
    """Canonical text of a ruleset; pass the original text to keep its comments."""
    comments = _comments(source_text) if source_text else []
    return Formatter(comments).ruleset(tree)


def format_text(text: str, name: str = "<rules>", lang: str | None = None) -> str:
    """Format ruleset text (parse it first; a syntax error is raised, never half-formatted), its keywords
    in ``lang`` — ``"en"`` or ``"zh"`` (中文关键字), or None: the file's own (:func:`language_of`)."""
    return format_parsed(parse(text, name), text, lang)


def format_parsed(tree: ast.Ruleset, text: str, lang: str | None = None) -> str:
    """:func:`format_text` of a ruleset already parsed from ``text`` (the tree need not be parsed again)."""
    english = format_ruleset(tree, text)
    return english if (lang or language_of(text)) == "en" else translate_keywords(english, "zh")


LANGUAGES = ("en", "zh")


def language_of(text: str) -> str:
    """The language of a ruleset's keywords: ``"zh"`` when it starts with ``规则集``, else ``"en"``."""
    for tok in lark_parser().parse_interactive(text).iter_parse():
        return "zh" if str(tok) == keywords.ALIASES["ruleset"] else "en"
    return "en"


def translate_keywords(text: str, to: str) -> str:
    """``text`` (a ruleset that parses) with its keywords in ``to`` (``"en"`` or ``"zh"``), all else as it
    is (:func:`ruledsl.lang.keywords.translate`)."""
    tokens = lark_parser().parse_interactive(text).iter_parse()  # typed as the parser reads them, in context
    return keywords.translate(text, [t for t in tokens if t.type != "$END"], to)
