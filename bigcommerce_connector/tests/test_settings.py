"""Issue 14: each instance setting changes what the connector does, on and off."""

from datetime import timedelta

import psycopg2

from odoo import Command, fields
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged
from odoo.tools import float_compare, mute_logger

from ..client.parsing import parse_money
from .common import ConcurrentJobsCase, run_jobs
from .test_order_workflow import WorkflowCase

NON_TAXABLE_CLASS = 1
DAY = 24 * 3600


def _moment(sandbox, seconds=0):
    """The sandbox's "now" (plus ``seconds``) as an Odoo datetime string."""
    moment = sandbox.state.clock.now() + timedelta(seconds=seconds)
    return fields.Datetime.to_string(moment.replace(tzinfo=None))


class SettingsCase(WorkflowCase):
    def assert_money(self, actual, expected):
        self.assertEqual(
            float_compare(actual, float(expected), precision_digits=2),
            0,
            f"{actual} != {expected}",
        )

    def refundable_orders(self):
        return [
            order
            for order in self.eligible_orders()
            if order["status_id"] in (2, 10, 11)
            and not parse_money(order.get("refunded_amount"))
        ]

    def last_log(self, operation):
        # Searched: logs are written on their own cursor (the instance's
        # log_ids in the cache would not show the new ones).
        return self.env["bigcommerce.log"].search(
            [("instance_id", "=", self.instance.id), ("operation", "=", operation)],
            limit=1,
        )


@tagged("post_install", "-at_install")
class TestPricelistLevels(SettingsCase):
    def store_pricelist(self, code):
        return self.env["product.pricelist"].search(
            [
                ("bigcommerce_instance_id", "=", self.instance.id),
                ("currency_id.name", "=", code),
            ]
        )

    def test_confirm_creates_one_pricelist_per_store_currency_once(self):
        codes = set(self.instance.currency_ids.mapped("name"))
        self.assertIn("EUR", codes)
        for code in codes:
            self.assertEqual(len(self.store_pricelist(code)), 1, code)
        self.instance.action_confirm()  # again: nothing new
        for code in codes:
            self.assertEqual(len(self.store_pricelist(code)), 1, code)

    def test_the_first_order_of_a_currency_uses_the_pricelist_confirm_made(self):
        eur = self.store_pricelist("EUR")
        count = self.env["product.pricelist"].search_count([])
        order = self.sandbox.create_order(status_id=11, currency_code="EUR")
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.record_of(order).sale_order_id.pricelist_id, eur)
        self.assertEqual(self.env["product.pricelist"].search_count([]), count)

    def test_explicit_pricelist_beats_the_currency_override(self):
        special = self.env["product.pricelist"].create(
            {"name": "Stripe EUR", "currency_id": self.env.ref("base.EUR").id}
        )
        stripe = self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Stripe",
                "currency_id": self.env.ref("base.EUR").id,
            }
        )
        order = self.sandbox.create_order(
            status_id=11, currency_code="EUR", payment_method="Stripe"
        )
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(
            self.record_of(order).sale_order_id.pricelist_id,
            self.store_pricelist("EUR"),
        )
        stripe.pricelist_id = special
        second = self.sandbox.create_order(
            status_id=11, currency_code="EUR", payment_method="Stripe"
        )
        self.import_orders(order_ids=[second["id"]])
        self.assertEqual(self.record_of(second).sale_order_id.pricelist_id, special)

    def test_currency_override_of_another_currency_falls_through_and_says_so(self):
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Stripe",
                "currency_id": self.env.ref("base.EUR").id,
            }
        )
        order = self.sandbox.create_order(
            status_id=11, currency_code="USD", payment_method="Stripe"
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        # BigCommerce's amounts are dollars: booked in dollars, not euros.
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.currency_id.name, "USD")
        self.assertEqual(sale_order.pricelist_id, self.store_pricelist("USD"))
        self.assertIn(
            "currency override EUR", " ".join(sale_order.message_ids.mapped("body"))
        )
        # Off: no override, nothing to say.
        plain = self.sandbox.create_order(status_id=11, currency_code="USD")
        self.import_orders(order_ids=[plain["id"]])
        self.assertNotIn(
            "currency override",
            " ".join(self.record_of(plain).sale_order_id.message_ids.mapped("body")),
        )

    def test_archived_store_pricelist_falls_back_to_the_customers(self):
        vip = self.env["product.pricelist"].create(
            {"name": "VIP EUR", "currency_id": self.env.ref("base.EUR").id}
        )
        order = self.sandbox.create_order(status_id=11, currency_code="EUR")
        customer = self.instance._bigcommerce_customer_partner(
            order["customer_id"], self.instance._get_client()
        )
        customer.property_product_pricelist = vip
        # On: the store's EUR pricelist prices the order.
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(
            self.record_of(order).sale_order_id.pricelist_id,
            self.store_pricelist("EUR"),
        )
        # Archived by the admin: the customer's pricelist, not a failure
        # and not a new store pricelist.
        self.store_pricelist("EUR").active = False
        second = self.sandbox.create_order(
            status_id=11, currency_code="EUR", customer_id=order["customer_id"]
        )
        self.import_orders(order_ids=[second["id"]])
        record = self.record_of(second)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.sale_order_id.pricelist_id, vip)

    def test_explicit_pricelist_in_another_currency_no_longer_fails(self):
        usd = self.env["product.pricelist"].create(
            {"name": "Web USD", "currency_id": self.env.ref("base.USD").id}
        )
        self.default_mapping.pricelist_id = usd
        order = self.sandbox.create_order(status_id=11, currency_code="EUR")
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.sale_order_id.pricelist_id, self.store_pricelist("EUR"))

    # Issue 26: the customer group's and the channel's levels.

    WHOLESALE_CUSTOMER = 26  # in the sandbox's group "Wholesale" (rules)

    def group_pricelist(self):
        group = self.env["bigcommerce.customer.group"].search(
            [("instance_id", "=", self.instance.id), ("bigcommerce_id", "=", 2)]
        )
        self.assertTrue(group.pricelist_id, "the Wholesale group has no pricelist")
        return group.pricelist_id

    def channel(self, bigcommerce_id):
        return self.instance.channel_ids.filtered(
            lambda c: c.bigcommerce_id == bigcommerce_id
        )

    def usd_pricelist(self, name):
        return self.env["product.pricelist"].create(
            {"name": name, "currency_id": self.env.ref("base.USD").id}
        )

    def test_group_pricelist_beats_the_channel_and_the_currency(self):
        self.channel(1).pricelist_id = self.usd_pricelist("Web channel")
        order = self.sandbox.create_order(
            status_id=11, customer_id=self.WHOLESALE_CUSTOMER, channel_id=1
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.sale_order_id.pricelist_id, self.group_pricelist())

    def test_channel_pricelist_beats_the_currency(self):
        web = self.usd_pricelist("Web channel")
        self.channel(1).pricelist_id = web
        order = self.sandbox.create_order(status_id=11, guest=True, channel_id=1)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.record_of(order).sale_order_id.pricelist_id, web)
        # Another channel, not mapped: the store's pricelist of the currency.
        pop = self.sandbox.create_order(status_id=11, guest=True, channel_id=2)
        self.import_orders(order_ids=[pop["id"]])
        self.assertEqual(
            self.record_of(pop).sale_order_id.pricelist_id, self.store_pricelist("USD")
        )

    def test_payment_mapping_beats_the_customer_group(self):
        special = self.usd_pricelist("Mapped")
        self.default_mapping.pricelist_id = special
        order = self.sandbox.create_order(
            status_id=11, customer_id=self.WHOLESALE_CUSTOMER
        )
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.record_of(order).sale_order_id.pricelist_id, special)
        self.assertTrue(self.group_pricelist())

    def test_archived_group_pricelist_is_passed_over(self):
        order = self.sandbox.create_order(
            status_id=11, customer_id=self.WHOLESALE_CUSTOMER
        )
        self.import_orders(order_ids=[order["id"]])
        group_pricelist = self.group_pricelist()
        self.assertEqual(
            self.record_of(order).sale_order_id.pricelist_id, group_pricelist
        )
        group_pricelist.active = False
        second = self.sandbox.create_order(
            status_id=11, customer_id=self.WHOLESALE_CUSTOMER
        )
        self.import_orders(order_ids=[second["id"]])
        self.assertEqual(
            self.record_of(second).sale_order_id.pricelist_id,
            self.store_pricelist("USD"),
        )

    def test_group_pricelist_in_another_currency_falls_through_and_says_so(self):
        self.channel(1).pricelist_id = self.usd_pricelist("Web channel")
        order = self.sandbox.create_order(
            status_id=11,
            customer_id=self.WHOLESALE_CUSTOMER,
            currency_code="EUR",
            channel_id=1,
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.pricelist_id, self.store_pricelist("EUR"))
        notes = " ".join(sale_order.message_ids.mapped("body"))
        self.assertIn("customer group Wholesale", notes)
        self.assertIn("channel", notes)


@tagged("post_install", "-at_install")
class TestStorePricelistConcurrency(ConcurrentJobsCase):
    def test_two_jobs_creating_the_pricelist_of_a_currency_make_one(self):
        instance_id = self.committed_instance(name="Pricelists")

        def job(env):
            instance = env["bigcommerce.instance"].browse(instance_id)
            env["product.pricelist"]._bigcommerce_store_pricelist(
                instance, env.ref("base.EUR")
            )

        self.run_concurrently([job, job])
        rows = self.fetch(
            "SELECT count(*) FROM product_pricelist WHERE bigcommerce_instance_id = %s"
            " AND currency_id = %s",
            [instance_id, self.env.ref("base.EUR").id],
        )
        self.assertEqual(rows[0][0], 1)


@tagged("post_install", "-at_install")
class TestCustomStorableProduct(SettingsCase):
    def test_shipped_custom_items_use_the_storable_product_when_set(self):
        storable = self.env.ref("bigcommerce_connector.product_custom_item_storable")
        consumable = self.instance.custom_product_id
        self.assertTrue(storable.is_storable)
        self.assertFalse(consumable.is_storable)
        # Off (empty): the consumable custom product.
        order = self.sandbox.create_order(status_id=11, lines=[("CUSTOM-EMB", 2)])
        self.import_orders(order_ids=[order["id"]])
        lines = self.record_of(order).sale_order_id.order_line
        self.assertIn(consumable, lines.product_id)
        self.assertNotIn(storable, lines.product_id)
        # On: the storable one, whose units leave the warehouse's stock.
        self.instance.custom_storable_product_id = storable
        order = self.sandbox.create_order(status_id=11, lines=[("CUSTOM-EMB", 2)])
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        sale_order = record.sale_order_id
        self.assertIn(storable, sale_order.order_line.product_id)
        self.assertNotIn(consumable, sale_order.order_line.product_id)
        moves = sale_order.picking_ids.move_ids.filtered(
            lambda move: move.product_id == storable
        )
        self.assertEqual(moves.product_uom_qty, 2)
        # What is not shipped keeps the consumable product.
        self.assertEqual(
            self.instance._bigcommerce_custom_product({"type": "digital"}), consumable
        )


@tagged("post_install", "-at_install")
class TestInvoicePerDelivery(SettingsCase):
    def two_line_order(self):
        skus = sorted(
            variant["sku"]
            for variants in self.sandbox.state.variants.values()
            for variant in variants
            if variant.get("sku")
        )
        return self.sandbox.create_order(
            status_id=11,
            currency_code="USD",
            tax_inclusive=False,
            lines=[(skus[0], 3), (skus[1], 1)],
        )

    def deliver(self, sale_order, quantities):
        """Validate the open delivery with ``{sku: units}``."""
        picking = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id.default_code, 0)
            move.picked = True
        picking._action_done()
        # The invoice of the delivery is made by its own job (issue 19 item 5).
        run_jobs(self.env)
        return picking

    def test_single_invoice_on_invoices_everything_at_import(self):
        order = self.two_line_order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.invoice_id.state, "posted")
        self.assert_money(
            record.invoice_id.amount_total, parse_money(order["total_inc_tax"])
        )
        self.deliver(record.sale_order_id, {})  # no new invoice on delivery
        self.assertEqual(len(record.sale_order_id.invoice_ids), 1)

    def test_single_invoice_off_invoices_each_delivery_and_ties_out(self):
        self.instance.create_single_invoice = False
        order = self.two_line_order()
        self.assertTrue(parse_money(order["total_tax"]))
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        sale_order = record.sale_order_id
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(sale_order.state, "sale")
        self.assertFalse(sale_order.invoice_ids)
        products = self.sandbox.state.order_products[order["id"]]
        first_sku, second_sku = (line["sku"] for line in products)
        by_sku = {line["sku"]: line for line in products}

        self.deliver(sale_order, {first_sku: 1})
        first = sale_order.invoice_ids
        self.assertEqual(len(first), 1)
        self.assertEqual(first.state, "posted")
        # One of three units, plus shipping: BigCommerce's share of them.
        line = by_sku[first_sku]
        shipping = parse_money(order["shipping_cost_inc_tax"])
        expected = (parse_money(line["total_inc_tax"]) / 3).quantize(
            parse_money("0.01")
        ) + shipping
        self.assert_money(first.amount_total, expected)

        self.deliver(sale_order, {first_sku: 2, second_sku: 1})
        invoices = sale_order.invoice_ids
        self.assertEqual(len(invoices), 2)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        # Together: BigCommerce's order, to the cent; the order is checked.
        self.assert_money(
            sum(invoices.mapped("amount_total")), parse_money(order["total_inc_tax"])
        )
        self.assert_money(
            sum(invoices.mapped("amount_tax")), parse_money(order["total_tax"])
        )
        self.assertEqual(record.state, "done", record.failure_reason)

    def test_a_delivery_invoice_that_differs_is_flagged_not_posted(self):
        self.instance.create_single_invoice = False
        order = self.two_line_order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        sale_order = record.sale_order_id
        # Someone edits a price after the import: the invoice of the
        # delivery no longer matches what BigCommerce charged.
        line = sale_order.order_line.filtered(
            lambda line: line.bigcommerce_line_kind == "product"
        )[:1]
        line.extra_tax_data = False
        line.price_unit += 1
        self.deliver(sale_order, {line.product_id.default_code: line.product_uom_qty})
        invoice = sale_order.invoice_ids
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(record.state, "review")
        self.assertIn("BigCommerce charged", record.failure_reason)


@tagged("post_install", "-at_install")
class TestDataSettings(SettingsCase):
    def test_default_country_for_partners_without_one(self):
        billing = {
            "first_name": "Nora",
            "last_name": "Nowhere",
            "street_1": "1 Unknown Road",
            "city": "Somewhere",
            "zip": "1000",
            "country": "",
            "country_iso2": "",
            "email": "nora@example.com",
        }
        partner = self.instance._bigcommerce_guest_partner(billing)
        self.assertFalse(partner.country_id)  # off
        self.instance.country_id = self.env.ref("base.be")
        partner = self.instance._bigcommerce_guest_partner(
            {**billing, "email": "nora2@example.com"}
        )
        self.assertEqual(partner.country_id, self.env.ref("base.be"))  # on
        known = self.instance._bigcommerce_guest_partner(
            {**billing, "email": "nora3@example.com", "country_iso2": "FR"}
        )
        self.assertEqual(known.country_id, self.env.ref("base.fr"))

    def test_records_per_job(self):
        orders = [self.sandbox.create_order(status_id=11) for _index in range(5)]
        ids = [order["id"] for order in orders]
        instance = self.instance
        # Default: one step (one job) reads and imports a whole page.
        self.assertEqual(instance.queue_batch_size, 250)
        with trap_jobs() as trap:
            instance._job_import_orders(order_ids=ids[:2])
            trap.assert_jobs_count(0)
        imported = self.records().filtered(lambda r: r.bigcommerce_id in ids)
        self.assertEqual(len(imported), 2)
        # Two records per job: the step imports two orders and queues the next.
        instance.queue_batch_size = 2
        with trap_jobs() as trap:
            instance._job_import_orders(order_ids=ids)
            trap.assert_jobs_count(1, only=instance._job_import_orders)
            self.assertEqual(trap.enqueued_jobs[0].kwargs["cursor"]["page"], 2)
            trap.perform_enqueued_jobs()  # page 2: two orders, queues page 3
            trap.assert_jobs_count(1, only=instance._job_import_orders)
            trap.perform_enqueued_jobs()  # page 3: the last order, the end
            trap.assert_jobs_count(0)
        records = self.records().filtered(lambda r: r.bigcommerce_id in ids)
        self.assertEqual(len(records), 5)
        self.assertEqual(set(records.mapped("state")), {"done"})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            instance.queue_batch_size = 251
            instance.flush_recordset()

    def test_log_levels_for_orders_and_refunds(self):
        order = self.sandbox.create_order(status_id=11)
        refund_order = self.refundable_orders()[0]
        self.import_orders(order_ids=[refund_order["id"]])
        refund = self.sandbox.add_refund(refund_order["id"], kind="partial")
        messages = {}
        for level in ("error", "info", "debug"):
            self.instance.log_level = level
            self.import_orders(order_ids=[order["id"]])
            self.instance.with_context(queue_job__no_delay=True).import_refunds(
                refund_ids=[refund["id"]]
            )
            messages[level] = (
                self.last_log("import_orders").message or "",
                self.last_log("import_refunds").message or "",
            )
        orders_error, refunds_error = messages["error"]
        orders_info, refunds_info = messages["info"]
        orders_debug, refunds_debug = messages["debug"]
        self.assertEqual((orders_error, refunds_error), ("", ""))
        self.assertIn("Orders: ", orders_info)
        self.assertNotIn(f"Order {order['id']}", orders_info)
        self.assertIn("Refunds: ", refunds_info)
        self.assertNotIn(f"Refund {refund['id']}", refunds_info)
        self.assertIn(f"Order {order['id']}: done", orders_debug)
        self.assertIn(f"Refund {refund['id']}: ", refunds_debug)


@tagged("post_install", "-at_install")
class TestTaxClassMapping(SettingsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.tax_mode = "odoo"
        company = cls.instance.company_id
        cls.state_tax = cls.env["account.tax"].create(
            {"name": "US State 6%", "amount": 6, "company_id": company.id}
        )
        cls.city_tax = cls.env["account.tax"].create(
            {"name": "US City 2%", "amount": 2, "company_id": company.id}
        )
        # Every Odoo product is taxed, the non-taxable ones too (a typo, a
        # default tax): what the class mapping is for.
        cls.env["product.product"].search([("default_code", "!=", False)]).taxes_id = (
            cls.state_tax | cls.city_tax
        )
        cls.instance.shipping_product_id.taxes_id = cls.state_tax
        cls.non_taxable_sku = next(
            variant["sku"]
            for product_id, variants in cls.sandbox.state.variants.items()
            for variant in variants
            if variant.get("sku")
            and int(cls.sandbox.state.products[product_id]["tax_class_id"])
            == NON_TAXABLE_CLASS
            and cls.sandbox.state.products[product_id]["type"] == "physical"
        )
        cls.non_taxable = cls.instance.tax_class_ids.filtered(
            lambda tax_class: tax_class.bigcommerce_id == NON_TAXABLE_CLASS
        )

    def order(self):
        return self.sandbox.create_order(
            status_id=11,
            currency_code="USD",
            tax_inclusive=False,
            guest=True,
            lines=[(self.non_taxable_sku, 2)],
        )

    def product_line(self, record):
        return record.sale_order_id.order_line.filtered(
            lambda line: line.bigcommerce_line_kind == "product"
        )

    def test_non_taxable_class_mapped_to_no_tax(self):
        self.assertEqual(self.non_taxable.odoo_tax_rule, "product")
        # Off (unmapped): the Odoo product's taxes, as today; BigCommerce
        # charged none, so the invoice differs and waits for review.
        order = self.order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(
            self.product_line(record).tax_ids, self.state_tax | self.city_tax
        )
        self.assertEqual(record.state, "review")
        # On: mapped to no tax, the line has none and the invoice ties out.
        self.non_taxable.write(
            {"odoo_tax_rule": "mapped", "tax_ids": [Command.clear()]}
        )
        order = self.order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertFalse(self.product_line(record).tax_ids)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assert_money(
            record.invoice_id.amount_total, parse_money(order["total_inc_tax"])
        )

    def test_a_mapped_class_uses_its_taxes(self):
        self.non_taxable.write(
            {"odoo_tax_rule": "mapped", "tax_ids": [Command.set(self.city_tax.ids)]}
        )
        order = self.order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(self.product_line(record).tax_ids, self.city_tax)


@tagged("post_install", "-at_install")
class TestImportDateRange(SettingsCase):
    """Orders, refunds and customers: both ends, creation or modification."""

    def imported_order_ids(self):
        return set(self.records().mapped("bigcommerce_id"))

    def test_orders_by_creation_or_modification_date(self):
        sandbox = self.sandbox
        sandbox.advance_clock(10 * DAY)
        start = _moment(sandbox, -60)
        old = sandbox.create_order(status_id=11)
        sandbox.advance_clock(2 * DAY)
        new = sandbox.create_order(status_id=11)
        end_of_new = _moment(sandbox, 60)
        sandbox.advance_clock(2 * DAY)
        sandbox.set_order_status(old["id"], 9)  # modified later
        wizard = self.env["bigcommerce.import.wizard"].with_context(
            queue_job__no_delay=True
        )
        # Created in [start, end_of_new]: both; modified then: only the new one.
        wizard.create(
            {
                "instance_id": self.instance.id,
                "entity": "orders",
                "mode": "dates",
                "date_from": _moment(sandbox, -DAY - 3600),
                "date_to": _moment(sandbox, 3600),
                "date_field": "modified",
            }
        ).action_import()
        self.assertEqual(self.imported_order_ids(), {old["id"]})
        wizard.create(
            {
                "instance_id": self.instance.id,
                "entity": "orders",
                "mode": "dates",
                "date_from": start,
                "date_to": fields.Datetime.to_string(
                    fields.Datetime.to_datetime(start) + timedelta(hours=2)
                ),
                "date_field": "created",
            }
        ).action_import()
        self.assertEqual(self.imported_order_ids(), {old["id"]})
        wizard.create(
            {
                "instance_id": self.instance.id,
                "entity": "orders",
                "mode": "dates",
                "date_from": start,
                "date_to": end_of_new,
                "date_field": "created",
            }
        ).action_import()
        self.assertEqual(self.imported_order_ids(), {old["id"], new["id"]})

    def test_refunds_honour_the_end_of_the_range(self):
        sandbox = self.sandbox
        orders = self.refundable_orders()[:2]
        self.import_orders(order_ids=[order["id"] for order in orders])
        sandbox.advance_clock(10 * DAY)
        start = _moment(sandbox, -60)
        early = sandbox.add_refund(orders[0]["id"], kind="partial")
        end = _moment(sandbox, 60)
        sandbox.advance_clock(2 * DAY)
        late = sandbox.add_refund(orders[1]["id"], kind="partial")
        self.env["bigcommerce.import.wizard"].with_context(
            queue_job__no_delay=True
        ).create(
            {
                "instance_id": self.instance.id,
                "entity": "refunds",
                "mode": "dates",
                "date_from": start,
                "date_to": end,
            }
        ).action_import()
        refunds = self.env["bigcommerce.refund"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertIn(early["id"], refunds.mapped("bigcommerce_id"))
        self.assertNotIn(late["id"], refunds.mapped("bigcommerce_id"))
        # Without an end: both (today's behaviour).
        self.instance.with_context(queue_job__no_delay=True).import_refunds(since=start)
        refunds = self.env["bigcommerce.refund"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertIn(late["id"], refunds.mapped("bigcommerce_id"))

    def test_customers_by_creation_or_modification_date_with_an_end(self):
        sandbox = self.sandbox
        customers = sorted(sandbox.state.customers)
        sandbox.advance_clock(10 * DAY)
        start = _moment(sandbox, -60)
        sandbox.update_customer(customers[0], notes="first")
        end = _moment(sandbox, 60)
        sandbox.advance_clock(2 * DAY)
        sandbox.update_customer(customers[1], notes="second")
        instance = self.instance.with_context(queue_job__no_delay=True)
        bound = self.env["bigcommerce.customer"]

        def imported():
            return set(
                bound.search([("instance_id", "=", self.instance.id)]).mapped(
                    "bigcommerce_id"
                )
            )

        instance.import_customers(since=start, until=end)
        self.assertEqual(imported(), {customers[0]})
        # By creation date: the seeded customers were created months ago.
        first_created = min(
            customer["date_created"] for customer in sandbox.state.customers.values()
        )
        created_from = fields.Datetime.to_string(
            fields.Datetime.to_datetime(first_created[:19].replace("T", " "))
        )
        instance.import_customers(
            since=created_from,
            until=fields.Datetime.to_string(
                fields.Datetime.to_datetime(created_from) + timedelta(seconds=1)
            ),
            date_field="created",
        )
        created_first = [
            customer["id"]
            for customer in sandbox.state.customers.values()
            if customer["date_created"] == first_created
        ]
        self.assertEqual(imported(), {customers[0], *created_first})


@tagged("post_install", "-at_install")
class TestOrderDefaults(SettingsCase):
    """The Orders tab: what every imported sale order and invoice carries."""

    def imported(self, **options):
        order = self.sandbox.create_order(status_id=11, **options)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        return order, record

    def test_sales_team_salesperson_payment_terms_and_warehouse(self):
        company = self.instance.company_id
        team = self.env["crm.team"].create(
            {"name": "Web shop", "company_id": company.id}
        )
        salesperson = self.env["res.users"].create(
            {
                "name": "Web Seller",
                "login": "bc-web-seller",
                "group_ids": [Command.set([self.env.ref("base.group_user").id])],
            }
        )
        terms = self.env["account.payment.term"].create(
            {"name": "BigCommerce 15 days", "company_id": company.id}
        )
        default_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        # Not the company's default warehouse: without the setting the
        # orders would ship from the default one and the test would fail.
        online = self.env["stock.warehouse"].create(
            {"name": "Online fulfilment", "code": "WEB", "company_id": company.id}
        )
        self.assertNotEqual(online, default_warehouse)
        self.instance.write(
            {
                "team_id": team.id,
                "user_id": salesperson.id,
                "payment_term_id": terms.id,
                "warehouse_id": online.id,
            }
        )
        _order, record = self.imported(lines=[("TOTE-CNV", 1)])
        sale = record.sale_order_id
        self.assertEqual(
            (sale.team_id, sale.user_id, sale.payment_term_id, sale.warehouse_id),
            (team, salesperson, terms, online),
        )
        self.assertEqual(sale.picking_ids.picking_type_id.warehouse_id, online)
        self.assertEqual(record.invoice_id.invoice_payment_term_id, terms)
        self.assertEqual(record.invoice_id.team_id, team)
        self.assertEqual(record.invoice_id.invoice_user_id, salesperson)

    def test_tax_account_of_the_taxes_made_from_bigcommerce(self):
        account = self.env["account.account"].create(
            {
                "name": "BigCommerce sales tax",
                "code": "251999",
                "account_type": "liability_current",
                "company_ids": [Command.set(self.instance.company_id.ids)],
            }
        )
        self.instance.tax_account_id = account
        _order, record = self.imported(
            lines=[("TOTE-CNV", 2)], currency_code="USD", tax_inclusive=False
        )
        invoice = record.invoice_id
        tax_lines = invoice.line_ids.filtered(lambda line: line.display_type == "tax")
        self.assertTrue(tax_lines, "the test needs a taxed order")
        self.assertEqual(tax_lines.account_id, account)
        self.assertEqual(
            invoice.invoice_line_ids.tax_ids.invoice_repartition_line_ids.filtered(
                lambda line: line.repartition_type == "tax"
            ).account_id,
            account,
        )

    def test_order_named_by_odoo_when_bigcommerce_numbers_are_off(self):
        self.instance.use_bigcommerce_order_number = False
        order, record = self.imported(lines=[("TOTE-CNV", 1)])
        sale = record.sale_order_id
        expected = self.env["ir.sequence"].search(
            [
                ("code", "=", "sale.order"),
                ("company_id", "in", (False, sale.company_id.id)),
            ],
            limit=1,
        )
        self.assertTrue(sale.name.startswith(expected.prefix or "S"), sale.name)
        self.assertNotIn(str(order["id"]), sale.name)
        # The BigCommerce number stays the customer reference.
        self.assertEqual(sale.client_order_ref, str(order["id"]))
        # On (the default): BC<number>.
        self.instance.use_bigcommerce_order_number = True
        order, record = self.imported(lines=[("TOTE-CNV", 1)])
        self.assertEqual(record.sale_order_id.name, f"BC{order['id']}")
