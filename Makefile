PYTHON ?= python3

.PHONY: test test-python test-odoo demo sandbox lint

## Run every test: the pytest suite and the Odoo suite on a throwaway database.
test:
	$(PYTHON) tests/run_all.py

## Only the pure-Python suite (REST client, sandbox, OpenAPI conformance).
test-python:
	$(PYTHON) -m pytest tests -q

## Only the Odoo suite.
test-odoo:
	$(PYTHON) tests/run_odoo_tests.py

## Sandbox store + Odoo with a confirmed instance on http://127.0.0.1:8069 (admin/admin).
demo:
	$(PYTHON) scripts/demo.py

## The sandbox store alone on port 8765.
sandbox:
	$(PYTHON) -m bigcommerce_sandbox --port 8765 --seed 42

lint:
	pre-commit run --all-files
