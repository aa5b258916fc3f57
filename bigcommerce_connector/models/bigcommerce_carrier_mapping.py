from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The carriers most stores ship with, and their AfterShip slugs: BigCommerce
# builds the tracking link from ``tracking_carrier`` + tracking number
# (orders.v2.oas2.yml, orderShipment_Post.tracking_carrier).
DEFAULT_CARRIERS = [
    ("UPS", "ups"),
    ("USPS", "usps"),
    ("FedEx", "fedex"),
    ("DHL", "dhl"),
]

# orders.v2.oas2.yml, orderShipment_Post.shipping_provider (``carrier_{id}``
# for third-party providers is free text and accepted as well).
SHIPPING_PROVIDERS = [
    "auspost",
    "canadapost",
    "endicia",
    "usps",
    "fedex",
    "royalmail",
    "ups",
    "upsready",
    "upsonline",
    "shipperhq",
]


class BigcommerceCarrierMapping(models.Model):
    """How an Odoo carrier is named in a BigCommerce shipment.

    A row matches an Odoo delivery by its carrier, or else by a word of the
    carrier's name (case-insensitive: "UPS" matches "UPS Ground"). It fills
    BigCommerce's ``shipping_provider`` or ``tracking_carrier``, or a custom
    ``tracking_link`` built from a URL pattern.
    """

    _name = "bigcommerce.carrier.mapping"
    _description = "BigCommerce carrier mapping"
    _order = "instance_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Odoo Carrier",
        check_company=True,
        help="Empty: the carrier name below decides.",
    )
    carrier_name = fields.Char(
        help="Matches Odoo carriers whose name contains this word "
        "(case-insensitive), when no row names the carrier itself."
    )
    shipping_provider = fields.Char(
        help="BigCommerce shipping provider: auspost, canadapost, endicia, usps, "
        "fedex, royalmail, ups, upsready, upsonline, shipperhq or carrier_<id>."
    )
    tracking_carrier = fields.Char(
        help="AfterShip courier slug (ups, usps, fedex, dhl, dpd...); "
        "BigCommerce builds the tracking link from it."
    )
    tracking_link = fields.Char(
        string="Tracking Link Pattern",
        help="Custom tracking URL; {tracking} is replaced by the tracking "
        "number. Used instead of the provider and carrier.",
    )

    @api.constrains("carrier_id", "carrier_name", "shipping_provider")
    def _check_mapping(self):
        for mapping in self:
            if not mapping.carrier_id and not (mapping.carrier_name or "").strip():
                raise ValidationError(
                    self.env._("Choose the Odoo carrier or enter a carrier name.")
                )
            provider = mapping.shipping_provider or ""
            if provider and not (
                provider in SHIPPING_PROVIDERS or provider.startswith("carrier_")
            ):
                raise ValidationError(
                    self.env._("BigCommerce has no shipping provider %s.", provider)
                )

    @api.model
    def _ensure_defaults(self, instances):
        """UPS, USPS, FedEx and DHL for a store that has no mapping yet."""
        for instance in instances:
            if instance.carrier_mapping_ids:
                continue
            self.create(
                [
                    {
                        "instance_id": instance.id,
                        "sequence": 100,
                        "carrier_name": name,
                        "tracking_carrier": slug,
                    }
                    for name, slug in DEFAULT_CARRIERS
                ]
            )

    def _shipment_values(self, tracking_number):
        """The carrier fields of ``orderShipment_Post`` for this row."""
        self.ensure_one()
        if self.tracking_link:
            return {
                "tracking_link": self.tracking_link.replace(
                    "{tracking}", tracking_number or ""
                )
            }
        values = {}
        if self.shipping_provider:
            values["shipping_provider"] = self.shipping_provider
        if self.tracking_carrier:
            values["tracking_carrier"] = self.tracking_carrier
        return values
