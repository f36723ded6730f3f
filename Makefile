# One-command set-up: every target creates the venv and installs the package on first use.
# The interpreter that creates the venv, resolved before PATH points into the venv.
ifndef PYTHON
PYTHON := $(shell command -v python3)
endif
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export RAY_USAGE_STATS_ENABLED ?= 0
export HF_HUB_OFFLINE ?= 1
# Property tests replay fixed examples under `make test` (tests/conftest.py); plain pytest explores.
export HYPOTHESIS_PROFILE ?= ci
export TRANSFORMERS_OFFLINE ?= 1
# Subprocesses (Ray workers, `ray job` entrypoints) must find the venv's python first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: demo test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	RAY_AUTH_MODE=$${RAY_AUTH_MODE:-disabled} $(BIN)/tsig demo

test: $(STAMP)
	RAY_AUTH_MODE=disabled $(BIN)/python -m pytest -q

bench: $(STAMP)
	for f in tests/benchmarks/bench_*.py; do echo "== $$f"; RAY_AUTH_MODE=disabled $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) lake runs artifacts
