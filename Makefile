# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test quick lint typecheck unit migrate bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Serves Slack when SLACK_BOT_TOKEN is set (in .env or the environment); without it, the sandbox.
run: $(STAMP)
	@$(BIN)/python -m bot run

# The local Slack sandbox in the browser, whatever .env holds.
demo: $(STAMP)
	@$(BIN)/python -m bot sandbox

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
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/scale.py

# Retakes docs/sandbox.png, the README's picture, with the browser test that walks the sandbox.
screenshot: $(STAMP)
	SANDBOX_SCREENSHOT=docs/sandbox.png $(BIN)/python -m pytest -q tests/browser/test_sandbox.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
