from odoo import fields, models


class BigcommerceShipment(models.Model):
    """A shipment made in BigCommerce: carrier and tracking for the order."""

    _name = "bigcommerce.shipment"
    _description = "BigCommerce shipment"
    _order = "date_created desc, id desc"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Shipment ID", required=True)
    order_record_id = fields.Many2one(
        "bigcommerce.order",
        string="BigCommerce Order",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    sale_order_id = fields.Many2one(related="order_record_id.sale_order_id")
    date_created = fields.Datetime(string="Shipped On", readonly=True)
    shipping_provider = fields.Char(string="Carrier", readonly=True)
    shipping_method = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True)
    tracking_url = fields.Char(string="Tracking Link", readonly=True)
    item_count = fields.Integer(string="Units", readonly=True)
    items_description = fields.Text(string="Items", readonly=True)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce shipment is already known for this instance.",
    )
