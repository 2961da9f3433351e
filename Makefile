# Two commands: `make run` starts the app on the embedded sample database, `make test` passes the
# tests. Both create or refresh .venv when the requirements change (run: the runtime ones only;
# test: the test tools too) and rebuild the sample database when it is missing or its generator
# or schema changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-stamp
DEV := $(VENV)/.dev-stamp
SAMPLE_DB := sample_data/sample.db
GENERATOR := $(wildcard sample_data/*.py) queries/schema.py queries/boundaries.py queries/rollup.py \
             queries/audits.py queries/migrate.py $(wildcard queries/migrations/versions/*.py) \
             rules/vocab.py rules/identifiers.py rules/calendar.py rules/calendar_cn.csv
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test sample bench lint migrate backup restore mutants clean

run: $(RUNTIME) $(SAMPLE_DB)
	$(PY) serve.py --server.port $(PORT) --server.address $(ADDRESS)

test: $(DEV) $(SAMPLE_DB)
	$(PY) -m pytest -q -n 2

sample: $(RUNTIME)
	$(PY) -m sample_data.generate --out $(SAMPLE_DB)

bench: $(DEV)
	$(PY) -m benchmarks.run

lint: $(DEV)
	$(VENV)/bin/ruff check .

# Upgrade the schema of DATABASE_URL (default: the sample) in place, keeping every row.
migrate: $(RUNTIME)
	$(PY) -m queries.migrate

# Back up DATABASE_URL (default: the sample) while the app runs, into BACKUP_DIR (default
# backups/); restore one with `make restore FILE=backups/….sqlite` (the database as it was is
# backed up first). See README, "Backups".
backup: $(RUNTIME)
	$(PY) -m queries.backup backup $(if $(KEEP),--keep $(KEEP))

restore: $(RUNTIME)
	@test -n "$(FILE)" || { echo "用法：make restore FILE=backups/<备份文件>"; exit 2; }
	$(PY) -m queries.backup restore "$(FILE)"

# Apply each seeded one-line bug of tests/mutations.py and check a test catches it (~15 min;
# not part of `make test`).
mutants: $(DEV)
	$(PY) -m tests.mutations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $(RUNTIME)

$(DEV): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(RUNTIME) $(DEV)

$(SAMPLE_DB): $(GENERATOR) | $(RUNTIME)
	$(PY) -m sample_data.generate --out $(SAMPLE_DB)

clean:
	rm -rf $(VENV) $(SAMPLE_DB)
