import base64

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from bigcommerce_sandbox.cdn import _png

from .common import run_jobs
from .listing_common import (
    IMAGES,
    PRODUCT_VARIANTS,
    PRODUCTS,
    VARIANTS,
    ListingCase,
)


@tagged("post_install", "-at_install")
class TestListingCreate(ListingCase):
    def test_simple_product(self):
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-1",
            list_price=45.0,
            standard_price=18.0,
            weight=1.2,
            barcode="4006381333931",
            description_sale="Boils water.",
            bigcommerce_brand_id=self.brand.id,
            bigcommerce_width=200.0,
        )
        requests = self.export(kettle)
        self.assertEqual(self.writes(requests), [("POST", "/v3/catalog/products")])
        self.assertEqual(len(requests), 1, "one request per new simple product")
        (body,) = self.sent("POST", PRODUCTS)
        self.assert_conforms("POST", "/v3/catalog/products", body)
        product = self.bc_product(kettle)
        self.assertEqual(
            {k: product[k] for k in ("name", "sku", "type", "gtin", "upc")},
            {
                "name": "Odoo Kettle",
                "sku": "KET-1",
                "type": "physical",
                "gtin": "4006381333931",
                "upc": "",
            },
        )
        self.assertEqual(product["price"], 45.0)
        self.assertEqual(product["cost_price"], 18.0)
        self.assertEqual(product["weight"], 1.2)  # the store is on kilograms
        self.assertEqual(product["width"], 20.0)  # Odoo millimetres, store cm
        self.assertEqual(product["categories"], [self.category.bigcommerce_id])
        self.assertEqual(product["brand_id"], self.brand.bigcommerce_id)
        self.assertEqual(product["inventory_tracking"], "product")
        self.assertEqual(product["description"], "<p>Boils water.</p>")
        self.assertTrue(product["is_visible"])
        row = self.row(kettle)
        self.assertEqual(row.state, "done", row.failure_reason)
        binding = row.product_binding_id
        self.assertEqual(binding.product_tmpl_id, kettle)
        self.assertEqual(
            binding.variant_ids.mapped("bigcommerce_id"), [product["base_variant_id"]]
        )
        self.assertEqual(binding.variant_ids.product_id, kettle.product_variant_id)
        self.assertIn(self.instance, kettle.bigcommerce_instance_ids)

    def test_two_attributes_make_one_product_with_four_variants(self):
        tee = self.shirt()
        medium = self.size.value_ids.filtered(lambda v: v.name == "M")
        tee.attribute_line_ids.product_template_value_ids.filtered(
            lambda v: v.product_attribute_value_id == medium
        ).price_extra = 2.0
        requests = self.export(tee)
        self.assertEqual(
            [(m, p) for m, p, _q in requests],
            [("POST", "/v3/catalog/products"), ("GET", "/v3/catalog/variants")],
        )
        (body,) = self.sent("POST", PRODUCTS)
        self.assert_conforms("POST", "/v3/catalog/products", body)
        product = self.bc_product(tee)
        self.assertEqual(product["price"], 20.0)
        options = self.sandbox.state.options[product["id"]]
        self.assertEqual(
            {
                o["display_name"]: sorted(v["label"] for v in o["option_values"])
                for o in options
            },
            {"Size": ["M", "S"], "Color": ["Blue", "Red"]},
        )
        variants = self.sandbox.state.variants[product["id"]]
        self.assertEqual(len(variants), 4)
        binding = self.row(tee).product_binding_id
        self.assertEqual(len(binding.variant_ids), 4)
        for vb in binding.variant_ids:
            variant = next(v for v in variants if v["id"] == vb.bigcommerce_id)
            odoo = vb.product_id
            self.assertEqual(variant["sku"], odoo.default_code)
            self.assertEqual(
                sorted(ov["label"] for ov in variant["option_values"]),
                sorted(odoo.product_template_attribute_value_ids.mapped("name")),
            )
            self.assertEqual(variant["price"], 22.0 if "M" in variant["sku"] else 20.0)
            self.assertEqual(variant["weight"], 0.25)

    def test_price_from_the_pricelist_in_the_store_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "rate": 0.5, "name": fields.Date.today()}
        )
        mug = self.template("Odoo Mug", default_code="MUG-EUR", list_price=3.0)
        self.instance.price_pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "Store prices (EUR)",
                "currency_id": eur.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": mug.id,
                            "compute_price": "fixed",
                            "fixed_price": 10.0,
                        }
                    )
                ],
            }
        )
        self.export(mug)
        self.assertEqual(self.bc_product(mug)["price"], 20.0)  # 10 EUR = 20 USD
        # "Export Odoo Product's Sale Price?": the product's sale price.
        self.instance.export_sale_price = True
        self.export(mug)
        self.assertEqual(
            self.sent("PUT", PRODUCTS),
            [[{"id": self.row(mug).bigcommerce_id, "price": 3.0}]],
        )

    def test_no_variant_attributes_are_not_variants(self):
        engraving = self.env["product.attribute"].create(
            {
                "name": "Engraving",
                "create_variant": "no_variant",
                "value_ids": [Command.create({"name": "Yes"})],
            }
        )
        pen = self.template(
            "Odoo Pen",
            default_code="PEN-1",
            attribute_line_ids=[
                Command.create(
                    {
                        "attribute_id": engraving.id,
                        "value_ids": [Command.set(engraving.value_ids.ids)],
                    }
                )
            ],
        )
        self.export(pen)
        (body,) = self.sent("POST", PRODUCTS)
        self.assertNotIn("variants", body)
        self.assertEqual(self.bc_product(pen)["sku"], "PEN-1")

    def test_a_service_is_a_digital_product(self):
        ebook = self.template(
            "Odoo E-Book", default_code="EBOOK-1", type="service", is_storable=False
        )
        self.export(ebook)
        self.assertEqual(self.row(ebook).state, "done", self.row(ebook).failure_reason)
        self.assertEqual(self.bc_product(ebook)["type"], "digital")

    def test_a_refused_product_does_not_hold_back_the_rest(self):
        """Issue 22 item 8: a product BigCommerce refuses (409 here) is a
        failed row with the reason; the others of the export are created."""
        first = self.template("Odoo Mug", default_code="MUG-1")
        refused = self.template("Canvas Tote Bag", default_code="OUR-TOTE")
        last = self.template("Odoo Spoon", default_code="SPOON-1")
        self.export(first | refused | last)
        self.assertEqual(self.row(refused).state, "failed")
        self.assertIn("already exists in BigCommerce", self.row(refused).failure_reason)
        for template in first | last:
            row = self.row(template)
            self.assertEqual(row.state, "done", row.failure_reason)
            self.assertEqual(self.bc_product(template)["sku"], template.default_code)

    def test_variant_without_sku_is_refused_clearly(self):
        tee = self.shirt()
        tee.product_variant_ids[0].default_code = False
        self.assertEqual(self.export(tee), [])
        row = self.row(tee)
        self.assertEqual(row.state, "failed")
        self.assertIn("no Internal Reference", row.failure_reason)


@tagged("post_install", "-at_install")
class TestListingUpdate(ListingCase):
    def test_update_in_one_batch_and_second_export_sends_nothing(self):
        kettle = self.template("Odoo Kettle", default_code="KET-1", weight=1.0)
        mug = self.template("Odoo Mug", default_code="MUG-1", weight=0.3)
        self.export(kettle | mug)
        self.assertEqual(self.export(), [], "nothing changed: zero requests")
        self.assertEqual(self.export(kettle | mug), [])
        kettle.write({"name": "Odoo Kettle XL", "weight": 1.5})
        mug.write({"barcode": "012345678905"})
        self.later(kettle | mug)
        requests = self.export()
        self.assertEqual(self.writes(requests), [("PUT", "/v3/catalog/products")])
        self.assertEqual(len(requests), 1)
        (body,) = self.sent("PUT", PRODUCTS)
        self.assert_conforms("PUT", "/v3/catalog/products", body)
        by_id = {item["id"]: item for item in body}
        self.assertEqual(
            by_id[self.row(kettle).bigcommerce_id],
            {
                "id": self.row(kettle).bigcommerce_id,
                "name": "Odoo Kettle XL",
                "weight": 1.5,
            },
        )
        self.assertEqual(
            by_id[self.row(mug).bigcommerce_id],
            {"id": self.row(mug).bigcommerce_id, "upc": "012345678905"},
        )
        self.assertEqual(self.bc_product(kettle)["name"], "Odoo Kettle XL")
        self.assertEqual(self.bc_product(mug)["upc"], "012345678905")
        self.assertEqual(self.export(), [])

    def test_only_templates_changed_since_compared_are_read_again(self):
        kettle = self.template("Odoo Kettle", default_code="KET-1")
        mug = self.template("Odoo Mug", default_code="MUG-1")
        self.export(kettle | mug)
        self.assertEqual(self.instance._listing_templates_to_export(), [])
        mug.product_variant_id.weight = 0.9  # a variant's change counts
        self.later(mug)
        self.assertEqual(self.instance._listing_templates_to_export(), mug.ids)
        requests = self.export()
        self.assertEqual(self.writes(requests), [("PUT", "/v3/catalog/products")])
        self.assertEqual(self.instance._listing_templates_to_export(), [])

    def test_archived_template_is_hidden_never_created(self):
        kettle = self.template("Odoo Kettle", default_code="KET-ARCH")
        never = self.template("Odoo Never", default_code="NEVER-1", active=False)
        self.export(kettle | never)
        self.assertEqual(self.row(never).state, "skipped")
        self.assertFalse(
            [p for p in self.sandbox.state.products.values() if p["sku"] == "NEVER-1"]
        )
        kettle.action_archive()
        self.later(kettle)
        self.export()
        self.assertEqual(
            self.sent("PUT", PRODUCTS),
            [[{"id": self.row(kettle).bigcommerce_id, "is_visible": False}]],
        )
        self.assertFalse(self.bc_product(kettle)["is_visible"])
        self.assertEqual(self.export(), [])

    def test_eleven_changed_products_take_two_batches(self):
        templates = self.env["product.template"]
        for index in range(11):
            templates |= self.template(f"Odoo Item {index}", default_code=f"IT-{index}")
        self.export(templates)
        templates.write({"list_price": 12.5})
        self.later(templates)
        requests = self.export()
        self.assertEqual([len(body) for body in self.sent("PUT", PRODUCTS)], [10, 1])
        self.assertEqual(len(requests), 2)

    def test_variants_changed_added_and_removed(self):
        tee = self.shirt()
        self.export(tee)
        self.sandbox.received.clear()
        first = tee.product_variant_ids[0]
        first.weight = 0.4
        # Size L: two variants more; the first Blue variant is archived.
        tee.attribute_line_ids.filtered(
            lambda line: line.attribute_id == self.size
        ).value_ids = [Command.set(self.size.value_ids.ids)]
        for product in tee.product_variant_ids.filtered(lambda p: not p.default_code):
            labels = product.product_template_attribute_value_ids.mapped("name")
            product.default_code = "-".join(["OTEE", *labels])
        gone = tee.product_variant_ids.filtered(
            lambda p: p.default_code == "OTEE-S-Blue"
        )
        gone.action_archive()
        self.later(tee)
        requests = self.export()
        (batch,) = self.sent("PUT", VARIANTS)
        self.assert_conforms("PUT", "/v3/catalog/variants", batch)
        self.assertEqual(len(batch), 1)
        self.assertEqual(batch[0]["weight"], 0.4)
        created = self.sent("POST", PRODUCT_VARIANTS)
        self.assertEqual(
            sorted(v["sku"] for v in created), ["OTEE-L-Blue", "OTEE-L-Red"]
        )
        for body in created:
            self.assert_conforms(
                "POST",
                f"/v3/catalog/products/{self.row(tee).bigcommerce_id}/variants",
                body,
            )
        product = self.bc_product(tee)
        skus = sorted(v["sku"] for v in self.sandbox.state.variants[product["id"]])
        self.assertEqual(len(skus), 6, "the removed variant is not deleted")
        row = self.row(tee)
        self.assertEqual(row.state, "done", row.failure_reason)
        self.assertTrue(gone)
        self.assertIn(
            "OTEE-S-Blue",
            row.note or "",
            row.product_binding_id.variant_ids.mapped(
                lambda v: (v.sku, v.product_id.active)
            ),
        )
        self.assertIn("not deleted in BigCommerce", row.note)
        self.assertEqual(len(row.product_binding_id.variant_ids.filtered("active")), 6)
        self.assertTrue(requests)
        self.assertEqual(self.export(), [])


@tagged("post_install", "-at_install")
class TestListingExactlyOnce(ListingCase):
    def test_lost_answer_then_retry_leaves_one_product(self):
        kettle = self.template("Odoo Kettle", default_code="KET-LOST")
        self.sandbox.lose_answer("POST", PRODUCTS)
        self.export(kettle)
        row = self.row(kettle)
        self.assertEqual(row.state, "failed")
        self.assertTrue(row.create_attempted_at)
        self.assertIn("did not answer", row.failure_reason)
        made = [
            p for p in self.sandbox.state.products.values() if p["sku"] == "KET-LOST"
        ]
        self.assertEqual(len(made), 1, "BigCommerce created it and the answer was lost")
        row.with_context(queue_job__no_delay=True).action_retry()
        self.assertEqual(row.state, "done", row.failure_reason)
        self.assertEqual(row.bigcommerce_id, made[0]["id"])
        self.assertFalse(row.create_attempted_at)
        self.assertEqual(len(self.sent("POST", PRODUCTS)), 1, "never posted again")
        self.assertEqual(
            [
                p["id"]
                for p in self.sandbox.state.products.values()
                if p["sku"] == "KET-LOST"
            ],
            [made[0]["id"]],
        )
        self.assertEqual(self.export(kettle), [])

    def test_lost_answer_in_a_queued_job_is_looked_up_by_the_next_step(self):
        tee = self.shirt(name="Queued Tee", sku="QTEE")
        self.sandbox.lose_answer("POST", PRODUCTS)
        self.instance.export_products(template_ids=tee.ids)
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        row = self.row(tee)
        self.assertEqual(row.state, "done", row.failure_reason)
        made = [
            p for p in self.sandbox.state.products.values() if p["name"] == "Queued Tee"
        ]
        self.assertEqual(len(made), 1)
        self.assertEqual(len(self.sent("POST", PRODUCTS)), 1)
        self.assertEqual(len(row.product_binding_id.variant_ids), 4)

    def test_conflict_with_a_strangers_product_fails_clearly(self):
        tote = next(
            p for p in self.sandbox.state.products.values() if p["sku"] == "TOTE-CNV"
        )
        ours = self.template("Canvas Tote Bag", default_code="OUR-TOTE")
        requests = self.export(ours)
        row = self.row(ours)
        self.assertEqual(row.state, "failed", (requests, row.read()))
        self.assertIn("already exists in BigCommerce", row.failure_reason)
        self.assertIn(str(tote["id"]), row.failure_reason)
        self.assertFalse(row.product_binding_id)
        self.assertFalse(
            self.env["bigcommerce.product"].search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", tote["id"]),
                ]
            )
        )
        self.assertEqual(tote["sku"], "TOTE-CNV")
        # Listed under Exports Needing Attention and counted on the dashboard.
        self.assertEqual(self.instance.dashboard_listing_export_failed_count, 1)
        self.assertEqual(self.instance.dashboard_export_failed_count, 1)
        self.assertEqual(self.instance._bigcommerce_attention_summary()["exports"], 1)
        # After a lost answer, the product found by name is not ours either:
        # BigCommerce made it long before our POST.
        row.create_attempted_at = fields.Datetime.now()
        row.with_context(queue_job__no_delay=True).action_retry()
        self.assertEqual(row.state, "failed")
        self.assertIn("was not created by this export", row.failure_reason)
        self.assertFalse(row.product_binding_id)


@tagged("post_install", "-at_install")
class TestListingRights(ListingCase):
    def test_a_bigcommerce_user_cannot_export(self):
        user = new_test_user(
            self.env,
            login="bc_listing_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        kettle = self.template("Odoo Kettle", default_code="KET-1")
        before = self.sandbox.request_count
        jobs = self.env["queue.job"].search_count([])
        with self.assertRaises(AccessError):
            self.instance.with_user(user).export_products(template_ids=kettle.ids)
        with self.assertRaises(AccessError):
            self.instance.with_user(user).action_export_products()
        wizard = self.env["bigcommerce.listing.wizard"].create(
            {"instance_id": self.instance.id, "product_tmpl_ids": kettle.ids}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(user).action_export()
        self.export(kettle)
        self.row(kettle).state = "failed"
        with self.assertRaises(AccessError):
            self.row(kettle).with_user(user).action_retry()
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)
        self.assertEqual(self.sandbox.request_count - before, 1)

    def test_wizard_publishes_and_queues(self):
        kettle = self.template("Odoo Kettle", default_code="KET-1")
        wizard = (
            self.env["bigcommerce.listing.wizard"]
            .with_context(active_model="product.template", active_ids=kettle.ids)
            .create({"instance_id": self.instance.id})
        )
        self.assertEqual(wizard.product_tmpl_ids, kettle)
        wizard.action_export()
        self.assertIn(self.instance, kettle.bigcommerce_instance_ids)
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"])
        self.assertEqual(self.row(kettle).state, "done")


@tagged("post_install", "-at_install")
class TestListingImages(ListingCase):
    def test_image_uploaded_once_then_only_when_changed(self):
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-IMG",
            image_1920=base64.b64encode(_png((200, 10, 10), size=16)),
        )
        self.export(kettle)
        (upload,) = self.sent("POST", IMAGES)
        self.assertEqual(upload["fields"]["is_thumbnail"], "true")
        self.assertGreater(upload["files"]["image_file"]["size"], 0)
        product = self.bc_product(kettle)
        (first,) = self.sandbox.state.images[product["id"]]
        self.assertEqual(self.export(kettle), [])
        kettle.image_1920 = base64.b64encode(_png((10, 200, 10), size=16))
        self.later(kettle)
        requests = self.export()
        images = f"/v3/catalog/products/{product['id']}/images"
        self.assertEqual(
            self.writes(requests),
            [("POST", images), ("DELETE", f"{images}/{first['id']}")],
        )
        self.assertEqual(len(self.sandbox.state.images[product["id"]]), 1)
        self.assertEqual(self.export(), [])

    def test_switch_off_sends_no_image(self):
        self.instance.sync_listing_images = False
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-NOIMG",
            image_1920=base64.b64encode(_png((1, 2, 3), size=16)),
        )
        self.export(kettle)
        self.assertEqual(self.sent("POST", IMAGES), [])

    def _replace_picture(self, template, data):
        """The template's picture replaced by ``data`` as stored (no image
        processing: what a picture written by another module or a migration
        may hold)."""
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "product.template"),
                    ("res_field", "=", "image_1920"),
                    ("res_id", "=", template.id),
                ]
            )
        )
        attachment.write({"raw": data})
        self.later(template)

    def test_a_picture_over_8_mb_is_noted_not_sent(self):
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-BIG",
            image_1920=base64.b64encode(_png((5, 5, 5), size=16)),
        )
        self.export(kettle)
        product = self.bc_product(kettle)
        (first,) = self.sandbox.state.images[product["id"]]
        # A PNG signature and 8 MB + 1 byte: BigCommerce takes at most 8 MB.
        self._replace_picture(kettle, b"\x89PNG\r\n\x1a\n" + b"\0" * (8 * 2**20 - 7))
        requests = self.export()
        self.assertEqual(
            [w for w in self.writes(requests) if "/images" in w[1]],
            [],
            "a picture over 8 MB was sent or the old one deleted",
        )
        row = self.row(kettle)
        self.assertEqual(row.state, "done")
        self.assertIn("larger than 8 MB", row.note or "")
        # The picture BigCommerce has is kept until a sendable one replaces it.
        self.assertEqual(self.sandbox.state.images[product["id"]], [first])

    def test_a_refused_picture_is_noted_and_the_product_still_done(self):
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-BAD",
            image_1920=base64.b64encode(_png((9, 9, 9), size=16)),
        )
        self.export(kettle)
        product = self.bc_product(kettle)
        self._replace_picture(kettle, b"GIF87 but not an image at all")
        self.export()
        (upload,) = self.sent("POST", IMAGES)[1:]
        self.assertEqual(upload["files"]["image_file"]["size"], 29)
        row = self.row(kettle)
        self.assertEqual(row.state, "done")
        self.assertIn("An image was refused by BigCommerce", row.note or "")
        self.assertEqual(len(self.sandbox.state.images[product["id"]]), 1)
        # Refused once is not retried on every run: the same bytes wait for a
        # change of the picture.
        self.assertEqual(self.writes(self.export()), [])
