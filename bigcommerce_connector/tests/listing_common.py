"""Shared set-up of the listing tests: a confirmed sandbox store, its
categories and brands imported, and the request bodies checked against the
OpenAPI specs (``tests/openapi_conformance.py`` of the checkout)."""

import importlib.util
import os

from odoo import Command

from .checkout_path import _CHECKOUT
from .common import TEST_QUOTA, TEST_WINDOW_MS, BigcommerceSandboxCase, forget_quota

PRODUCTS = r"/v3/catalog/products"
PRODUCT_VARIANTS = r"/v3/catalog/products/\d+/variants"
VARIANTS = r"/v3/catalog/variants"
IMAGES = r"/v3/catalog/products/\d+/images"


def _conformance():
    path = os.path.join(_CHECKOUT, "tests", "openapi_conformance.py")
    spec = importlib.util.spec_from_file_location("bc_openapi_conformance", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ListingCase(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conformance = _conformance()
        cls.instance.write({"update_product_category": True, "create_products": True})
        cls.instance.with_context(queue_job__no_delay=True).action_confirm()
        cls.category = cls.env["bigcommerce.category"].search(
            [("instance_id", "=", cls.instance.id), ("name", "=", "Bags")]
        )
        cls.brand = cls.env["bigcommerce.brand"].search(
            [("instance_id", "=", cls.instance.id), ("name", "=", "Trailhead")]
        )
        cls.size = cls.env["product.attribute"].create(
            {
                "name": "Size",
                "value_ids": [Command.create({"name": n}) for n in ("S", "M", "L")],
            }
        )
        cls.color = cls.env["product.attribute"].create(
            {
                "name": "Color",
                "value_ids": [Command.create({"name": n}) for n in ("Red", "Blue")],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.set_rate_limit()
        self.sandbox.received.clear()
        self.addCleanup(self.sandbox.clear_faults)

    def tearDown(self):
        self.sandbox.reset()
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    # Helpers

    def inline(self, instance=None):
        return (instance or self.instance).with_context(queue_job__no_delay=True)

    def export(self, templates=None):
        """Export inline; returns the API requests it sent."""
        before = len(self.sandbox.request_log)
        self.inline().export_products(template_ids=templates.ids if templates else None)
        return self.sandbox.request_log[before:]

    def later(self, templates):
        """Modifications of ``templates`` made in a later transaction.

        A test is one transaction, whose ``write_date`` never moves; between
        two exports in real life, the next modification is later.
        """
        self.env.flush_all()
        for table, column in (
            ("product_template", "id"),
            ("product_product", "product_tmpl_id"),
        ):
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date + interval '1 second' "  # noqa: S608
                f"WHERE {column} = ANY(%s)",
                [templates.ids],
            )
        self.env.invalidate_all()

    def template(self, name, **values):
        return self.env["product.template"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "list_price": 10.0,
                "categ_id": self.category.product_category_id.id,
                **values,
            }
        )

    def shirt(self, name="Odoo Tee", sku="OTEE"):
        template = self.template(
            name,
            list_price=20.0,
            attribute_line_ids=[
                Command.create(
                    {
                        "attribute_id": self.size.id,
                        "value_ids": [Command.set(self.size.value_ids[:2].ids)],
                    }
                ),
                Command.create(
                    {
                        "attribute_id": self.color.id,
                        "value_ids": [Command.set(self.color.value_ids.ids)],
                    }
                ),
            ],
        )
        for product in template.product_variant_ids:
            labels = product.product_template_attribute_value_ids.mapped("name")
            product.default_code = "-".join([sku, *labels])
            product.weight = 0.25
        return template

    def row(self, template):
        return self.env["bigcommerce.listing.export"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("product_tmpl_id", "=", template.id),
            ]
        )

    def bc_product(self, template):
        binding = self.row(template).product_binding_id
        return self.sandbox.state.products.get(binding.bigcommerce_id)

    def sent(self, method, pattern):
        return self.sandbox.received_writes(method, pattern)

    def assert_conforms(self, method, path, body):
        errors = self.conformance.validate_request(
            method, f"/stores/{self.sandbox.store_hash}{path}", body
        )
        self.assertEqual(errors, [], f"{method} {path} body does not conform")

    def writes(self, requests):
        return [(m, p) for m, p, _q in requests if m != "GET"]
