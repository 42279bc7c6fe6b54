"""Injection: names and texts built to break out of the generated Python.

Every hostile ruleset here is either refused with a located :class:`RulesError`,
or it compiles and RUNS with the text coming back unchanged as data — and the
sentinel file its payload tries to create never appears, and the generated
source (``Ruleset.python_source``) never contains the payload.
"""

from __future__ import annotations

import ast as pyast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ruledsl.core.errors import RulesError
from ruledsl.lang.interpreter import interpret
from ruledsl.ruleset import load, load_text
from ruledsl.ruleset.examples import run_examples

HEADER = 'ruleset t.injection version "1" effective 2024-01-01\n'
ROOT = Path(__file__).resolve().parents[2]


def dsl(text: str) -> str:
    """Write a Python string as a ruleset text literal (the DSL escapes: \\" \\\\ \\n \\t)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def payloads(sentinel: Path) -> list[str]:
    s = str(sentinel)
    return [
        f'"); import os; os.system("touch {s}") #',
        f"'); import os; os.system('touch {s}') #",
        f'"""); __import__("os").system("touch {s}"); ("""',
        f"'''); __import__('os').system('touch {s}'); ('''",
        f'\nimport os\nos.system("touch {s}")\n',
        f'\\"); open("{s}", "w").close(); ("\\',
        f'{{__import__("os").system("touch {s}")}}',
        f"__import__('os').system('touch {s}')",
        f'" + str(__class__.__mro__) + open("{s}", "w").name + "',
        f'\t\\n\\x00"]; _K = None; open("{s}", "w") #',
    ]


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a ruleset text was executed as code"


def string_constants(python: str) -> set[str]:
    return {n.value for n in pyast.walk(pyast.parse(python)) if isinstance(n, pyast.Constant) and isinstance(n.value, str)}


def assert_generated_code_is_clean(python: str, payload: str) -> None:
    assert payload not in python
    # the only texts in generated code are identifier names (dict keys), the bound words and how a rate's
    # bound is shown
    for text in string_constants(python):
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|at least|at most|per day|per month", text), text


# ---------------------------------------------------------------- texts stay inert data


def hostile_ruleset(p: str) -> str:
    q = dsl(p)
    return HEADER + f"""
source S = {q}
input:
  claim_amount: money label {q} min 0
  kind: enum("plain", {q}) = "plain" label {q}
  note: text = {q}
award:
  fee = if kind == {q} then claim_amount * 2% else claim_amount * 1% label {q} per S
compute:
  echo = {q} label {q} per S
  joined = note
evidence:
  require {q} otherwise {q} per S
route:
  stage {q} when kind == {q}
  stage "plain" otherwise
example {q}:
  given claim_amount = 100.00, kind = {q}
  expect fee = 2.00, echo = {q}, route = {q}
"""


def test_payloads_survive_the_dsl_escaping(tmp_path: Path):
    # the helper itself: what the parser reads back is exactly the payload
    for p in payloads(tmp_path / "x"):
        rs = load_text(HEADER + f"input:\n  c: money\ncompute:\n  t = {dsl(p)}\naward:\n  fee = c\n")
        assert rs.evaluate({"c": "1"}).values["t"] == p


@pytest.mark.parametrize("index", range(10))
def test_hostile_texts_compile_run_and_stay_data(index: int, sentinel: Path):
    p = payloads(sentinel)[index]
    rs = load_text(hostile_ruleset(p), "hostile.rules")
    assert_generated_code_is_clean(rs.python_source, p)
    assert p in rs.code.constants  # the text lives in the constant tuple, by index

    case = {"claim_amount": "100.00", "kind": p}
    decision = rs.evaluate(case, verified=[{"kind": p}])  # as the evidence layer reports a verified item
    # 100.00 × 2% = 2.00 (the hostile enum value selects the `then` branch)
    assert str(decision.award["fee"]) == "2.00"
    assert decision.values["kind"] == p
    assert decision.values["echo"] == p
    assert decision.values["note"] == p and decision.values["joined"] == p
    assert decision.route == p
    assert [(r.kind, r.status) for r in decision.evidence] == [(p, "satisfied")]
    labels = {e.rule: e.label for e in decision.trace}
    assert labels["fee"] == labels["echo"] == labels["claim_amount"] == p
    citations = {e.rule: e.citations for e in decision.trace}
    assert citations["fee"] == citations["echo"] == (p,)

    # missing evidence: the `otherwise` message comes back verbatim
    missing = rs.evaluate({"claim_amount": "100.00"})
    assert [(r.kind, r.status, r.message) for r in missing.evidence] == [(p, "missing", p)]
    assert missing.route == "plain"
    # 100.00 × 1% = 1.00
    assert str(missing.award["fee"]) == "1.00"

    # the same text through JSON output and the interpreter oracle
    out = json.loads(json.dumps(decision.as_json(), ensure_ascii=False))
    assert out["values"]["echo"] == p and out["route"] == p
    assert any(entry["label"] == p for entry in out["trace"])
    values, route = interpret(rs.checked, {**rs.evaluate(case, trace=False).values})
    assert values["echo"] == p and rs.checked.routes[route].stage == p

    # the example titled with the payload runs and passes
    [result] = run_examples(rs)
    assert result.title == p and result.passed, (result.failures, result.error)
    assert not sentinel.exists()


def test_triple_quotes_and_backslashes_in_texts(sentinel: Path):
    p = '"""\'\'\'\\\\\\"\\n' + "\n\\"
    rs = load_text(HEADER + f"input:\n  c: money label {dsl(p)}\ncompute:\n  t = {dsl(p)}\naward:\n  fee = c\n")
    assert rs.evaluate({"c": "1"}).values["t"] == p
    assert rs.checked.inputs[0].label == p
    assert_generated_code_is_clean(rs.python_source, p)


def test_law_text_block_is_data(sentinel: Path):
    body = f'import os\nos.system("touch {sentinel}")\n\'\'\' " \\'
    rs = load_text(HEADER + f'source S = "x" text """\n{body}\n"""\ninput:\n  c: money\naward:\n'
                   "  fee = c per S\n")
    assert 'os.system("touch' in rs.checked.sources["S"].text
    assert "os.system" not in rs.python_source
    rs.evaluate({"c": "1"})


def test_hostile_case_values_are_data(sentinel: Path):
    rs = load_text(HEADER + 'input:\n  c: money\n  who: text\ncompute:\n  same = who\naward:\n  fee = c\n')
    for p in payloads(sentinel):
        decision = rs.evaluate({"c": "1", "who": p})
        assert decision.values["same"] == p


def test_hostile_strings_in_case_fields_are_refused_with_the_field_named(sentinel: Path):
    rs = load_text(HEADER + "input:\n  c: money\naward:\n  fee = c\n")
    p = payloads(sentinel)[0]
    with pytest.raises(RulesError) as info:
        rs.evaluate({"c": p})
    assert "`c`" in str(info.value)
    with pytest.raises(RulesError) as info:
        rs.evaluate({"c": "1", p: "1"})
    assert "unknown input" in str(info.value)


# ---------------------------------------------------------------- names


def located(text: str, name: str = "names.rules") -> RulesError:
    with pytest.raises(RulesError) as info:
        load_text(text, name)
    exc = info.value
    first = exc.diagnostics[0]
    assert first.span is not None and first.span.line >= 1 and first.span.col >= 1, str(exc)
    assert f"{name}:{first.span.line}:{first.span.col}: error:" in str(exc)
    assert "^" in str(exc)
    return exc


@pytest.mark.parametrize("name", [
    'fee"); import os #',
    "fee\nimport os",
    "fee\\",
    "fee.__class__",
    "fee;x",
    "fee'",
    "1fee",
    "fée",
    "费用$",
    "\uf900费用",  # a CJK compatibility ideograph: NFKC would make it another name in the generated Python
    "fee$",
])
def test_names_with_foreign_characters_are_syntax_errors(name: str):
    located(HEADER + f"input:\n  c: money\naward:\n  {name} = c\n")


@pytest.mark.parametrize("name", ["__import__", "__class__", "__builtins__", "__init__", "__", "___x"])
def test_dunder_names_are_refused_everywhere(name: str):
    where = {
        "input": f"input:\n  {name}: money\naward:\n  fee = 1.00\n",
        "definition": f"input:\n  c: money\ncompute:\n  {name} = c\naward:\n  fee = c\n",
        "award": f"input:\n  c: money\naward:\n  {name} = c\n",
        "source": f'source {name} = "x"\ninput:\n  c: money\naward:\n  fee = c per {name}\n',
        "table": f"table {name}: progressive schedule\n  up to 10: 1.00\n  above: 1%\n"
                 f"input:\n  c: money\naward:\n  fee = {name}(c)\n",
        "record field": f"input:\n  c: money\n  rs: list of {{{name}: money}}\naward:\n  fee = c\n",
        "loop variable": f"input:\n  c: money\n  rs: list of {{a: money}}\n"
                         f"award:\n  fee = c + sum({name}.a for {name} in rs)\n",
    }
    for kind, body in where.items():
        exc = located(HEADER + body)
        assert "reserved" in str(exc), (kind, str(exc))


@pytest.mark.parametrize("expr", [
    "__import__(\"os\")", "open(\"/etc/passwd\")", "eval(\"1\")", "exec(\"1\")", "compile(\"1\", \"x\", \"eval\")",
    "getattr(c, \"real\")", "globals()", "locals()", "vars()", "print(c)", "list(c)", "type(c)",
    "breakpoint()", "input(\"x\")",
])
def test_python_builtins_are_unknown_functions(expr: str, sentinel: Path):
    exc = located(HEADER + f"input:\n  c: money\naward:\n  fee = c + {expr}\n")
    first = exc.diagnostics[0]
    assert first.message.startswith("unknown function `"), first.message
    assert (first.span.line, first.span.col) == (5, 13)


@pytest.mark.parametrize("expr", ["c.__class__", "c.real", '"x".__class__', "rs.__len__", "rs.a.__class__"])
def test_attributes_cannot_reach_python_objects(expr: str):
    exc = located(HEADER + f"input:\n  c: money\n  rs: list of {{a: money}}\naward:\n  fee = c\n"
                           f"compute:\n  x = {expr}\n")
    assert "field" in exc.diagnostics[0].message


@pytest.mark.parametrize("name", ["_K", "_c0", "_sched_0", "_FEN", "_HALF_UP", "evaluate_fast",
                                  "_T", "_DC", "_in", "_ev", "_trace", "_route", "_bad", "v_c", "l_r",
                                  "_round", "_apply_cap", "evaluate", "__builtins__"])
def test_generated_names_cannot_be_read(name: str):
    # the generated code's own variables are invisible: an undeclared name is an unknown name
    exc = located(HEADER + f"input:\n  c: money\naward:\n  fee = c + {name}\n")
    assert name in exc.diagnostics[0].message


@pytest.mark.parametrize("name", ["_K", "_c0", "_c1", "_sched_0", "_ZERO", "_no_band", "evaluate_fast",
                                  "_T", "_DC", "_trace", "_route", "_limit", "_before", "_bad", "_round",
                                  "v_c", "l_r", "os", "exec", "eval", "open", "None", "True", "lambda", "import",
                                  "class", "min", "max", "round", "list", "evaluate", "self"])
def test_definitions_named_like_generated_or_python_names_run(name: str):
    rs = load_text(HEADER + f"input:\n  c: money\ncompute:\n  {name} = c * 2\n"
                            f"award:\n  fee = {name} + c label \"{name}\"\n")
    decision = rs.evaluate({"c": "100"})
    # 100 × 2 + 100 = 300
    assert str(decision.award["fee"]) == "300.00"
    assert decision.values[name] == 200
    assert f"v_{name} =" in rs.python_source  # mangled, never bare


@pytest.mark.parametrize("name", ["v_x", "os", "exec", "None", "lambda", "import", "min", "round", "self"])
def test_inputs_named_like_python_names_run(name: str):
    rs = load_text(HEADER + f"input:\n  {name}: money\naward:\n  fee = {name} * 2%\n")
    # 100 × 2% = 2.00
    assert str(rs.evaluate({name: "100"}).award["fee"]) == "2.00"


@pytest.mark.parametrize("name", ["_K", "_in", "_trace", "_x", "_"])
def test_underscore_inputs_are_refused_or_work(name: str):
    text = HEADER + f"input:\n  {name}: money\naward:\n  fee = {name} * 2%\n"
    try:
        rs = load_text(text, "u.rules")
    except RulesError as exc:  # refusing them at check time, located, is fine
        assert exc.diagnostics[0].span is not None
        return
    try:
        decision = rs.evaluate({name: "100"})
    except RulesError:
        pytest.fail("a ruleset that checks clean must accept a case giving its declared input")
    assert str(decision.award["fee"]) == "2.00"


@pytest.mark.parametrize("body,case", [
    ("input:\n  model_config: money\naward:\n  fee = model_config * 2%\n", {"model_config": "100"}),
    ("input:\n  rs: list of {_x: money}\naward:\n  fee = sum(r._x for r in rs) * 2%\n", {"rs": [{"_x": "100"}]}),
])
def test_names_pydantic_reserves_are_refused_or_work(body: str, case: dict):
    try:
        rs = load_text(HEADER + body, "p.rules")
    except RulesError as exc:
        assert exc.diagnostics[0].span is not None
        return
    assert str(rs.evaluate(case).award["fee"]) == "2.00"


def test_very_long_names_are_refused_with_a_location():
    long = "a" * 1_500  # far beyond MAX_NAME, within a line (MAX_LINE refuses longer lines before any name is read)
    bodies = [
        f"input:\n  {long}: money\naward:\n  fee = 1.00\n",
        f"input:\n  c: money\ncompute:\n  {long} = c\naward:\n  fee = c\n",
        f'source {long} = "x"\ninput:\n  c: money\naward:\n  fee = c per {long}\n',
        f"input:\n  c: money\n  rs: list of {{{long}: money}}\naward:\n  fee = c\n",
        f"input:\n  c: money\n  rs: list of {{a: money}}\naward:\n  fee = c + sum({long}.a for {long} in rs)\n",
        f"table {long}: progressive schedule\n  up to 10: 1.00\n  above: 1%\ninput:\n  c: money\naward:\n"
        f"  fee = {long}(c)\n",
    ]
    for body in bodies:
        exc = located(HEADER + body)
        message = exc.diagnostics[0].message
        assert "1500 characters long" in message, message
        assert len(message) < 200  # the name is shortened in the message
    # using (not defining) a very long name: unknown name / function / source, still located
    for body in (f"input:\n  c: money\naward:\n  fee = c + {long}\n",
                 f"input:\n  c: money\naward:\n  fee = {long}(c)\n",
                 f"input:\n  c: money\naward:\n  fee = c per {long}\n"):
        located(HEADER + body)


def test_sixty_four_characters_is_still_a_name():
    name = "n" * 64
    rs = load_text(HEADER + f"input:\n  {name}: money\naward:\n  fee = {name} * 2%\n")
    # 50 × 2% = 1.00
    assert str(rs.evaluate({name: "50"}).award["fee"]) == "1.00"


def test_generated_namespace_has_no_dangerous_builtins():
    rs = load(ROOT / "rulesets" / "cn" / "court_fees.rules")
    builtins = rs.code.function.__globals__["__builtins__"]
    assert isinstance(builtins, dict)
    for name in ("open", "eval", "exec", "__import__", "compile", "getattr", "globals", "type", "object"):
        assert name not in builtins
    assert_generated_code_is_clean(rs.python_source, "\0")


# ---------------------------------------------------------------- the command line shows texts, never runs them

RULEDSL = [sys.executable, "-m", "ruledsl.cli"]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([*RULEDSL, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_cli_json_output_keeps_hostile_texts(tmp_path: Path, sentinel: Path):
    p = payloads(sentinel)[0]
    rules = tmp_path / "hostile.rules"
    rules.write_text(hostile_ruleset(p), encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"claim_amount": "100.00", "kind": p, "evidence": [{"kind": p}]}), encoding="utf-8")
    result = run_cli("eval", str(rules), "--case", str(case), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["route"] == p and out["values"]["echo"] == p
    assert out["award"]["fee"] == "2.00"  # 100.00 × 2%
    assert not sentinel.exists()


MARKUP = "[/] [bold]x[/bold]"


@pytest.mark.parametrize("command", ["test", "eval", "explain"])
def test_cli_prints_rich_markup_in_texts_literally(command: str, tmp_path: Path):
    rules = tmp_path / "markup.rules"
    q = dsl(MARKUP)
    rules.write_text(HEADER + f"""source S = {q}
input:
  claim_amount: money label {q}
award:
  fee = claim_amount * 2% label {q} per S
route:
  stage {q} otherwise
example {q}:
  given claim_amount = 100.00
  expect fee = 2.00
""", encoding="utf-8")
    args = [command, str(rules)] + ([] if command == "test" else ["--set", "claim_amount=100"])
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert MARKUP in result.stdout
