# Jixiao: `make run` serves the demo, `make test` runs the whole suite. Nothing else to install by hand.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean backup restore

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py rescore --quiet
	$(PY) manage.py collectstatic --noinput -v 0

run: setup
	$(PY) manage.py load_demo --second-department
	@echo ""
	@echo "Jixiao 绩效 is at http://127.0.0.1:8000/  (demo logins, password jixiao-demo):"
	@echo "  admin (superuser) · kexie (731001 填报人) · kejiguan (731005 填报人) · shenhe (731 审核人)"
	@echo "  a background worker (manage.py db_worker) runs beside the server for long imports and exports"
	$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: setup
	@command -v wrk >/dev/null 2>&1 || echo "bench: wrk is not installed (apt-get install -y wrk): the http figures are skipped"
	$(PY) bench/run.py

backup: setup
	$(PY) manage.py backup_data

restore: setup
	@test -n "$(FILE)" || { echo "用法：make restore FILE=backups/jixiao-….tar.gz [YES=1]（YES=1 覆盖已有数据）"; exit 1; }
	$(PY) manage.py restore_data $(FILE) $(if $(YES),--yes)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
