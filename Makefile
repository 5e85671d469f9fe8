# The pipeline is this Makefile. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= 2
DATE ?= $(shell date +%F)
CORPUS ?= data/raw
OUT ?= reports
PORT ?= 8888

DEVSET ?= ../shared/devset
EVAL_OUT ?= reports/eval

.PHONY: help setup kernel system report test test-fast lab lint bench eval clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) kernel system ## create .venv and install the package, its model, its kernel and the system packages

kernel: $(STAMP) ## install the Jupyter kernel "Tariff coverage (analysis)" into .venv
	@$(PY) -m analysis.lab --install-kernel

system: ## install Chromium, Noto CJK fonts and poppler with apt-get when missing (as root)
	@bash scripts/system-deps.sh

report: setup ## build dated HTML and PDF reports of the default corpus into reports/DATE/
	$(PY) -m analysis report --corpus $(CORPUS) --out $(OUT) --date $(DATE) --jobs $(JOBS)

test: setup ## run the whole test suite (unit, notebooks, end-to-end, browser)
	$(PY) -m pytest -q

test-fast: setup ## run the tests that need no kernel or browser
	$(PY) -m pytest -q -m "not slow and not browser"

lab: setup ## open JupyterLab on notebooks/ with the project's kernel, on loopback (PORT=8888; IP=0.0.0.0 to listen on every interface)
	$(PY) -m analysis.lab --port $(PORT) $(if $(IP),--ip $(IP),)

lint: setup ## check the code with ruff
	$(VENV)/bin/ruff check src tests

bench: setup ## benchmark the whole run: the wait against baselines (WAIT=400 docs), annotation (DOCS=100), LARGE=N replicated docs
	$(PY) -m analysis.bench --docs $(or $(DOCS),100) --wait $(or $(WAIT),400) $(if $(LARGE),--large $(LARGE),) --out docs/benchmarks.md

eval: setup ## report on ../shared/devset (DEVSET=) and the seeds, score both with its score.py, write docs/accuracy.md
	@test -f $(DEVSET)/score.py || { echo "eval: $(DEVSET)/score.py not found (set DEVSET=...)"; exit 2; }
	$(PY) -m analysis report --corpus $(DEVSET)/corpus --out $(EVAL_OUT)/devset --date $(DATE) --formats html --jobs $(JOBS) --quiet
	$(PY) -m analysis report --corpus $(CORPUS) --out $(EVAL_OUT)/seeds --date $(DATE) --formats html --jobs $(JOBS) --quiet
	$(PY) -m analysis.evaluate --devset $(DEVSET) --devset-data $(EVAL_OUT)/devset/$(DATE)/data \
		--seeds $(CORPUS) --seeds-data $(EVAL_OUT)/seeds/$(DATE)/data --fixtures tests/fixtures --out docs/accuracy.md

clean: ## remove caches and built reports (never touches data/raw)
	rm -rf data/interim reports/20* reports/.failed reports/eval .pytest_cache .ruff_cache
