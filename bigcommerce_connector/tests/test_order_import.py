from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import float_compare, mute_logger

from ..client.parsing import parse_money
from ..importers.order import OrderImporter
from .common import BigcommerceSandboxCase, ConcurrentJobsCase, run_jobs


class OrderImportCase(BigcommerceSandboxCase):
    """A confirmed instance and an Odoo product for every sandbox SKU."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()
        skus = {
            variant["sku"]
            for variants in cls.sandbox.state.variants.values()
            for variant in variants
            if variant.get("sku")
        }
        cls.env["product.product"].create(
            [
                {
                    "name": sku,
                    "default_code": sku,
                    "type": "consu",
                    "invoice_policy": "order",
                    "taxes_id": [Command.clear()],
                }
                for sku in sorted(skus)
            ]
        )
        cls.eligible = cls.instance._eligible_status_ids()

    def import_orders(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_orders(**kwargs)

    def records(self):
        return self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.instance.id)]
        )

    def eligible_orders(self):
        return [
            order
            for order in self.sandbox.state.orders.values()
            if order["status_id"] in self.eligible and not order["is_deleted"]
        ]


@tagged("post_install", "-at_install")
class TestFullOrderImport(OrderImportCase):
    """One full import of the seeded store (200+ orders), shared by the tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.with_context(queue_job__no_delay=True).import_orders()

    def test_full_import_ties_out_to_the_cent(self):
        records = self.records()
        expected = self.eligible_orders()
        # The loops below check each record: there must be records to check.
        self.assertGreaterEqual(len(expected), 200)
        self.assertEqual(len(records), len(expected))
        problems = [
            f"{r.bigcommerce_id}: {r.state} {r.failure_reason}"
            for r in records
            if r.state != "done"
        ]
        self.assertEqual(problems, [])
        by_id = {order["id"]: order for order in expected}
        mismatches = []
        for record in records:
            order = by_id[record.bigcommerce_id]
            invoice = record.invoice_id
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(record.sale_order_id.state, "sale")
            total = float(parse_money(order["total_inc_tax"]))
            tax = float(parse_money(order["total_tax"]))
            if float_compare(invoice.amount_total, total, 2) or float_compare(
                invoice.amount_tax, tax, 2
            ):
                mismatches.append(
                    (order["id"], invoice.amount_total, total, invoice.amount_tax, tax)
                )
            self.assertEqual(invoice.currency_id.name, order["default_currency_code"])
        self.assertEqual(mismatches, [])
        sale_orders = self.env["sale.order"].search(
            [("bigcommerce_instance_id", "=", self.instance.id)]
        )
        self.assertEqual(len(sale_orders), len(expected))

    def test_special_cases_are_imported_as_what_they_are(self):
        """Each special case of the seed became an order of that kind in
        Odoo (their amounts are the tie-out test's): tax-inclusive prices
        with price-included taxes, tax-exclusive ones without, euros,
        coupons as discount lines, guests as the store's guest contacts."""
        by_id = {record.bigcommerce_id: record for record in self.records()}
        orders = self.eligible_orders()

        def taxes(record):
            return record.invoice_id.invoice_line_ids.tax_ids

        cases = {
            "tax-inclusive": (
                lambda o: o["is_tax_inclusive_pricing"] and parse_money(o["total_tax"]),
                lambda r: taxes(r) and all(taxes(r).mapped("price_include")),
            ),
            "tax-exclusive": (
                lambda o: not o["is_tax_inclusive_pricing"]
                and parse_money(o["total_tax"]),
                lambda r: taxes(r) and not any(taxes(r).mapped("price_include")),
            ),
            "euro": (
                lambda o: o["default_currency_code"] == "EUR",
                lambda r: r.invoice_id.currency_id.name == "EUR"
                and r.sale_order_id.currency_id.name == "EUR",
            ),
            "coupon": (
                lambda o: parse_money(o["coupon_discount"]),
                lambda r: any(
                    line.bigcommerce_line_kind == "discount" and line.price_subtotal < 0
                    for line in r.sale_order_id.order_line
                ),
            ),
            "guest": (
                lambda o: o["customer_id"] == 0,
                lambda r: r.sale_order_id.partner_id.bigcommerce_guest,
            ),
        }
        for case, (is_case, imported_as_such) in cases.items():
            with self.subTest(case=case):
                members = [order for order in orders if is_case(order)]
                self.assertTrue(members, f"the seed has no {case} order")
                wrong = [
                    order["id"]
                    for order in members
                    if order["id"] not in by_id
                    or by_id[order["id"]].state != "done"
                    or not imported_as_such(by_id[order["id"]])
                ]
                self.assertEqual(wrong, [], f"{case} orders not imported as such")

    def test_second_import_changes_nothing(self):
        records = self.records()
        snapshot = {
            r.id: (r.sale_order_id.id, r.invoice_id.id, r.sale_order_id.amount_total)
            for r in records
        }
        sale_count = self.env["sale.order"].search_count([])
        self.import_orders()
        self.assertEqual(self.env["sale.order"].search_count([]), sale_count)
        self.assertEqual(
            snapshot,
            {
                r.id: (
                    r.sale_order_id.id,
                    r.invoice_id.id,
                    r.sale_order_id.amount_total,
                )
                for r in self.records()
            },
        )

    def test_status_change_is_picked_up_by_the_next_poll(self):
        poll = self.instance.with_context(queue_job__no_delay=True)._job_poll_orders
        # The full import of setUpClass stands for the earlier polls.
        self.instance.order_checkpoint = fields.Datetime.now()
        requests_before = self.sandbox.request_count
        order = next(o for o in self.eligible_orders() if o["status_id"] == 11)
        self.sandbox.advance_clock(3600 * 24 * 365)
        self.sandbox.set_order_status(order["id"], 2)
        poll()
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.status_id, 2)
        self.assertEqual(record.sale_order_id.bigcommerce_status, "Shipped")
        # Only the changed order was read again.
        order_reads = [
            path
            for _method, path, _query in self.sandbox.request_log[requests_before:]
            if path == "/v2/orders"
        ]
        self.assertEqual(len(order_reads), 1)
        self.assertTrue(self.instance.order_checkpoint)

    def test_ineligible_orders_are_not_imported(self):
        imported = set(self.records().mapped("bigcommerce_id"))
        ineligible = {
            order["id"]
            for order in self.sandbox.state.orders.values()
            if order["status_id"] not in self.eligible
        }
        self.assertTrue(ineligible, "the seed has no order that must be left out")
        self.assertEqual(ineligible & imported, set())

    def test_log_counts_the_run(self):
        log = self.instance.log_ids.filtered(lambda lg: lg.operation == "import_orders")
        self.assertEqual(log.state, "done")
        # The steps book the eligible orders themselves (no job per order);
        # the rest is skipped.
        self.assertEqual(log.created_count, len(self.eligible_orders()))
        listed_ineligible = [
            o
            for o in self.sandbox.state.orders.values()
            if o["status_id"]
            and not o["is_deleted"]
            and o["status_id"] not in self.eligible
        ]
        self.assertEqual(log.skipped_count, len(listed_ineligible))


@tagged("post_install", "-at_install")
class TestOrderImport(OrderImportCase):
    def test_order_name_uses_prefix_and_number(self):
        order = self.eligible_orders()[0]
        self.import_orders(order_ids=[order["id"]])
        record = self.records()
        self.assertEqual(record.sale_order_id.name, f"BC{order['id']}")
        self.assertEqual(record.sale_order_id.client_order_ref, str(order["id"]))

    def test_unknown_sku_fails_then_imports_after_retry(self):
        variant = self.sandbox.state.variants[min(self.sandbox.state.variants)][0]
        order = self.sandbox.create_order(lines=[(variant["sku"], 1)], status_id=11)
        product = self.env["product.product"].search(
            [("default_code", "=", variant["sku"])]
        )
        product.default_code = "RENAMED"
        self.import_orders(order_ids=[order["id"]])
        record = self.records()
        self.assertEqual(record.state, "failed")
        self.assertIn(variant["sku"], record.failure_reason)
        self.assertFalse(record.sale_order_id)
        self.assertFalse(
            self.env["sale.order"].search([("client_order_ref", "=", str(order["id"]))])
        )
        product.default_code = variant["sku"]
        record.action_retry()
        # Queued, not run in the web request: the record says so meanwhile.
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.retry_job_state, "queued")
        Orders = self.env["bigcommerce.order"]
        self.assertEqual(Orders.search([("retry_job_state", "!=", False)]), record)
        self.assertNotIn(record, Orders.search([("retry_job_state", "=", False)]))
        run_jobs(self.env)
        record.invalidate_recordset(["retry_job_state"])
        self.assertFalse(record.retry_job_state)
        self.assertFalse(Orders.search([("retry_job_state", "!=", False)]))
        self.assertEqual(record.state, "done")
        self.assertEqual(record.invoice_id.state, "posted")

    def test_unknown_sku_creates_the_product_when_allowed(self):
        variant = self.sandbox.state.variants[min(self.sandbox.state.variants)][0]
        order = self.sandbox.create_order(lines=[(variant["sku"], 2)], status_id=11)
        self.env["product.product"].search(
            [("default_code", "=", variant["sku"])]
        ).default_code = "RENAMED"
        self.instance.create_products = True
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.records().state, "done")
        self.assertTrue(
            self.env["product.product"].search([("default_code", "=", variant["sku"])])
        )

    def test_order_rolled_back_in_a_page_leaves_no_dead_ids_for_the_next(self):
        """A page's order that fails unexpectedly after it made a payment
        mapping and a product (both rolled back with it) does not hand their
        ids to the next order of the page, which uses the same ones."""
        variant = self.sandbox.state.variants[min(self.sandbox.state.variants)][0]
        self.env["product.product"].search(
            [("default_code", "=", variant["sku"])]
        ).default_code = "RENAMED"
        self.instance.create_products = True
        self.sandbox.advance_clock(3600)
        since = self.sandbox.state.clock.now().replace(tzinfo=None)
        options = {
            "lines": [(variant["sku"], 1)],
            "status_id": 11,
            "payment_method": "Gateway Seen First Today",
        }
        broken = self.sandbox.create_order(**options)
        self.sandbox.advance_clock(60)
        good = self.sandbox.create_order(**options)
        # Malformed data met after the mapping and the product were made.
        self.sandbox.state.order_fees[broken["id"]] = [
            {"id": 1, "display_name_merchant": "Fee", "cost_inc_tax": "n/a"}
        ]
        with mute_logger("odoo.addons.bigcommerce_connector.importers.order_batch"):
            self.import_orders(date_from=since)
        state = {record.bigcommerce_id: record for record in self.records()}
        self.assertEqual(state[broken["id"]].state, "failed")
        self.assertIn("n/a", state[broken["id"]].failure_reason)
        self.assertEqual(
            state[good["id"]].state, "done", state[good["id"]].failure_reason
        )
        self.assertEqual(
            state[good["id"]].payment_mapping_id.payment_method,
            "Gateway Seen First Today",
        )

    def test_missing_order_is_a_failed_record(self):
        self.import_orders(order_ids=[987654])
        record = self.records()
        self.assertEqual(record.state, "failed")
        self.assertIn("987654", record.failure_reason)

    def test_mismatch_is_flagged_for_review_not_adjusted(self):
        order = self.sandbox.create_order(status_id=11)
        # BigCommerce claims a total its lines do not add up to.
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "9999.9900"
        self.import_orders(order_ids=[order["id"]])
        record = self.records()
        self.assertEqual(record.state, "review")
        self.assertIn("9999.99", record.failure_reason)
        self.assertEqual(record.invoice_id.state, "draft")

    def test_transient_error_retries_the_job(self):
        from odoo.addons.queue_job.exception import RetryableJobError

        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError):
            self.instance._job_import_orders()
        self.sandbox.clear_faults()

    def test_batch_job_books_its_page_without_a_job_per_order(self):
        self.instance._job_import_orders()
        # At the store's quota the first step may stop part-way through the
        # page and queue the step that resumes it: run those as the runner
        # would.
        run_jobs(self.env)
        # No job per order: no order payload (names, addresses) is ever
        # stored as a job argument.
        self.assertFalse(
            self.env["queue.job"]
            .sudo()
            .search_count([("method_name", "=", "_job_import_order")])
        )
        self.assertEqual(
            len(self.records().filtered("sale_order_id")), len(self.eligible_orders())
        )

    def _taxed_usd_order(self, **options):
        order = self.sandbox.create_order(
            status_id=11, currency_code="USD", tax_inclusive=False, **options
        )
        self.assertTrue(parse_money(order["total_tax"]), "the test needs a taxed order")
        return order

    def test_created_taxes_show_their_own_name_in_invoice_totals(self):
        order = self._taxed_usd_order(guest=True)
        self.import_orders(order_ids=[order["id"]])
        taxes = self.records().invoice_id.invoice_line_ids.tax_ids
        self.assertTrue(taxes)
        for tax in taxes:
            self.assertEqual(tax.tax_group_id.name, tax.name)

    def test_fiscal_mode_without_position_ties_out(self):
        self.instance.tax_mode = "bigcommerce_fiscal"
        order = self._taxed_usd_order(guest=True)
        self.import_orders(order_ids=[order["id"]])
        record = self.records()
        self.assertEqual(record.state, "done")
        self.assertEqual(
            float_compare(
                record.invoice_id.amount_tax, float(parse_money(order["total_tax"])), 2
            ),
            0,
        )

    def test_fiscal_mode_applies_the_partners_fiscal_position(self):
        self.instance.tax_mode = "bigcommerce_fiscal"
        customer_id = min(self.sandbox.state.customers)
        order = self._taxed_usd_order(customer_id=customer_id)
        partner = self.instance._bigcommerce_customer_partner(
            customer_id, self.instance._get_client()
        )
        # Odoo 19: a fiscal position without taxes removes every tax.
        exempt = self.env["account.fiscal.position"].create({"name": "Tax exempt"})
        partner.property_account_position_id = exempt
        self.import_orders(order_ids=[order["id"]])
        record = self.records()
        self.assertEqual(record.sale_order_id.fiscal_position_id, exempt)
        self.assertFalse(record.sale_order_id.order_line.tax_ids)
        # Odoo's total is now BigCommerce's minus the tax: shown, not adjusted.
        self.assertEqual(record.state, "review")
        self.assertEqual(record.invoice_id.state, "draft")

    def test_odoo_tax_mode_reads_no_tax_lines(self):
        self.instance.tax_mode = "odoo"
        order = self._taxed_usd_order(guest=True)
        before = self.sandbox.request_count
        self.import_orders(order_ids=[order["id"]])
        paths = [path for _m, path, _q in self.sandbox.request_log[before:]]
        self.assertFalse([path for path in paths if path.endswith("/taxes")])
        record = self.records()
        # The test products carry no Odoo taxes: the difference is flagged.
        self.assertEqual(record.state, "review")
        self.assertIn("total", record.failure_reason)

    def test_wizard_imports_by_id(self):
        order = self.eligible_orders()[1]
        wizard = self.env["bigcommerce.import.wizard"].create(
            {
                "instance_id": self.instance.id,
                "entity": "orders",
                "mode": "ids",
                "bigcommerce_ids": f"{order['id']}",
            }
        )
        wizard.with_context(queue_job__no_delay=True).action_import()
        self.assertEqual(self.records().bigcommerce_id, order["id"])


@tagged("post_install", "-at_install")
class TestOrderImportConcurrency(ConcurrentJobsCase):
    # Not OrderImportCase: its setup (Confirm activates currencies, products)
    # would hold row locks in the test transaction that the jobs would wait for.

    def test_two_jobs_importing_one_order_leave_one_sale_order(self):
        order = next(
            o
            for o in self.sandbox.state.orders.values()
            if o["customer_id"] == 0
            and o["status_id"] == 11
            and o["default_currency_code"] == "USD"
        )
        instance_id = self.committed_instance(name="Concurrency", create_products=True)
        payload = self.instance._get_client().get_order(order["id"])

        def job(env):
            env["bigcommerce.instance"].browse(instance_id)._job_import_order(
                payload["id"]
            )

        postponed = self.run_concurrently([job, job])
        # The second job waited for the first one's commit, then was postponed
        # at most once, and found the order imported.
        self.assertLessEqual(len(postponed), 1)
        rows = self.fetch(
            "SELECT state, sale_order_id FROM bigcommerce_order WHERE instance_id = %s",
            [instance_id],
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "done")
        count = self.fetch(
            "SELECT count(*) FROM sale_order WHERE bigcommerce_order_record_id IN "
            "(SELECT id FROM bigcommerce_order WHERE instance_id = %s)",
            [instance_id],
        )
        self.assertEqual(count[0][0], 1)

    def _import_job(self, instance_id, payload):
        # The importer itself, as one try of a job: the job method would turn
        # a retry outside queue_job (its last attempt) into a failed record.
        def job(env):
            instance = env["bigcommerce.instance"].browse(instance_id)
            OrderImporter(instance, instance._get_client()).import_order(payload)

        return job

    def _known_skus(self):
        return set(
            self.env["product.product"]
            .search([("default_code", "!=", False)])
            .mapped("default_code")
        )

    def test_two_first_orders_of_one_new_guest_make_one_partner(self):
        """Two orders of the same new guest, imported at the same time."""
        first = self.sandbox.create_order(status_id=11, guest=True, currency_code="USD")
        second = self.sandbox.create_order(
            status_id=11,
            guest=True,
            currency_code="USD",
            billing_address=first["billing_address"],
        )
        skus = {
            line["sku"]
            for order in (first, second)
            for line in self.sandbox.state.order_products[order["id"]]
            if line["sku"]
        }
        instance_id = self.committed_instance(
            name="Guests",
            skus=skus - self._known_skus(),
            payment_methods={first["payment_method"], second["payment_method"]},
        )
        client = self.instance._get_client()
        payloads = [client.get_order(first["id"]), client.get_order(second["id"])]

        postponed = self.run_concurrently(
            [self._import_job(instance_id, payload) for payload in payloads]
        )
        self.assertLessEqual(len(postponed), 1)
        rows = self.fetch(
            "SELECT DISTINCT so.partner_id FROM sale_order so "
            "JOIN bigcommerce_order bo ON bo.id = so.bigcommerce_order_record_id "
            "WHERE bo.instance_id = %s",
            [instance_id],
        )
        self.assertEqual(len(rows), 1)
        guests = self.fetch(
            "SELECT count(*) FROM res_partner WHERE bigcommerce_instance_id = %s "
            "AND bigcommerce_guest",
            [instance_id],
        )
        self.assertEqual(guests[0][0], 1)

    def test_two_orders_with_one_unknown_sku_create_one_product(self):
        sku = next(
            variant["sku"]
            for variants in self.sandbox.state.variants.values()
            for variant in variants
            if variant.get("sku") and variant["sku"] not in self._known_skus()
        )
        orders = [
            self.sandbox.create_order(
                status_id=11, guest=True, currency_code="USD", lines=[(sku, 1)]
            )
            for _ in range(2)
        ]
        instance_id = self.committed_instance(
            name="Products",
            create_products=True,
            payment_methods={order["payment_method"] for order in orders},
        )
        client = self.instance._get_client()
        payloads = [client.get_order(order["id"]) for order in orders]

        self.run_concurrently(
            [self._import_job(instance_id, payload) for payload in payloads]
        )
        # The SKU's product is imported from the catalog (issue 9): once.
        products = self.fetch(
            "SELECT count(*) FROM product_product WHERE lower(default_code) = %s",
            [sku.lower()],
        )
        self.assertEqual(products[0][0], 1)
        states = self.fetch(
            "SELECT state FROM bigcommerce_order WHERE instance_id = %s",
            [instance_id],
        )
        self.assertEqual(sorted(state for (state,) in states), ["done", "done"])
