"""The outbound half's export rows get the failure activity of the others.

A delivery that could not be sent as a shipment, or an order change that
could not be sent (state "failed"), gets one activity for the store's
responsible user, closed when the row is sent on retry; the e-mail summary
of the run lists it (see ``bigcommerce_instance_notification.py``).
"""

from odoo import models


class BigcommerceShipmentExport(models.Model):
    _name = "bigcommerce.shipment.export"
    _inherit = ["bigcommerce.shipment.export", "bigcommerce.failure.activity.mixin"]


class BigcommerceOrderExport(models.Model):
    _name = "bigcommerce.order.export"
    _inherit = ["bigcommerce.order.export", "bigcommerce.failure.activity.mixin"]
