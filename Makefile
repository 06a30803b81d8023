# newswatch developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export NEWSWATCH_PORT ?= 8080

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit test-pure golden chaos fuzz lint typecheck bench up down servers-up servers-down clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F ':.*?## ' '{printf "  %-14s %s\n", $$1, $$2}'

# A regular (not editable) install, so that run, test and bench use what the image ships: building the
# wheel compiles the analysis hot path with mypyc (hatch_build.py; pure Python when there is no C
# compiler, or with NEWSWATCH_PURE=1). scripts/install.sh says what it does and caches the compiled
# wheel by the sources it is built from, so a fresh clone of sources built before skips the compile.
# `make run` installs the runtime only; the targets that test, lint or benchmark add the dev tools.
# Any change under services/ or schemas/ reinstalls; after changing NEWSWATCH_PURE, `rm .venv/.installed*`.
PACKAGE_FILES := $(shell find services schemas -type f -not -path '*/__pycache__/*' -not -name '*.pyc')
$(STAMP): pyproject.toml hatch_build.py scripts/install.sh $(PACKAGE_FILES)
	scripts/install.sh runtime
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) pyproject.toml
	scripts/install.sh dev-tools
	touch $(DEV_STAMP)

install: $(DEV_STAMP) ## create .venv and install newswatch (analysis compiled with mypyc) with its dev tools

run: $(STAMP) ## run the embedded all-in-one service on 127.0.0.1:$NEWSWATCH_PORT (no servers needed)
	@echo "[run] starting newswatch on http://127.0.0.1:$(NEWSWATCH_PORT) (loading the analysis tables takes a few seconds)"
	$(BIN)/newswatch run --host 127.0.0.1 --port $(NEWSWATCH_PORT)

# `-o pythonpath=`: test the newswatch installed in .venv (compiled), not services/ (pytest.ini_options).
# servers.sh prints the servers it launched; those (and only those) are stopped afterwards, also on
# failure or Ctrl-C, unless KEEP_SERVERS=1. Servers that were already up (`make servers-up`) stay up.
test: $(DEV_STAMP) ## run the whole suite (starts local Kafka and Redis; stops those it started unless KEEP_SERVERS=1)
	@started="$$(deploy/local/servers.sh start)" || exit $$?; \
	if [ -z "$(KEEP_SERVERS)" ] && [ -n "$$started" ]; then \
	  trap 'deploy/local/servers.sh stop $$started' EXIT; fi; \
	$(BIN)/pytest -q -o pythonpath= $(PYTEST_ARGS)

# The full fault-injection suite (tests/chaos): SIGKILLs newswatch run, the workers, the delivery worker,
# a private Redis and this checkout's Kafka broker, then prints accepted vs analysed articles and
# planned vs stored vs delivered vs duplicated alerts; fails on any loss. `make test` runs a small form.
chaos: $(DEV_STAMP) ## fault-injection suite (~15 min): kills processes and servers mid-stream, counts what was lost
	@started="$$(deploy/local/servers.sh start kafka)" || exit $$?; \
	if [ -z "$(KEEP_SERVERS)" ] && [ -n "$$started" ]; then \
	  trap 'deploy/local/servers.sh stop $$started' EXIT; fi; \
	$(BIN)/python -m tests.chaos $(CHAOS_ARGS)

# Fuzzing at full size: 10,000 generated bad messages through Kafka (all must be dead-lettered with
# a reason) and the HTTP API (hypothesis bodies and schemathesis over /openapi.json, 0 server errors).
fuzz: $(DEV_STAMP) ## fuzz the worker through Kafka (10,000 bad messages) and the API at full size
	@started="$$(deploy/local/servers.sh start)" || exit $$?; \
	if [ -z "$(KEEP_SERVERS)" ] && [ -n "$$started" ]; then \
	  trap 'deploy/local/servers.sh stop $$started' EXIT; fi; \
	NEWSWATCH_KAFKA_FUZZ_MESSAGES=10000 NEWSWATCH_FUZZ_EXAMPLES=700 NEWSWATCH_SCHEMATHESIS_EXAMPLES=40 \
	  $(BIN)/pytest -q -s -o pythonpath= tests/integration/test_kafka_worker.py::test_generated_bad_messages_are_all_dead_lettered_with_a_reason tests/integration/test_api_fuzz.py

# Unit and contract tests on the in-process backends: no servers, no processes (tests/unit, tests/contract).
test-unit: $(DEV_STAMP) ## run the fast tests: no servers, no processes
	$(BIN)/pytest -q -o pythonpath= -m "not kafka and not redis and not integration"

test-pure: $(DEV_STAMP) ## the tests that need no servers, on the pure-Python sources in services/
	$(BIN)/pytest -q -m "not kafka and not redis"

# The sources in services/ (what you just edited), not the installed build; both give the same file.
golden: $(STAMP) ## rewrite tests/golden/analyses.json from the analysis as it is now (commit it with the change)
	PYTHONPATH=services $(BIN)/python -m tests.golden

lint: $(DEV_STAMP) ## ruff
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench

typecheck: $(DEV_STAMP) ## mypy
	$(BIN)/mypy

# The CPU-bound benchmarks run before the servers start: a JVM warming up beside them skews CPU time.
bench: $(DEV_STAMP) ## print throughput, latency, per-stage and memory figures
	$(BIN)/python -m bench --no-servers
	deploy/local/servers.sh start
	$(BIN)/python -m bench --servers

servers-up: ## start local Kafka (KRaft) and Redis on 127.0.0.1 (idempotent; refuses a port held by others)
	deploy/local/servers.sh start >/dev/null

servers-down: ## stop the local Kafka and Redis
	deploy/local/servers.sh stop

up: ## start the distributed stack with Docker Compose
	docker compose -f deploy/docker-compose.yml up -d --build

down: ## stop the Docker Compose stack
	docker compose -f deploy/docker-compose.yml down

clean: ## remove the virtualenv and local server data
	rm -rf $(VENV) .local
