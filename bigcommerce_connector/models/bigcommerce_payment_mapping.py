from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class BigcommercePaymentMapping(models.Model):
    """What Odoo does with an order paid by one BigCommerce payment method.

    Rows are matched on the order's ``payment_method`` (and, when set, its
    ``payment_status``); the instance's default row takes every method that
    has no row of its own. A method seen for the first time gets its own row,
    copied from the default, so that an admin can fill it in.
    """

    _name = "bigcommerce.payment.mapping"
    _description = "BigCommerce payment mapping"
    _order = "instance_id, is_default desc, sequence, payment_method, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    is_default = fields.Boolean(
        string="Default",
        default=False,
        readonly=True,
        help="Used for every payment method that has no row of its own.",
    )
    payment_method = fields.Char(
        help="BigCommerce's payment method as the order shows it, e.g. "
        "“Credit Card”, “Cash”, “Test Payment Gateway”.",
    )
    payment_status = fields.Char(
        help="Only orders with this BigCommerce payment status (e.g. "
        "“captured”); empty for any status.",
    )
    confirm_order = fields.Boolean(default=True)
    create_invoice = fields.Boolean(default=True)
    post_invoice = fields.Boolean(
        default=True,
        help="Post the invoice when its totals equal BigCommerce's; an "
        "invoice that differs is always left in draft for review.",
    )
    register_payment = fields.Boolean(
        help="Register the payment on the journal below (gift certificates "
        "and store credit on the journals of the instance).",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        string="Clearing Account",
        check_company=True,
        domain="[('reconcile', '=', True), ('account_type', '=', 'asset_current')]",
        help="Outstanding receipts account of this gateway: its payments (and "
        "refund payments) are posted here instead of the journal's, and the "
        "gateway's payouts clear it in the bank reconciliation. Empty: the "
        "journal's payment method account.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of these orders instead of the one of their currency.",
    )
    needs_setup = fields.Boolean(
        string="To Review",
        help="Added automatically when BigCommerce first used this method; it "
        "works like the default row until you change it.",
    )

    _method_status_uniq = models.UniqueIndex(
        "(instance_id, lower(COALESCE(payment_method, '')),"
        " lower(COALESCE(payment_status, ''))) WHERE is_default IS NOT TRUE",
        "This payment method (and status) already has a mapping for this store.",
    )
    _one_default = models.UniqueIndex(
        "(instance_id) WHERE is_default",
        "A store has exactly one default payment mapping.",
    )

    @api.depends("payment_method", "payment_status", "is_default")
    def _compute_display_name(self):
        for mapping in self:
            if mapping.is_default:
                mapping.display_name = self.env._("Any other payment method")
            elif mapping.payment_status:
                mapping.display_name = (
                    f"{mapping.payment_method} ({mapping.payment_status})"
                )
            else:
                mapping.display_name = mapping.payment_method or ""

    @api.constrains(
        "confirm_order",
        "create_invoice",
        "post_invoice",
        "register_payment",
        "journal_id",
        "payment_method",
        "is_default",
    )
    def _check_workflow(self):
        for mapping in self:
            if not mapping.is_default and not (mapping.payment_method or "").strip():
                raise ValidationError(self.env._("Enter the payment method."))
            if mapping.create_invoice and not mapping.confirm_order:
                raise ValidationError(
                    self.env._("An invoice can only be created for a confirmed order.")
                )
            if mapping.post_invoice and not mapping.create_invoice:
                raise ValidationError(
                    self.env._("Only a created invoice can be posted.")
                )
            if mapping.register_payment and not (
                mapping.post_invoice and mapping.journal_id
            ):
                raise ValidationError(
                    self.env._(
                        "Registering the payment needs a posted invoice and a "
                        "payment journal (%s).",
                        mapping.display_name,
                    )
                )

    def write(self, vals):
        if "needs_setup" not in vals and set(vals) - {"sequence"}:
            vals = {**vals, "needs_setup": False}
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default(self):
        if any(mapping.is_default for mapping in self):
            raise UserError(
                self.env._("The default payment mapping of a store cannot be deleted.")
            )

    @api.model
    def _ensure_default(self, instances):
        """Give every instance its default row (at creation and Confirm)."""
        have = set(
            self.search(
                [("instance_id", "in", instances.ids), ("is_default", "=", True)]
            ).instance_id.ids
        )
        missing = instances.filtered(lambda instance: instance.id not in have)
        if missing:
            self.create(
                [
                    {"instance_id": instance.id, "is_default": True}
                    for instance in missing
                ]
            )

    @api.model
    def _for_order(self, instance, payment_method, payment_status):
        """The row that applies; a method seen for the first time gets one."""
        method = (payment_method or "").strip()
        status = (payment_status or "").strip()
        rows = self.search([("instance_id", "=", instance.id)])
        default = rows.filtered("is_default")[:1]
        if not default:
            self.sudo()._ensure_default(instance)
            default = self.search(
                [("instance_id", "=", instance.id), ("is_default", "=", True)]
            )
        if not method:
            return default
        by_key = {
            (row.payment_method.lower(), (row.payment_status or "").lower()): row
            for row in rows
            if not row.is_default
        }
        found = by_key.get((method.lower(), status.lower())) or by_key.get(
            (method.lower(), "")
        )
        if found:
            return found
        return self._add_seen_method(instance, method, default)

    def _add_seen_method(self, instance, method, default):
        # ON CONFLICT: concurrent order jobs may meet a new method together.
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO bigcommerce_payment_mapping
                (instance_id, company_id, sequence, is_default, payment_method,
                 confirm_order, create_invoice, post_invoice, register_payment,
                 journal_id, pricelist_id, currency_id, needs_setup,
                 create_uid, create_date, write_uid, write_date)
            VALUES (%(instance)s, %(company)s, 10, FALSE, %(method)s,
                    %(confirm)s, %(invoice)s, %(post)s, %(pay)s,
                    %(journal)s, %(pricelist)s, %(currency)s, TRUE,
                    %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                    NOW() AT TIME ZONE 'UTC')
            ON CONFLICT DO NOTHING
            """,
            {
                "instance": instance.id,
                "company": instance.company_id.id,
                "method": method,
                "confirm": default.confirm_order if default else True,
                "invoice": default.create_invoice if default else True,
                "post": default.post_invoice if default else True,
                "pay": default.register_payment if default else False,
                "journal": default.journal_id.id or None,
                "pricelist": default.pricelist_id.id or None,
                "currency": default.currency_id.id or None,
                "uid": self.env.uid,
            },
        )
        self.env.cr.execute(
            """
            SELECT id FROM bigcommerce_payment_mapping
             WHERE instance_id = %s AND is_default IS NOT TRUE
               AND lower(payment_method) = lower(%s)
               AND COALESCE(payment_status, '') = ''
            """,
            [instance.id, method],
        )
        row = self.env.cr.fetchone()
        instance.invalidate_recordset(["payment_mapping_ids"])
        return self.browse(row[0]) if row else default
