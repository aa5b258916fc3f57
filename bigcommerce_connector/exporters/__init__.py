"""One exporter per kind of data Odoo publishes to BigCommerce; models call them from jobs."""
