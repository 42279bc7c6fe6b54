"""Fuzzing the front end: mutants of the shipped rulesets (and of generated ones) are either a
working ruleset or a located :class:`RulesError` — never a traceback, never a hang, memory bounded.

CI runs ``FUZZ_BATCHES × FUZZ_BATCH`` mutants (10,000), spread over the test workers; ``make fuzz``
runs many more (``RULEDSL_FUZZ_MUTANTS``).  A failing mutant is named by its seed, so
``mutant(seed)`` rebuilds it exactly.
"""

from __future__ import annotations

import os
import random
import re
import resource
import time
from pathlib import Path

import pytest

from ruledsl.core.errors import RulesError
from ruledsl.core.text import decode_text
from ruledsl.lang.fmt import format_text
from ruledsl.ruleset import load_text, run_examples

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "rulesets" / "cn").glob("*.rules")) + [ROOT / "examples" / "evidence" / "demo.rules"]
TEXTS = [(p, p.read_bytes()) for p in SHIPPED]
TOTAL = int(os.environ.get("RULEDSL_FUZZ_MUTANTS", "10000"))
FUZZ_BATCH = 500
FUZZ_BATCHES = max(1, TOTAL // FUZZ_BATCH)
SECONDS = 2.0  # CPU seconds a mutant may take from bytes to examples run

# pieces a careless or hostile editor puts into a ruleset
PIECES = [
    "(", ")", "[", "]", "{", "}", ",", ":", "=", "+", "-", "*", "/", "%", "‱", "per day", "if", "then", "else",
    "and", "or", "not", "given(", "accrue(", "sum(", " for x in ", " where ", "at", "from", "to", "basis",
    "require", "at least", "signed", "anchored", "within", "hours", "days", "of", "otherwise", "warn if no",
    "cap", "when", "before", "unsupported", "ledger", "allocate", "stage", "example", "given", "expect",
    "input:", "compute:", "award:", "evidence:", "route:", "table", "schedule", "progressive", "up to",
    "above", "source", "text", '"""', '"', "'", "\\", "#", "\n", "\t", "\r", "\x00", "\u2028", "\ufeff",
    "0", "-1", "1e999", "9" * 40, "0.000000000000001", "100%", "2024-02-30", "9999-12-31", "0000-01-01",
    "__class__", "__import__('os')", "exec", "lambda", "yield", "import os", "😀", "借款本金", "　",
    "(" * 150, "- " * 150, "not " * 150,
]


def mutant(seed: int) -> tuple[str, bytes]:
    """A shipped ruleset changed by 1–4 random edits (one in twenty gets a byte that is not UTF-8)."""
    rng = random.Random(seed)
    path, raw = TEXTS[seed % len(TEXTS)]
    text = raw.decode("utf-8")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        at = rng.randrange(len(text) + 1)
        if op == 0:                                   # delete a stretch
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif op == 1:                                 # insert a piece
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif op == 2:                                 # duplicate, drop or swap lines
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            choice = rng.randrange(3)
            if choice == 0:
                lines.insert(i, lines[j])
            elif choice == 1:
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 3:                                 # truncate
            text = text[:at]
        elif op == 4:                                 # change a digit
            digits = [m.start() for m in re.finditer(r"[0-9]", text)]
            if digits:
                k = rng.choice(digits)
                text = text[:k] + rng.choice("0123456789") + text[k + 1:]
        elif op == 5:                                 # put one name of the file where another was
            words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
            if len(words) > 1:
                a, b = rng.sample(words, 2)
                text = text.replace(a, b, 1)
        elif op == 6:                                 # repeat a stretch many times
            text = text[:at] + text[at:at + rng.randint(1, 30)] * rng.randint(2, 200) + text[at:]
        else:                                         # insert a piece many times
            text = text[:at] + rng.choice(PIECES) * rng.randint(2, 50) + text[at:]
    data = text.encode("utf-8")
    if rng.randrange(20) == 0:                        # a byte that is not UTF-8
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes([rng.choice([0x80, 0xC3, 0xFF])]) + data[at:]
    return path.name, data


def front_end(name: str, data: bytes, base: Path) -> str:
    """Bytes → text → parse → check → compile → examples → formatter: 'ok' or the located error's kind."""
    try:
        text = decode_text(data, name)
        rs = load_text(text, name, base)
        for result in run_examples(rs):
            assert result.error is None or isinstance(result.error, str)
        format_text(text, name)
        return "ok"
    except RulesError as exc:
        assert exc.diagnostics and all(d.message for d in exc.diagnostics)
        str(exc)  # renders (location, caret, hint) without failing
        return exc.kind


@pytest.mark.parametrize("batch", range(FUZZ_BATCHES))
def test_mutants_are_rulesets_or_located_errors(batch: int) -> None:
    base = ROOT / "rulesets" / "cn"
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcomes: dict[str, int] = {}
    for seed in range(batch * FUZZ_BATCH, (batch + 1) * FUZZ_BATCH):
        name, data = mutant(seed)
        began = time.process_time()
        try:
            outcome = front_end(name, data, base)
        except Exception as exc:  # anything but a RulesError is a defect: name the mutant
            raise AssertionError(f"mutant({seed}) of {name}: {type(exc).__name__}: {str(exc)[:300]}") from exc
        spent = time.process_time() - began
        assert spent < SECONDS, f"mutant({seed}) of {name} took {spent:.1f} s of CPU"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss  # kilobytes
    assert grown < 512 * 1024, f"a batch grew the process by {grown // 1024} MB"
    assert sum(outcomes.values()) == FUZZ_BATCH and len(outcomes) > 1, outcomes
