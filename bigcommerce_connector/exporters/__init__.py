"""One exporter per kind of data Odoo publishes to BigCommerce.

Models call them from jobs.
"""
