# The two commands that matter: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-review record clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: lint typecheck unit

lint: $(STAMP)
	$(VENV)/bin/ruff format --check src tests examples benchmarks
	$(VENV)/bin/ruff check src tests examples benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

# The PostgreSQL tests get a throwaway server on loopback (installed first if missing);
# they skip, saying why, only when none can be started.
unit: $(STAMP)
	scripts/postgres.sh run $(VENV)/bin/pytest -q -p no:randomly

bench: $(STAMP)
	$(PY) -m pytest benchmarks -q --benchmark-only --benchmark-columns=min,median,mean,rounds

bench-review: $(STAMP)
	scripts/postgres.sh run $(PY) benchmarks/bench_review.py

# Re-record the copilot's sessions against a real model: the local one scripts/serve_model.sh
# serves, or the endpoint C360_LLM_BASE_URL / C360_LLM_MODEL (/ C360_LLM_API_KEY) name.
record: $(STAMP)
	scripts/record_sessions.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
