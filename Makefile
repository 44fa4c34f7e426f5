# Astreinte: two commands for a new machine, `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed

.PHONY: run test test-anytime test-fast e2e lint bench fuzz setup chromium faketime \
	schema-snapshot messages clean

run: setup
	$(BIN)/astreinte serve

setup: $(PY_STAMP) $(NPM_STAMP)

$(PY_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

$(NPM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium drives the browser tests (Playwright's own download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }
	@command -v dbus-daemon >/dev/null 2>&1 || { \
	  echo "Installing dbus-daemon (the browser tests tap notifications through it)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dbus-daemon; }
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Installing faketime (a browser test pins its server's clock with libfaketime)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; }

SUITE := $(BIN)/python -m pytest -n 2 --dist loadfile

test: setup chromium
	$(BIN)/ruff check server tests bench
	$(SUITE)

# The whole suite with the system clock set, and running on from there (Debian's libfaketime,
# which every child inherits: the servers, the xdist workers, Chromium), at times the demo's
# nights-and-weekends schedule and the calendar make different: a Monday 10:00 in Paris, a
# Saturday 03:00 and 02:30 on the night the clocks go back (the first 02:30, summer time).
# Each run goes on after a failure; the target fails if any did.
ANYTIME := 2026-12-07T09:00:00Z 2026-12-12T02:00:00Z 2026-10-25T00:30:00Z

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Installing Debian's faketime for make test-anytime"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; }

test-anytime: setup chromium faketime
	$(BIN)/ruff check server tests bench
	@failed=""; for at in $(ANYTIME); do \
	  echo "== make test with the clock at $$at ($$(TZ=Europe/Paris date -d $$at '+%A %F %H:%M %Z'))"; \
	  faketime "$$at" $(SUITE) || failed="$$failed $$at"; \
	done; \
	if [ -n "$$failed" ]; then echo "== failed at:$$failed"; exit 1; fi; \
	echo "== passed at all of: $(ANYTIME)"

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not e2e"

e2e: setup chromium
	$(BIN)/python -m pytest tests/e2e

lint: setup
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/lint-imports --no-cache --no-logo

bench: setup chromium
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python -m bench

# The API fuzzed by schemathesis with many more examples per operation than `make test` runs
# (40); prints what each operation answered. FUZZ_EXAMPLES=2000 make fuzz for a longer run.
FUZZ_EXAMPLES ?= 500
fuzz: setup
	ASTREINTE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/integration/test_api_fuzz.py \
	  -p no:xdist -p no:cacheprovider -q -s

# Regenerate the committed schema snapshot after adding a migration.
schema-snapshot: setup
	$(BIN)/astreinte migrate --snapshot schema/schema.sql

# Extract UI strings and update both catalogs (then translate the new entries).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o $(VENV)/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d server/i18n/locales --no-fuzzy-matching

clean:
	rm -rf $(VENV) web/node_modules
