# Two commands for a newcomer: `make run` and `make test`. Everything else is for the real stack.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run migrate demo test lint worker beat serve bench bench-tone messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	mkdir -p staticfiles
	touch $(STAMP)

# axe-core for the browser tests (tests/e2e); npm comes from apt when missing. Without it the tests fall back to
# the copy of axe-core that axe-playwright-python ships.
node_modules/.package-lock.json: package.json
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) || true
	if command -v npm >/dev/null; then npm install --no-audit --no-fund --loglevel=error; fi

install: $(STAMP) node_modules/.package-lock.json

messages: install
	@if [ -d locale ]; then \
	  command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null) || true; \
	  $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules; fi

migrate: install messages
	$(PY) manage.py migrate --no-input -v0

# Links printed (and in the demo emails) point at the port `make run` serves on.
demo: migrate
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(or $(PORT),8000)} $(PY) manage.py seed_demo

# PORT=8010 make run (or make run PORT=8010) for another port; DEBUG=true for Django's debug pages.
run: demo
	PY=$(PY) PORT=$(or $(PORT),8000) scripts/run.sh

test: install messages
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The real stack: set DATABASE_URL and REDIS_URL, then run these in separate terminals.
serve: migrate
	$(PY) manage.py collectstatic --no-input -v0
	$(VENV)/bin/gunicorn assetlens.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile -

worker: install
	$(VENV)/bin/celery -A assetlens worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A assetlens beat --loglevel=info

# Speed at a realistic size, on loopback only, against PostgreSQL (BENCH_DATABASE_URL, default assetlens_bench):
# CPU per request of each page in-process, interleaved with /ping/; gunicorn + wrk latency while other leaders
# save answers; scoring throughput; submit → scored through Redis (BENCH_REDIS_URL) and a real worker.
# BENCH_QUICK=1 runs the first part only. Knobs: BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS,
# BENCH_WRITES_PER_SECOND and more (see benchmarks/bench.py).
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) benchmarks/bench.py

# The copy reader's throughput (sentences/s and KB/s) on 200 KB of copy, as text and as a web page.
bench-tone: install
	$(PY) manage.py tone_bench --html

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
