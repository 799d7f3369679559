# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test quick lint typecheck unit migrate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@test -f .env || { cp .env.example .env; echo "Created .env from .env.example: fill in your Slack tokens, then run 'make run' again."; exit 1; }
	@test -f departments.toml || grep -qs '^DEPARTMENTS_FILE=.' .env || test -n "$$DEPARTMENTS_FILE" || { cp departments.example.toml departments.toml; echo "Created departments.toml from departments.example.toml: set your channel IDs, then run 'make run' again."; exit 1; }
	$(BIN)/python -m bot serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs on SQLite; when TEST_DATABASE_URL is set it runs again on that database.
unit: $(STAMP)
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "Running the suite again on $$(echo $$TEST_DATABASE_URL | sed 's|//[^@]*@|//|')"; \
		$(BIN)/python -m pytest -q; \
	fi

test: lint typecheck unit

# The pure tests alone (rules, messages, settings): seconds, for the edit-test loop.
quick: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/pulses.py
	$(BIN)/python benchmarks/weekly.py
	$(BIN)/python benchmarks/home.py
	$(BIN)/python benchmarks/ack.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
