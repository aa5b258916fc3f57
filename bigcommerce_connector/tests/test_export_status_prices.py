from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import run_jobs
from .test_export_shipments import ExportCase

ORDER_PUT = r"/v2/orders/\d+"
VARIANTS_PUT = r"/v3/catalog/variants"


@tagged("post_install", "-at_install")
class TestOrderStatusExport(ExportCase):
    def no_invoice_mapping(self, method):
        return self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": method,
                "create_invoice": False,
                "post_invoice": False,
            }
        )

    def test_cancel_in_odoo_sets_cancelled(self):
        self.no_invoice_mapping("Cash on Delivery")
        order, sale = self.imported(
            [("TOTE-CNV", 1)], payment_method="Cash on Delivery"
        )
        sale.with_context(queue_job__no_delay=True).action_cancel()
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(
            self.sandbox.received_writes("PUT", ORDER_PUT), [{"status_id": 5}]
        )
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 5)
        row = sale.bigcommerce_order_export_ids
        self.assertEqual((row.kind, row.state, row.status_id), ("cancel", "done", 5))
        # Replays and the safety net send nothing more.
        self.instance.with_context(queue_job__no_delay=True).export_order_statuses()
        row.action_retry()
        run_jobs(self.env)
        self.assertEqual(len(self.sandbox.received_writes("PUT", ORDER_PUT)), 1)

    def test_cancel_from_bigcommerce_is_not_echoed(self):
        self.no_invoice_mapping("Cash on Delivery")
        order, sale = self.imported(
            [("TOTE-CNV", 1)], payment_method="Cash on Delivery"
        )
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 5)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])

    def test_paid_offline_sets_awaiting_fulfillment(self):
        self.instance.order_status_ids.filtered(
            lambda s: s.bigcommerce_id == 7
        ).odoo_action = "import"
        self.instance.mark_order_as_paid = True
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Bank Deposit",
                "paid_action": "offline",
            }
        )
        order = self.sandbox.create_order(
            status_id=7, lines=[("TOTE-CNV", 1)], payment_method="Bank Deposit"
        )
        self.import_orders(order_ids=[order["id"]])
        invoice = self.record_of(order).invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])
        self.env["account.payment.register"].with_context(
            active_model="account.move",
            active_ids=invoice.ids,
            queue_job__no_delay=True,
        ).create({"journal_id": self.bank.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            self.sandbox.received_writes("PUT", ORDER_PUT), [{"status_id": 11}]
        )
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 11)

    def test_authorised_gateway_payment_is_captured(self):
        self.instance.order_status_ids.filtered(
            lambda s: s.bigcommerce_id == 7
        ).odoo_action = "import"
        self.instance.mark_order_as_paid = True
        self.mappings.create(
            {
                "instance_id": self.instance.id,
                "payment_method": "Test Payment Gateway",
                "paid_action": "capture",
            }
        )
        order = self.sandbox.create_order(
            status_id=7, lines=[("TOTE-CNV", 1)], payment_method="Test Payment Gateway"
        )
        self.import_orders(order_ids=[order["id"]])
        sale = self.record_of(order).sale_order_id
        self.assertEqual(
            self.sandbox.state.orders[order["id"]]["payment_status"], "authorized"
        )
        sale.action_bigcommerce_mark_as_paid()
        # The invoice is not paid in Odoo yet: nothing to tell.
        self.assertFalse(
            self.sandbox.received_writes(
                "POST", r"/v3/orders/\d+/payment_actions/capture"
            )
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move",
            active_ids=self.record_of(order).invoice_id.ids,
            queue_job__no_delay=True,
        ).create({"journal_id": self.bank.id})._create_payments()
        self.assertEqual(
            len(
                self.sandbox.received_writes(
                    "POST", r"/v3/orders/\d+/payment_actions/capture"
                )
            ),
            1,
        )
        self.assertEqual(
            self.sandbox.state.orders[order["id"]]["payment_status"], "captured"
        )
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])

    def pay(self, order):
        """Register the payment of the order's invoice, as an accountant does."""
        invoice = self.record_of(order).invoice_id
        self.assertEqual(invoice.state, "posted")
        self.env["account.payment.register"].with_context(
            active_model="account.move",
            active_ids=invoice.ids,
            queue_job__no_delay=True,
        ).create({"journal_id": self.bank.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_shipped_then_paid_completes_the_order(self):
        self.instance.export_completed_status = True
        order, sale = self.imported([("TOTE-CNV", 2)])
        self.deliver(sale.picking_ids)
        # Shipped (BigCommerce set Shipped itself), not paid yet: nothing.
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 2)
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])
        self.pay(order)
        self.assertEqual(
            self.sandbox.received_writes("PUT", ORDER_PUT), [{"status_id": 10}]
        )
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 10)
        row = self.record_of(order).order_export_ids.filtered(
            lambda export: export.kind == "complete"
        )
        self.assertEqual((row.state, row.status_id), ("done", 10))
        # Once: the safety net sends nothing more.
        self.instance.with_context(queue_job__no_delay=True).export_order_statuses()
        self.assertEqual(len(self.sandbox.received_writes("PUT", ORDER_PUT)), 1)

    def test_paid_then_shipped_completes_the_order(self):
        self.instance.export_completed_status = True
        order, sale = self.imported([("TOTE-CNV", 2)])
        self.pay(order)
        # Paid, not shipped yet: nothing.
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])
        picking = self.deliver(sale.picking_ids, {"TOTE-CNV": 1})
        # Half shipped: still nothing.
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])
        self.deliver(sale.picking_ids - picking)
        self.assertEqual(
            self.sandbox.received_writes("PUT", ORDER_PUT), [{"status_id": 10}]
        )
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 10)

    def test_shipped_and_paid_sends_nothing_when_off(self):
        self.assertFalse(self.instance.export_completed_status)
        order, sale = self.imported([("TOTE-CNV", 1)])
        self.deliver(sale.picking_ids)
        self.pay(order)
        self.instance.with_context(queue_job__no_delay=True).export_order_statuses()
        self.assertEqual(self.sandbox.received_writes("PUT", ORDER_PUT), [])
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 2)


@tagged("post_install", "-at_install")
class TestPriceExport(ExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        state = cls.sandbox.state
        cls.bindings = cls.env["bigcommerce.product.variant"]
        for sku in ("TOTE-CNV", "BTL-INS", "PST-MAP"):
            product_id, variant = next(
                (pid, v)
                for pid, rows in state.variants.items()
                for v in rows
                if v["sku"] == sku
            )
            price = float(variant["price"] or state.products[product_id]["price"])
            odoo_product = cls.env["product.product"].search(
                [("default_code", "=", sku)]
            )
            odoo_product.list_price = price
            cls.bindings |= cls.bindings.create(
                {
                    "instance_id": cls.instance.id,
                    "bigcommerce_id": variant["id"],
                    "bigcommerce_product_id": product_id,
                    "product_id": odoo_product.id,
                    "sku": sku,
                    "price": price,
                    "is_base_variant": True,
                }
            )
        cls.instance.export_sale_price = True

    def export(self):
        self.instance.with_context(queue_job__no_delay=True).export_prices()

    def test_only_changed_prices_in_one_batch_then_none(self):
        tote, bottle, _poster = self.bindings
        tote.product_id.list_price = 99.5
        bottle.product_id.list_price = 12.25
        self.export()
        sent = self.sandbox.received_writes("PUT", VARIANTS_PUT)
        self.assertEqual(
            sent,
            [
                [
                    {"id": tote.bigcommerce_id, "price": 99.5},
                    {"id": bottle.bigcommerce_id, "price": 12.25},
                ]
            ],
        )
        variants = {
            v["id"]: v for rows in self.sandbox.state.variants.values() for v in rows
        }
        self.assertEqual(variants[tote.bigcommerce_id]["price"], 99.5)
        self.assertEqual(tote.exported_price, 99.5)
        self.export()
        self.assertEqual(len(self.sandbox.received_writes("PUT", VARIANTS_PUT)), 1)

    def test_pricelist_price_in_store_currency(self):
        tote = self.bindings[0]
        self.instance.export_sale_price = False
        self.instance.price_pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "BigCommerce prices",
                "currency_id": self.instance.currency_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": tote.product_id.id,
                            "compute_price": "fixed",
                            "fixed_price": 7.77,
                        },
                    )
                ],
            }
        )
        self.export()
        sent = self.sandbox.received_writes("PUT", VARIANTS_PUT)
        self.assertEqual(sent, [[{"id": tote.bigcommerce_id, "price": 7.77}]])

    def test_a_refused_batch_is_kept_with_its_reason(self):
        tote = self.bindings[0]
        tote.bigcommerce_id = 987654
        tote.product_id.list_price = 5.0
        self.export()
        self.assertIn("Variant not found", tote.price_export_error)
        self.assertFalse(tote.price_exported_at)

    def test_pricelist_in_another_currency_is_converted_to_the_store_currency(self):
        tote = self.bindings[0]
        store_currency = self.instance.currency_id
        self.assertEqual(store_currency.name, "USD")
        euro = self.env.ref("base.EUR")
        euro.active = True
        # 1 USD = 0.8 EUR: 10.00 EUR are 12.50 USD.
        self.env["res.currency.rate"].search(
            [("currency_id", "in", (euro | store_currency).ids)]
        ).unlink()
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": euro.id,
                    "rate": 0.8,
                    "name": "2000-01-01",
                    "company_id": self.instance.company_id.id,
                },
                {
                    "currency_id": store_currency.id,
                    "rate": 1.0,
                    "name": "2000-01-01",
                    "company_id": self.instance.company_id.id,
                },
            ]
        )
        self.instance.export_sale_price = False
        self.instance.price_pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "Prices in euros",
                "currency_id": euro.id,
                "company_id": self.instance.company_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": tote.product_id.id,
                            "compute_price": "fixed",
                            "fixed_price": 10.0,
                        },
                    )
                ],
            }
        )
        self.export()
        sent = self.sandbox.received_writes("PUT", VARIANTS_PUT)
        self.assertIn({"id": tote.bigcommerce_id, "price": 12.5}, sent[0])
        self.assertEqual(tote.exported_price, 12.5)


@tagged("post_install", "-at_install")
class TestPriceExportLimits(ExportCase):
    """50 variants per request (BigCommerce's batch limit), 500 bindings per
    job, the next job carrying on from the last one: 501 variants."""

    def test_fifty_per_request_five_hundred_per_job(self):
        from bigcommerce_sandbox.seed.large_catalog import (  # noqa: PLC0415
            add_generated_catalog,
        )

        state = self.sandbox.state
        with state.lock:
            product_ids = add_generated_catalog(
                state, products=501, variants_per_product=1, images=0
            )
        self.addCleanup(self.sandbox.reset)
        variants = [state.variants[product_id][0] for product_id in product_ids]
        products = self.env["product.product"].create(
            [
                {
                    "name": variant["sku"],
                    "default_code": variant["sku"],
                    "type": "consu",
                    "list_price": 1000.0 + index,
                }
                for index, variant in enumerate(variants)
            ]
        )
        bindings = self.env["bigcommerce.product.variant"].create(
            [
                {
                    "instance_id": self.instance.id,
                    "bigcommerce_id": variant["id"],
                    "bigcommerce_product_id": variant["product_id"],
                    "product_id": product.id,
                    "sku": variant["sku"],
                    "price": 1.0,
                    "is_base_variant": True,
                }
                for variant, product in zip(variants, products, strict=True)
            ]
        )
        self.instance.export_sale_price = True
        with trap_jobs() as trap:
            self.instance.export_prices()
            trap.assert_jobs_count(1, only=self.instance._job_export_prices)
            trap.perform_enqueued_jobs()
            # The first job read 500 bindings, sent them 50 a request, and
            # queued the next job after its last binding.
            sizes = [
                len(body) for body in self.sandbox.received_writes("PUT", VARIANTS_PUT)
            ]
            self.assertEqual(sizes, [50] * 10)
            trap.assert_jobs_count(1, only=self.instance._job_export_prices)
            trap.assert_enqueued_job(
                self.instance._job_export_prices,
                kwargs={"product_ids": None, "after_id": bindings[499].id},
            )
            trap.perform_enqueued_jobs()
            trap.assert_jobs_count(0)
        sent = self.sandbox.received_writes("PUT", VARIANTS_PUT)
        self.assertEqual([len(body) for body in sent], [50] * 10 + [1])
        self.assertEqual(
            sorted(item["id"] for body in sent for item in body),
            sorted(bindings.mapped("bigcommerce_id")),
        )
        self.assertEqual(
            bindings.mapped("exported_price"), products.mapped("list_price")
        )
