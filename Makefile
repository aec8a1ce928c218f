# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Demo runs on the embedded defaults: SQLite, tasks in-process, e-mail to the console.
DEMO_ENV := DEBUG=true

.PHONY: demo serve setup-demo test check pytest install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

setup-demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_reference_data
	$(DEMO_ENV) $(BIN)/python manage.py load_questionnaires
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo

demo: setup-demo
	@echo "Startar på http://127.0.0.1:8000 (avsluta med Ctrl-C)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest -n auto --dist=loadfile

test: check pytest

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .mypy_cache .pytest_cache .ruff_cache
