# Two commands do all the set-up (see README.md):
#   make report   the whole pipeline on the synthetic demo data, ending in the committee papers
#   make test     the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)
export PATH := $(abspath $(BIN)):$(PATH)
export DVC_NO_ANALYTICS := 1
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export SOURCE_DATE_EPOCH := 0

.PHONY: report test test-fast bench env system system-browser demo-data lint clean-outputs regional-demo regional

report: env system demo-data
	dvc repro
	@$(BIN)/python -m pipeline where

test: env system-browser
	$(BIN)/python -m pytest -n 2 -q

test-fast: env
	$(BIN)/python -m pytest -n 2 -q -m "not e2e and not browser"

bench: env system
	$(BIN)/python -m pytest benchmarks -q --benchmark-only -p no:xdist

env: $(STAMP)

$(STAMP): requirements.lock requirements-bootstrap.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements-bootstrap.lock
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

system:
	bash scripts/bootstrap-system.sh

system-browser:
	bash scripts/bootstrap-system.sh --with-browser

# The DfE's published figures (real, public) that the sufficiency paper compares with: copied from
# ../shared/external/dfe-published/ (beside the checkout, or beside a worktree's parent) with the demo data.
DFE_PUBLISHED ?= $(firstword $(wildcard ../shared/external/dfe-published ../../shared/external/dfe-published))

# Synthetic demo data, only when data/raw/ holds no return of its own.
demo-data: env
	@if [ -z "$$(find data/raw -mindepth 1 -not -name README.md -print -quit)" ]; then \
	  echo "data/raw/ is empty: creating the synthetic demo local authority"; \
	  $(BIN)/python -m pipeline synth --out data/raw; \
	  if [ -n "$(DFE_PUBLISHED)" ]; then \
	    mkdir -p data/raw/published && install -m 644 $(DFE_PUBLISHED)/*.csv data/raw/published/ && \
	    echo "data/raw/published/: the DfE's published figures copied from $(DFE_PUBLISHED)"; \
	  else \
	    echo "no ../shared/external/dfe-published: the sufficiency paper's comparisons will be left out"; \
	  fi; \
	fi

lint: env
	$(BIN)/ruff check pipeline tests benchmarks notebooks

# Several authorities (docs/regional.md): two synthetic ones, each through the whole chain, JOBS at
# a time with DVC's experiment queue, then restored from the run cache into the workspace.
REGIONAL := $(shell $(BIN)/python -c "import yaml; print(' '.join(yaml.safe_load(open('params.yaml'))['regional']['authorities']))" 2>/dev/null)
JOBS ?= 2

regional-demo: env system
	@for slug in $(REGIONAL); do \
	  raw=$$($(BIN)/python -c "import yaml; print(yaml.safe_load(open('params.yaml'))['regional']['authorities']['$$slug']['raw'])"); \
	  name=$$($(BIN)/python -c "import yaml; print(yaml.safe_load(open('params.yaml'))['regional']['authorities']['$$slug']['name'])"); \
	  ids=$$($(BIN)/python -c "import yaml; print(yaml.safe_load(open('params.yaml'))['regional']['authorities']['$$slug'].get('id_style', 'alphanumeric'))"); \
	  if [ -z "$$(find "$$raw" -name '*.csv' -print -quit 2>/dev/null)" ]; then \
	    echo "$$raw: creating synthetic $$name with $$ids CHILD ids (the name seeds the data)"; \
	    $(BIN)/python -m pipeline synth --out "$$raw" --la "$$name" --id-style "$$ids" > /dev/null; \
	  fi; \
	done
	$(MAKE) regional

regional: env system
	bash scripts/regional-queue.sh $(JOBS)
