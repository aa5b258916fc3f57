from odoo import api, fields, models
from odoo.exceptions import UserError


class BigcommerceShippingMethod(models.Model):
    """What Odoo does with the shipping of one BigCommerce shipping method:
    the product its shipping line is booked on (so shipping revenue splits
    by method) and the Odoo carrier of the sale order (so the delivery is
    pre-filled). Like payment mappings: matched on the shipping address's
    ``shipping_method``; the default row takes a method with no row of its
    own; a method seen for the first time gets its own row, copied from the
    default, to fill in.

    Not to be confused with ``bigcommerce.carrier.mapping``, the other way
    round: how an Odoo carrier is named in a shipment sent to BigCommerce.
    """

    _name = "bigcommerce.shipping.method"
    _description = "BigCommerce shipping method"
    _order = "instance_id, is_default desc, sequence, shipping_method, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    is_default = fields.Boolean(
        string="Default",
        readonly=True,
        help="Used for every shipping method that has no row of its own.",
    )
    shipping_method = fields.Char(
        help="BigCommerce's shipping method as the order shows it, e.g. "
        "“Flat Rate”, “UPS Ground”.",
    )
    carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Odoo Carrier",
        check_company=True,
        help="Carrier of the sale order (and so of its delivery); empty: none.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Shipping Product",
        check_company=True,
        help="Product of the shipping line; empty: the store's Shipping product.",
    )
    needs_setup = fields.Boolean(
        string="To Review",
        help="Added automatically when BigCommerce first used this method; it "
        "works like the default row until you change it.",
    )

    _method_uniq = models.UniqueIndex(
        "(instance_id, lower(COALESCE(shipping_method, '')))"
        " WHERE is_default IS NOT TRUE",
        "This shipping method already has a row for this store.",
    )
    _one_default = models.UniqueIndex(
        "(instance_id) WHERE is_default",
        "A store has exactly one default shipping method row.",
    )

    @api.depends("shipping_method", "is_default")
    def _compute_display_name(self):
        for row in self:
            row.display_name = (
                self.env._("Any other shipping method")
                if row.is_default
                else row.shipping_method or ""
            )

    def write(self, vals):
        if "needs_setup" not in vals and set(vals) - {"sequence"}:
            vals = {**vals, "needs_setup": False}
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default(self):
        if any(row.is_default for row in self):
            raise UserError(
                self.env._(
                    "The default shipping method row of a store cannot be deleted."
                )
            )

    @api.model
    def _for_method(self, instance, shipping_method):
        """The row that applies; a method seen for the first time gets one."""
        rows = self.search([("instance_id", "=", instance.id)])
        default = rows.filtered("is_default")[:1]
        if not default:
            self.sudo()._add_row(instance, None, self.browse())
            default = self.search(
                [("instance_id", "=", instance.id), ("is_default", "=", True)]
            )
        method = (shipping_method or "").strip()
        if not method:
            return default
        for row in rows:
            if not row.is_default and row.shipping_method.lower() == method.lower():
                return row
        return self._add_row(instance, method, default) or default

    def _add_row(self, instance, method, default):
        # ON CONFLICT: concurrent order jobs may meet a new method together.
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO bigcommerce_shipping_method
                (instance_id, company_id, sequence, is_default, shipping_method,
                 carrier_id, product_id, needs_setup,
                 create_uid, create_date, write_uid, write_date)
            VALUES (%(instance)s, %(company)s, 10, %(default)s, %(method)s,
                    %(carrier)s, %(product)s, %(setup)s,
                    %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                    NOW() AT TIME ZONE 'UTC')
            ON CONFLICT DO NOTHING
            """,
            {
                "instance": instance.id,
                "company": instance.company_id.id,
                "default": method is None,
                "method": method,
                "carrier": default.carrier_id.id or None,
                "product": default.product_id.id or None,
                "setup": method is not None,
                "uid": self.env.uid,
            },
        )
        self.env.cr.execute(
            """
            SELECT id FROM bigcommerce_shipping_method
             WHERE instance_id = %s AND is_default IS NOT TRUE
               AND lower(shipping_method) = lower(%s)
            """,
            [instance.id, method or ""],
        )
        row = self.env.cr.fetchone()
        instance.invalidate_recordset(["shipping_method_ids"])
        return self.browse(row[0]) if row else self.browse()


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    shipping_method_ids = fields.One2many(
        "bigcommerce.shipping.method", "instance_id", string="Shipping Methods"
    )
