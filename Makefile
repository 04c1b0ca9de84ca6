# Air Paradis developer commands. `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python
export NLTK_DATA ?= $(abspath ../shared/data/nltk_data)

.DEFAULT_GOAL := help
.PHONY: help install kafka-fetch kafka-start kafka-stop kafka-status topics smoke lint typecheck test test-unit ci faults soak loop champion

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## What CI installs: Debian's prometheus + chromium, .venv with the project, MiniLM weights
	VENV=$(VENV) bash scripts/install.sh

kafka-fetch: ## Download Kafka from Maven Central into ~/.cache/air-paradis (once)
	deploy/kafka/kafka.sh fetch

kafka-start: ## Start the local Kafka broker on 127.0.0.1:9092 (data in .kafka/)
	deploy/kafka/kafka.sh start

kafka-stop: ## Stop the local Kafka broker
	deploy/kafka/kafka.sh stop

kafka-status: ## Is the local broker running?
	deploy/kafka/kafka.sh status

topics: ## Create the project topics on the broker (idempotent)
	$(VENV)/bin/airparadis-kafka ensure-topics

smoke: ## Produce one tweet to the broker and read it back
	$(VENV)/bin/airparadis-kafka smoke

lint: ## ruff check
	$(VENV)/bin/ruff check .

typecheck: ## mypy on the packages
	$(VENV)/bin/mypy

test: ## The whole test suite (starts the local broker if needed); prints its wall time
	@start=$$(date +%s); rc=0; $(PY) -m pytest -q || rc=$$?; \
	echo "make test: wall time $$(( $$(date +%s) - start ))s"; exit $$rc

test-unit: ## Tests that need neither Kafka nor training
	$(PY) -m pytest -q -m "not kafka and not slow"

RUNS ?= 3
MINUTES ?= 30
MODEL ?=
faults: ## Fault drills (broker restart, kill -9, two workers) RUNS times; not in CI
	$(PY) -m training.tools.faults --runs $(RUNS) $(if $(MODEL),--model $(MODEL))

soak: ## One worker at half the max rate for MINUTES; CSV + plot in docs/soak; not in CI
	$(PY) -m training.tools.soak --minutes $(MINUTES) --label $(MINUTES)min $(if $(MODEL),--model $(MODEL))

loop: ## The learning loop on screen: alert -> retrain -> gate -> shadow -> canary -> champion; not in CI
	VENV=$(VENV) bash deploy/loop.sh

champion: ## Teacher -> its scores -> the BiLSTM & TF-IDF recipe, registered and gated (~30 min); not in CI
	VENV=$(VENV) bash scripts/champion.sh

ci: ## What CI runs: install, broker, lint, typecheck, tests
	bash .ci/run
