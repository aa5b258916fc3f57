"""Issue 26 item 2: BigCommerce price lists -> Odoo pricelists, against the
sandbox store (seed: bigcommerce_sandbox/seed/price_lists.py).

The seed: price list 1 "Wholesale" (usd records, three with bulk pricing
tiers of each type, one eur record) assigned to customer group 1 "Loyalty
Club" on channel 1; price list 2 "POS Prices" assigned to channel 2 for
every shopper; price list 3 "Spring Sale", inactive.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import float_compare

from ..client import BigCommerceClient
from ..client.parsing import parse_money
from ..exporters import price_list as price_list_exporter
from ..importers import price_list as price_list_importer
from ..tools import batch
from .common import run_jobs
from .test_customer_groups import GroupCase

WHOLESALE_LIST, POS_LIST, SPRING_LIST = 1, 2, 3
LOYALTY, LOYAL_CUSTOMER = 1, 1
POS_CHANNEL = 2
RECORDS_PATH = "/v3/pricelists/{}/records"


@tagged("post_install", "-at_install")
class TestPriceLists(GroupCase):
    """A confirmed store whose tote, bottle, poster and black T-shirt are
    imported; the trail shoe (a record of the Wholesale list) is not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shirt = cls.variant_row("TSH-ORG-S-BLK")
        cls.instance.with_context(queue_job__no_delay=True).import_products(
            product_ids=[shirt["product_id"]]
        )

    @classmethod
    def variant_row(cls, sku):
        return next(
            variant
            for variants in cls.sandbox.state.variants.values()
            for variant in variants
            if variant.get("sku") == sku
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def import_price_lists(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_price_lists(
            **kwargs
        )

    def price_list(self, list_id, currency="USD"):
        return self.env["bigcommerce.price.list"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", list_id),
                ("currency_id.name", "=", currency),
            ]
        )

    def product(self, sku):
        variant = self.env["bigcommerce.product.variant"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", self.variant_row(sku)["id"]),
            ]
        )
        return variant.product_id

    def items(self, pricelist, sku):
        items = pricelist.item_ids.filtered(lambda i: i.product_id == self.product(sku))
        return sorted((i.min_quantity, i.fixed_price) for i in items)

    def store_client(self):
        return BigCommerceClient(
            self.sandbox.store_hash,
            self.sandbox.access_token,
            api_url=self.sandbox.api_url,
        )

    def record_requests(self, before, list_id=WHOLESALE_LIST):
        path = RECORDS_PATH.format(list_id)
        return [
            query
            for method, logged, query in self.sandbox.request_log[before:]
            if method == "GET" and logged == path
        ]

    def rows_answered(self, list_id, query):
        """How many records the store answered to ``query`` (asked again)."""
        params = {k: v for k, v in query.items() if k not in ("page", "limit")}
        return len(
            list(self.store_client().iter_v3(RECORDS_PATH.format(list_id)[4:], params))
        )

    def charged(self, list_id, sku):
        """What BigCommerce charges for one unit: the record's
        calculated_price, as the store's API answers it."""
        variant = self.variant_row(sku)["id"]
        (record,) = list(
            self.store_client().iter_price_list_records(
                list_id, variant_ids=[variant], currency="usd"
            )
        )
        return parse_money(record["calculated_price"])

    # ------------------------------------------------------------------
    # Records -> items
    # ------------------------------------------------------------------

    def test_tiers_become_minimum_quantity_items(self):
        self.import_price_lists()
        wholesale = self.price_list(WHOLESALE_LIST)
        pricelist = wholesale.pricelist_id
        self.assertEqual(pricelist.currency_id, self.instance.currency_id)
        # fixed: the tier's amount is the unit price.
        self.assertEqual(
            self.items(pricelist, "TOTE-CNV"), [(0, 19.2), (10, 18.0), (50, 16.0)]
        )
        # price: the amount off the record's price (25.60 - 2, - 4).
        self.assertEqual(
            self.items(pricelist, "BTL-INS"), [(0, 25.6), (6, 23.6), (12, 21.6)]
        )
        # percent: 22.40 less 5 % = 21.28, less 10 % = 20.16.
        self.assertEqual(
            self.items(pricelist, "TSH-ORG-S-BLK"),
            [(0, 22.4), (10, 21.28), (25, 20.16)],
        )
        tote = self.product("TOTE-CNV")
        for quantity, price in ((1, 19.2), (9, 19.2), (10, 18.0), (49, 18.0), (50, 16)):
            self.assertEqual(pricelist._get_product_price(tote, quantity), price)
        # The eur record: a pricelist of its own, in EUR.
        euro = self.price_list(WHOLESALE_LIST, "EUR")
        self.assertEqual(euro.pricelist_id.currency_id.name, "EUR")
        self.assertEqual(self.items(euro.pricelist_id, "TSH-ORG-S-BLK"), [(0, 20.9)])
        self.assertFalse(self.items(euro.pricelist_id, "TOTE-CNV"))
        # The inactive list is bound, inactive.
        self.assertFalse(self.price_list(SPRING_LIST).is_active)
        self.assertTrue(wholesale.is_active)

    def test_a_variant_not_imported_waits_then_gets_its_items(self):
        self.import_price_lists()
        shoe = self.variant_row("SHOE-TRL-9")
        wholesale = self.price_list(WHOLESALE_LIST)
        row = wholesale.record_ids.filtered(
            lambda r: r.variant_bigcommerce_id == shoe["id"]
        )
        self.assertEqual(row.state, "pending")
        self.assertIn("not imported in Odoo", row.reason)
        self.assertEqual(row.payload["price"], 95.2)
        self.instance.with_context(queue_job__no_delay=True).import_products(
            product_ids=[shoe["product_id"]]
        )
        self.assertEqual(row.state, "done")
        self.assertFalse(row.reason)
        self.assertEqual(self.items(wholesale.pricelist_id, "SHOE-TRL-9"), [(0, 95.2)])

    def test_retry_applies_a_waiting_record(self):
        self.import_price_lists()
        shoe = self.variant_row("SHOE-TRL-9")
        row = self.price_list(WHOLESALE_LIST).record_ids.filtered(
            lambda r: r.variant_bigcommerce_id == shoe["id"]
        )
        row.action_retry()
        self.assertEqual(row.state, "pending")
        # Bound meanwhile (a catalog import whose hook did not run).
        self.instance.with_context(queue_job__no_delay=True).import_products(
            product_ids=[shoe["product_id"]]
        )
        row.write({"state": "pending", "reason": "test"})
        before = self.sandbox.request_count
        row.action_retry()
        self.assertEqual(row.state, "done")
        self.assertEqual(self.sandbox.request_count, before)

    # ------------------------------------------------------------------
    # Incremental
    # ------------------------------------------------------------------

    def test_an_unchanged_list_costs_one_empty_answer(self):
        self.import_price_lists()
        pricelist = self.price_list(WHOLESALE_LIST).pricelist_id
        items = pricelist.item_ids
        self.assertTrue(items)
        before = self.sandbox.request_count
        self.import_price_lists()
        (query,) = self.record_requests(before)
        self.assertIn("date_modified:min", query)
        self.assertEqual(self.rows_answered(WHOLESALE_LIST, query), 0)
        self.env.invalidate_all()
        self.assertEqual(pricelist.item_ids, items)

    # ------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------

    def test_the_due_poll_imports_and_a_not_due_one_is_not_queued(self):
        model = self.env["bigcommerce.instance"]
        # Off by default: a poll of a store that did not turn it on sends nothing.
        self.assertFalse(self.instance.import_price_lists_cron)
        self.instance.price_list_checkpoint = False
        with trap_jobs() as trap:
            model._cron_import_price_lists()
            trap.assert_jobs_count(0, only=self.instance._job_poll_price_lists)
        self.instance.import_price_lists_cron = True
        with trap_jobs() as trap:
            model._cron_import_price_lists()
            trap.assert_jobs_count(1, only=self.instance._job_poll_price_lists)
            trap.perform_enqueued_jobs()
        self.assertTrue(self.price_list(WHOLESALE_LIST).pricelist_id.item_ids)
        checkpoint = self.instance.price_list_checkpoint
        self.assertTrue(checkpoint)
        # Polled just now; every hour by default: not due.
        before = self.sandbox.request_count
        with trap_jobs() as trap:
            model._cron_import_price_lists()
            trap.assert_jobs_count(0, only=self.instance._job_poll_price_lists)
        self.assertEqual(self.sandbox.request_count, before)
        # Due again: the incremental read, one empty answer per list.
        self.instance.price_list_checkpoint = checkpoint - timedelta(hours=2)
        with trap_jobs() as trap:
            model._cron_import_price_lists()
            trap.assert_jobs_count(1, only=self.instance._job_poll_price_lists)
            trap.perform_enqueued_jobs()
        (query,) = self.record_requests(before)
        self.assertIn("date_modified:min", query)
        self.assertGreaterEqual(self.instance.price_list_checkpoint, checkpoint)

    def test_the_poll_skips_while_a_price_list_import_is_queued(self):
        self.instance.price_list_checkpoint = False
        self.instance.import_price_lists()  # queued, not run
        before = self.sandbox.request_count
        self.instance._job_poll_price_lists()
        self.assertEqual(self.sandbox.request_count, before)
        self.assertFalse(self.instance.price_list_checkpoint)

    def test_one_changed_record_is_read_and_rewritten_alone(self):
        self.import_price_lists()
        wholesale = self.price_list(WHOLESALE_LIST)
        pricelist = wholesale.pricelist_id
        tote = self.product("TOTE-CNV")
        others = pricelist.item_ids.filtered(lambda i: i.product_id != tote)
        stamps = {item.id: (item.fixed_price, item.min_quantity) for item in others}
        self.sandbox.advance_clock(60)
        variant = self.variant_row("TOTE-CNV")["id"]
        self.store_client().upsert_price_list_records(
            WHOLESALE_LIST,
            [
                {
                    "variant_id": variant,
                    "currency": "usd",
                    "price": 18.9,
                    "bulk_pricing_tiers": [
                        {
                            "quantity_min": 12,
                            "quantity_max": 2147483647,
                            "type": "fixed",
                            "amount": 17.5,
                        }
                    ],
                }
            ],
        )
        before = self.sandbox.request_count
        self.import_price_lists(price_list_ids=[WHOLESALE_LIST])
        (query,) = self.record_requests(before)
        self.assertIn("date_modified:min", query)
        # Only the changed record is read...
        self.assertEqual(self.rows_answered(WHOLESALE_LIST, query), 1)
        # ... and only its items change.
        self.env.invalidate_all()
        self.assertEqual(self.items(pricelist, "TOTE-CNV"), [(0, 18.9), (12, 17.5)])
        self.assertEqual(
            pricelist.item_ids.filtered(lambda i: i.product_id != tote), others
        )
        self.assertEqual(
            {item.id: (item.fixed_price, item.min_quantity) for item in others}, stamps
        )

    def test_full_read_removes_the_items_of_a_deleted_record(self):
        self.import_price_lists()
        pricelist = self.price_list(WHOLESALE_LIST).pricelist_id
        variant = self.variant_row("BTL-INS")["id"]
        del self.sandbox.state.price_records[(WHOLESALE_LIST, variant, "usd")]
        self.import_price_lists(price_list_ids=[WHOLESALE_LIST])
        self.assertTrue(self.items(pricelist, "BTL-INS"))  # unseen incrementally
        self.import_price_lists(price_list_ids=[WHOLESALE_LIST], full=True)
        self.assertFalse(self.items(pricelist, "BTL-INS"))
        self.assertTrue(self.items(pricelist, "TOTE-CNV"))

    def test_a_read_stopped_by_the_quota_resumes_from_its_page(self):
        """A whole read of 5 pages (2 records each) stopped at its third page:
        the job keeps the two pages it applied and queues the rest, which
        starts at page 3 (at once here: no wait for the quota); the end of
        the read removes no item of the pages read before the stop."""
        with (
            patch.object(price_list_importer, "RECORD_PAGE", 2),
            patch.object(batch, "retry_seconds", lambda error: 0),
        ):
            run_jobs(self.env)  # the catalog jobs Confirm queued
            # GET /v3/pricelists/1, GET /v2/time, pages 1 and 2; page 3: 503.
            self.sandbox.faults.enqueue(["ok"] * 4 + ["503"])
            self.instance.import_price_lists(price_list_ids=[WHOLESALE_LIST])
            before = self.sandbox.request_count
            stats = run_jobs(self.env)
        self.assertEqual((stats["done"], len(stats["failed"])), (2, 0))
        pages = [int(q["page"]) for q in self.record_requests(before)]
        self.assertEqual(pages, [1, 2, 3, 3, 4, 5])
        paths = [path for _m, path, _q in self.sandbox.request_log[before:]]
        self.assertEqual(paths.count("/v2/time"), 1)  # the read's time, kept
        log = self.env["bigcommerce.log"].search(
            [("operation", "=", "import_price_lists")], order="id", limit=1
        )
        self.assertIn("resumes", log.message)
        wholesale = self.price_list(WHOLESALE_LIST)
        self.assertTrue(wholesale.records_read_at)
        self.assertFalse(wholesale.read_seen)
        pricelist = wholesale.pricelist_id
        self.assertEqual(
            self.items(pricelist, "TOTE-CNV"), [(0, 19.2), (10, 18.0), (50, 16.0)]
        )
        self.assertEqual(
            self.items(pricelist, "BTL-INS"), [(0, 25.6), (6, 23.6), (12, 21.6)]
        )
        self.assertEqual(self.items(pricelist, "TSH-ORG-S-BLK")[0], (0, 22.4))

    def test_an_incremental_read_resumes_with_the_same_filter(self):
        self.import_price_lists()
        run_jobs(self.env)  # the catalog jobs Confirm queued
        self.sandbox.advance_clock(60)
        changes = [
            {
                "variant_id": self.variant_row(sku)["id"],
                "currency": "usd",
                "price": price,
            }
            for sku, price in (("TOTE-CNV", 18.5), ("BTL-INS", 24.0), ("LMP-300", 30.0))
        ]
        self.store_client().upsert_price_list_records(WHOLESALE_LIST, changes)
        with (
            patch.object(price_list_importer, "RECORD_PAGE", 1),
            patch.object(batch, "retry_seconds", lambda error: 0),
        ):
            # GET /v3/pricelists/1, GET /v2/time, page 1; page 2: 503.
            self.sandbox.faults.enqueue(["ok"] * 3 + ["503"])
            self.instance.import_price_lists(price_list_ids=[WHOLESALE_LIST])
            before = self.sandbox.request_count
            stats = run_jobs(self.env)
        self.assertEqual((stats["done"], len(stats["failed"])), (2, 0))
        queries = self.record_requests(before)
        self.assertEqual([int(q["page"]) for q in queries], [1, 2, 2, 3])
        self.assertEqual(len({q["date_modified:min"] for q in queries}), 1)
        pricelist = self.price_list(WHOLESALE_LIST).pricelist_id
        self.assertEqual(self.items(pricelist, "TOTE-CNV")[0], (0, 18.5))
        self.assertEqual(self.items(pricelist, "BTL-INS")[0], (0, 24.0))
        # Nothing else removed by the resumed read.
        self.assertEqual(self.items(pricelist, "TSH-ORG-S-BLK")[0], (0, 22.4))

    # ------------------------------------------------------------------
    # Assignments: groups and channels
    # ------------------------------------------------------------------

    def test_a_customer_of_the_assigned_group_gets_the_price_bigcommerce_charges(self):
        self.import_customers(customer_ids=[LOYAL_CUSTOMER])
        self.import_price_lists()
        group = self.group(LOYALTY)
        wholesale = self.price_list(WHOLESALE_LIST)
        self.assertEqual(group.price_list_id, wholesale)
        self.assertEqual(wholesale.customer_group_ids, group)
        partner = self.customer_binding(LOYAL_CUSTOMER).partner_id
        self.assertEqual(partner.property_product_pricelist, wholesale.pricelist_id)
        skus = ("TOTE-CNV", "BTL-INS", "TSH-ORG-S-BLK")
        quotation = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product(sku).id, "product_uom_qty": 1}
                    )
                    for sku in skus
                ]
                + [
                    Command.create(
                        {
                            "product_id": self.product("TOTE-CNV").id,
                            "product_uom_qty": 10,
                        }
                    )
                ],
            }
        )
        self.assertEqual(quotation.pricelist_id, wholesale.pricelist_id)
        lines = quotation.order_line
        for line, sku in zip(lines[:3], skus, strict=True):
            self.assert_price(line, self.charged(WHOLESALE_LIST, sku), sku)
        # At a tier's quantity: the tier's unit price (fixed 18.00 from 10).
        self.assert_price(lines[3], parse_money("18.00"), "TOTE-CNV x 10")

    def test_a_customer_imported_after_the_price_lists_gets_them(self):
        self.import_price_lists()
        self.import_customers(customer_ids=[LOYAL_CUSTOMER])
        partner = self.customer_binding(LOYAL_CUSTOMER).partner_id
        self.assertEqual(
            partner.property_product_pricelist,
            self.price_list(WHOLESALE_LIST).pricelist_id,
        )

    def test_imported_orders_take_the_price_list_of_their_currency(self):
        self.import_customers(customer_ids=[LOYAL_CUSTOMER])
        self.import_price_lists()
        usd = self.sandbox.create_order(
            customer_id=LOYAL_CUSTOMER, lines=[("TOTE-CNV", 1)], status_id=11
        )
        eur = self.sandbox.create_order(
            customer_id=LOYAL_CUSTOMER,
            lines=[("TSH-ORG-S-BLK", 1)],
            status_id=11,
            currency_code="EUR",
        )
        self.import_orders(order_ids=[usd["id"], eur["id"]])
        self.assertEqual(
            self.record_of(usd).sale_order_id.pricelist_id,
            self.price_list(WHOLESALE_LIST).pricelist_id,
        )
        self.assertEqual(
            self.record_of(eur).sale_order_id.pricelist_id,
            self.price_list(WHOLESALE_LIST, "EUR").pricelist_id,
        )

    def test_the_channel_gets_its_price_list_unless_the_admin_chose_one(self):
        pos = self.instance.channel_ids.filtered(
            lambda c: c.bigcommerce_id == POS_CHANNEL
        )
        self.import_price_lists()
        self.assertEqual(pos.pricelist_id, self.price_list(POS_LIST).pricelist_id)
        self.assertEqual(self.price_list(POS_LIST).channel_ids, pos)
        chosen = self.env["product.pricelist"].create({"name": "Pop-up prices"})
        pos.pricelist_id = chosen
        self.import_price_lists()
        self.assertEqual(pos.pricelist_id, chosen)

    def test_a_three_decimal_currency_is_imported_once(self):
        """A KWD record (rounding 0.001) is kept at the decimals Odoo stores a
        price with ("Product Price", 2 by default): a second whole read
        rewrites nothing."""
        self.env.ref("base.KWD").active = True
        tote = self.variant_row("TOTE-CNV")["id"]
        self.store_client().upsert_price_list_records(
            WHOLESALE_LIST,
            [
                {
                    "variant_id": tote,
                    "currency": "kwd",
                    "price": 5.875,
                    "bulk_pricing_tiers": [
                        {
                            "quantity_min": 10,
                            "quantity_max": 2147483647,
                            "type": "percent",
                            "amount": 12.5,
                        }
                    ],
                }
            ],
        )
        self.import_price_lists(price_list_ids=[WHOLESALE_LIST], full=True)
        pricelist = self.price_list(WHOLESALE_LIST, "KWD").pricelist_id
        # 5.875 and 5.875 x 0.875 = 5.140625 -> 5.141 (KWD), half up at 2.
        self.assertEqual(self.items(pricelist, "TOTE-CNV"), [(0, 5.88), (10, 5.14)])
        # Rounded to what Odoo keeps, never silently: the run's log says so.
        log = self.env["bigcommerce.log"].search(
            [("instance_id", "=", self.instance.id), ("entity", "=", "price_list")],
            order="id desc",
            limit=1,
        )
        self.assertIn("2 prices", log.message)
        self.assertIn("Product Price", log.message)
        items = pricelist.item_ids
        self.import_price_lists(price_list_ids=[WHOLESALE_LIST], full=True)
        self.env.invalidate_all()
        self.assertEqual(pricelist.item_ids, items)

    def test_only_a_bigcommerce_administrator_imports(self):
        user = new_test_user(
            self.env,
            login="pl_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        before = self.sandbox.request_count
        with self.assertRaises(AccessError):
            self.instance.with_user(user).import_price_lists()
        self.assertEqual(self.sandbox.request_count, before)

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------

    def test_export_sends_only_changed_prices_in_batches(self):
        odoo = self.env["product.pricelist"].create(
            {
                "name": "B2B out",
                "currency_id": self.instance.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.product("TOTE-CNV").id,
                            "compute_price": "fixed",
                            "fixed_price": 17.0,
                        }
                    )
                ],
            }
        )
        self.instance.write(
            {
                "price_list_export_pricelist_id": odoo.id,
                "price_list_export_bc_id": SPRING_LIST,
            }
        )
        inline = self.instance.with_context(queue_job__no_delay=True)
        inline.export_price_list()
        path = RECORDS_PATH.format(SPRING_LIST)
        (sent,) = self.sandbox.received_writes("PUT", path)
        variants = self.env["bigcommerce.product.variant"].search(
            [("instance_id", "=", self.instance.id), ("product_id", "!=", False)]
        )
        self.assertEqual(len(sent), len(variants))
        tote = self.variant_row("TOTE-CNV")["id"]
        self.assertIn(
            {
                "variant_id": tote,
                "currency": "usd",
                "price": 17.0,
                "bulk_pricing_tiers": [],
            },
            sent,
        )
        record = self.sandbox.state.price_records[(SPRING_LIST, tote, "usd")]
        self.assertEqual(record["price"], 17.0)
        # Nothing changed: nothing sent.
        inline.export_price_list()
        self.assertEqual(len(self.sandbox.received_writes("PUT", path)), 1)
        # One price changed in Odoo: that variant alone.
        odoo.item_ids.fixed_price = 16.5
        inline.export_price_list()
        last = self.sandbox.received_writes("PUT", path)[-1]
        self.assertEqual(
            last,
            [
                {
                    "variant_id": tote,
                    "currency": "usd",
                    "price": 16.5,
                    "bulk_pricing_tiers": [],
                }
            ],
        )

    def test_export_batches_and_a_refused_batch_is_sent_again(self):
        odoo = self.env["product.pricelist"].create(
            {"name": "B2B out", "currency_id": self.instance.currency_id.id}
        )
        self.instance.write(
            {
                "price_list_export_pricelist_id": odoo.id,
                "price_list_export_bc_id": 999,  # not in the store: a 404
            }
        )
        inline = self.instance.with_context(queue_job__no_delay=True)
        inline.export_price_list()
        self.assertFalse(self.env["bigcommerce.price.list.sent"].search([]))
        log = self.env["bigcommerce.log"].search(
            [("operation", "=", "export_price_list")], limit=1
        )
        self.assertGreater(log.failed_count, 0)
        # The right list, 4 records per request: every variant, in batches.
        self.instance.price_list_export_bc_id = SPRING_LIST
        with patch.object(price_list_exporter, "RECORD_BATCH", 4):
            inline.export_price_list()
        sent = self.sandbox.received_writes("PUT", RECORDS_PATH.format(SPRING_LIST))
        variants = self.env["bigcommerce.product.variant"].search_count(
            [("instance_id", "=", self.instance.id), ("product_id", "!=", False)]
        )
        self.assertEqual(len(sent), -(-variants // 4))
        self.assertTrue(all(len(batch) <= 4 for batch in sent))
        self.assertEqual(sum(len(batch) for batch in sent), variants)

    def tiered_pricelist(self, sku, breaks, currency=None):
        """A pricelist with one fixed-price item of ``sku`` per (minimum
        quantity, unit price) of ``breaks``."""
        return self.env["product.pricelist"].create(
            {
                "name": "B2B tiers out",
                "currency_id": (currency or self.instance.currency_id).id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.product(sku).id,
                            "compute_price": "fixed",
                            "fixed_price": price,
                            "min_quantity": quantity,
                        }
                    )
                    for quantity, price in breaks
                ],
            }
        )

    def export_to(self, pricelist, list_id=SPRING_LIST):
        """Export ``pricelist`` to ``list_id``; the PUT bodies it sent."""
        self.instance.write(
            {
                "price_list_export_pricelist_id": pricelist.id,
                "price_list_export_bc_id": list_id,
            }
        )
        path = RECORDS_PATH.format(list_id)
        before = len(self.sandbox.received_writes("PUT", path))
        self.instance.with_context(queue_job__no_delay=True).export_price_list()
        return self.sandbox.received_writes("PUT", path)[before:]

    def test_exported_tiers_come_back_as_the_same_items(self):
        breaks = [(0, 20.0), (10, 18.0), (50, 16.0)]
        odoo = self.tiered_pricelist("TOTE-CNV", breaks)
        # A quantity break no tier of a variant's price expresses: noted.
        odoo.item_ids = [
            Command.create(
                {
                    "applied_on": "3_global",
                    "compute_price": "percentage",
                    "percent_price": 10,
                    "min_quantity": 5,
                }
            )
        ]
        self.export_to(odoo)
        log = self.env["bigcommerce.log"].search(
            [("operation", "=", "export_price_list")], limit=1
        )
        self.assertIn("1 rules of pricelist", log.message)
        tote = self.variant_row("TOTE-CNV")["id"]
        (record,) = list(
            self.store_client().iter_price_list_records(
                SPRING_LIST, variant_ids=[tote], currency="usd"
            )
        )
        self.assertEqual(parse_money(record["price"]), parse_money("20.00"))
        # fixed: the amount is the unit price from quantity_min on; each tier
        # ends where the next starts, the last is open (the spec's 2^31 - 1).
        self.assertEqual(
            record["bulk_pricing_tiers"],
            [
                {"quantity_min": 10, "quantity_max": 49, "type": "fixed", "amount": 18},
                {
                    "quantity_min": 50,
                    "quantity_max": 2147483647,
                    "type": "fixed",
                    "amount": 16,
                },
            ],
        )
        # A variant without quantity breaks has none.
        bottle = self.variant_row("BTL-INS")["id"]
        (plain,) = list(
            self.store_client().iter_price_list_records(
                SPRING_LIST, variant_ids=[bottle], currency="usd"
            )
        )
        self.assertEqual(plain["bulk_pricing_tiers"], [])
        # Round trip: the import of that list gives the same items.
        self.import_price_lists(price_list_ids=[SPRING_LIST])
        back = self.price_list(SPRING_LIST).pricelist_id
        self.assertEqual(self.items(back, "TOTE-CNV"), self.items(odoo, "TOTE-CNV"))
        self.assertEqual(self.items(back, "TOTE-CNV"), breaks)

    def test_a_tier_change_alone_is_sent_and_nothing_changed_sends_nothing(self):
        odoo = self.tiered_pricelist("TOTE-CNV", [(0, 20.0), (10, 18.0), (50, 16.0)])
        self.assertTrue(self.export_to(odoo))
        self.assertEqual(self.export_to(odoo), [])
        odoo.item_ids.filtered(lambda i: i.min_quantity == 10).fixed_price = 17.5
        tote = self.variant_row("TOTE-CNV")["id"]
        ((sent,),) = self.export_to(odoo)
        self.assertEqual(sent["variant_id"], tote)
        self.assertEqual(sent["price"], 20.0)
        self.assertEqual(
            [(t["quantity_min"], t["amount"]) for t in sent["bulk_pricing_tiers"]],
            [(10, 17.5), (50, 16.0)],
        )
        self.assertEqual(self.export_to(odoo), [])
        # A tier removed in Odoo is removed in BigCommerce (an empty list: the
        # sandbox, as CONTRACT.md assumes, keeps tiers left out of a PUT).
        odoo.item_ids.filtered(lambda i: i.min_quantity == 50).unlink()
        ((sent,),) = self.export_to(odoo)
        self.assertEqual(len(sent["bulk_pricing_tiers"]), 1)
        odoo.item_ids.filtered(lambda i: i.min_quantity == 10).unlink()
        ((sent,),) = self.export_to(odoo)
        self.assertEqual(sent["bulk_pricing_tiers"], [])
        self.assertEqual(self.export_to(odoo), [])

    def test_a_three_decimal_currency_is_sent_once(self):
        """KWD (rounding 0.001): prices with a third decimal are sent once; a
        second export with nothing changed sends nothing."""
        kwd = self.env.ref("base.KWD")
        kwd.active = True
        odoo = self.env["product.pricelist"].create(
            {
                "name": "B2B in KWD",
                "currency_id": kwd.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 12.345,
                        }
                    )
                ],
            }
        )
        (sent,) = self.export_to(odoo)
        self.assertTrue(sent)
        self.assertEqual({row["currency"] for row in sent}, {"kwd"})
        prices = [parse_money(str(row["price"])) for row in sent]
        self.assertTrue(all(p == round(p, 3) for p in prices))
        self.assertTrue([p for p in prices if p != round(p, 2)], prices)
        self.assertEqual(self.export_to(odoo), [])

    def assert_price(self, line, charged, label):
        net = line.price_unit * (1 - line.discount / 100)
        self.assertEqual(
            float_compare(net, float(charged), precision_digits=2),
            0,
            f"{label}: {net} in Odoo, {charged} in BigCommerce",
        )
