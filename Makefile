# The portal's commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint format bench check-deploy clean

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate SQLite, create the demo login, start the sandbox and the portal
run: install
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py rundemo --port $(PORT)

## test: install, lint, run every test (SQLite unless DATABASE_URL says otherwise)
test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: install
	DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) FLASHSTART_API_URL=https://api.fsflt.net/ \
	FLASHSTART_API_KEY=check-only DJANGO_ALLOWED_HOSTS=portal.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
