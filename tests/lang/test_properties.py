"""Property tests (hypothesis).

1. The formatter is faithful: for generated rulesets, parse(fmt(x)) == x and fmt is idempotent.
2. The compiler is faithful: compiled code and the tree-walking interpreter agree on generated inputs.
3. The front end never crashes: random token soup gives a located RulesError or a valid ruleset.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruledsl.cases.inputs import parse_case
from ruledsl.core.errors import RulesError, RulesRuntimeError
from ruledsl.lang import ast
from ruledsl.lang.fmt import Formatter, format_text
from ruledsl.lang.interpreter import interpret
from ruledsl.lang.parser import parse
from ruledsl.ruleset import load_text

HEADER = '''ruleset gen.rules version "1" effective 2024-01-01
  day count basis 365 first day counted last day not counted

source S = "generated"

table sched: progressive schedule per S
  up to 1000: 10.00
  up to 5000: 2%
  above: 1%

input:
  a: money
  b: money
  r: rate
  n: number
  d1: date
  d2: date
  flag: bool
  kind: enum("x", "y")
  items: list of {amount: money, on: date}
'''

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- expression strategies
def number(lo: int = 0, hi: int = 10**7, places: int = 2) -> st.SearchStrategy[ast.Number]:
    def build(units: int) -> ast.Number:
        value = Decimal(units).scaleb(-places)
        return ast.Number(value, f"{value}")
    return st.integers(lo, hi).map(build)


def percent() -> st.SearchStrategy[ast.Percent]:
    def build(tenths: int) -> ast.Percent:
        text = f"{Decimal(tenths).scaleb(-1)}%"
        return ast.Percent(Decimal(text[:-1]) / Decimal(100), text)
    return st.integers(0, 600).map(build)


def date_lit() -> st.SearchStrategy[ast.DateLit]:
    return st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(lambda d: ast.DateLit(d.isoformat()))


def dates() -> st.SearchStrategy[ast.Expr]:
    base = st.one_of(st.just(ast.Name("d1")), st.just(ast.Name("d2")), date_lit())
    shifted = st.builds(lambda d, n: ast.BinOp("+", d, ast.Duration(Decimal(n), "days", f"{n} day" if n == 1 else f"{n} days")),
                        base, st.integers(0, 400))
    return st.one_of(base, shifted)


def rates() -> st.SearchStrategy[ast.Expr]:
    return st.one_of(st.just(ast.Name("r")), percent(),
                     st.builds(lambda p: ast.BinOp("*", ast.Name("r"), p), percent()))


def item_condition(var: str) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(lambda op, n: ast.Compare(op, ast.Attr(ast.Name(var), "amount"), n),
                  st.sampled_from([">", "<=", "=="]), number(0, 10**6)),
        st.builds(lambda op, d: ast.Compare(op, ast.Attr(ast.Name(var), "on"), d),
                  st.sampled_from(["<", ">="]), dates()),
    )


def bools(money: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    leaf = st.one_of(
        st.just(ast.Name("flag")),
        st.builds(ast.Bool, st.booleans()),
        st.builds(lambda v: ast.Compare("==", ast.Name("kind"), ast.String(v)), st.sampled_from(["x", "y"])),
        st.builds(ast.Compare, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), money, money),
        st.builds(ast.Compare, st.sampled_from(["<", ">="]), dates(), dates()),
    )
    return st.recursive(leaf, lambda inner: st.one_of(
        st.builds(ast.Not, inner),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), inner, inner),
    ), max_leaves=3)


def money_exprs(names: tuple[str, ...]) -> st.SearchStrategy[ast.Expr]:
    """Money-typed expressions: every one contains a money name, so literals next to it take its unit."""
    names_ = st.sampled_from([ast.Name(n) for n in names])

    def extend(inner: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
        return st.one_of(
            st.builds(ast.BinOp, st.sampled_from(["+", "-"]), inner, st.one_of(inner, number())),
            st.builds(lambda m, k: ast.BinOp("*", m, k), inner, st.one_of(percent(), number(0, 500, 1))),
            st.builds(lambda m, k: ast.BinOp("/", m, k), inner, number(1, 50, 0)),
            st.builds(ast.If, bools(names_), inner, st.one_of(inner, number())),
            st.builds(lambda f, x, y: ast.Call(f, (x, y)), st.sampled_from(["min", "max"]), inner,
                      st.one_of(inner, number())),
            st.builds(lambda f, x: ast.Call(f, (x,)), st.sampled_from(["round", "abs", "sched"]), inner),
            st.builds(ast.Neg, inner),
            st.builds(lambda m, r, s, e: ast.Accrue(m, r, s, e), inner, rates(), dates(), dates()),
            st.builds(lambda cond: ast.Aggregate("sum", ast.Attr(ast.Name("i"), "amount"), "i",
                                                 ast.Name("items"), cond),
                      st.one_of(st.none(), item_condition("i"))),
        )
    return st.recursive(names_, extend, max_leaves=5)


@st.composite
def rulesets(draw) -> tuple[str, list[ast.Definition]]:
    """Ruleset text plus the generated definitions it contains, in order."""
    defs: list[ast.Definition] = []
    names: tuple[str, ...] = ("a", "b")
    for i in range(draw(st.integers(1, 4))):
        name = f"m{i}"
        defs.append(ast.Definition(name, draw(money_exprs(names)), citation=ast.Citation(("S",))))
        names += (name,)
    awards = []
    for i in range(draw(st.integers(1, 3))):
        awards.append(ast.Definition(f"line{i}", draw(money_exprs(names)), citation=ast.Citation(("S",))))
    fmt = Formatter([])
    text = HEADER + "\ncompute:\n"
    for d in defs:
        text += f"  {d.name} = {fmt.expr(d.expr)} per S\n"
    text += "\naward:\n"
    for d in awards:
        text += f"  {d.name} = {fmt.expr(d.expr)} per S\n"
    if len(awards) > 1 and draw(st.booleans()):
        text += f"  cap {' + '.join(d.name for d in awards)} at {fmt.expr(draw(money_exprs(('a', 'b'))))} per S\n"
    return text, defs + awards


@st.composite
def cases(draw) -> dict:
    money = st.integers(-10**6, 10**8).map(lambda f: f"{Decimal(f).scaleb(-2)}")
    day = st.dates(date(2015, 1, 1), date(2030, 12, 31))
    return {
        "a": draw(money), "b": draw(money),
        "r": f"{draw(st.integers(0, 400))}‱",
        "n": str(draw(st.integers(-50, 50))),
        "d1": draw(day).isoformat(), "d2": draw(day).isoformat(),
        "flag": draw(st.booleans()), "kind": draw(st.sampled_from(["x", "y"])),
        "items": [{"amount": draw(money), "on": draw(day).isoformat()} for _ in range(draw(st.integers(0, 3)))],
    }


# ---------------------------------------------------------------- properties
@SETTINGS
@given(rulesets())
def test_format_round_trip(generated) -> None:
    text, defs = generated
    tree = parse(text)
    parsed_defs = [d for sec in tree.decls if isinstance(sec, (ast.ComputeSection, ast.AwardSection))
                   for d in (sec.definitions if isinstance(sec, ast.ComputeSection) else sec.items)
                   if isinstance(d, ast.Definition)]
    assert parsed_defs == defs  # the printer wrote exactly the generated trees
    once = format_text(text)
    assert parse(once) == tree
    assert format_text(once) == once
    chinese = format_text(text, lang="zh")  # the same ruleset in Chinese keywords (中文关键字) …
    assert parse(chinese) == tree
    assert format_text(chinese) == chinese and format_text(chinese, lang="en") == once  # … and back


@SETTINGS
@given(rulesets(), st.lists(cases(), min_size=1, max_size=4))
def test_compiled_code_agrees_with_interpreter(generated, inputs) -> None:
    text, _ = generated
    ruleset = load_text(text, "gen.rules")
    for case in inputs:
        try:
            decision = ruleset.evaluate(case, trace=False)
        except RulesRuntimeError as exc:
            compiled_error = exc.diagnostics[0].message
        else:
            compiled_error = None
        values = parse_case(ruleset.checked, case)
        try:
            outputs, _ = interpret(ruleset.checked, values)
        except (ArithmeticError, ValueError) as exc:
            assert compiled_error is not None, f"only the interpreter failed: {exc}"
            continue
        assert compiled_error is None, f"only the compiled code failed: {compiled_error}"
        assert outputs == decision.values


VOCABULARY = [
    "ruleset", "version", "effective", "source", "table", "input", "compute", "award", "evidence", "route",
    "example", "given", "expect", "cap", "at", "per", "when", "otherwise", "stage", "require", "warn", "if",
    "then", "else", "and", "or", "not", "accrue", "from", "to", "basis", "label", "min", "max", "money",
    "rate", "date", "list", "of", "enum", "up", "above", "schedule", "progressive", "x", "y", "principal",
    ":", "=", "==", "+", "-", "*", "/", "(", ")", "[", "]", "{", "}", ",", ".", "<", ">=", "%",
    "10000.00", "24%", "0.05% per day", "2024-02-30", "2020-08-20", "30 days", '"text"', '"', '"""', "#c",
    "\n", "\n  ", "：", "'", "\\", "\t", "é", "借款",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40), st.booleans())
def test_token_soup_gives_a_located_error_never_a_traceback(tokens, with_header) -> None:
    text = " ".join(tokens)
    if with_header:
        text = 'ruleset s version "1" effective 2024-01-01\n' + text
    try:
        load_text(text, "soup.rules")
    except RulesError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span is None or d.span.line >= 1
            rendered = d.render()
            assert rendered.startswith("soup.rules:") or d.span is None

