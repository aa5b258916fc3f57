"""No job of a store is queued for anyone but its Administrators.

A queued job runs with the rights of the recordset that queued it (queue_job
stores its user and superuser flag): a job queued for a User would run with
a User's rights, half-way through which the Odoo side fails on the access
rules, after BigCommerce was told. Every job of the connector is a method of
``bigcommerce.instance``, so this is the one place where they are queued.
Odoo's own flows (a delivery validated, an order cancelled, an invoice paid
by users without BigCommerce rights) queue theirs as the superuser.
"""

from odoo import models

from ..tools.rights import bigcommerce_admin_only


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    @bigcommerce_admin_only
    def with_delay(self, *args, **kwargs):
        return super().with_delay(*args, **kwargs)

    @bigcommerce_admin_only
    def delayable(self, *args, **kwargs):
        return super().delayable(*args, **kwargs)
