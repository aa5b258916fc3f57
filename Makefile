PYTHON ?= python3
# Runs a script with the first Python that imports Odoo 19.0: this one, else
# the project's .venv; when neither does, offers to set Odoo up into .venv
# (asked on a terminal; ODOO_SETUP=1 says yes without asking).
WITH_ODOO = $(PYTHON) scripts/odoo_setup.py run
ODOO_PYTHON = $$($(PYTHON) scripts/odoo_setup.py python)

.PHONY: test test-python test-odoo test-odoo-core test-odoo-core-fast demo sandbox lint setup specs pot

## Run every test: the pytest suite and the Odoo suite on a throwaway database.
test:
	$(WITH_ODOO) tests/run_all.py

## Set Odoo 19.0, OCA queue_job and this project's requirements up in .venv
## without asking (ODOO_SOURCE: a folder or git repository of Odoo's sources).
setup:
	$(PYTHON) scripts/odoo_setup.py setup

## BigCommerce's OpenAPI specs at their pinned commit, checked by SHA-256.
specs:
	$(PYTHON) tests/openapi_specs.py

## Only the pure-Python suite (REST client, sandbox, OpenAPI conformance).
test-python: specs
	$(ODOO_PYTHON) -m pytest tests -q

## Only the Odoo suite.
test-odoo:
	$(WITH_ODOO) tests/run_odoo_tests.py

## Odoo's own suites of the modules the addon extends (sale, sale_stock, stock,
## stock_delivery, product, account's invoice and payment tests), with and
## without the addon; fails on a test that fails with the addon only.
test-odoo-core:
	$(WITH_ODOO) tests/run_odoo_core_tests.py

## The same, only sale_stock and stock_delivery (a few minutes; run by CI).
test-odoo-core-fast:
	$(WITH_ODOO) tests/run_odoo_core_tests.py --fast

## Sandbox store + Odoo with a confirmed instance on http://127.0.0.1:8069 (admin/admin).
demo:
	$(WITH_ODOO) scripts/demo.py

## The sandbox store alone on port 8765.
sandbox:
	$(PYTHON) -m bigcommerce_sandbox --port 8765 --seed 42

## Refresh the translation template i18n/bigcommerce_connector.pot from the
## module (installed on a throwaway database).
pot:
	$(WITH_ODOO) scripts/export_pot.py

lint:
	pre-commit run --all-files
