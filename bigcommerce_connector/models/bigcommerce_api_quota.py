from odoo import fields, models


class BigcommerceApiQuota(models.Model):
    """A store's API quota as last seen, shared by every Odoo process.

    One row per store (the hash of its API URL): what the last response
    said was left, when the window resets (on PostgreSQL's clock, shared by
    every node) and how many requests the connector claimed since. Every
    request claims one in a short transaction of its own that locks the row
    (``tools/shared_quota.py``), so N workers and nodes count one budget
    down together instead of each spending the store's quota on its own.
    """

    _name = "bigcommerce.api.quota"
    _description = "BigCommerce connector: a store's API quota, shared"
    _log_access = False

    store_key = fields.Char(required=True, help="SHA-1 of the store's API URL.")
    quota = fields.Integer(help="Requests per window (X-Rate-Limit-Requests-Quota).")
    requests_left = fields.Integer(
        help="Requests left in the window, counted down by every claim."
    )
    has_reading = fields.Boolean(help="Whether a response was read yet.")
    reset_at = fields.Float(
        help="When the window resets: seconds since the epoch, on the "
        "database's clock."
    )
    window_s = fields.Float(string="Window (s)")

    _store_key_unique = models.Constraint(
        "UNIQUE(store_key)", "One quota row per store."
    )
