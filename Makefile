# A newcomer types `make run` or `make test`; both build .venv first when it is missing.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PORT ?= 8000
WALLET_PORT ?= 8001

# Local development settings for `make run` (never used by a deployment).
DEV_ENV := APP_ENV=development WEB_PORT=$(PORT) WALLET_PORT=$(WALLET_PORT) PYTHONUNBUFFERED=1 \
	ADMIN_API_KEY=$${ADMIN_API_KEY:-local-dev-admin-key-0123456789abcdef}

.PHONY: install run test lint format migrate clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

run: install
	$(DEV_ENV) $(BIN)/betterplay db upgrade
	$(DEV_ENV) $(BIN)/flask --app refwallet.wsgi wallet db-upgrade
	@$(DEV_ENV) $(BIN)/python -m common.devbanner
	PATH=$(CURDIR)/$(BIN):$$PATH $(DEV_ENV) $(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/betterplay db upgrade

# The benchmark (bench/README.md): SQLite and PostgreSQL, ~7 minutes. SCALE=1 adds the seeded
# re-run; BENCH_ARGS passes options, e.g. BENCH_ARGS='--db sqlite --duration 5'.
# bench-tools installs Debian's wrk, the load generator; the suite's short benchmark run
# (tests/test_bench_run.py) is skipped without it.
.PHONY: bench bench-tools
bench: install bench-tools
	$(BIN)/python -m bench.run $(if $(SCALE),--scale) $(BENCH_ARGS)

bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get install -y wrk || { $$SUDO apt-get update && $$SUDO apt-get install -y wrk; }; }

clean:
	rm -rf $(VENV) var *.egg-info
