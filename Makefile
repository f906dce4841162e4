# A thin index over the real commands (scripts/ and the `logbog` CLI).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNSTAMP := $(VENV)/.installed

.PHONY: run test lint schemas bench clean help

help:
	@echo "make run    - create .venv, install, serve on http://127.0.0.1:8000 (SQLite under var/, demo data)"
	@echo "make test   - install what tests need, run lint, types, architecture rules and the whole suite"
	@echo "make lint   - ruff, mypy strict on src/, import-linter"
	@echo "make schemas - regenerate the command JSON Schemas in commands/"
	@echo "make bench  - commands over HTTP, reads and memory on SQLite and PostgreSQL (scripts/bench.py)"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNSTAMP)

run: $(RUNSTAMP)
	$(BIN)/logbog serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

schemas: $(RUNSTAMP)
	$(BIN)/logbog schemas write

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache .hypothesis
