# OneWindow: two commands do all set-up.
#   make demo  — install, migrate, seed the demo city, run web + worker + beat on SQLite
#   make test  — install, run the whole suite (DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo test test-fast lint bench bench-login bench-cases bench-licences bench-payments bench-citizen bench-interaction clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Browser assets from the npm registry (bpmn-js for the service guide, ECharts for the ratings
# statistics); degrades to no diagram and tables without charts.
ASSETS := src/onewindow/catalog/static/catalog/vendor/.built
$(ASSETS): frontend/package.json frontend/package-lock.json frontend/build-assets.sh
	bash frontend/build-assets.sh

install: $(STAMP) $(ASSETS)

demo: install
	ONEWINDOW_DEMO=1 $(BIN)/onewindow rundemo --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(BIN)/onewindow makemigrations --check --dry-run

# Every benchmark, each with its own baseline measured in the same run (~12 minutes; the
# citizen page's city of 1 M residents and 5 M cases takes ~6 more to generate once, the
# hotline's 1 M requests ~5); one at a time: make bench-login, bench-cases, bench-licences,
# bench-payments, bench-citizen, bench-interaction.
bench: bench-login bench-cases bench-licences bench-payments bench-citizen bench-interaction

bench-login: $(STAMP)
	$(BIN)/python bench/run.py

bench-cases: $(STAMP)
	$(BIN)/python bench/cases_bench.py

bench-licences: $(STAMP)
	$(BIN)/python -m bench.licences_verify

bench-payments: $(STAMP)
	$(BIN)/python bench/payments_callbacks.py

bench-citizen: $(STAMP)
	$(BIN)/python bench/citizen_page.py
	$(BIN)/python bench/citizen_push.py

bench-interaction: $(STAMP)
	$(BIN)/python bench/interaction_bench.py

messages: $(STAMP)
	cd src/onewindow && ../../$(BIN)/onewindow makemessages -l en -l zh_Hans --no-obsolete && ../../$(BIN)/onewindow compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
