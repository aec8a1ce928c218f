# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Demo runs on the embedded defaults: SQLite, tasks in-process, e-mail to the console.
# DEBUG only to seed the demo accounts (seed_demo refuses otherwise); the server
# itself runs with DEBUG off, so users see the Swedish error pages, and
# --insecure lets runserver serve the static files as it would with DEBUG on.
DEMO_ENV := DEBUG=true

.PHONY: demo serve setup-demo test check pytest pytest-services install browser clean bench bench-compare lock messages

# The pinned versions of requirements-dev.lock, then the project itself without
# resolving again, so every machine (and CI) tests the same versions.
$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# After changing the dependencies in pyproject.toml: resolve the lock files again
# (uv, in a venv of its own; tests/test_guards.py checks the locks match).
LOCK_TOOL := $(VENV)/lock-tool
UV_COMPILE := $(LOCK_TOOL)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet
lock:
	test -x $(LOCK_TOOL)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOL) && $(LOCK_TOOL)/bin/pip install --quiet "uv>=0.5,<1"; }
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

setup-demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_reference_data
	$(DEMO_ENV) $(BIN)/python manage.py load_questionnaires
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo_history

demo: setup-demo
	@echo "Startar på http://127.0.0.1:8000 (avsluta med Ctrl-C)"
	$(BIN)/python manage.py runserver --insecure 127.0.0.1:8000

# Compiles locale/sv (Swedish for django-axes' admin); the .mo is committed.
messages:
	msgfmt --check-format -o locale/sv/LC_MESSAGES/django.mo locale/sv/LC_MESSAGES/django.po

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy .

# The browser tests (tests/browser) drive Debian's chromium; Playwright never
# downloads a browser here. Installs it only when it is missing (CI starts on a
# fresh machine); otherwise a single `test -x`.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	  else echo "$(CHROMIUM) is missing and this user cannot install it: run 'apt-get update && apt-get install -y chromium' as root." >&2; exit 1; fi; \
	  echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null && \
	  test -x $(CHROMIUM) || { echo "Installing chromium failed." >&2; exit 1; }; \
	}

# Browser tests run in a pass of their own: their live server needs real
# transactions, whose flushes would wipe the data other tests share in a worker.
# Two workers, each with its own database, live server and chromium: most of a
# browser test is waiting for the page, so two take 4 min where one took 6 on
# this 2-core machine (CI must stay under 15 minutes). Worksteal, not loadfile:
# tests/browser/test_wcag.py alone is a third of the pass, and a worker that is
# done takes tests over from the other (no fixture there outlives a worker).
pytest: install browser
	$(BIN)/pytest -n auto --dist=loadfile -m "not browser"
	$(BIN)/pytest -n 2 --dist=worksteal -m browser

test: check pytest

# CI's second pass, against PostgreSQL and Redis: every test but the browser
# tests, which the first pass has run (CI must stay under 15 minutes).
pytest-services: install
	$(BIN)/pytest -n auto --dist=loadfile -m "not browser"

# Export benchmark on a throwaway database (bench/export_bench.py): a realistic year,
# then one SCALE times larger. Prints figures; asserts nothing.
# BENCH_ARGS: further options, e.g. "--kind diagram --repeat 5" (see --help).
SCALE ?= 100
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/export_bench.py --scale $(SCALE) $(BENCH_ARGS)

# Side by side with a generic survey app under the same load, then the tabulation
# against a bare GROUP BY (issue #20; bench/README.md). PostgreSQL only: both
# databases below are DROPPED AND RECREATED, and the tabulation's bench_<name>
# beside the first. COMPARE_ARGS: e.g. "--clients 1 20 --requests 300";
# TABULATION_ARGS: e.g. "--repeat 3 --queries".
BENCH_OURS_DB ?= postgres://postgres@127.0.0.1:5432/bench_compare_ours
BENCH_GENERIC_DB ?= postgres://postgres@127.0.0.1:5432/bench_compare_generic
COMPARE_ARGS ?=
TABULATION_ARGS ?=
bench-compare: install
	$(BIN)/python bench/compare_bench.py --ours-db $(BENCH_OURS_DB) --generic-db $(BENCH_GENERIC_DB) $(COMPARE_ARGS)
	DATABASE_URL=$(BENCH_OURS_DB) $(BIN)/python bench/tabulation_bench.py --scale $(SCALE) $(TABULATION_ARGS)

clean:
	rm -rf $(VENV) .bench-venv db.sqlite3 media staticfiles .mypy_cache .pytest_cache .ruff_cache
