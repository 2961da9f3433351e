# Two commands: `make run` starts the app on the embedded sample database, `make test` passes the
# tests. Both create or refresh .venv when the requirements change and build the sample database
# when it is missing or its generator changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-stamp
SAMPLE_DB := sample_data/sample.db
GENERATOR := $(wildcard sample_data/*.py) queries/schema.py queries/boundaries.py queries/rollup.py \
             queries/audits.py rules/vocab.py rules/identifiers.py
PORT ?= 8501

.PHONY: run test sample bench lint clean

run: $(STAMP) $(SAMPLE_DB)
	$(PY) serve.py --server.port $(PORT)

test: $(STAMP) $(SAMPLE_DB)
	$(PY) -m pytest -q

sample: $(STAMP)
	$(PY) -m sample_data.generate --out $(SAMPLE_DB)

bench: $(STAMP)
	$(PY) -m benchmarks.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

$(SAMPLE_DB): $(STAMP) $(GENERATOR)
	$(PY) -m sample_data.generate --out $(SAMPLE_DB)

clean:
	rm -rf $(VENV) $(SAMPLE_DB)
