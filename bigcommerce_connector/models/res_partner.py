from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bigcommerce_customer_ids = fields.One2many(
        "bigcommerce.customer",
        "partner_id",
        string="BigCommerce Customers",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_instance_id = fields.Many2one(
        "bigcommerce.instance",
        string="BigCommerce Store",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="Store whose customer, customer address, guest checkout or order "
        "address created this contact.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_address_id = fields.Integer(
        string="BigCommerce Address ID",
        readonly=True,
        copy=False,
        help="Id of the customer address this delivery contact mirrors.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_guest = fields.Boolean(
        string="BigCommerce Guest",
        readonly=True,
        copy=False,
        help="Created for guest checkouts: later guest orders with the same "
        "e-mail and address reuse it.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    bigcommerce_guest_key = fields.Char(
        readonly=True,
        copy=False,
        help="E-mail and address of the guest checkout that created this "
        "partner: one partner per guest and store.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    # One contact per BigCommerce customer address and store.
    _bigcommerce_address_uniq = models.UniqueIndex(
        "(bigcommerce_instance_id, bigcommerce_address_id) "
        "WHERE bigcommerce_address_id IS NOT NULL AND bigcommerce_address_id != 0",
        "This BigCommerce address already has a contact for this store.",
    )
    _bigcommerce_guest_uniq = models.UniqueIndex(
        "(bigcommerce_instance_id, bigcommerce_guest_key) "
        "WHERE bigcommerce_guest_key IS NOT NULL",
        "This guest already has a partner for this store.",
    )
