"""Issue 26: customer groups (tags and pricelists) and channels (team,
analytic account, prefix, pricelist), against the sandbox store."""

import psycopg2

from odoo import Command
from odoo.tests import tagged
from odoo.tools import float_compare, mute_logger

from ..client.parsing import parse_money
from .test_order_workflow import WorkflowCase

WHOLESALE, LOYALTY, STAFF, PARTNERS = 2, 1, 3, 4
WHOLESALE_CUSTOMER = 26
POS_CHANNEL = 2


class GroupCase(WorkflowCase):
    """A confirmed store whose tote, bottle and poster are imported (bound,
    with their BigCommerce categories)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        state = cls.sandbox.state
        cls.by_sku = {p["sku"]: p for p in state.products.values()}
        ids = [cls.by_sku[sku]["id"] for sku in ("TOTE-CNV", "BTL-INS", "PST-MAP")]
        cls.instance.with_context(queue_job__no_delay=True).import_products(
            product_ids=ids
        )
        cls.templates = {
            sku: cls.env["bigcommerce.product"]
            .search(
                [
                    ("instance_id", "=", cls.instance.id),
                    ("bigcommerce_id", "=", cls.by_sku[sku]["id"]),
                ]
            )
            .product_tmpl_id
            for sku in ("TOTE-CNV", "BTL-INS", "PST-MAP")
        }
        assert all(cls.templates.values()), cls.templates
        cls.base_tags = cls.env["res.partner.category"].search_count([])

    def tearDown(self):
        self.sandbox.reset()
        super().tearDown()

    def groups(self):
        return self.env["bigcommerce.customer.group"].search(
            [("instance_id", "=", self.instance.id)]
        )

    def group(self, group_id):
        return self.groups().filtered(lambda g: g.bigcommerce_id == group_id)

    def import_groups(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_customer_groups(
            **kwargs
        )

    def import_customers(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_customers(**kwargs)

    def customer_binding(self, customer_id):
        return self.env["bigcommerce.customer"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", customer_id),
            ]
        )

    def items(self, pricelist):
        return sorted(
            (
                item.applied_on,
                item.product_tmpl_id.default_code or item.product_tmpl_id.name or "",
                item.compute_price,
                item.percent_price or item.fixed_price or item.price_surcharge,
            )
            for item in pricelist.item_ids
        )

    def group_requests(self, before):
        return [
            path
            for _m, path, _q in self.sandbox.request_log[before:]
            if path.startswith("/v2/customer_groups")
        ]


@tagged("post_install", "-at_install")
class TestCustomerGroupImport(GroupCase):
    def test_import_all_binds_every_group_with_its_tag_and_pricelist(self):
        self.import_groups()
        groups = self.groups()
        self.assertEqual(sorted(groups.mapped("bigcommerce_id")), [1, 2, 3, 4])
        for group in groups:
            self.assertEqual(group.partner_category_id.name, group.name)
        # No discount rule: a tag, no pricelist.
        self.assertFalse(self.group(LOYALTY).pricelist_id)
        wholesale = self.group(WHOLESALE).pricelist_id
        self.assertEqual(wholesale.currency_id, self.instance.currency_id)
        # 10 % off Gear: the tote (Gear / Bags) and the bottle (Gear); the
        # poster is not in Gear.
        tote, bottle = self.templates["TOTE-CNV"], self.templates["BTL-INS"]
        self.assertEqual(
            sorted(
                (i.product_tmpl_id.id, i.compute_price, i.percent_price)
                for i in wholesale.item_ids
            ),
            sorted([(tote.id, "percentage", 10.0), (bottle.id, "percentage", 10.0)]),
        )
        staff = self.group(STAFF).pricelist_id
        self.assertEqual(
            sorted(
                (
                    i.product_tmpl_id.id,
                    i.compute_price,
                    i.fixed_price,
                    i.price_surcharge,
                )
                for i in staff.item_ids
            ),
            sorted([(bottle.id, "fixed", 25.0, 0.0), (tote.id, "formula", 0.0, -4.0)]),
        )
        partners = self.group(PARTNERS).pricelist_id
        self.assertEqual(
            [
                (i.applied_on, i.compute_price, i.percent_price)
                for i in partners.item_ids
            ],
            [("3_global", "percentage", 5.0)],
        )

    def test_import_by_id_reads_only_that_group(self):
        self.import_groups()
        self.sandbox.state.customer_groups[WHOLESALE]["name"] = "Wholesale EU"
        self.sandbox.state.customer_groups[WHOLESALE]["discount_rules"][0]["amount"] = (
            "12.5000"
        )
        before = self.sandbox.request_count
        self.import_groups(group_ids=[WHOLESALE])
        self.assertEqual(
            self.group_requests(before), [f"/v2/customer_groups/{WHOLESALE}"]
        )
        group = self.group(WHOLESALE)
        self.assertEqual(group.name, "Wholesale EU")
        self.assertEqual(group.partner_category_id.name, "Wholesale EU")
        self.assertEqual(
            set(group.pricelist_id.item_ids.mapped("percent_price")), {12.5}
        )
        self.assertEqual(len(self.groups()), 4)

    def test_reimport_changes_nothing(self):
        self.import_groups()
        groups = self.groups()
        tags = groups.partner_category_id
        pricelists = groups.pricelist_id
        items = pricelists.item_ids
        self.assertEqual(len(pricelists), 3)
        self.import_groups()
        self.import_groups(group_ids=[WHOLESALE, STAFF])
        self.env.invalidate_all()
        # The same records (rebuilt items would have new ids)...
        self.assertEqual(self.groups(), groups)
        self.assertEqual(self.groups().partner_category_id, tags)
        self.assertEqual(self.groups().pricelist_id, pricelists)
        self.assertEqual(self.groups().pricelist_id.item_ids, items)
        self.assertEqual(
            self.env["res.partner.category"].search_count([]),
            len(tags) + self.base_tags,
        )
        # ... and nothing written: every group counted unchanged.
        logs = self.env["bigcommerce.log"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "import_customer_groups"),
            ],
            order="id desc",
            limit=2,
        )
        self.assertEqual(
            [(log.created_count, log.updated_count, log.skipped_count) for log in logs],
            [(0, 0, 2), (0, 0, 4)],
        )

    def test_a_product_imported_after_its_group_gets_its_item(self):
        self.import_groups()
        mug = self.by_sku["MUG-ENM"]  # in Gear, not imported yet
        pricelist = self.group(WHOLESALE).pricelist_id
        self.assertEqual(len(pricelist.item_ids), 2)
        self.instance.with_context(queue_job__no_delay=True).import_products(
            product_ids=[mug["id"]]
        )
        template = (
            self.env["bigcommerce.product"]
            .search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", mug["id"]),
                ]
            )
            .product_tmpl_id
        )
        self.assertTrue(template)
        item = pricelist.item_ids.filtered(lambda i: i.product_tmpl_id == template)
        self.assertEqual((item.compute_price, item.percent_price), ("percentage", 10.0))
        self.assertEqual(len(pricelist.item_ids), 3)

    def test_binding_is_unique_in_the_database(self):
        self.import_groups()
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["bigcommerce.customer.group"].create(
                {
                    "instance_id": self.instance.id,
                    "bigcommerce_id": WHOLESALE,
                    "name": "Twin",
                }
            )


@tagged("post_install", "-at_install")
class TestCustomerGroupCustomers(GroupCase):
    def test_customer_in_a_group_gets_its_tag_and_pricelist(self):
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER, 1])
        wholesale = self.group(WHOLESALE)
        binding = self.customer_binding(WHOLESALE_CUSTOMER)
        self.assertEqual(binding.customer_group_id, wholesale)
        partner = binding.partner_id
        self.assertIn(wholesale.partner_category_id, partner.category_id)
        self.assertEqual(partner.property_product_pricelist, wholesale.pricelist_id)
        # A group without rules: its tag, and the partner keeps Odoo's pricelist.
        loyal = self.customer_binding(1).partner_id
        self.assertIn(self.group(LOYALTY).partner_category_id, loyal.category_id)
        self.assertNotIn(loyal.property_product_pricelist, self.groups().pricelist_id)

    def test_reimporting_customers_changes_nothing(self):
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER, 1])
        before = self.sandbox.request_count
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER, 1])
        # Known groups: not read again for an import by id.
        self.assertEqual(self.group_requests(before), [])
        log = self.env["bigcommerce.log"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "import_customers"),
            ],
            limit=1,
        )
        self.assertEqual((log.created_count, log.updated_count), (0, 0))

    def test_a_customer_moved_to_another_group_changes_tag_and_pricelist(self):
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER])
        customer = self.sandbox.state.customers[WHOLESALE_CUSTOMER]
        customer["customer_group_id"] = STAFF
        self.sandbox.advance_clock(60)
        customer["date_modified"] = "2026-03-02T09:00:00Z"
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER])
        partner = self.customer_binding(WHOLESALE_CUSTOMER).partner_id
        self.assertNotIn(self.group(WHOLESALE).partner_category_id, partner.category_id)
        self.assertIn(self.group(STAFF).partner_category_id, partner.category_id)
        self.assertEqual(
            partner.property_product_pricelist, self.group(STAFF).pricelist_id
        )
        # Out of every group: no group tag, and Odoo's pricelist again.
        customer["customer_group_id"] = 0
        customer["date_modified"] = "2026-03-03T09:00:00Z"
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER])
        self.assertFalse(partner.category_id & self.groups().partner_category_id)
        self.assertNotIn(partner.property_product_pricelist, self.groups().pricelist_id)

    def test_the_poll_reads_the_groups_once_and_picks_up_changed_rules(self):
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER])
        rules = self.sandbox.state.customer_groups[WHOLESALE]["discount_rules"]
        rules[0]["amount"] = "15.0000"
        before = self.sandbox.request_count
        self.import_customers()
        self.assertEqual(self.group_requests(before), ["/v2/customer_groups"])
        self.assertEqual(
            set(self.group(WHOLESALE).pricelist_id.item_ids.mapped("percent_price")),
            {15.0},
        )

    def test_odoo_quotation_gets_the_price_bigcommerce_charges(self):
        """The group's 10 % category discount, reproduced: a quotation made
        in Odoo for the wholesale customer has BigCommerce's unit prices."""
        order = self.sandbox.create_order(
            customer_id=WHOLESALE_CUSTOMER,
            lines=[("TOTE-CNV", 2), ("BTL-INS", 1), ("PST-MAP", 1)],
            tax_inclusive=False,
        )
        charged = {
            line["sku"]: parse_money(line["price_ex_tax"])
            for line in self.sandbox.state.order_products[order["id"]]
        }
        # BigCommerce charged the group's price: 10 % off Gear only.
        self.assertEqual(charged["TOTE-CNV"], parse_money("21.60"))
        self.assertEqual(charged["BTL-INS"], parse_money("28.80"))
        self.assertEqual(charged["PST-MAP"], parse_money("18.50"))
        self.import_customers(customer_ids=[WHOLESALE_CUSTOMER])
        partner = self.customer_binding(WHOLESALE_CUSTOMER).partner_id
        products = self.env["product.product"].search(
            [("default_code", "in", list(charged))]
        )
        quotation = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                    for product in products
                ],
            }
        )
        self.assertEqual(quotation.pricelist_id, self.group(WHOLESALE).pricelist_id)
        for line in quotation.order_line:
            net = line.price_unit * (1 - line.discount / 100)
            self.assertEqual(
                float_compare(
                    net,
                    float(charged[line.product_id.default_code]),
                    precision_digits=2,
                ),
                0,
                f"{line.product_id.default_code}: {net} in Odoo, "
                f"{charged[line.product_id.default_code]} in BigCommerce",
            )


@tagged("post_install", "-at_install")
class TestChannelMapping(GroupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create({"name": "B2B desk"})
        plan = cls.env["account.analytic.plan"].create({"name": "Storefronts"})
        cls.analytic = cls.env["account.analytic.account"].create(
            {"name": "Pop-up", "plan_id": plan.id}
        )
        cls.pos = cls.instance.channel_ids.filtered(
            lambda c: c.bigcommerce_id == POS_CHANNEL
        )
        cls.pos.write(
            {
                "team_id": cls.team.id,
                "analytic_account_id": cls.analytic.id,
                "order_prefix": "POP-",
            }
        )
        cls.instance.use_bigcommerce_order_number = True

    def test_wholesale_order_in_a_second_channel(self):
        order = self.sandbox.create_order(
            customer_id=WHOLESALE_CUSTOMER,
            lines=[("TOTE-CNV", 2), ("TSH-ORG-S-BLK", 1)],
            channel_id=POS_CHANNEL,
            status_id=11,
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.team_id, self.team)
        self.assertEqual(sale_order.name, f"POP-{order['id']}")
        self.assertEqual(sale_order.bigcommerce_channel_id, self.pos)
        self.assertEqual(record.channel_id, self.pos)
        self.assertEqual(sale_order.pricelist_id, self.group(WHOLESALE).pricelist_id)
        lines = sale_order.order_line.filtered(lambda line: not line.display_type)
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(line.analytic_distribution, {str(self.analytic.id): 100.0})
        # The invoice carries it too, and ties out (BigCommerce's amounts).
        invoice_lines = record.invoice_id.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        self.assertTrue(invoice_lines)
        for line in invoice_lines:
            self.assertEqual(line.analytic_distribution, {str(self.analytic.id): 100.0})
        self.assert_money(record.invoice_id.amount_total, order["total_inc_tax"])

    def test_an_order_of_an_unmapped_channel_keeps_the_store_settings(self):
        order = self.sandbox.create_order(status_id=11, channel_id=1)
        self.import_orders(order_ids=[order["id"]])
        sale_order = self.record_of(order).sale_order_id
        self.assertNotEqual(sale_order.team_id, self.team)
        self.assertEqual(
            sale_order.name, f"{self.instance.order_prefix or ''}{order['id']}"
        )
        self.assertFalse(
            any(line.analytic_distribution for line in sale_order.order_line)
        )

    def test_dashboard_splits_orders_per_channel(self):
        web = self.sandbox.create_order(status_id=11, channel_id=1)
        pop = self.sandbox.create_order(status_id=11, channel_id=POS_CHANNEL)
        second_pop = self.sandbox.create_order(status_id=11, channel_id=POS_CHANNEL)
        self.import_orders(order_ids=[web["id"], pop["id"], second_pop["id"]])
        counts = dict(self.instance._dashboard_channel_counts()[self.instance])
        web_channel = self.instance.channel_ids.filtered(
            lambda c: c.bigcommerce_id == 1
        )
        self.assertEqual(counts, {web_channel.name: 1, self.pos.name: 2})
        self.assertIn(self.pos.name, self.instance.dashboard_orders_by_channel)
