# ruledsl — two commands for a newcomer: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz sysdeps lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ui,pdf,scale]'
	touch $(STAMP)

## Debian packages the tests use (PostgreSQL server, Chromium, CJK fonts); installed only when missing.
sysdeps:
	bash scripts/sysdeps.sh

## The judge assistant (sign-in, queue, case pages) on the demo case store, seeded on first run
## (.data/demo-cases.db, SQLite; the demo users are printed), and the shipped example case files.
## (`.venv/bin/ruledsl demo` prints the example cases in the terminal.)
DEMO_STORE := sqlite:///$(CURDIR)/.data/demo-cases.db
# the demo court log's key and TEST root CA: stored evidence is verified again against them (examples/evidence)
DEMO_KEYS := RULEDSL_COURT_KEY=$(CURDIR)/examples/evidence/court.pub RULEDSL_TRUST_STORE=$(CURDIR)/examples/evidence/trust/root-ca.pem
demo: $(STAMP)
	@mkdir -p .data
	RULEDSL_DB_URL=$(DEMO_STORE) $(BIN)/python -m ruledsl.service.demo
	@echo "裁判辅助 judge assistant: http://localhost:8501   (Ctrl-C stops it)"
	RULEDSL_DB_URL=$(DEMO_STORE) $(DEMO_KEYS) $(BIN)/streamlit run assistant_ui/app.py

## Install what the tests need and run every test.
test: sysdeps $(STAMP)
	$(BIN)/ruff check ruledsl tests benchmarks assistant_ui
	$(BIN)/python -m pytest -n 2 tests

## Benchmarks (not tests): print throughput and ratios against their peers.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_lang.py
	$(BIN)/python benchmarks/bench_calc.py
	$(BIN)/python benchmarks/bench_log.py
	$(BIN)/python benchmarks/bench_long_loan.py
	$(BIN)/python benchmarks/bench_precheck.py
	$(BIN)/python benchmarks/bench_assistant.py

## A long fuzzing run of the front end (make test runs 10,000 mutants; this runs 200,000, about an hour).
fuzz: $(STAMP)
	RULEDSL_FUZZ_MUTANTS=$${RULEDSL_FUZZ_MUTANTS:-200000} $(BIN)/python -m pytest -n 2 -q tests/lang/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check ruledsl tests benchmarks assistant_ui

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
