# The two commands a newcomer needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
# uv installed by pip a moment ago may not be on PATH yet (scripts/install_python.sh)
UV := $(shell command -v uv >/dev/null && echo uv || echo python3 -m uv)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test prerequisites system-packages install assets browser java benchmark benchmark-load benchmark-headroom benchmark-subject-access benchmark-matching benchmark-returns clean

demo: install assets
	EARLYHELP_ENV=development $(PY) manage.py migrate --no-input
# The loader reports the demo's linkage run, so it runs its jobs at once; the server runs them in a thread.
	EARLYHELP_ENV=development EARLYHELP_TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend \
		$(PY) manage.py load_demo_council
	EARLYHELP_ENV=development EARLYHELP_DEMO_MODE=1 $(PY) manage.py runserver 127.0.0.1:8000

test: prerequisites
	@echo "== Layer contracts (import-linter) =="
	.venv/bin/lint-imports
	bash scripts/test_suites.sh

# On a fresh machine the downloads take minutes: Python packages, front-end packages and Debian's packages (apt,
# one at a time) are fetched side by side.
prerequisites:
	@$(MAKE) --no-print-directory -j3 install assets system-packages

system-packages:
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_java.sh

install:
	@bash scripts/install_python.sh

assets:
	@bash scripts/build_frontend.sh

browser:
	@bash scripts/ensure_chromium.sh

java:
	@bash scripts/ensure_java.sh

benchmark: install
	$(UV) sync --frozen --quiet --group bench
	$(PY) benchmarks/run.py

benchmark-load: install
	$(UV) sync --frozen --quiet --group bench
	$(PY) benchmarks/load.py --users 10
	$(PY) benchmarks/load.py --users 50

# Headroom at 100,000 families: the family page saturated by 20 busy clients, beside the framework's own ceiling (a
# trivial signed-in view through the same middleware), and the audit chain under 1, 10 and 50 concurrent writers.
benchmark-headroom: install
	$(UV) sync --frozen --quiet --group bench
	$(PY) benchmarks/load.py --scenario ceiling
	$(PY) benchmarks/load.py --scenario family-page
	$(PY) benchmarks/audit_chain.py

benchmark-subject-access: install
	$(PY) benchmarks/subject_access.py

benchmark-matching: install
	$(PY) benchmarks/matching.py

benchmark-returns: install
	$(PY) benchmarks/supporting_families_population.py
	$(PY) benchmarks/returns.py
	$(PY) benchmarks/disclosure_control.py

clean:
	rm -rf .venv node_modules var src/earlyhelp/web/static/earlyhelp/build
