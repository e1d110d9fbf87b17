# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.digestbot-installed

.PHONY: setup run test lint format bench fuzz clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

CONFIG ?= config/digestbot.toml

# Start the bot with the seed articles loaded: against Telegram when a token is configured,
# else against the local sandbox.
run: setup
	$(BIN)/digestbot run --config $(CONFIG) --sandbox-without-token

# The suite in parallel processes (pytest-xdist). Most slow tests wait on simulated network latency,
# subprocesses or PostgreSQL, so more workers than cores pay: on 2 cores 4 took 7 min, 6 and 8 no
# less (15.5 min in one process). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 4
test: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# The long mode of the update fuzzing (tests/bot/test_fuzz.py; CI runs a fast slice).
fuzz: setup
	FUZZ_UPDATES=5000 FUZZ_BURST=50 $(BIN)/pytest tests/bot/test_fuzz.py -q

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
