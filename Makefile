# The two commands of the README: `make run` (local stack with seed data and the dashboard)
# and `make test` (everything). Both work on a fresh machine: they create .venv and install
# what they need (Python packages, node packages, Debian's Chromium for browser tests).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install build check run test test-fast lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP)

build: install
	$(BIN)/gen build

check: install
	$(BIN)/gen build --check

run: install
	$(BIN)/gen build
	$(BIN)/gen dev

test-fast: install
	$(BIN)/pytest -m "not slow" -q

test: install
	$(BIN)/gen build --check
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check generator tests benchmarks

clean:
	rm -rf $(VENV) .gen-cache build frontend/node_modules frontend/dist
