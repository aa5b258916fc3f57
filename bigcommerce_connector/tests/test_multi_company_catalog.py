"""Multi-company: the catalog bindings and the natural keys follow the
record rules of every other BigCommerce model (issue 19, item 8)."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

MODELS = (
    "bigcommerce.category",
    "bigcommerce.brand",
    "bigcommerce.product.image",
    "bigcommerce.natural.key",
)


@tagged("post_install", "-at_install")
class TestMultiCompanyCatalog(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Second Store Co"})
        cls.rows = {
            company: cls._catalog_of(company)
            for company in (cls.company_a, cls.company_b)
        }
        # An Administrator (reads natural keys too) of company A only, and one
        # of both companies.
        groups = "base.group_user,bigcommerce_connector.group_bigcommerce_manager"
        cls.admin_a = new_test_user(
            cls.env,
            login="bc_admin_a",
            groups=groups,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.admin_ab = new_test_user(
            cls.env,
            login="bc_admin_ab",
            groups=groups,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id],
        )

    @classmethod
    def _catalog_of(cls, company):
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        instance = env["bigcommerce.instance"].create(
            {"name": f"Store of {company.name}", "store_hash": f"mc-{company.id}"}
        )
        category = env["bigcommerce.category"].create(
            {"instance_id": instance.id, "bigcommerce_id": 18, "name": "Bags"}
        )
        brand = env["bigcommerce.brand"].create(
            {"instance_id": instance.id, "bigcommerce_id": 36, "name": "Acme"}
        )
        product = env["bigcommerce.product"].create(
            {"instance_id": instance.id, "bigcommerce_id": 77, "name": "Tote"}
        )
        image = env["bigcommerce.product.image"].create(
            {
                "instance_id": instance.id,
                "product_binding_id": product.id,
                "image_key": 1,
                "url": "https://cdn11.bigcommerce.com/s-x/images/tote.png",
            }
        )
        key = env["bigcommerce.natural.key"].create(
            {"company_id": company.id, "kind": "tax", "key": "VAT 20%"}
        )
        return {
            "bigcommerce.category": category,
            "bigcommerce.brand": brand,
            "bigcommerce.product.image": image,
            "bigcommerce.natural.key": key,
        }

    def test_each_company_sees_only_its_catalog(self):
        for model in MODELS:
            with self.subTest(model):
                own = self.rows[self.company_a][model]
                other = self.rows[self.company_b][model]
                self.assertEqual(own.company_id, self.company_a)
                self.assertEqual(other.company_id, self.company_b)
                found = self.env[model].with_user(self.admin_a).search([])
                self.assertIn(own, found)
                self.assertNotIn(other, found)
                with self.assertRaises(AccessError):
                    other.with_user(self.admin_a).read(["company_id"])

    def test_allowed_companies_of_the_session_decide(self):
        for model in MODELS:
            with self.subTest(model):
                other = self.rows[self.company_b][model]
                only_a = (
                    self.env[model]
                    .with_user(self.admin_ab)
                    .with_context(allowed_company_ids=[self.company_a.id])
                )
                self.assertNotIn(other, only_a.search([]))
                both = only_a.with_context(
                    allowed_company_ids=[self.company_a.id, self.company_b.id]
                )
                self.assertIn(other, both.search([]))
