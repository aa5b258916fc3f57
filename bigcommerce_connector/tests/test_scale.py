"""Issue 11: correct at a real store's size and quota, and under concurrency."""

import time
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..client.parsing import parse_datetime, parse_money
from ..importers import order_batch
from ..importers.customer import CustomerImporter
from ..importers.order import OrderImporter
from ..importers.refund import RefundImporter
from .common import ConcurrentJobsCase, forget_quota, other_apps, run_jobs
from .test_order_import import OrderImportCase
from .test_refund_import import RefundImportCase


def _job_texts(env):
    jobs = env["queue.job"].sudo().search([])
    return " ".join(f"{job.args} {job.kwargs}" for job in jobs)


@tagged("post_install", "-at_install")
class TestResumableBatches(OrderImportCase):
    """Items 1, 2 and issue 15 item 4, at the Standard quota (150 per 3 s)."""

    def tearDown(self):
        self.sandbox.clear_faults()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def test_seed_imports_at_the_standard_quota(self):
        """The 240-order seed, queued, at 150 requests per 3 s: the jobs meet
        the quota's reserve, resume where they stopped and book every order
        once; no job argument holds a customer's data."""
        throttled = self.sandbox.count_429
        self.instance.import_orders()
        # The other apps of the store leave the connector 25 requests per 3 s.
        with other_apps(self.sandbox, 125):
            stats = run_jobs(self.env, max_wait=300)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        # The quota was met: some step stopped and resumed later.
        self.assertGreater(stats["postponed"] + self._resumed_steps(), 0)
        expected = {order["id"] for order in self.eligible_orders()}
        records = self.records()
        self.assertEqual(set(records.mapped("bigcommerce_id")), expected)
        self.assertEqual([r.failure_reason for r in records if r.state != "done"], [])
        self.assertEqual(len(records.sale_order_id), len(expected))
        emails = {
            order["billing_address"]["email"]
            for order in self.sandbox.state.orders.values()
            if order["billing_address"].get("email")
        }
        # 429s are rare (the governor stops at the reserve), never fatal.
        self.assertLess(self.sandbox.count_429 - throttled, 10)
        texts = _job_texts(self.env)
        self.assertEqual([email for email in emails if email in texts], [])

    def _resumed_steps(self):
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        return len([job for job in jobs if (job.kwargs or {}).get("cursor")])

    def test_a_step_stopped_by_the_quota_keeps_its_orders(self):
        """A rate limit in the middle of a page keeps the orders booked so
        far and queues the same page from the first order not booked."""
        self.sandbox.set_rate_limit(quota=150, window_ms=60000)
        forget_quota(self.env, self.sandbox)
        try:
            self.instance._job_import_orders()
        finally:
            self.sandbox.set_rate_limit(quota=150, window_ms=3000)
        booked = self.records().filtered("sale_order_id")
        self.assertTrue(booked, "the step booked nothing before the quota")
        self.assertLess(len(booked), len(self.eligible_orders()))
        following = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        self.assertEqual(len(following), 1)
        cursor = following.kwargs["cursor"]
        self.assertEqual(cursor["page"], 1)
        self.assertGreaterEqual(cursor["offset"], len(booked))
        self.assertTrue(following.eta)

    def test_the_next_step_is_due_when_the_quota_resets(self):
        """The step the quota stopped is due when the window resets, counted
        from when it stopped: the time spent booking the orders read before
        the stop is not added to the wait (that lost a quarter of the quota
        at 150 requests / 30 s)."""
        self.sandbox.set_rate_limit(quota=150, window_ms=60000)
        forget_quota(self.env, self.sandbox)
        create = order_batch._create

        def create_on_a_busy_machine(importer, batch):
            create(importer, batch)
            time.sleep(3)

        try:
            with patch.object(order_batch, "_create", create_on_a_busy_machine):
                self.instance._job_import_orders()
        finally:
            self.sandbox.set_rate_limit(quota=150, window_ms=3000)
        reset_in = self.instance._quota_governor().reading()[1]
        following = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        self.assertEqual(len(following), 1)
        due_in = (following.eta - fields.Datetime.now()).total_seconds()
        # eta is stored to the second; the governor adds a small margin.
        self.assertLess(due_in, reset_in + 2, "the booking time was added")
        self.assertGreater(due_in, reset_in - 2, "due before the reset")


@tagged("post_install", "-at_install")
class TestNoStaleWrites(OrderImportCase):
    """Items 3, 4 and 11."""

    def new_order(self, **options):
        options.setdefault("status_id", 11)
        order = self.sandbox.create_order(**options)
        self.sandbox.advance_clock(60)
        return order

    def test_older_order_payload_is_skipped(self):
        order = self.new_order()
        old = self.instance._get_client().get_order(order["id"])
        self.import_orders(order_ids=[order["id"]])
        self.sandbox.set_order_status(order["id"], 2)
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.status_id, 2)
        importer = OrderImporter(self.instance, self.instance._get_client())
        importer.import_order(old)
        self.assertEqual(record.status_id, 2, "an older payload was applied")
        self.assertEqual(record.state, "done")
        self.assertEqual(importer.counts["stale"], 1)

    def test_older_customer_payload_is_skipped(self):
        client = self.instance._get_client()
        customer_id = next(iter(self.sandbox.state.customers))
        (old,) = client.iter_customers(**{"id:in": str(customer_id)})
        self.sandbox.advance_clock(60)
        self.sandbox.update_customer(customer_id, first_name="Newer")
        (new,) = client.iter_customers(**{"id:in": str(customer_id)})
        importer = CustomerImporter(self.instance, client)
        partner = importer.import_customer(new)
        self.assertIn("Newer", partner.name)
        importer.import_customer(old)
        self.assertIn("Newer", partner.name, "an older payload was applied")

    def test_failed_refresh_is_cleared_by_the_next_version(self):
        order = self.new_order()
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.state, "done")
        # A refresh that ran out of retries: the booked order keeps its state
        # and shows the failed refresh (issue 19 item 11).
        OrderImporter(self.instance, None).give_up({"id": order["id"]}, "gave up")
        self.assertEqual(record.state, "done")
        self.assertEqual(record.refresh_error, "gave up")
        self.sandbox.set_order_status(order["id"], 2)
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertFalse(record.failure_reason)
        self.assertFalse(record.refresh_error)

    def test_order_of_a_deleted_customer_is_booked_as_a_guest(self):
        customer_id = next(
            cid
            for cid in self.sandbox.state.customers
            if not self.env["bigcommerce.customer"].search(
                [("bigcommerce_id", "=", cid), ("instance_id", "=", self.instance.id)]
            )
        )
        order = self.new_order(customer_id=customer_id)
        self.sandbox.delete_customer(customer_id)
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        billing = self.sandbox.state.orders[order["id"]]["billing_address"]
        self.assertEqual(
            record.sale_order_id.partner_id.email.lower(), billing["email"].lower()
        )


@tagged("post_install", "-at_install")
class TestJobDeclarations(OrderImportCase):
    """Items 8 and 9."""

    def test_every_job_method_has_a_job_function(self):
        model_class = type(self.instance)
        methods = {
            name
            for name in dir(model_class)
            if name.startswith("_job_")
            and name != "_job_client"
            # The connector's jobs, not queue_job's own hooks.
            and getattr(model_class, name).__module__.startswith(
                "odoo.addons.bigcommerce_connector"
            )
        }
        declared = set(
            self.env["queue.job.function"]
            .search([("model_id.model", "=", "bigcommerce.instance")])
            .mapped("method")
        )
        self.assertEqual(sorted(methods - declared), [])

    def test_jobs_act_in_the_instance_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self.env.user.company_ids |= other
        order = self.sandbox.create_order(status_id=11)
        self.sandbox.advance_clock(60)
        # The user works in another company than the store's.
        instance = self.instance.with_context(
            allowed_company_ids=[other.id, self.instance.company_id.id]
        )
        self.assertEqual(instance.env.company, other)
        importer = OrderImporter(instance, instance._get_client())
        self.assertEqual(importer.env.company, self.instance.company_id)
        customer = CustomerImporter(instance, None)
        self.assertEqual(customer.env.company, self.instance.company_id)
        instance.with_context(queue_job__no_delay=True)._job_import_orders(
            order_ids=[order["id"]]
        )
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.sale_order_id.company_id, self.instance.company_id)


@tagged("post_install", "-at_install")
class TestConcurrentKeys(ConcurrentJobsCase):
    """Items 5 and 6: two real transactions at the same time."""

    def test_two_jobs_creating_one_tax_make_one(self):
        instance_id = self.committed_instance(name="Tax keys")
        row = {"name": "Scale Tax", "rate": "7.2500"}

        def job(env):
            instance = env["bigcommerce.instance"].browse(instance_id)
            OrderImporter(instance, None)._account_tax(row, False)
            time.sleep(0.5)  # both have created before either commits

        self.run_concurrently([job, job])
        taxes = self.fetch(
            "SELECT count(*) FROM account_tax WHERE name->>'en_US' = %s",
            ["Scale Tax 7.25%"],
        )
        groups = self.fetch(
            "SELECT count(*) FROM account_tax_group WHERE name->>'en_US' = %s",
            ["Scale Tax 7.25%"],
        )
        self.assertEqual((taxes[0][0], groups[0][0]), (1, 1))

    def test_two_jobs_creating_one_pricelist_make_one(self):
        instance_id = self.committed_instance(name="Pricelist keys")
        currency = self.env.ref("base.EUR")

        def job(env):
            instance = env["bigcommerce.instance"].browse(instance_id)
            importer = OrderImporter(instance, None)
            mapping = env["bigcommerce.payment.mapping"]
            importer._pricelist(
                env["res.currency"].browse(currency.id), mapping, env["res.partner"]
            )
            time.sleep(0.5)

        self.run_concurrently([job, job])
        count = self.fetch(
            "SELECT count(*) FROM product_pricelist WHERE currency_id = %s "
            "AND name->>'en_US' = 'BigCommerce EUR'",
            [currency.id],
        )
        self.assertEqual(count[0][0], 1)

    def test_two_jobs_creating_one_company_contact_make_one(self):
        instance_id = self.committed_instance(
            name="Company keys", create_company_contact=True
        )
        customers = [
            {
                "id": 900001 + i,
                "first_name": f"P{i}",
                "last_name": "Scale",
                "email": f"p{i}@scale.example",
                "company": "Scale Company Ltd",
                "addresses": [],
                "address_count": 0,
            }
            for i in range(2)
        ]

        def job_for(customer):
            def job(env):
                instance = env["bigcommerce.instance"].browse(instance_id)
                CustomerImporter(instance, None).import_customer(customer)
                time.sleep(0.5)

            return job

        self.run_concurrently([job_for(c) for c in customers])
        count = self.fetch(
            "SELECT count(*) FROM res_partner WHERE is_company AND name = %s",
            ["Scale Company Ltd"],
        )
        self.assertEqual(count[0][0], 1)

    def test_two_refunds_of_one_order_are_serialised(self):
        order = next(
            o
            for o in self.sandbox.state.orders.values()
            if o["customer_id"] == 0
            and o["status_id"] == 11
            and o["default_currency_code"] == "USD"
            and float(o["total_inc_tax"]) > 20
        )
        skus = {line["sku"] for line in self.sandbox.state.order_products[order["id"]]}
        instance_id = self.committed_instance(
            name="Refund serialisation", skus=[s for s in skus if s]
        )
        with self.database().cursor() as cr:
            env = self.environment(cr)
            instance = env["bigcommerce.instance"].browse(instance_id)
            instance._import_orders_now(order_ids=[order["id"]])
            cr.postcommit.clear()
            cr.commit()  # pylint: disable=invalid-commit
        total = float(order["total_inc_tax"])
        refunds = [
            self.sandbox.add_refund(
                order["id"],
                items=[
                    {
                        "item_type": "ORDER",
                        "item_id": order["id"],
                        "amount": round(total * 0.3, 2),
                    }
                ],
            )
            for _ in range(2)
        ]

        def job_for(refund):
            def job(env):
                instance = env["bigcommerce.instance"].browse(instance_id)
                instance._import_refunds_now(refund_ids=[refund["id"]])
                time.sleep(0.5)

            return job

        postponed = self.run_concurrently([job_for(r) for r in refunds])
        self.assertTrue(postponed)
        rows = self.fetch(
            "SELECT r.state, m.amount_total FROM bigcommerce_refund r "
            "JOIN account_move m ON m.id = r.credit_note_id "
            "WHERE r.instance_id = %s ORDER BY r.bigcommerce_id",
            [instance_id],
        )
        self.assertEqual(
            rows,
            [("synced", float(r["total_amount"])) for r in refunds],
        )

    def test_order_lock_gives_the_waiting_job_a_fresh_snapshot(self):
        """The job that waited for an order's refund lock must not go on with
        a snapshot older than the refund booked meanwhile."""
        order = next(
            o
            for o in self.sandbox.state.orders.values()
            if o["customer_id"] == 0 and o["status_id"] == 11
        )
        skus = {line["sku"] for line in self.sandbox.state.order_products[order["id"]]}
        instance_id = self.committed_instance(
            name="Refund lock", skus=[s for s in skus if s], create_products=True
        )
        with self.database().cursor() as cr:
            env = self.environment(cr)
            env["bigcommerce.instance"].browse(instance_id)._import_orders_now(
                order_ids=[order["id"]]
            )
            cr.postcommit.clear()
            cr.commit()  # pylint: disable=invalid-commit
        database = self.database()
        with database.cursor() as late, mute_logger("odoo.sql_db"):
            late_env = self.environment(late)
            # The late job's snapshot starts here, before the other one books.
            late.execute("SELECT count(*) FROM bigcommerce_order")
            with database.cursor() as first:
                first_env = self.environment(first)
                RefundImporter(
                    first_env["bigcommerce.instance"].browse(instance_id), None
                )._order_record({"order_id": order["id"]})
                first.postcommit.clear()
                first.commit()  # pylint: disable=invalid-commit
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                RefundImporter(
                    late_env["bigcommerce.instance"].browse(instance_id), None
                )._order_record({"order_id": order["id"]})
            late.rollback()


@tagged("post_install", "-at_install")
class TestPageBatch(OrderImportCase):
    """Item 12: a page's new orders are created as one batch, and a bad one
    still fails alone."""

    def _new_orders(self, count):
        self.sandbox.advance_clock(3600)
        orders = [self.sandbox.create_order(status_id=11) for _i in range(count)]
        self.sandbox.advance_clock(60)
        return orders

    def _import_counting_creates(self, orders):
        since = fields.Datetime.to_string(
            parse_datetime(orders[0]["date_created"]).replace(tzinfo=None)
        )
        sale_order_class = type(self.env["sale.order"])
        with patch.object(
            sale_order_class,
            "create",
            autospec=True,
            side_effect=sale_order_class.create,
        ) as create:
            self.instance.with_context(queue_job__no_delay=True)._job_import_orders(
                date_from=since
            )
        return create.call_count

    def _record(self, order):
        return self.records().filtered(lambda r: r.bigcommerce_id == order["id"])

    def test_new_orders_of_a_page_are_created_in_one_call(self):
        orders = self._new_orders(4)
        self.assertEqual(self._import_counting_creates(orders), 1)
        for order in orders:
            self.assertEqual(self._record(order).state, "done")

    def test_new_customers_of_a_page_are_created_in_one_call(self):
        binding_class = type(self.env["bigcommerce.customer"])
        real_create = binding_class.create
        with patch.object(
            binding_class, "create", autospec=True, side_effect=real_create
        ) as create:
            self.instance.with_context(queue_job__no_delay=True)._job_import_customers()
        self.assertEqual(create.call_count, 1)
        self.assertEqual(
            self.env["bigcommerce.customer"].search_count(
                [("instance_id", "=", self.instance.id)]
            ),
            len(self.sandbox.state.customers),
        )

    def test_a_bad_order_of_a_page_fails_alone_with_its_reason(self):
        orders = self._new_orders(3)
        # Only creating its sale order meets the bad total: the batch fails.
        self.sandbox.state.orders[orders[1]["id"]]["total_inc_tax"] = "not a number"
        with mute_logger("odoo.addons.bigcommerce_connector.importers.order_batch"):
            # The batch, then the three orders one at a time.
            self.assertEqual(self._import_counting_creates(orders), 4)
        self.assertEqual(self._record(orders[0]).state, "done")
        self.assertEqual(self._record(orders[2]).state, "done")
        bad = self._record(orders[1])
        self.assertEqual(bad.state, "failed")
        self.assertIn("not a number", bad.failure_reason)
        self.assertFalse(bad.sale_order_id)


@tagged("post_install", "-at_install")
class TestYenRounding(RefundImportCase):
    """Item 7: amounts rounded with the currency's precision (JPY: none)."""

    def _assert_whole_yen(self, lines, skus):
        """BigCommerce's amounts carried on the lines are whole yen; the
        lines of ``skus`` carry their total and at least one tax amount (so
        that the check below checks something)."""
        for sku in skus:
            carried = lines.filtered(
                lambda line, sku=sku: line.product_id.default_code == sku
            ).extra_tax_data
            self.assertTrue(carried, f"{sku}: no BigCommerce amount carried")
            self.assertIsNotNone(carried.get("manual_total_excluded_currency"), sku)
            self.assertTrue(carried.get("manual_tax_amounts"), sku)
        for line in lines:
            data = line.extra_tax_data or {}
            amounts = [
                amount
                for key in ("manual_total_excluded_currency",)
                for amount in [data.get(key)]
                if amount is not None
            ] + [
                values["tax_amount_currency"]
                for values in (data.get("manual_tax_amounts") or {}).values()
            ]
            for amount in amounts:
                self.assertEqual(amount, round(amount), f"{line.name}: {amount} yen")

    def test_order_and_partial_refund_in_yen_tie_out(self):
        variants = self.sandbox.state.variants
        skus = [variants[key][0]["sku"] for key in sorted(variants)[:2]]
        order, record = self.imported_order(
            currency_code="JPY",
            tax_inclusive=False,
            lines=[(skus[0], 3), (skus[1], 7)],
            manual_discount=7.77,
        )
        self.assertEqual(record.currency_id.name, "JPY")
        self.assertEqual(
            record.invoice_id.amount_total, float(parse_money(order["total_inc_tax"]))
        )
        self._assert_whole_yen(record.sale_order_id.order_line, skus)
        self._assert_whole_yen(record.invoice_id.invoice_line_ids, skus)
        for sku in skus:
            line = next(
                line
                for line in self.sandbox.state.order_products[order["id"]]
                if line["sku"].lower() == sku.lower()
            )
            refund = self.sandbox.add_refund(
                order["id"],
                items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
            )
            credit_note = self.assertTiesOut(self.book(refund))
            self._assert_whole_yen(credit_note.invoice_line_ids, [sku])


@tagged("post_install", "-at_install")
class TestButtonsDoNotWait(OrderImportCase):
    """Item 10: no long waits for the quota inside a web request."""

    def tearDown(self):
        self.sandbox.set_rate_limit(quota=150, window_ms=3000)
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def test_confirm_gives_up_quickly_when_the_quota_is_spent(self):
        self.sandbox.set_rate_limit(quota=150, window_ms=25000)
        forget_quota(self.env, self.sandbox)
        for _request in range(150):
            self.sandbox.rate_limiter.hit()
        started = time.monotonic()
        with self.assertRaises(UserError):
            self.instance.action_confirm()
        self.assertLess(time.monotonic() - started, 10)

    def test_retry_queues_the_import(self):
        order = self.sandbox.create_order(status_id=11)
        self.sandbox.advance_clock(60)
        OrderImporter(self.instance, None).give_up({"id": order["id"]}, "gave up")
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        requests = self.sandbox.request_count
        action = record.action_retry()
        # Nothing asked of BigCommerce in the request; the job does it.
        self.assertEqual(self.sandbox.request_count, requests)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(record.state, "failed")
        run_jobs(self.env)
        self.assertEqual(record.state, "done", record.failure_reason)
