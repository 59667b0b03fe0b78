# Mutualis — the commands of the README. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install demo test test-fast lint test-sqlite test-postgres bench bench-load-postgres clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) ## Create .venv and install Python and npm dependencies

demo: install ## Prepare the demo territory and serve it on http://127.0.0.1:8000
	$(BIN)/mutualis demo

lint: install ## ruff, mypy (strict on engine and sheets), import-linter, migrations check
	$(BIN)/ruff format --check mutualis tests benchmarks scripts
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/mypy mutualis
	$(BIN)/lint-imports
	DEBUG=true $(BIN)/mutualis makemigrations --check --dry-run

test-sqlite: install
	$(BIN)/pytest --durations=15

test-fast: install ## The quick tests only: no browser, nothing marked slow
	$(BIN)/pytest -m "not slow and not e2e"

test-postgres: install ## Tests on a throwaway PostgreSQL cluster (skipped without its binaries)
	scripts/with-postgres.sh $(BIN)/pytest --durations=15

test: lint test-sqlite test-postgres ## Everything CI runs: lint, then tests on SQLite and PostgreSQL

bench: install ## Engine and page timings, printed as ratios to their targets and peers
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py
	$(MAKE) --no-print-directory bench-load-postgres

bench-load-postgres: ## The 20-client load run again, on a throwaway PostgreSQL cluster
	scripts/with-postgres.sh sh -c 'LOAD_DATABASE_URL="$$DATABASE_URL" $(BIN)/python benchmarks/bench_load.py'

clean: ## Remove the virtualenv, node_modules and local data
	rm -rf $(VENV) node_modules var
