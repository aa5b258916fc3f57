"""Issue 27: what sales see of an imported order.

The day the customer ordered (not the minute of the import), no salesperson
but the one the store's settings name, and BigCommerce's order number where
people look for it.
"""

import json
from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from ..client.parsing import parse_datetime
from .test_refund_import import RefundImportCase

DAY = 24 * 3600
LEAD_DAYS = 3


def ordered_at(order):
    """BigCommerce's ``date_created`` as Odoo stores a datetime (naive UTC)."""
    return parse_datetime(order["date_created"]).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestWhatSalesSee(RefundImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product, variant = next(
            (cls.sandbox.state.products[product_id], variant)
            for product_id in sorted(cls.sandbox.state.variants)
            for variant in cls.sandbox.state.variants[product_id]
            if cls.sandbox.state.products[product_id]["type"] == "physical"
        )
        cls.sku = variant["sku"]
        # A customer lead time: the expected delivery date is the order date
        # plus it, as Odoo computes it.
        cls.env["product.product"].search(
            [("default_code", "=", cls.sku)]
        ).sale_delay = LEAD_DAYS
        cls.admin = cls.env.ref("base.user_admin")

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def orders_created_days_ago(self, days, count=1):
        """``count`` orders BigCommerce received ``days`` ago, a minute apart.

        Each test uses its own ``days``: the sandbox store outlives a test,
        and a date window must only meet the orders of its own test.
        """
        self.sandbox.advance_clock(-days * DAY)
        try:
            orders = []
            for _order in range(count):
                orders.append(
                    self.sandbox.create_order(status_id=11, lines=[(self.sku, 2)])
                )
                self.sandbox.advance_clock(60)
        finally:
            self.sandbox.advance_clock(days * DAY)
        return orders

    def import_window(self, orders):
        """The batch path: the orders modified between the first and the
        last of ``orders``; returns how many times sale orders were created."""
        sale_order_class = type(self.env["sale.order"])
        with patch.object(
            sale_order_class,
            "create",
            autospec=True,
            side_effect=sale_order_class.create,
        ) as create:
            self.instance.with_context(queue_job__no_delay=True)._job_import_orders(
                date_from=parse_datetime(orders[0]["date_modified"]).replace(
                    tzinfo=None
                ),
                date_to=parse_datetime(orders[-1]["date_modified"]).replace(
                    tzinfo=None
                ),
            )
        return create.call_count

    def record(self, order):
        return self.records().filtered(lambda r: r.bigcommerce_id == order["id"])

    def assertOrderedOn(self, order):
        """The sale order is dated when the customer ordered, confirmed; its
        expected delivery and its delivery follow from that date."""
        record = self.record(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual(sale_order.date_order, ordered_at(order))
        expected = ordered_at(order) + timedelta(days=LEAD_DAYS)
        self.assertEqual(sale_order.expected_date, expected)
        self.assertEqual(sale_order.picking_ids.date_deadline, expected)
        self.assertEqual(record.invoice_id.invoice_date, ordered_at(order).date())
        return sale_order

    # ------------------------------------------------------------
    # 1. Order date
    # ------------------------------------------------------------

    def test_batch_keeps_the_day_each_customer_ordered(self):
        orders = self.orders_created_days_ago(120) + self.orders_created_days_ago(90)
        # One page, created as one batch (importers/order_batch.py).
        self.assertEqual(self.import_window(orders), 1)
        first, second = (self.assertOrderedOn(order) for order in orders)
        apart = second.date_order - first.date_order
        self.assertEqual(round(apart.total_seconds() / DAY), 30)

    def test_orders_created_one_at_a_time_keep_their_day(self):
        """A bad order fails the batch: the others, created one at a time,
        are dated like the batch would have dated them."""
        orders = self.orders_created_days_ago(200, count=3)
        self.sandbox.state.orders[orders[1]["id"]]["total_inc_tax"] = "not a number"
        with mute_logger("odoo.addons.bigcommerce_connector.importers.order_batch"):
            # The batch, then the three orders one at a time.
            self.assertEqual(self.import_window(orders), 4)
        self.assertEqual(self.record(orders[1]).state, "failed")
        self.assertOrderedOn(orders[0])
        self.assertOrderedOn(orders[2])

    def test_order_imported_by_id_keeps_its_day(self):
        (order,) = self.orders_created_days_ago(150)
        self.import_orders(order_ids=[order["id"]])
        self.assertOrderedOn(order)

    def test_a_quotation_confirmed_later_keeps_its_day(self):
        """A payment mapping that leaves the order a quotation: confirming it
        in Odoo later does not move its date, even with other quotations."""
        (order,) = self.orders_created_days_ago(170)
        Mappings = self.env["bigcommerce.payment.mapping"]
        Mappings._for_order(self.instance, "", "")  # the default row
        Mappings.search([("instance_id", "=", self.instance.id)]).write(
            {
                "confirm_order": False,
                "create_invoice": False,
                "post_invoice": False,
                "register_payment": False,
            }
        )
        self.import_orders(order_ids=[order["id"]])
        sale_order = self.record(order).sale_order_id
        self.assertEqual(sale_order.state, "draft")
        other = sale_order.copy({"bigcommerce_order_record_id": False})
        (sale_order | other).action_confirm()
        self.assertEqual(sale_order.date_order, ordered_at(order))
        self.assertGreater(other.date_order, ordered_at(order) + timedelta(days=100))

    # ------------------------------------------------------------
    # 2. Salesperson and Sales Team
    # ------------------------------------------------------------

    def test_without_settings_the_order_has_no_salesperson(self):
        (order,) = self.orders_created_days_ago(10)
        self.assertFalse(self.instance.user_id or self.instance.team_id)
        # Run by a salesman who administers the store (the job's user).
        self.assertTrue(self.admin.has_group("sales_team.group_sale_salesman"))
        self.instance.with_user(self.admin).with_context(
            queue_job__no_delay=True
        ).import_orders(order_ids=[order["id"]])
        record = self.record(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertFalse(record.sale_order_id.user_id)
        self.assertFalse(record.sale_order_id.team_id)
        self.assertFalse(record.invoice_id.invoice_user_id)
        self.assertFalse(record.invoice_id.team_id)

    def test_credit_notes_have_no_salesperson_either(self):
        (order,) = self.orders_created_days_ago(40)
        self.import_orders(order_ids=[order["id"]])
        refund = self.sandbox.add_refund(order["id"], kind="full")
        self.import_refunds(refund_ids=[refund["id"]])
        credit_note = self.refund_record(refund["id"]).credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertFalse(credit_note.invoice_user_id)

    def test_the_settings_name_salesperson_and_team(self):
        salesman = new_test_user(
            self.env, login="web_sales", groups="sales_team.group_sale_salesman"
        )
        web_team = self.env["crm.team"].create({"name": "Web Shop"})
        his_team = self.env["crm.team"].create(
            {"name": "Key Accounts", "member_ids": [salesman.id]}
        )
        self.assertEqual(
            self.instance._fields["user_id"].string, "Salesperson", "the setting"
        )
        self.assertEqual(self.instance._fields["team_id"].string, "Sales Team")
        self.instance.write({"user_id": salesman.id, "team_id": web_team.id})
        first, second = self.orders_created_days_ago(20, count=2)
        self.instance.with_user(self.admin).with_context(
            queue_job__no_delay=True
        ).import_orders(order_ids=[first["id"]])
        record = self.record(first)
        self.assertEqual(record.sale_order_id.user_id, salesman)
        self.assertEqual(record.sale_order_id.team_id, web_team)
        self.assertEqual(record.invoice_id.invoice_user_id, salesman)
        self.assertEqual(record.invoice_id.team_id, web_team)
        # No Sales Team set: Odoo's team of the salesperson.
        self.instance.team_id = False
        self.import_orders(order_ids=[second["id"]])
        self.assertEqual(self.record(second).sale_order_id.user_id, salesman)
        self.assertEqual(self.record(second).sale_order_id.team_id, his_team)

    # ------------------------------------------------------------
    # 3. BigCommerce's order number where people look for it
    # ------------------------------------------------------------

    def search_bar(self, action_xmlid, text):
        """What a list's search bar finds for ``text`` typed and Enter: the
        first field of the action's search view, with its filter domain."""
        action = self.env.ref(action_xmlid)
        model = self.env[action.res_model]
        arch = model.get_view(action.search_view_id.id, "search")["arch"]
        field = etree.fromstring(arch).xpath("//field")[0]
        domain = safe_eval(field.get("filter_domain"), {"self": text})
        return model.search(domain)

    def test_the_order_number_finds_the_sale_order_and_invoice(self):
        # Odoo's sequence names the order: only the references carry it.
        self.instance.use_bigcommerce_order_number = False
        (order,) = self.orders_created_days_ago(30)
        self.import_orders(order_ids=[order["id"]])
        record = self.record(order)
        sale_order, invoice = record.sale_order_id, record.invoice_id
        number = str(order["id"])
        self.assertNotIn(number, sale_order.name)
        self.assertEqual(sale_order.client_order_ref, number)
        self.assertEqual(invoice.ref, number)
        self.assertNotIn(number, invoice.invoice_origin)
        self.assertIn(sale_order, self.search_bar("sale.action_orders", number))
        self.assertIn(
            invoice, self.search_bar("account.action_move_out_invoice_type", number)
        )
        # Many2one lookups of invoices (e.g. a payment's) find it too.
        found = self.env["account.move"].name_search(number, limit=None)
        self.assertIn(invoice.id, [move_id for move_id, _name in found])

    # ------------------------------------------------------------
    # 4. Dashboard
    # ------------------------------------------------------------

    def test_dashboard_counts_orders_on_the_day_customers_ordered(self):
        (order,) = self.orders_created_days_ago(3)
        self.import_orders(order_ids=[order["id"]])
        self.instance.invalidate_recordset(["dashboard_orders_graph"])
        (series,) = json.loads(self.instance.dashboard_orders_graph)
        counts = {value["label"]: value["value"] for value in series["values"]}
        self.assertEqual(counts[ordered_at(order).strftime("%d %b")], 1)
        self.assertEqual(sum(counts.values()), 1)
        self.assertIn("ordered", series["key"])
