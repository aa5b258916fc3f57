"""With no store configured, the dashboard guides the first connection."""

from lxml import html

from odoo import Command
from odoo.tests import HttpCase, tagged

FORM_URL = "/odoo/bigcommerce-stores/new"
# Each step of the panel, in order, and words it must say.
STEPS = ("scopes", "store hash", "access token", "test connection", "confirm")


@tagged("post_install", "-at_install")
class TestFirstStorePanel(HttpCase):
    def setUp(self):
        super().setUp()
        # No store configured (other suites' stores are archived for this
        # test only: the transaction is rolled back).
        self.env["bigcommerce.instance"].search([]).write({"active": False})
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

    def test_panel_lists_the_steps_each_linking_to_the_form(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_dashboard_action"
        )
        panel = html.fromstring(action["help"])
        self.assertIn("Connect your first BigCommerce store", panel.text_content())
        steps = panel.xpath("//ol/li")
        self.assertEqual(len(steps), len(STEPS))
        for step, words in zip(steps, STEPS, strict=True):
            self.assertIn(words, " ".join(step.text_content().lower().split()))
            self.assertEqual(step.xpath(".//a/@href"), [FORM_URL])
        # The links' path is the instances' action, which opens the form.
        instances = self.env.ref("bigcommerce_connector.bigcommerce_instance_action")
        self.assertEqual(f"/odoo/{instances.path}/new", FORM_URL)
        self.assertEqual(instances.res_model, "bigcommerce.instance")

    def test_first_store_tour(self):
        self.start_tour(
            "/odoo/bigcommerce-dashboard",
            "bigcommerce_first_store_tour",
            login="admin",
            timeout=120,
        )
