PYTHON ?= python3

.PHONY: test test-python test-odoo test-odoo-core test-odoo-core-fast demo sandbox lint

## Run every test: the pytest suite and the Odoo suite on a throwaway database.
test:
	$(PYTHON) tests/run_all.py

## Only the pure-Python suite (REST client, sandbox, OpenAPI conformance).
test-python:
	$(PYTHON) -m pytest tests -q

## Only the Odoo suite.
test-odoo:
	$(PYTHON) tests/run_odoo_tests.py

## Odoo's own suites of the modules the addon extends (sale, sale_stock, stock,
## stock_delivery, product, account's invoice and payment tests), with and
## without the addon; fails on a test that fails with the addon only.
test-odoo-core:
	$(PYTHON) tests/run_odoo_core_tests.py

## The same, only sale_stock and stock_delivery (a few minutes; run by CI).
test-odoo-core-fast:
	$(PYTHON) tests/run_odoo_core_tests.py --fast

## Sandbox store + Odoo with a confirmed instance on http://127.0.0.1:8069 (admin/admin).
demo:
	$(PYTHON) scripts/demo.py

## The sandbox store alone on port 8765.
sandbox:
	$(PYTHON) -m bigcommerce_sandbox --port 8765 --seed 42

lint:
	pre-commit run --all-files
