"""The money core: BigCommerce payloads -> booking plans, in plain Python.

Nothing here imports Odoo (like ``client/``): the importers resolve Odoo
records, ask this core what to book, and write its plan with the ORM. The
pytest suite checks the plans on generated orders and refunds
(``tests/test_money_core_*.py``) without a database.
"""
