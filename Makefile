# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test check lint format messages clean

# Install the locked dependencies into .venv (again only when the lock changes).
$(BIN)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Python 3.12 is required (found " + sys.version.split()[0] + "): install it or set PYTHON=/path/to/python3.12")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

install: $(BIN)/.installed
	@$(BIN)/python -m portal.i18n

run: install
	$(BIN)/python -m portal.launcher

test: install check
	$(BIN)/pytest $(PYTEST_ARGS)

# Lint, formatting, Django's checks, migrations in sync, deployment checks (DEBUG off: the
# settings start no server, so portal.embedded names the embedded ones where none is set).
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py check --fail-level WARNING
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') \
		SITE_URL=https://portail.example.org ALLOWED_HOSTS=portail.example.org \
		EMAIL_URL=submission://portail:secret@smtp.example.org \
		$(BIN)/python -m portal.embedded $(BIN)/python manage.py check --deploy --fail-level WARNING

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the French catalogue after changing marked strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --no-obsolete --ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) var/static
