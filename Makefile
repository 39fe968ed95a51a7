# Two commands set up everything on a fresh machine:
#   make build   virtualenv + pinned stack, demo data, `dbt build` into warehouse/nrr.duckdb, headline figures
#   make test    the same set-up, then linters and every test (pytest drives dbt on temporary warehouses)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ACCOUNTS ?= 1000
MONTHS ?= 36
SEED ?= 42
RAW_PATH ?= data/demo

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export NRR_RAW_PATH ?= $(RAW_PATH)
export NRR_DUCKDB_PATH ?= warehouse/nrr.duckdb

.PHONY: setup data build test lint clean calibrate scheduled-run

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

$(RAW_PATH)/generator_manifest.json: | $(BIN)/.installed
	$(BIN)/python -m nrr_engine.generate --accounts $(ACCOUNTS) --months $(MONTHS) --seed $(SEED) --out $(RAW_PATH)

data: $(RAW_PATH)/generator_manifest.json

build: setup data
	mkdir -p $(dir $(NRR_DUCKDB_PATH))
	$(BIN)/dbt build
	$(BIN)/python -m nrr_engine.report --duckdb-path $(NRR_DUCKDB_PATH)

# Your own exports, into a warehouse file of their own (never the demo's, whose incremental
# tables hold the demo's events): make build-own RAW=/path/to/exports [WAREHOUSE=warehouse/x.duckdb]
# Default file: warehouse/own_<folder name>.duckdb. Then dbt build and the headline figures.
OWN_WAREHOUSE = $(or $(WAREHOUSE),warehouse/own_$(notdir $(abspath $(RAW))).duckdb)
.PHONY: build-own
build-own: setup
	@test -n "$(RAW)" || { echo "usage: make build-own RAW=/path/to/exports [WAREHOUSE=warehouse/<name>.duckdb]" >&2; exit 2; }
	@test -d "$(RAW)" || { echo "RAW=$(RAW) is not a folder" >&2; exit 2; }
	mkdir -p $(dir $(OWN_WAREHOUSE))
	NRR_RAW_PATH=$(abspath $(RAW)) NRR_DUCKDB_PATH=$(OWN_WAREHOUSE) $(BIN)/dbt build
	$(BIN)/python -m nrr_engine.report --duckdb-path $(OWN_WAREHOUSE)

# Validate raw (SQL checks in DuckDB) -> dbt source freshness -> dbt build into $(NRR_DUCKDB_PATH).next
# -> validate the marts (Great Expectations) -> swap it onto $(NRR_DUCKDB_PATH); on any failure exit 1
# and publish nothing.
# Extra options: make scheduled-run SCHEDULED_RUN_ARGS='--as-of-date 2026-10-31'
scheduled-run: setup data
	$(BIN)/python -m nrr_engine.quality.scheduled_run $(SCHEDULED_RUN_ARGS)

# A template raw folder for your own exports: every raw table as a header-only CSV, and a README.md
# (generated from the raw contract) saying what is required and the default of the rest.
# make raw-template OUT=my_exports
.PHONY: raw-template
raw-template: setup
	@test -n "$(OUT)" || { echo "usage: make raw-template OUT=<folder>"; exit 2; }
	$(BIN)/python -m nrr_engine.raw_template --out $(OUT)

# The monthly Customer Feedback Synthesis Report (Markdown and HTML) from the feedback marts
# (make build builds them): make feedback-report [MONTH=YYYY-MM] [REPORT_DIR=reports]; the month
# defaults to the latest complete month of the marts.
REPORT_DIR ?= reports
.PHONY: feedback-report
feedback-report: setup
	@test -f "$(NRR_DUCKDB_PATH)" || { echo "no warehouse at $(NRR_DUCKDB_PATH): run make build first" >&2; exit 2; }
	$(BIN)/python -m nrr_engine.feedback report --duckdb-path $(NRR_DUCKDB_PATH) --out $(REPORT_DIR) $(if $(MONTH),--month $(MONTH))

# The board pack (README "Board pack"): one self-contained HTML file (charts inline as SVG) and
# its PDF, every number from the marts of a built warehouse (make build first):
# make board-pack [AS_OF=YYYY-MM] [REPORT_DIR=reports]; the month defaults to the latest TTM month.
.PHONY: board-pack chromium-install
board-pack: setup
	@test -f "$(NRR_DUCKDB_PATH)" || { echo "no warehouse at $(NRR_DUCKDB_PATH): run make build first" >&2; exit 2; }
	$(BIN)/python -m nrr_engine.board_pack --duckdb-path $(NRR_DUCKDB_PATH) --out $(REPORT_DIR) $(if $(AS_OF),--as-of $(AS_OF))

# Headless Chromium for the board pack's browser test (tests/python/test_board_pack.py): Debian's
# chromium package, installed with apt-get when missing and run as root.
chromium-install:
	command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }

calibrate: build
	$(BIN)/python -m nrr_engine.calibration.export --duckdb-path $(NRR_DUCKDB_PATH)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p target
	NRR_DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint --processes 2 models tests/dbt analyses
	NRR_DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint --config models/staging/stripe/sqlfluff_stripe.cfg models/staging/stripe

# pytest on PYTEST_WORKERS processes (a file's tests stay on one worker, so a file's session
# builds are made once; the longest files start first: tests/python/conftest.py); each worker runs
# one dbt at a time. The linters run beside pytest (sqlfluff's dbt templater is minutes of CPU,
# and pytest leaves cores idle while servers start and session builds are awaited); their output
# follows pytest's, and either failing fails `make test`.
PYTEST_WORKERS ?= 2
test: setup data postgres-install spark-setup chromium-install
	@mkdir -p target
	@$(MAKE) --no-print-directory lint > target/lint.log 2>&1 & lint=$$!; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15; tests=$$?; \
	wait $$lint; linted=$$?; echo "--- make lint (run beside pytest) ---"; cat target/lint.log; \
	echo "pytest exit $$tests, lint exit $$linted"; test $$tests -eq 0 -a $$linted -eq 0

# The semantic layer (docs/semantic_layer.md) on a built warehouse (make build first): dbt parse
# writes target/semantic_manifest.json, mf checks every semantic model, dimension, measure and
# metric against the warehouse, then prints the board's saved queries. mf opens the warehouse
# read-only (NRR_DUCKDB_ACCESS_MODE), and its check for a newer mf on PyPI is sent to a closed
# local port so that nothing leaves the machine. Any other question:
#   make metrics MF_QUERY='--metrics ttm_nrr,ttm_grr --group-by metric_time__quarter,account__segment'
MF = NRR_DUCKDB_ACCESS_MODE=read_only HTTPS_PROXY=http://127.0.0.1:9 $(BIN)/mf
MF_QUERY ?=
.PHONY: metrics
metrics: setup
	@test -f "$(NRR_DUCKDB_PATH)" || { echo "no warehouse at $(NRR_DUCKDB_PATH): run make build first" >&2; exit 2; }
	$(BIN)/dbt parse --quiet
	$(MF) validate-configs
ifeq ($(strip $(MF_QUERY)),)
	$(MF) query --saved-query board_retention_monthly --decimals 4
	$(MF) query --saved-query board_arr_monthly --decimals 0
else
	$(MF) query $(MF_QUERY) --decimals 4
endif

# PostgreSQL 15+ (README "PostgreSQL"). The Postgres tests start their own throwaway server
# (tests/python/warehouses/conftest.py) unless NRR_PG_HOST names one; this only makes sure the
# binaries are there (Debian's postgresql package, installed with apt-get when run as root).
# A local throwaway server for trying the project: make postgres-start, then make
# build-postgres, then make postgres-stop. build-postgres reads NRR_PG_HOST, NRR_PG_PORT,
# NRR_PG_USER, NRR_PG_PASSWORD, NRR_PG_DATABASE (your own server), else the started one's:
# raw folder loaded (nrr-load-raw), dbt build, nrr-calibrate-warehouse --step feedback, the health
# score and what reads it, nrr-calibrate-warehouse --step calibration, the calibration marts.
PG_STATE ?= .postgres
PG_ENV = if [ -z "$$NRR_PG_HOST" ] && [ -f $(PG_STATE)/postgres_server.json ]; then eval "$$($(BIN)/python -m nrr_engine.warehouses.postgres_server env --state-dir $(PG_STATE))"; fi; export NRR_TARGET=postgres
.PHONY: postgres-install postgres-start postgres-stop build-postgres
postgres-install: setup
	$(BIN)/python -m nrr_engine.warehouses.postgres_server install --state-dir $(PG_STATE)

postgres-start: setup
	$(BIN)/python -m nrr_engine.warehouses.postgres_server start --state-dir $(PG_STATE)

postgres-stop: setup
	$(BIN)/python -m nrr_engine.warehouses.postgres_server stop --state-dir $(PG_STATE)

build-postgres: setup data
	$(PG_ENV); $(BIN)/nrr-load-raw --target postgres --raw-path $(RAW_PATH) \
		&& $(BIN)/dbt build \
		&& $(BIN)/nrr-calibrate-warehouse --target postgres --step feedback \
		&& $(BIN)/dbt build --selector after_feedback_classification \
		&& $(BIN)/nrr-calibrate-warehouse --target postgres --step calibration \
		&& $(BIN)/dbt build --selector calibration_after_command

# Apache Spark (README "Spark"): dbt-spark's session method, a local pyspark in its own
# environment (.venv-spark, pinned by requirements-spark.lock; dbt-spark's pins differ from the
# main environment's) with Java from Debian (openjdk-17-jre-headless, installed with apt-get when
# missing and run as root). Tables and the Derby metastore live under NRR_SPARK_DIR.
# make build-spark: the raw folder loaded, dbt build, nrr-calibrate-warehouse --step feedback, the
# health score and what reads it, nrr-calibrate-warehouse --step calibration, the calibration marts. make test-spark: the Spark tests with the generated-book comparison (tests/python/
# warehouses/test_spark.py; `make test` runs the tiny book only).
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
export NRR_SPARK_DIR ?= warehouse/spark
export SPARK_LOCAL_IP ?= 127.0.0.1
.PHONY: spark-setup build-spark test-spark
$(SPARK_BIN)/.installed: pyproject.toml requirements-spark.lock
	command -v java >/dev/null || { apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless; }
	test -x $(SPARK_BIN)/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

spark-setup: $(SPARK_BIN)/.installed

build-spark: spark-setup data
	mkdir -p $(NRR_SPARK_DIR)
	export NRR_TARGET=spark; $(SPARK_BIN)/nrr-load-raw --target spark --raw-path $(RAW_PATH) \
		&& $(SPARK_BIN)/dbt build \
		&& $(SPARK_BIN)/nrr-calibrate-warehouse --target spark --step feedback \
		&& $(SPARK_BIN)/dbt build --selector after_feedback_classification \
		&& $(SPARK_BIN)/nrr-calibrate-warehouse --target spark --step calibration \
		&& $(SPARK_BIN)/dbt build --selector calibration_after_command

test-spark: setup spark-setup
	NRR_SPARK_FULL=1 $(BIN)/pytest tests/python/warehouses/test_spark.py -x --durations=5

clean:
	rm -rf target logs warehouse data .pytest_cache

# Benchmark (SCALE=small|medium|large: 1,000 / 10,000 / 100,000 accounts over 36 months): the
# DuckDB floor, a full dbt build, an incremental run after one more day, the revenue core vs
# hand-written SQL. Data cached in .benchmarks/<SCALE>/raw, figures in
# .benchmarks/<SCALE>/latest.json (and results-<timestamp>.json).
SCALE ?= small
.PHONY: benchmark
benchmark: setup
	$(BIN)/python -m nrr_engine.benchmark --scale $(SCALE)
