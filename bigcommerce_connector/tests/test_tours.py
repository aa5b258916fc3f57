"""Browser tours (Chromium): the admin's path and what a User may see."""

import os
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import start_sandbox

# Must match TOUR_ORDER_ID in static/tests/tours/bigcommerce_tours.js.
TOUR_ORDER_ID = 101
FAILED_ORDER_ID = 102


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A name no other suite uses: lists such as the payment mappings also
        # show the stores other suites committed.
        cls.instance = start_sandbox(cls, name="Tour store")
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
        eligible = (11, 9, 8, 3, 2, 10, 4, 14)
        for order_id in (TOUR_ORDER_ID, FAILED_ORDER_ID):
            order = cls.sandbox.state.orders[order_id]
            assert order["status_id"] in eligible and not order["is_deleted"], order_id
        # A failed order for Retry (its cause is gone: the products exist).
        cls.failed = cls.env["bigcommerce.order"].create(
            {
                "instance_id": cls.instance.id,
                "bigcommerce_id": FAILED_ORDER_ID,
                "state": "failed",
                "failure_reason": "Unknown SKU (fixed since)",
            }
        )
        cls.user = new_test_user(
            cls.env,
            login="bc_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )

    def test_admin_tour(self):
        self.env.ref("base.user_admin").write(
            {
                "group_ids": [
                    Command.link(
                        self.env.ref(
                            "bigcommerce_connector.group_bigcommerce_manager"
                        ).id
                    )
                ]
            }
        )
        # Jobs run inline: the browser's import has no job runner behind it.
        with patch.dict(os.environ, {"QUEUE_JOB__NO_DELAY": "1"}):
            self.start_tour(
                "/odoo/action-bigcommerce_connector.bigcommerce_dashboard_action",
                "bigcommerce_admin_tour",
                login="admin",
                timeout=180,
            )
        imported = self.env["bigcommerce.order"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", TOUR_ORDER_ID),
            ]
        )
        self.assertEqual(imported.state, "done")
        self.assertEqual(self.failed.state, "done")
        self.assertEqual(self.instance.state, "confirmed")
        default = self.instance.payment_mapping_ids.filtered("is_default")
        self.assertTrue(default.needs_setup)

    def test_user_tour(self):
        self.start_tour(
            "/odoo/action-bigcommerce_connector.bigcommerce_dashboard_action",
            "bigcommerce_user_tour",
            login="bc_user",
            timeout=120,
        )
