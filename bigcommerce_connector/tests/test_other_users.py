"""Users outside the BigCommerce groups see Odoo as if the addon were not
installed: no error, no BigCommerce field, page or filter, on the records
the connector made (an imported order, its delivery, invoice and customer)."""

from odoo import Command
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import html2plaintext

from bigcommerce_sandbox import seed

from .common import run_jobs, start_sandbox

SALESPERSON = "sales_team.group_sale_salesman_all_leads"
WAREHOUSE = "stock.group_stock_user"
ACCOUNTANT = "account.group_account_invoice"
# The brand and the gallery of a product are product data, read by every
# internal user (like its category), BigCommerce groups or not.
# Deliberately shown to users outside the BigCommerce groups: product data
# (like a category), and the hold on a delivery, which the warehouse must
# see because validation is refused while it lasts (plain fields of
# stock.picking: they read no BigCommerce model).
SHOWN_TO_EVERYONE = {
    "bigcommerce_brand_id",
    "bigcommerce_image_ids",
    "bigcommerce_hold",
    "bigcommerce_hold_reason",
}


def import_one_order(case, **options):
    """Confirm the sandbox instance of ``case``, import one new order
    (quietly: no webhook callback); return its ``bigcommerce.order``."""
    env = case.env
    env["product.product"].create(
        [
            {
                "name": sku,
                "default_code": sku,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
            for sku in ("TOTE-CNV", "BTL-INS")
        ]
    )
    order = seed.create_order(case.sandbox.state, lines=[("TOTE-CNV", 1)], **options)
    case.instance.with_context(queue_job__no_delay=True).import_orders(
        order_ids=[order["id"]]
    )
    return env["bigcommerce.order"].search(
        [("instance_id", "=", case.instance.id), ("bigcommerce_id", "=", order["id"])]
    )


@tagged("post_install", "-at_install")
class TestUsersWithoutBigcommerceRights(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = start_sandbox(cls, name="Other users store")
        cls.instance.action_confirm()
        run_jobs(cls.env)
        cls.record = import_one_order(cls)
        cls.sale = cls.record.sale_order_id
        cls.salesperson = new_test_user(
            cls.env, login="bc_salesperson", groups=f"base.group_user,{SALESPERSON}"
        )
        cls.warehouse = new_test_user(
            cls.env, login="bc_warehouse", groups=f"base.group_user,{WAREHOUSE}"
        )
        cls.accountant = new_test_user(
            cls.env, login="bc_accountant", groups=f"base.group_user,{ACCOUNTANT}"
        )
        cls.portal = new_test_user(
            cls.env,
            login="bc_portal",
            groups="base.group_portal",
            partner_id=cls.sale.partner_id.id,
        )

    def assert_no_bigcommerce_field(self, model, user):
        names = set(self.env[model].with_user(user).fields_get(attributes=["type"]))
        self.assertFalse(
            {name for name in names if name.startswith("bigcommerce_")}
            - SHOWN_TO_EVERYONE,
            f"{model} fields shown to {user.login}",
        )

    def test_a_salesperson_opens_and_edits_a_bigcommerce_order(self):
        self.assertTrue(self.sale.bigcommerce_order_record_id)
        sale = self.sale.with_user(self.salesperson)
        views = sale.get_views([(False, "form"), (False, "search")])
        self.assertNotIn('name="bigcommerce"', views["views"]["form"]["arch"])
        self.assertNotIn("from_bigcommerce", views["views"]["search"]["arch"])
        self.assert_no_bigcommerce_field("sale.order", self.salesperson)
        self.assert_no_bigcommerce_field("sale.order.line", self.salesperson)
        self.assert_no_bigcommerce_field("res.partner", self.salesperson)
        self.assert_no_bigcommerce_field("product.product", self.salesperson)
        with Form(sale) as form:
            form.note = "Call before delivery"
        # Odoo's HTML field wraps the text in a tag of its choosing (<p> or
        # <span>, depending on the 19.0 revision): compare the text.
        self.assertEqual(html2plaintext(self.sale.note), "Call before delivery")
        # A new order, the way Odoo's own tests make one.
        with Form(self.env["sale.order"].with_user(self.salesperson)) as form:
            form.partner_id = self.sale.partner_id
            with form.order_line.new() as line:
                line.product_id = self.sale.order_line.product_id[:1]
        form.record.action_confirm()
        # Cancelling tells BigCommerce, through a job of the superuser's.
        sale.action_cancel()
        self.assertEqual(self.sale.state, "cancel")

    def test_a_bigcommerce_user_still_sees_the_page(self):
        user = new_test_user(
            self.env,
            login="bc_page_user",
            groups=f"base.group_user,{SALESPERSON},"
            "bigcommerce_connector.group_bigcommerce_user",
        )
        sale = self.sale.with_user(user)
        arch = sale.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="bigcommerce"', arch)
        form = Form(sale)
        self.assertEqual(form.bigcommerce_id, self.record.bigcommerce_id)

    def test_a_warehouse_user_opens_and_validates_the_delivery(self):
        picking = self.sale.picking_ids.with_user(self.warehouse)
        self.assert_no_bigcommerce_field("stock.picking", self.warehouse)
        self.assert_no_bigcommerce_field("product.product", self.warehouse)
        arch = picking.get_views([(False, "form")])["views"]["form"]["arch"]
        for shown in SHOWN_TO_EVERYONE:
            arch = arch.replace(f'name="{shown}"', "").replace(shown, "")
        self.assertNotIn("bigcommerce", arch)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_an_accountant_opens_and_pays_the_invoice(self):
        invoice = self.record.invoice_id.with_user(self.accountant)
        self.assertEqual(invoice.state, "posted")
        with Form(invoice):
            pass
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", invoice.company_id.id)],
            limit=1,
        )
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": journal.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_the_customer_opens_the_order_on_the_portal(self):
        self.authenticate(self.portal.login, self.portal.login)
        response = self.url_open(f"/my/orders/{self.sale.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        picking = self.sale.picking_ids[:1]
        response = self.url_open(f"/my/picking/pdf/{picking.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
