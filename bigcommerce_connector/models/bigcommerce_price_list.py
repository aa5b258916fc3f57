from odoo import api, fields, models

from ..importers.price_list import PriceListImporter
from ..tools.rights import bigcommerce_admin_only


class BigcommercePriceList(models.Model):
    """A BigCommerce price list in one currency, bound to its Odoo pricelist.

    A price list holds records in several currencies (price_lists.v3.yml,
    Price Record ``currency``); each currency is one row here and one Odoo
    pricelist in that currency (``importers/price_list.py``), with one
    fixed-price item per variant and one per bulk pricing tier. The
    UNIQUE(instance_id, bigcommerce_id, currency_id) constraint makes the
    import exactly once, even when two jobs import the same list.
    """

    _name = "bigcommerce.price.list"
    _description = "BigCommerce price list"
    _order = "instance_id, bigcommerce_id, currency_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True)
    name = fields.Char(required=True, readonly=True)
    is_active = fields.Boolean(
        string="Active in BigCommerce",
        readonly=True,
        default=True,
        help="An inactive price list prices nothing in BigCommerce: its "
        "customer groups and channels fall back to their other prices.",
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        ondelete="set null",
        check_company=True,
        readonly=True,
        help="One fixed-price item per variant of the list in this currency, "
        "and one per bulk pricing tier (minimum quantity).",
    )
    records_read_at = fields.Datetime(
        string="Records Read Up To",
        readonly=True,
        help="The store's time when the records were last read: the next "
        "import reads only the records modified since (empty: all of them).",
    )
    read_seen = fields.Json(
        string="Variants Seen by the Paused Read",
        readonly=True,
        copy=False,
        help="While a whole read of the records is paused by the quota: the "
        "variants it has read so far (the items of the others go at its end).",
    )
    customer_group_ids = fields.Many2many(
        "bigcommerce.customer.group",
        "bigcommerce_price_list_customer_group_rel",
        "price_list_id",
        "customer_group_id",
        string="Customer Groups",
        readonly=True,
        help="The customer groups BigCommerce assigns this price list to.",
    )
    channel_ids = fields.Many2many(
        "bigcommerce.channel",
        "bigcommerce_price_list_channel_rel",
        "price_list_id",
        "channel_id",
        string="Channels",
        readonly=True,
        help="The channels BigCommerce assigns this price list to (for every "
        "shopper of the channel).",
    )
    record_ids = fields.One2many(
        "bigcommerce.price.list.record", "price_list_id", string="Records To Check"
    )
    waiting_count = fields.Integer(
        string="Records Waiting", compute="_compute_waiting_count"
    )

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id, currency_id)",
        "This BigCommerce price list is already bound in this currency for "
        "this instance.",
    )

    @api.depends("record_ids.state")
    def _compute_waiting_count(self):
        for price_list in self:
            price_list.waiting_count = len(
                price_list.record_ids.filtered(lambda r: r.state != "done")
            )


class BigcommercePriceListRecord(models.Model):
    """A price record that could not become pricelist items yet.

    Its variant is not imported in Odoo (``pending``: applied by the next
    product import, or by Retry), or its prices cannot be read (``failed``,
    with the reason). Nothing is lost: the record as BigCommerce sent it is
    kept until it is applied (``done``).
    """

    _name = "bigcommerce.price.list.record"
    _description = "BigCommerce price list record waiting"
    _order = "price_list_id, variant_bigcommerce_id"
    _check_company_auto = True

    price_list_id = fields.Many2one(
        "bigcommerce.price.list",
        string="Price List",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    instance_id = fields.Many2one(
        related="price_list_id.instance_id", store=True, index=True
    )
    company_id = fields.Many2one(related="price_list_id.company_id", store=True)
    variant_bigcommerce_id = fields.Integer(string="BigCommerce Variant ID")
    product_bigcommerce_id = fields.Integer(string="BigCommerce Product ID")
    sku = fields.Char(string="SKU", readonly=True)
    payload = fields.Json(readonly=True, help="The record as BigCommerce sent it.")
    state = fields.Selection(
        [("pending", "Waiting"), ("failed", "Failed"), ("done", "Done")],
        default="pending",
        required=True,
        readonly=True,
    )
    reason = fields.Text(readonly=True)

    _variant_uniq = models.Constraint(
        "UNIQUE(price_list_id, variant_bigcommerce_id)",
        "A price list has one record per variant.",
    )

    @bigcommerce_admin_only
    def action_retry(self):
        """Apply the records again from what BigCommerce sent (no request)."""
        for instance in self.instance_id:
            PriceListImporter(instance, None).retry(
                self.filtered(lambda r, i=instance: r.instance_id == i)
            )
        return True


class BigcommercePriceListSent(models.Model):
    """The last record BigCommerce acknowledged for a variant in a price list
    and currency (price list export): its price and bulk pricing tiers; only
    a different record is sent again."""

    _name = "bigcommerce.price.list.sent"
    _description = "BigCommerce price list price sent"
    _order = "instance_id, price_list_bigcommerce_id, variant_bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    price_list_bigcommerce_id = fields.Integer(
        string="BigCommerce Price List ID", required=True
    )
    currency_id = fields.Many2one("res.currency", required=True)
    variant_bigcommerce_id = fields.Integer(
        string="BigCommerce Variant ID", required=True
    )
    # Monetary: kept at the currency's decimals (KWD's 3), which the
    # "Product Price" precision (2 by default) would round away, and the
    # record would then differ from what was sent at every export.
    price = fields.Monetary(currency_field="currency_id", readonly=True)
    bulk_pricing_tiers_sent = fields.Char(
        readonly=True,
        help="The bulk pricing tiers acknowledged, as canonical text: "
        '[[quantity_min,"unit price"],...], [] for none. Empty: sent before '
        "tiers were exported (the record is sent again).",
    )
    sent_at = fields.Datetime(readonly=True)

    _variant_uniq = models.Constraint(
        "UNIQUE(instance_id, price_list_bigcommerce_id, currency_id, "
        "variant_bigcommerce_id)",
        "One sent price per variant, price list and currency.",
    )
