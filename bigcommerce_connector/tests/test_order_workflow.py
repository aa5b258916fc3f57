from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import float_compare, mute_logger

from ..client.parsing import parse_money
from .common import queued_job, run_jobs
from .test_order_import import OrderImportCase

# Logs the traceback of an unexpected import error, expected in some tests.
JOB_LOGGER = "odoo.addons.bigcommerce_connector.tools.job_retry"


class WorkflowCase(OrderImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mappings = cls.env["bigcommerce.payment.mapping"]
        cls.default_mapping = cls.instance.payment_mapping_ids.filtered("is_default")
        cls.bank = cls._journal("bank", "BCBNK")
        cls.gift_journal = cls._journal("bank", "BCGC")
        cls.credit_journal = cls._journal("bank", "BCSC")

    @classmethod
    def _journal(cls, kind, code):
        return cls.env["account.journal"].create(
            {
                "name": f"BigCommerce {code}",
                "code": code,
                "type": kind,
                "company_id": cls.instance.company_id.id,
            }
        )

    def record_of(self, order):
        return self.records().filtered(lambda r: r.bigcommerce_id == order["id"])

    def assert_money(self, actual, expected):
        self.assertEqual(
            float_compare(actual, float(parse_money(expected)), precision_digits=2),
            0,
            f"{actual} != {expected}",
        )


@tagged("post_install", "-at_install")
class TestStatusMap(WorkflowCase):
    def status(self, status_id):
        return self.instance.order_status_ids.filtered(
            lambda s: s.bigcommerce_id == status_id
        )

    def test_confirm_maps_every_status_to_its_default(self):
        actions = {
            s.bigcommerce_id: s.odoo_action for s in self.instance.order_status_ids
        }
        self.assertEqual(len(actions), 15)
        self.assertEqual(
            {status for status, action in actions.items() if action == "import"},
            {11, 9, 8, 3, 2, 10, 4, 14},
        )
        self.assertEqual(actions[5], "cancel")
        self.assertEqual(actions[6], "cancel")
        self.assertEqual(actions[13], "review")
        self.assertEqual(actions[0], "ignore")
        self.assertEqual(actions[7], "ignore")

    def test_refreshing_store_settings_keeps_the_admins_choice(self):
        self.status(7).odoo_action = "import"
        self.instance.action_confirm()
        self.assertEqual(self.status(7).odoo_action, "import")
        self.assertIn(7, self.instance._eligible_status_ids())

    def test_incomplete_orders_can_never_be_imported(self):
        with self.assertRaises(ValidationError):
            self.status(0).odoo_action = "import"

    def test_a_status_mapped_to_import_imports_its_orders(self):
        order = self.sandbox.create_order(status_id=7)
        self.import_orders(order_ids=[order["id"]])
        self.assertFalse(self.record_of(order))
        self.status(7).odoo_action = "import"
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.record_of(order).state, "done")

    def test_cancelled_before_invoicing_cancels_the_sale_order(self):
        self.default_mapping.write({"create_invoice": False, "post_invoice": False})
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.sale_order_id.state, "sale")
        self.assertFalse(record.invoice_id)
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 5)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "cancelled")
        self.assertEqual(record.status_id, 5)
        self.assertEqual(record.sale_order_id.state, "cancel")

    def test_cancelled_after_invoicing_is_flagged_not_rewritten(self):
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        invoice = record.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 5)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "review")
        self.assertIn(invoice.name, record.failure_reason)
        self.assertEqual(record.sale_order_id.state, "sale")
        self.assertEqual(invoice.state, "posted")

    def test_disputed_order_is_flagged_for_review(self):
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 13)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "review")
        self.assertIn("Disputed", record.failure_reason)

    def test_total_changed_after_invoicing_is_flagged_with_both_figures(self):
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        amount = record.invoice_id.amount_total
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "1234.5600"
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 9)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "review")
        self.assertIn("1234.56", record.failure_reason)
        self.assertIn(
            str(float(parse_money(order["total_inc_tax"]))), record.failure_reason
        )
        self.assertEqual(record.invoice_id.amount_total, amount)
        self.assertEqual(record.invoice_id.state, "posted")

    def test_status_change_between_imported_statuses_only_updates(self):
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 9)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.sale_order_id.bigcommerce_status, "Awaiting Shipment")


@tagged("post_install", "-at_install")
class TestPaymentMapping(WorkflowCase):
    def test_every_store_has_exactly_one_default_row(self):
        self.assertEqual(len(self.default_mapping), 1)
        with self.assertRaises(UserError):
            self.default_mapping.unlink()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.mappings.create({"instance_id": self.instance.id, "is_default": True})

    def test_a_method_seen_for_the_first_time_gets_a_row_to_fill_in(self):
        self.default_mapping.write({"create_invoice": False, "post_invoice": False})
        first = self.sandbox.create_order(status_id=11, payment_method="Bitcoin Pay")
        second = self.sandbox.create_order(status_id=11, payment_method="bitcoin pay")
        self.import_orders(order_ids=[first["id"], second["id"]])
        rows = self.instance.payment_mapping_ids.filtered(
            lambda m: (m.payment_method or "").lower() == "bitcoin pay"
        )
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows.needs_setup)
        # Until it is filled in, it works like the default row.
        self.assertFalse(rows.create_invoice)
        self.assertFalse(self.record_of(first).invoice_id)
        rows.create_invoice = True
        self.assertFalse(rows.needs_setup)

    def test_one_row_per_method_and_status_case_insensitive(self):
        self.mappings.create(
            {"instance_id": self.instance.id, "payment_method": "Cash"}
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.mappings.create(
                {"instance_id": self.instance.id, "payment_method": "CASH"}
            )
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Cash",
                "payment_status": "captured",
            }
        )

    def test_registering_a_payment_needs_a_journal(self):
        with self.assertRaises(ValidationError):
            self.mappings.create(
                {
                    "instance_id": self.instance.id,
                    "payment_method": "Cash",
                    "register_payment": True,
                }
            )

    def test_quotation_only_workflow(self):
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Cash",
                "confirm_order": False,
                "create_invoice": False,
                "post_invoice": False,
            }
        )
        order = self.sandbox.create_order(status_id=11, payment_method="Cash")
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.sale_order_id.state, "draft")
        self.assertFalse(record.sale_order_id.invoice_ids)
        self.assert_money(record.sale_order_id.amount_total, order["total_inc_tax"])

    def test_draft_invoice_workflow(self):
        self.default_mapping.post_invoice = False
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.invoice_id.state, "draft")
        self.assert_money(record.invoice_id.amount_total, order["total_inc_tax"])

    def test_payment_is_registered_on_the_mapped_journal(self):
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Credit Card",
                "register_payment": True,
                "journal_id": self.bank.id,
            }
        )
        order = self.sandbox.create_order(status_id=11, payment_method="Credit Card")
        self.import_orders(order_ids=[order["id"]])
        invoice = self.record_of(order).invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payments = self.env["account.payment"].search(
            [("invoice_ids", "in", invoice.ids)]
        )
        self.assertEqual(payments.journal_id, self.bank)
        self.assert_money(sum(payments.mapped("amount")), order["total_inc_tax"])

    def test_gift_certificate_and_store_credit_are_payments_on_their_journals(self):
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Credit Card",
                "register_payment": True,
                "journal_id": self.bank.id,
            }
        )
        customer_id = min(self.sandbox.state.customers)
        order = self.sandbox.create_order(
            status_id=11,
            payment_method="Credit Card",
            customer_id=customer_id,
            gift_certificate=5,
            store_credit=3,
        )
        total = parse_money(order["total_inc_tax"])
        gift = parse_money(order["gift_certificate_amount"])
        credit = parse_money(order["store_credit_amount"])
        self.assertTrue(gift and credit, "the test needs both payments")
        # Without a gift certificate journal nothing is kept: a failed record
        # names the setting.
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "failed")
        self.assertIn("gift certificate", record.failure_reason)
        self.assertFalse(record.sale_order_id)
        self.instance.write(
            {
                "gift_certificate_journal_id": self.gift_journal.id,
                "store_credit_journal_id": self.credit_journal.id,
            }
        )
        record.action_retry()
        run_jobs(self.env)
        self.assertEqual(record.state, "done", record.failure_reason)
        invoice = record.invoice_id
        # Payments, not discounts: the invoice still equals the order total.
        self.assert_money(invoice.amount_total, order["total_inc_tax"])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payments = self.env["account.payment"].search(
            [("invoice_ids", "in", invoice.ids)]
        )
        by_journal = {p.journal_id: p.amount for p in payments}
        self.assert_money(by_journal[self.gift_journal], str(gift))
        self.assert_money(by_journal[self.credit_journal], str(credit))
        self.assert_money(by_journal[self.bank], str(total - gift - credit))

    def test_pricelist_override_of_the_mapping(self):
        order = self.sandbox.create_order(status_id=11, currency_code="USD")
        pricelist = self.env["product.pricelist"].create(
            {"name": "Web USD", "currency_id": self.env.ref("base.USD").id}
        )
        self.default_mapping.pricelist_id = pricelist
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.record_of(order).sale_order_id.pricelist_id, pricelist)

    def test_pricelist_override_in_another_currency_falls_back(self):
        # Issue 14: the next pricelist level applies (test_settings.py).
        order = self.sandbox.create_order(status_id=11, currency_code="EUR")
        pricelist = self.env["product.pricelist"].create(
            {"name": "Web USD", "currency_id": self.env.ref("base.USD").id}
        )
        self.default_mapping.pricelist_id = pricelist
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.sale_order_id.currency_id.name, "EUR")

    def test_analytic_distribution_of_the_store_reaches_the_invoice(self):
        plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        account = self.env["account.analytic.account"].create(
            {"name": "BigCommerce", "plan_id": plan.id}
        )
        self.instance.analytic_distribution = {str(account.id): 100}
        order = self.sandbox.create_order(status_id=11)
        self.import_orders(order_ids=[order["id"]])
        lines = self.record_of(order).invoice_id.invoice_line_ids
        self.assertTrue(lines)
        self.assertEqual(
            {str(key) for line in lines for key in line.analytic_distribution},
            {str(account.id)},
        )


@tagged("post_install", "-at_install")
class TestShipments(WorkflowCase):
    def test_shipped_order_shows_carrier_and_tracking(self):
        order = self.sandbox.create_order(status_id=2)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        expected = self.sandbox.state.order_shipments[order["id"]]
        self.assertTrue(expected)
        self.assertEqual(
            sorted(record.shipment_ids.mapped("tracking_number")),
            sorted(row["tracking_number"] for row in expected),
        )
        self.assertEqual(record.fulfilment_state, "shipped")
        self.assertEqual(record.sale_order_id.bigcommerce_fulfilment_state, "shipped")
        shipment = record.sale_order_id.bigcommerce_shipment_ids[:1]
        self.assertEqual(shipment.shipping_provider, "UPS")
        self.assertTrue(shipment.tracking_url.startswith("https://"))
        self.assertTrue(shipment.items_description)

    def test_partially_shipped_order(self):
        order = self.sandbox.create_order(status_id=3, lines=[(self._some_sku(), 3)])
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.fulfilment_state, "partial")
        self.assertEqual(record.items_total, 3)
        self.assertEqual(record.items_shipped, 2)

    def test_unshipped_order_reads_no_shipments(self):
        order = self.sandbox.create_order(status_id=11)
        before = self.sandbox.request_count
        self.import_orders(order_ids=[order["id"]])
        paths = [path for _m, path, _q in self.sandbox.request_log[before:]]
        self.assertFalse([p for p in paths if p.endswith("/shipments")])
        self.assertEqual(self.record_of(order).fulfilment_state, "unshipped")

    def test_a_later_shipment_is_picked_up_by_the_next_sync(self):
        order = self.sandbox.create_order(status_id=11, lines=[(self._some_sku(), 2)])
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertFalse(record.shipment_ids)
        line = self.sandbox.state.order_products[order["id"]][0]
        address = self.sandbox.state.order_shipping_addresses[order["id"]][0]
        self.sandbox.advance_clock(60)
        self.sandbox.record_shipment(
            order["id"],
            address["id"],
            [{"order_product_id": line["id"], "quantity": 2}],
            {"tracking_number": "TRACK-42", "shipping_provider": "usps"},
        )
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.shipment_ids.tracking_number, "TRACK-42")
        self.assertEqual(record.fulfilment_state, "shipped")
        self.assertEqual(record.status_id, 2)
        self.assertIn("2 ×", record.shipment_ids.items_description)

    def _some_sku(self):
        for product_variants in self.sandbox.state.variants.values():
            for variant in product_variants:
                product = self.sandbox.state.products[variant["product_id"]]
                if variant.get("sku") and product["type"] == "physical":
                    return variant["sku"]
        raise AssertionError("no physical SKU in the sandbox")


@tagged("post_install", "-at_install")
class TestOrderJobGivesUp(WorkflowCase):
    """When queue_job would give up, the order stays visible with the reason."""

    def tearDown(self):
        self.sandbox.clear_faults()
        super().tearDown()

    def _queued_job(self, order, retry):
        delayed = self.instance.with_delay(max_retries=3)._job_import_order(order["id"])
        return queued_job(delayed, retry)

    def _taxed_order(self):
        order = self.sandbox.create_order(
            status_id=11, currency_code="USD", tax_inclusive=False
        )
        self.assertTrue(parse_money(order["total_tax"]), "needs a /taxes read")
        return self.instance._get_client().get_order(order["id"])

    def test_a_transient_error_before_the_last_attempt_is_retried(self):
        order = self._taxed_order()
        job = self._queued_job(order, retry=0)
        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError):
            job.perform()
        self.assertFalse(self.record_of(order))

    def test_the_last_attempt_keeps_a_failed_record_with_the_reason(self):
        order = self._taxed_order()
        job = self._queued_job(order, retry=2)
        self.sandbox.queue_faults("503")
        job.perform()
        record = self.record_of(order)
        self.assertEqual(record.state, "failed")
        self.assertIn("gave up", record.failure_reason)
        self.assertFalse(record.sale_order_id)
        # Retry once BigCommerce answers again.
        record.action_retry()
        run_jobs(self.env)
        self.assertEqual(record.state, "done")

    def test_malformed_data_is_a_failed_record_not_a_lost_job(self):
        order = self._taxed_order()
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "not a number"
        with mute_logger(JOB_LOGGER):
            self.instance._job_import_order(order["id"])
        record = self.record_of(order)
        self.assertEqual(record.state, "failed")
        self.assertIn("Unexpected error", record.failure_reason)


@tagged("post_install", "-at_install")
class TestPollIntervals(WorkflowCase):
    def test_the_cron_polls_each_store_at_its_own_interval(self):
        model = self.env["bigcommerce.instance"]
        self.instance.write(
            {
                "order_checkpoint": fields.Datetime.now() - timedelta(minutes=10),
                "order_poll_interval": 30,
            }
        )
        with trap_jobs() as trap:
            model._cron_import_orders()
            trap.assert_jobs_count(0, only=self.instance._job_poll_orders)
            self.instance.order_poll_interval = 10
            model._cron_import_orders()
            trap.assert_jobs_count(1, only=self.instance._job_poll_orders)

    def test_intervals_below_the_cron_tick_are_refused(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.instance.refund_poll_interval = 1
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestCancelledFailedOrder(WorkflowCase):
    def test_a_failed_order_cancelled_since_needs_no_attention(self):
        order = self.sandbox.create_order(status_id=11)
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "not a number"
        with mute_logger(JOB_LOGGER):
            self.instance._job_import_order(order["id"])
        record = self.record_of(order)
        self.assertEqual(record.state, "failed")
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "1.0000"
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 5)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "cancelled")
        self.assertFalse(record.failure_reason)
        self.assertEqual(self.instance.order_review_count, 0)
