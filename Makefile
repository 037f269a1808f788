# ldai-xblocks. The two commands a newcomer needs (README.rst):
#   make demo   - sets up .venv, the database and the catalogs, then serves the demo on http://127.0.0.1:8000
#   make test   - sets up what the tests need (Python packages, Debian's chromium, axe-core, postgresql, redis-server)
#                 and runs the whole suite on SQLite, then the LTI tool's tests again on PostgreSQL + Redis
# Everything is installed by these rules: nothing to install by hand, on a new machine too.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

PYTHON ?= $(shell ./.ci/find-python 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=
# The tests that run a second time on a private PostgreSQL + Redis (tests/services.py starts them).
POSTGRES_TESTS ?= tests/lti

export DJANGO_SETTINGS_MODULE := lti_tool.site.settings
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help demo test lint unit browser-deps service-deps lrs-deps install test-install compile_translations extract_translations \
        check_translations requirements bench bench-deps clean

help:
	@echo "make demo [PORT=8000]   set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test               run the whole test suite (installs what it needs)"
	@echo "make bench              measure against the anchors (bench/results.json)"
	@echo "make extract_translations / compile_translations / check_translations"
	@echo "make requirements       re-pin requirements/*.txt from the .in files"

# ---------------------------------------------------------------- environment
$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then ./.ci/find-python >/dev/null; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=69" wheel

# The demo and the tests run the LTI tool: the [tool,demo] extras, pinned by requirements/tool.txt.
# (An Open edX operator installs the package without extras: docs/openedx.rst.)
$(VENV)/.installed-base: $(BIN)/python requirements/tool.txt setup.py
	$(BIN)/pip install -q -r requirements/tool.txt
	$(BIN)/pip install -q --no-build-isolation -c requirements/tool.txt -e ".[tool,demo]"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-base requirements/test.txt
	$(BIN)/pip install -q -r requirements/test.txt
	@touch $@

# Ralph, the learning record store the xAPI tests post to, in its own venv (its server pins are not ours).
.venv-lrs/.installed: requirements/lrs.txt
	@if [ -z "$(PYTHON)" ]; then ./.ci/find-python >/dev/null; exit 1; fi
	$(PYTHON) -m venv .venv-lrs
	.venv-lrs/bin/pip install -q -r requirements/lrs.txt
	@touch $@

lrs-deps: .venv-lrs/.installed

install: $(VENV)/.installed-base
test-install: $(VENV)/.installed-test

# Debian's chromium for the browser tests (Playwright drives it through executable_path; it never
# downloads a browser) and axe-core, pinned in tests/browser/package-lock.json, from the npm registry.
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium (needed by the browser tests)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	    || { echo "Could not install chromium: run 'apt-get install chromium' as root, then 'make test' again."; exit 1; }; \
	fi
	@if [ -f tests/browser/package.json ] && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then \
	  command -v npm >/dev/null || { echo "npm is needed for axe-core: apt-get install npm"; exit 1; }; \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	fi

# Debian's PostgreSQL and Redis servers: the second test pass starts private instances of them (a fresh
# cluster in a temporary directory, redis on a free port; tests/services.py) - nothing runs as a system service.
# Debian keeps initdb/pg_ctl under /usr/lib/postgresql/<version>/bin, off PATH.
service-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's $$missing (the PostgreSQL + Redis test pass)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "Could not install $$missing: run 'apt-get install $$missing' as root, then 'make test' again."; exit 1; }; \
	fi

# ---------------------------------------------------------------- translations
extract_translations: $(VENV)/.installed-test
	$(BIN)/python translations/catalog_tool.py extract

compile_translations: $(VENV)/.installed-base
	@$(BIN)/python -c "import babel" 2>/dev/null || $(BIN)/pip install -q "$$(grep -i '^babel==' requirements/test.txt)"
	$(BIN)/python translations/catalog_tool.py compile

check_translations: $(VENV)/.installed-test
	$(BIN)/python translations/catalog_tool.py check

# ---------------------------------------------------------------- the two commands
demo: $(VENV)/.installed-base compile_translations
	$(BIN)/ldai serve --demo --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test browser-deps lrs-deps service-deps compile_translations
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)
	LDAI_TEST_BACKEND=postgres $(BIN)/pytest $(POSTGRES_TESTS) $(PYTEST_ARGS)

# ---------------------------------------------------------------- the rest
# The anchors (requirements/bench.txt, on top of the test set) and the published wheels the bench reads
# without installing them (requirements/bench-wheels.txt: xblock-ai-eval's front-end bundle).
$(VENV)/.installed-bench: $(VENV)/.installed-test requirements/bench.txt requirements/bench-wheels.txt
	$(BIN)/pip install -q -r requirements/bench.txt
	$(BIN)/pip download -q --no-deps --only-binary=:all: -r requirements/bench-wheels.txt -d var/bench-wheels
	@touch $@

# The load test's shared cache is the same Redis the tests use (service-deps).
bench-deps: service-deps

bench: $(VENV)/.installed-bench browser-deps bench-deps compile_translations
	$(BIN)/python bench/run.py

requirements: $(VENV)/.installed-test
	$(BIN)/pip install -q pip-tools
	cd requirements && for name in tool test dev bench; do \
	  ../$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --output-file $$name.txt $$name.in || exit 1; done

clean:
	rm -rf build dist *.egg-info tests/browser/artifacts .pytest_cache
