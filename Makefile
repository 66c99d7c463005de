# The two commands of the README: `make run` (local stack with seed data and the dashboard)
# and `make test` (everything). Both work on a fresh machine: they create .venv and install
# what they need (Python packages, node packages, Debian's Chromium for browser tests).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := frontend/node_modules/.installed-stamp
CHECKOV := .venv-checkov
CHECKOV_VERSION := 3.2.469

.PHONY: install build check run test test-fast test-plain-moto frontend chromium checkov lint bench clean screenshots

# pyproject.toml asks for compatible ranges; constraints.txt pins the exact versions tested, so a
# fresh machine installs what CI ran. An editable install leaves gen's own modules uncompiled,
# and with PYTHONDONTWRITEBYTECODE set every `gen` run would compile them again (~45 ms):
# compile them as a regular install does.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q generator tools > /dev/null
	touch $@

install: $(STAMP)

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# checkov pins its own boto3 and hcl2, so it lives in its own virtualenv, with its own constraints.
$(CHECKOV)/bin/checkov: constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/pip install --quiet --disable-pip-version-check -c constraints-checkov.txt \
		checkov==$(CHECKOV_VERSION)

checkov: $(CHECKOV)/bin/checkov

chromium:
	scripts/ensure-chromium.sh

frontend: $(NODE_STAMP)
	cd frontend && npm run build

build: install
	$(BIN)/gen build

check: install
	$(BIN)/gen build --check

run: install frontend
	$(BIN)/gen build
	$(BIN)/gen dev

test-fast: install
	$(BIN)/pytest -m "not slow" -q

test: install $(NODE_STAMP) checkov chromium
	$(BIN)/gen build --check
	$(BIN)/mypy --strict generator tools
	$(BIN)/lint-imports
	cd frontend && npm test && npm run build
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory test-plain-moto

# The local stack on plain moto (SPECSTACK_MOTO_PATCHES=off: no speed patch, Kinesis read through
# its API; the concurrent-put fix stays): the moto tests and the pipeline and contract suites
# must pass there too, so no answer depends on a patch. About 1-2 minutes.
test-plain-moto: install
	SPECSTACK_MOTO_PATCHES=off $(BIN)/pytest -q -m "not slow" tests/dev/local_aws
	SPECSTACK_MOTO_PATCHES=off $(BIN)/pytest -q tests/localstack/test_3_pipeline.py \
		tests/localstack/test_5_contract.py

lint: install
	$(BIN)/ruff check generator tests benchmarks tools
	$(BIN)/mypy --strict generator tools
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m compileall -q generator tools > /dev/null
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/handlers.py
	$(BIN)/python benchmarks/local_stack.py
	$(BIN)/python benchmarks/logs.py

clean:
	rm -rf $(VENV) $(CHECKOV) .gen-cache build frontend/node_modules frontend/dist

screenshots: install frontend chromium
	SCREENSHOTS=1 $(BIN)/pytest -q tests/localstack/test_4_dashboard.py
