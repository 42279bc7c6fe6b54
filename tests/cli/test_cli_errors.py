"""The real `ruledsl` command on bad input: clear message, right exit status, never a traceback.

Exit status: 0 ok, 1 errors in rules or input, 2 usage. Every expected figure is
worked by hand from 诉讼费用交纳办法 art.13/14 (the bands quoted in
rulesets/cn/court_fees.rules), never copied from program output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COURT_FEES = ROOT / "rulesets" / "cn" / "court_fees.rules"
_SCRIPT = Path(sys.executable).with_name("ruledsl")
RULEDSL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ruledsl.cli"]
MONEY = re.compile(r"-?\d+\.\d{2}")


def ruledsl(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([*RULEDSL, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def failed_with(result: subprocess.CompletedProcess[str], status: int, *needles: str) -> None:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def eval_json(*args: str | Path) -> dict:
    result = ruledsl("eval", COURT_FEES, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------- bad case input → exit 1


def test_unknown_input_name_is_named_with_a_suggestion():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=100000", "--set", "claim_amout=100000")
    failed_with(result, 1, "unknown input `claim_amout`", "did you mean `claim_amount`?")


def test_unknown_input_alone_also_reports_the_missing_required_one():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amout=100000")
    failed_with(result, 1, "unknown input `claim_amout`", "missing required input `claim_amount`")


def test_wrong_type_names_the_field_and_the_value():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=abc")
    failed_with(result, 1, "`claim_amount`", "'abc' is not a decimal number")


def test_negative_money_is_refused_by_min_0():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=-5")
    failed_with(result, 1, "`claim_amount` must be at least 0", "-5")


def test_negative_optional_money_is_refused_too():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=100", "--set", "preservation_amount=-0.01")
    failed_with(result, 1, "`preservation_amount` must be at least 0")


@pytest.mark.parametrize("how", ["set", "json string", "json number"])
def test_money_past_the_fen_is_refused_naming_the_field(tmp_path: Path, how: str):
    # 10.004 yuan is no amount a court can award or a lender claim: refused, never read as 10.00
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": ' + ('"10.004"' if how == "json string" else "10.004") + "}", encoding="utf-8")
    args = ["--set", "claim_amount=10.004"] if how == "set" else ["--case", case]
    failed_with(ruledsl("eval", COURT_FEES, *args), 1, "`claim_amount`", "10.004 is not an amount in yuan to the fen")


def test_enum_value_outside_the_enum():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=100", "--set", "procedure=summary")
    failed_with(result, 1, "`procedure`", "ordinary", "simple")


def test_set_without_equals():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount")
    failed_with(result, 1, "write name=value")


def test_missing_required_input():
    result = ruledsl("eval", COURT_FEES, "--set", "procedure=simple")
    failed_with(result, 1, "missing required input `claim_amount`")
    result = ruledsl("eval", COURT_FEES)
    failed_with(result, 1, "missing required input `claim_amount`")


def test_malformed_json_case_file_gives_file_line_col(tmp_path: Path):
    case = tmp_path / "case.json"
    # line 3, column 3: a bare word where a quoted property name must be
    case.write_text('{\n  "claim_amount": "100000",\n  oops: 1\n}\n', encoding="utf-8")
    result = ruledsl("eval", COURT_FEES, "--case", case)
    failed_with(result, 1, f"{case}:3:3:", "not valid JSON")


def test_truncated_json_case_file(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": "100000",', encoding="utf-8")
    result = ruledsl("eval", COURT_FEES, "--case", case)
    failed_with(result, 1, f"{case}:1:", "not valid JSON")


def test_case_file_that_is_a_json_list(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('[{"claim_amount": "100000"}]', encoding="utf-8")
    result = ruledsl("eval", COURT_FEES, "--case", case)
    failed_with(result, 1, str(case), "one JSON object")


def test_case_file_with_wrong_types_names_each_field(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": true, "execution_amount": "lots"}', encoding="utf-8")
    result = ruledsl("eval", COURT_FEES, "--case", case)
    failed_with(result, 1, "`claim_amount`", "`execution_amount`", "'lots'")


def test_case_file_that_is_not_utf8(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_bytes('{"claim_amount": "100000", "note": "诉讼"}'.encode("gb18030"))
    result = ruledsl("eval", COURT_FEES, "--case", case)
    failed_with(result, 1, "not UTF-8")


def test_case_file_with_a_utf8_bom(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_bytes(b"\xef\xbb\xbf" + b'{"claim_amount": "100000"}')
    result = ruledsl("eval", COURT_FEES, "--case", case, "--json")
    assert result.returncode == 0, result.stderr
    # 50 + (100,000 − 10,000) × 2.5% = 2,300
    assert json.loads(result.stdout)["award"]["acceptance_fee"] == "2300.00"


# ---------------------------------------------------------------- numbers stay exact


def test_float_looking_json_number_stays_exact(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": 12345.67}', encoding="utf-8")
    out = eval_json("--case", case)
    # 50 + (12,345.67 − 10,000) × 2.5% = 50 + 58.64175 = 108.64175 → 108.64
    assert out["award"]["acceptance_fee"] == "108.64"


def test_json_number_that_a_float_would_round_the_wrong_way(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": 10001.4}', encoding="utf-8")
    out = eval_json("--case", case)
    # 50 + 1.4 × 2.5% = 50.035 → 50.04 half-up; the binary float 10001.39999… would give 50.03
    assert out["award"]["acceptance_fee"] == "50.04"


def test_set_overrides_case_file(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text('{"claim_amount": "5000", "procedure": "simple"}', encoding="utf-8")
    out = eval_json("--case", case, "--set", "claim_amount=100000")
    # simple procedure halves: (50 + 90,000 × 2.5%) ÷ 2 = 2,300 ÷ 2 = 1,150
    assert out["award"]["acceptance_fee"] == "1150.00"


# ---------------------------------------------------------------- usage errors → exit 2


@pytest.mark.parametrize("args", [
    ["eval", str(COURT_FEES), "--frobnicate"],
    ["eval", "no/such/ruleset.rules"],
    ["eval", str(COURT_FEES), "--case", "no/such/case.json"],
    ["check", "no/such/ruleset.rules"],
    ["test", "no/such/ruleset.rules"],
    ["fmt", "no/such/ruleset.rules"],
    ["schema", "no/such/ruleset.rules"],
    ["frobnicate"],
    ["eval"],
    [],
])
def test_usage_errors_exit_2(args: list[str]):
    result = ruledsl(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Usage" in result.stdout + result.stderr


# ---------------------------------------------------------------- check / test on rulesets


def broken_court_fees(tmp_path: Path) -> tuple[Path, int, int, str]:
    text = COURT_FEES.read_text(encoding="utf-8")
    bad = text.replace("acceptance_bands(claim_amount) / 2", "acceptance_bands(claim_amout) / 2", 1)
    assert bad != text
    path = tmp_path / "court_fees.rules"
    path.write_text(bad, encoding="utf-8")
    line = next(i for i, ln in enumerate(bad.splitlines(), 1) if "claim_amout" in ln)
    source_line = bad.splitlines()[line - 1]
    return path, line, source_line.index("claim_amout") + 1, source_line


def test_check_on_a_malformed_ruleset_shows_the_caret(tmp_path: Path):
    path, line, col, source_line = broken_court_fees(tmp_path)
    result = ruledsl("check", path)
    failed_with(result, 1, f"{path}:{line}:{col}: error: unknown name `claim_amout`",
                "did you mean `claim_amount`?")
    lines = result.stderr.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.endswith(source_line))
    assert lines[i + 1].index("^") == lines[i].index(source_line) + col - 1
    assert "^" * len("claim_amout") in lines[i + 1]


def test_check_on_a_syntax_error(tmp_path: Path):
    path = tmp_path / "broken.rules"
    path.write_text('ruleset t version "1" effective 2024-01-01\ninput；\n  c: money\n', encoding="utf-8")
    result = ruledsl("check", path)
    # the full-width semicolon (the full-width colon is read as `:`) is the 6th character of line 2
    failed_with(result, 1, f"{path}:2:6: error: unexpected character `；`", "full-width", "^")


def test_check_counts_the_files_with_errors(tmp_path: Path):
    path, *_ = broken_court_fees(tmp_path)
    result = ruledsl("check", COURT_FEES, path)
    failed_with(result, 1, "1 of 2 files have errors")
    assert f"{COURT_FEES}: ok" in result.stdout or "court_fees.rules: ok" in result.stdout


def test_check_a_ruleset_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "gbk.rules"
    path.write_bytes('ruleset t version "1" effective 2024-01-01\nsource S = "诉讼费用交纳办法"\n'.encode("gbk"))
    failed_with(ruledsl("check", path), 1, "not UTF-8")


def test_check_the_shipped_ruleset():
    result = ruledsl("check", COURT_FEES)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_check_counts_what_the_ruleset_holds():
    # counted by reading rulesets/cn/consumer_loan.rules: `evidence:` has five `require` lines (identity,
    # contract, disbursement, repayments, notice), `admissibility:` one `require` and two `refuse` lines,
    # `route:` three `stage` lines
    path = ROOT / "rulesets" / "cn" / "consumer_loan.rules"
    examples = path.read_text(encoding="utf-8").count('\nexample "')
    result = ruledsl("check", "--strict", path)
    assert result.returncode == 0, result.stderr
    assert "6 award lines, 1 cap, 5 evidence requirements, 3 admissibility rules, 3 route rules, " + f"{examples} examples)" in result.stdout


def test_check_strict_refuses_an_award_line_without_its_law(tmp_path: Path):
    path = tmp_path / "no_per.rules"
    path.write_text('ruleset t version "1" effective 2024-01-01\nsource S = "s"\ninput:\n  c: money\n'
                    "award:\n  base = c * 1% per S\n  fee = c * 2%\n", encoding="utf-8")
    lenient = ruledsl("check", path)
    assert lenient.returncode == 0 and "warning: award line `fee` cites no law" in lenient.stderr
    assert "ok (1 input, 2 award lines, 0 examples)" in lenient.stdout
    failed_with(ruledsl("check", "--strict", path), 1, "no_per.rules:7:3: error: award line `fee` cites no law",
                "1 of 1 files have errors")


def test_test_ends_with_the_count_line():
    examples = COURT_FEES.read_text(encoding="utf-8").count('example "')
    assert examples >= 10
    result = ruledsl("test", COURT_FEES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip("\n").splitlines()[-1] == f"{examples} passed, 0 failed"


def test_test_with_a_failing_example_exits_1(tmp_path: Path):
    path = tmp_path / "fails.rules"
    path.write_text('ruleset t version "1" effective 2024-01-01\n'
                    "input:\n  c: money\naward:\n  fee = c * 2%\n"
                    # 100 × 2% = 2.00: right
                    'example "right":\n  given c = 100.00\n  expect fee = 2.00\n'
                    # 100 × 2% = 2.00, not 3.00: wrong on purpose
                    'example "wrong":\n  given c = 100.00\n  expect fee = 3.00\n', encoding="utf-8")
    result = ruledsl("test", path)
    assert result.returncode == 1
    assert result.stdout.rstrip("\n").splitlines()[-1] == "1 passed, 1 failed"
    assert f"{path}:9" in result.stdout  # the failing example's line


def test_test_on_a_malformed_ruleset(tmp_path: Path):
    path, line, col, _ = broken_court_fees(tmp_path)
    result = ruledsl("test", path)
    failed_with(result, 1, f"{path}:{line}:{col}:")
    assert result.stdout.rstrip("\n").splitlines()[-1] == "0 passed, 1 failed"


def test_eval_on_a_malformed_ruleset(tmp_path: Path):
    path, line, col, _ = broken_court_fees(tmp_path)
    failed_with(ruledsl("eval", path, "--set", "claim_amount=1"), 1, f"{path}:{line}:{col}:")
    failed_with(ruledsl("schema", path), 1, f"{path}:{line}:{col}:")


# ---------------------------------------------------------------- eval --json


def test_eval_json_prints_the_acceptance_fee():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=100000", "--json")
    assert result.returncode == 0, result.stderr
    # 50 + (100,000 − 10,000) × 2.5% = 50 + 2,250 = 2,300
    assert '"acceptance_fee": "2300.00"' in result.stdout
    out = json.loads(result.stdout)
    assert {"ruleset", "version", "award", "evidence", "route", "trace"} <= set(out)
    assert out["ruleset"] == "cn.court_fees"
    assert out["award"] == {"acceptance_fee": "2300.00", "preservation_fee": "0.00", "execution_fee": "0.00"}


def test_eval_json_money_has_exactly_two_decimals():
    out = eval_json("--set", "claim_amount=600000", "--set", "execution_amount=600000",
                    "--set", "preservation_amount=2000000", "--set", "procedure=simple")
    # acceptance: 50 + 90,000 × 2.5% + 100,000 × 2% + 300,000 × 1.5% + 100,000 × 1%
    #           = 50 + 2,250 + 2,000 + 4,500 + 1,000 = 9,800; simple procedure halves: 4,900
    # execution: 50 + 490,000 × 1.5% + 100,000 × 1% = 50 + 7,350 + 1,000 = 8,400
    # preservation: 30 + 99,000 × 1% + 1,900,000 × 0.5% = 30 + 990 + 9,500 = 10,520 > 5,000 → 5,000
    assert out["award"] == {"acceptance_fee": "4900.00", "preservation_fee": "5000.00", "execution_fee": "8400.00"}
    for name, value in out["award"].items():
        assert isinstance(value, str) and MONEY.fullmatch(value), (name, value)
    for name in ("claim_amount", "preservation_amount", "execution_amount", *out["award"]):
        assert MONEY.fullmatch(out["values"][name]), (name, out["values"][name])
    for entry in out["trace"]:
        if entry["kind"] in ("award", "cap") or entry["rule"].endswith("_amount"):
            assert MONEY.fullmatch(entry["value"]), entry


def test_eval_json_whole_and_one_decimal_inputs_print_two_decimals():
    out = eval_json("--set", "claim_amount=12345.6")
    # 50 + 2,345.6 × 2.5% = 50 + 58.64 = 108.64
    assert out["award"]["acceptance_fee"] == "108.64"
    assert out["values"]["claim_amount"] == "12345.60"


def test_eval_table_output():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=250000")
    assert result.returncode == 0, result.stderr
    # 50 + 2,250 + 2,000 + 50,000 × 1.5% = 5,050
    assert "5,050.00" in result.stdout
    assert "案件受理费" in result.stdout


def test_explain_shows_citations():
    result = ruledsl("explain", COURT_FEES, "--set", "claim_amount=100000")
    assert result.returncode == 0, result.stderr
    assert "2,300.00" in result.stdout
    assert "第十三条" in result.stdout


def test_explain_bad_input_exits_1():
    failed_with(ruledsl("explain", COURT_FEES, "--set", "claim_amount=abc"), 1, "`claim_amount`")


# ---------------------------------------------------------------- fmt --check


def test_fmt_check_on_the_shipped_ruleset_is_clean():
    result = ruledsl("fmt", "--check", COURT_FEES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fmt_check_reports_and_does_not_write(tmp_path: Path):
    path = tmp_path / "messy.rules"
    messy = ('ruleset   t.messy version "1" effective 2024-01-01\n'
             "input:\n        c:   money\naward:\n fee =   c*2%\n")
    path.write_text(messy, encoding="utf-8")
    result = ruledsl("fmt", "--check", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "would reformat" in result.stdout and path.name in result.stdout
    assert path.read_text(encoding="utf-8") == messy

    result = ruledsl("fmt", path)
    assert result.returncode == 0, result.stderr
    assert path.read_text(encoding="utf-8") != messy
    assert ruledsl("fmt", "--check", path).returncode == 0
    assert ruledsl("check", path).returncode == 0


def test_fmt_check_on_a_malformed_ruleset(tmp_path: Path):
    path, line, col, _ = broken_court_fees(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("award:", "award", 1), encoding="utf-8")
    result = ruledsl("fmt", "--check", path)
    failed_with(result, 1, f"{path}:", "error:", "^")


# ---------------------------------------------------------------- schema


def test_schema_is_json_naming_the_inputs():
    result = ruledsl("schema", COURT_FEES)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    props = schema["properties"]
    assert {"claim_amount", "procedure", "preservation_amount", "execution_amount"} <= set(props)
    assert "claim_amount" in schema["required"]
    assert "procedure" not in schema.get("required", [])
    assert props["claim_amount"]["title"] == "诉讼请求金额"
    assert "ordinary" in json.dumps(props["procedure"]) and "simple" in json.dumps(props["procedure"])


# ---------------------------------------------------------------- one text reader for every command


@pytest.mark.parametrize("command", ["check", "test", "fmt", "eval", "explain", "schema"])
def test_a_ruleset_that_is_not_utf8_gets_the_same_message_from_every_command(tmp_path: Path, command: str):
    rules = tmp_path / "gbk.rules"
    rules.write_bytes(COURT_FEES.read_text(encoding="utf-8").encode("gb18030"))
    extra = ["--set", "claim_amount=100"] if command in ("eval", "explain") else []
    result = ruledsl(command, rules, *extra)
    # the first Chinese character of the file ("# 诉讼费用 …": line 1, column 3), and the encoding it is in
    failed_with(result, 1, f"{rules}:1:3: not UTF-8 text (byte 2)", "GBK / GB18030", "save it as UTF-8")


def test_user_text_is_printed_literally_never_as_emoji_or_markup():
    result = ruledsl("eval", COURT_FEES, "--set", "claim_amount=1", "--set", "root:x:0:0=1",
                     "--set", "[bold]:warning:=1")
    failed_with(result, 1, "unknown input `root:x:0:0`", "unknown input `[bold]:warning:`")
