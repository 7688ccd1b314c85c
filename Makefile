# Switchboard: `make run` uses the console locally; `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The lock files: every package pinned with its hashes, as `make run`, `make test` and CI install them.
RUN_LOCK := requirements/run.txt
DEV_LOCK := requirements/dev.txt
# pip-tools lives in a venv of its own, so locking never changes what the project's venv holds.
TOOLS := .venv-tools
PIP_COMPILE := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade,)

.PHONY: run test bench mutate lint format lock clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit("Switchboard needs Python 3.11 or newer; set PYTHON=python3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(RUN_LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(TOOLS)/bin/pip-compile:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet pip-tools

# After changing pyproject.toml's dependencies; UPGRADE=1 also moves every pin to the newest release allowed.
# The run lock is resolved within the dev lock, so a package both hold is pinned alike.
lock: $(TOOLS)/bin/pip-compile
	$(PIP_COMPILE) --extra dev --extra embedded --output-file $(DEV_LOCK) pyproject.toml
	$(PIP_COMPILE) --extra embedded --constraint $(DEV_LOCK) --output-file $(RUN_LOCK) pyproject.toml

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
	rm -rf $(VENV) $(TOOLS) node_modules .pytest_cache test-output
