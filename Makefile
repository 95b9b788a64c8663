# Everything bootstraps itself: the first target you run creates .tools/ (a private
# venv holding uv) and .venv/ (the project, from uv.lock). Only python3 >= 3.11 is needed.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced-$(shell cat uv.lock pyproject.toml | cksum | cut -d' ' -f1)

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# Bytecode at install, not at the first start: `make run` on a fresh clone starts as fast
# as every later start does.
export UV_COMPILE_BYTECODE := 1

.PHONY: install run test test-system check lint format typecheck deploy-check catalogue clean

install: $(SYNCED)  ## Create .venv from uv.lock (every other target does it when needed)

run: $(SYNCED)  ## Run every API, the event delivery and every subscriber (embedded, SQLite)
	$(VENV)/bin/logistics serve

test: $(SYNCED)  ## Run the test suite but the whole-stack runs (two workers: many tests wait on servers)
	$(VENV)/bin/pytest -q -n 2 -m "not system"

test-system: $(SYNCED)  ## Whole stacks end to end: the roles as separate processes, a 2,000-order simulation, Schemathesis, the browser
	$(VENV)/bin/pytest -q -n 2 -m system

check: lint typecheck test test-system  ## Everything CI checks about the code

lint: $(SYNCED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(SYNCED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(SYNCED)
	$(VENV)/bin/mypy src

deploy-check: $(SYNCED)  ## Validate Dockerfile, compose file and Kubernetes manifests offline
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PYTHON=$(VENV)/bin/python scripts/validate_deploy.sh

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups --all-extras --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	rm -f $(VENV)/.synced-*
	touch $@

catalogue: $(SYNCED)  ## Regenerate the event catalogue (docs/asyncapi.yaml, docs/events/) from the code
	$(VENV)/bin/logistics events catalogue

clean:
	rm -rf .tools $(VENV) var .pytest_cache .mypy_cache .ruff_cache
