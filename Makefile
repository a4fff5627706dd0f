# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format schema serve clean graphiql-assets http-audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/credgraph demo

serve: $(STAMP)
	$(BIN)/credgraph serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/credgraph export-schema --output schema.graphql

# GraphiQL's files at the versions strawberry's page names (lockfile pinned),
# served by the app so the IDE works without internet (app/graphql/ide.py).
graphiql-assets:
	cd app/graphql/static && npm ci --no-audit --no-fund --ignore-scripts

# graphql-http, pinned, for tests/graphql/test_http_audit.py.
http-audit:
	cd tests/http_audit && npm ci --no-audit --no-fund

clean:
	rm -rf $(VENV) data .pytest_cache
