# The portal's commands. `make run` and `make test` are all a new machine needs.
# PYTHON: the interpreter the venv is made with, e.g. `make test PYTHON=/usr/bin/python3`.
# VENV: where; a second venv (another Python) beside the first, e.g. VENV=/tmp/venv-3.11.2
# (outside the repository, or ruff and pytest would walk into it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
PORT ?= 8000
PYTEST_ARGS ?=
# `make lock` compiles in its own venv, with pinned pip-tools, so the project venv's packages
# never leak into the resolution. The lock is for CPython 3.11 (see requirements/README).
LOCK_VENV ?= /tmp/portal-lock-venv
PIP_TOOLS := pip-tools==7.6.2
# Extra pip-compile options, e.g. LOCK_ARGS=--upgrade or LOCK_ARGS="--upgrade-package django".
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(abspath $(LOCK_VENV))/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
# A short load test that stops by itself; override, e.g. LOAD_ARGS="--staff 20 --seconds 60".
LOAD_ARGS ?= --staff 5 --seconds 20

.PHONY: check-python install run test lint format lock bench load-test check-deploy clean \
	messages catalogue check-messages
# The translation catalogue (Italian). compilemessages needs GNU gettext's msgfmt (Debian's
# `gettext` package); without it the catalogue is compiled with polib (a dev dependency).
PO := locale/it/LC_MESSAGES/django.po
MANAGE := DJANGO_DEBUG=true $(BIN)/python manage.py
# What makemessages must not walk into (a venv, collected static files, tests, benches).
MESSAGE_IGNORES := --ignore='.venv*' --ignore='venv*' --ignore=staticfiles --ignore=tests \
	--ignore=bench --ignore=docs --ignore=node_modules --ignore=var

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

# A venv is made once: PYTHON given on the command line must be the one it was made with.
check-python:
ifeq ($(origin PYTHON),command line)
	@test ! -x $(BIN)/python \
		|| test "$$($(BIN)/python -c 'import sys; print(sys.version)')" = "$$($(PYTHON) -c 'import sys; print(sys.version)')" \
		|| { echo "$(VENV) was made with another Python than $(PYTHON): pass VENV=<another dir>, or make clean"; exit 1; }
endif

install: check-python $(STAMP)

## run: install, migrate SQLite, create the demo login, start the sandbox and the portal
run: install messages
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py rundemo --port $(PORT)

## test: install, lint, run every test (SQLite unless DATABASE_URL says otherwise)
test: install lint messages
	@if command -v xgettext >/dev/null 2>&1; then $(MAKE) --no-print-directory check-messages; \
	else echo "gettext is not installed: the catalogue check is skipped (CI runs it)"; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## messages: compile the translation catalogue (locale/*/LC_MESSAGES/django.mo)
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(MANAGE) compilemessages --locale it $(MESSAGE_IGNORES) --verbosity 0; \
	else \
		$(BIN)/python -c 'import polib; polib.pofile("$(PO)").save_as_mofile("$(PO:.po=.mo)")'; \
	fi

## catalogue: add new marked strings to the Italian catalogue (then translate them)
catalogue: install
	$(MANAGE) makemessages --locale it --no-obsolete --add-location=file $(MESSAGE_IGNORES)

## check-messages: fail when a marked string is missing from the catalogue, or is untranslated
## or fuzzy there (makemessages on a copy, then msgfmt --statistics)
check-messages: install
	@set -e; saved=$$(mktemp); cp $(PO) $$saved; trap 'cp '$$saved' $(PO); rm -f '$$saved'' EXIT; \
	$(MANAGE) makemessages --locale it --no-obsolete --add-location=file $(MESSAGE_IGNORES) --verbosity 0; \
	stats=$$(LC_ALL=C msgfmt --check --statistics -o /dev/null $(PO) 2>&1); echo "catalogue: $$stats"; \
	if echo "$$stats" | grep -qE 'untranslated|fuzzy'; then \
		echo "the Italian catalogue is incomplete: run make catalogue, translate, and commit $(PO)"; \
		msgattrib --untranslated $(PO) | grep -A1 '^msgid' | head -40; \
		msgattrib --only-fuzzy $(PO) | grep -A1 '^msgid' | head -40; \
		exit 1; \
	fi

## lint: ruff (lint and format check) on everything, mypy on the packages pyproject.toml lists
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SECRET_KEY=mypy-only DJANGO_DEBUG=true $(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## lock: re-resolve requirements/*.in into hashed requirements/*.txt (needs Python 3.11)
lock:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "make lock needs Python 3.11")'
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet "$(PIP_TOOLS)"
	cd requirements && $(PIP_COMPILE) --output-file=base.txt base.in
	cd requirements && $(PIP_COMPILE) --output-file=dev.txt dev.in
	! grep -nE 'file://|find-links|index-url' requirements/*.txt

check-deploy: install
	DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) AUDIT_HMAC_KEY=$$(head -c 48 /dev/urandom | base64) FLASHSTART_API_URL=https://api.fsflt.net/ \
	FLASHSTART_API_KEY=check-only DJANGO_ALLOWED_HOSTS=portal.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/run_all.py

## load-test: simulated staff against gunicorn and the sandbox on 127.0.0.1, then a books check
load-test: install
	$(BIN)/python bench/load_test.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
