"""Every public method of the addon, called over RPC by a BigCommerce / User.

Odoo makes every public model method an RPC endpoint (``/json/2``,
``call_kw``) for whoever can read the record. This test finds them all by
introspection (methods defined in ``odoo.addons.bigcommerce_connector``
modules, on the models the addon defines or extends: a method added later is
found too), calls each over real HTTP as a BigCommerce / User (who is also a
salesperson, a stock user and an invoicing user, as merchants' staff often
are) and checks that the sandbox store received nothing, that no job was
queued, and that the answer is an AccessError, unless the method is
allow-listed below as harmless, with the reason.
"""

import inspect
import json
import logging
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools.rights import GUARD_ATTRIBUTE
from .common import run_jobs, start_sandbox
from .test_other_users import import_one_order

_logger = logging.getLogger(__name__)

ADDON_PACKAGE = "odoo.addons.bigcommerce_connector."
VARIANTS_PUT = r"/v3/catalog/variants"

# Harmless for a User: they open a view or a report of records the User
# reads anyway (the action is read with the caller's own rights), and send
# or queue nothing.
HARMLESS = {
    ("bigcommerce.brand", "action_view_products"): "opens the brand's products",
    ("bigcommerce.instance", "action_view_logs"): "opens the logs list",
    ("bigcommerce.instance", "action_view_bigcommerce_products"): "opens a list",
    ("bigcommerce.instance", "action_view_bigcommerce_categories"): "opens a list",
    ("bigcommerce.instance", "action_view_bigcommerce_brands"): "opens a list",
    ("bigcommerce.instance", "action_view_export_failures"): "opens a list",
    ("bigcommerce.instance", "action_view_inventory_levels"): "opens a list",
    ("bigcommerce.instance", "action_view_refunds"): "opens a list",
    ("bigcommerce.instance", "action_view_webhook_events"): "opens a list",
    ("bigcommerce.instance", "action_dashboard_open"): "opens a card's records",
    ("bigcommerce.instance", "action_dashboard_orders_graph"): "opens a graph",
    ("bigcommerce.instance", "action_open_settings"): "opens the store's form",
    ("bigcommerce.order", "action_view_sale_order"): "opens the sale order",
    ("bigcommerce.refund", "action_view_credit_note"): "opens the credit note",
    ("bigcommerce.reconciliation", "action_print"): "prints a stored report",
    ("sale.order", "action_view_bigcommerce_refunds"): "opens the refunds list",
}
# Odoo's own business methods that the addon overrides: Odoo's access rights
# govern them (a salesperson confirms a quotation, a stock user validates a
# delivery, a stock manager releases a hold), the override adds no request to
# the store. Their answer is not checked; no request may reach the store.
ODOO_FLOWS = {
    ("sale.order", "action_confirm"): "Odoo's confirmation; keeps the date ordered",
    ("stock.picking", "button_validate"): "Odoo's validation; refuses a held "
    "delivery. The shipment export it leads to is queued by the connector as "
    "the superuser, as for any warehouse user, and sends what Odoo shipped",
    ("product.template", "copy_data"): "Odoo's own duplication (reads the "
    "record); the dimensions follow for the users who may read them",
    ("stock.picking", "write"): "Odoo's own edit of a delivery by a stock "
    "user; a changed delivery only makes a skipped shipment export pending "
    "again, for the connector's own cron",
    ("stock.picking", "action_bigcommerce_release_hold"): "a stock manager's "
    "decision, checked on the server (stock.group_stock_manager)",
}
# The context the web client gives these buttons.
CONTEXTS = {
    ("bigcommerce.instance", "action_dashboard_open"): {
        "counter": "dashboard_order_count"
    },
}
# Odoo's CRUD methods the addon overrides: refused by the access rights
# (a User reads connector records, never writes them), before the override.
CRUD = {"create", "write", "unlink", "copy"}
# Values of required parameters, by name; anything else gets None (the check
# runs before the method's body, so the values never matter to a guarded
# method).
REQUIRED_VALUES = {
    "vals_list": [{}],
    "vals": {},
    "date_from": "2024-01-01 00:00:00",
    "date_to": "2024-01-08 00:00:00",
}


def addon_public_methods(registry):
    """{(model, method): function} of every public method that a class of
    this addon defines, on every model of the registry."""
    found = {}
    for model_name in sorted(registry):
        model_class = registry[model_name]
        names = {
            name
            for cls in model_class.__mro__
            if cls.__module__.startswith(ADDON_PACKAGE)
            for name, value in vars(cls).items()
            if not name.startswith("_") and callable(value)
        }
        for name in sorted(names):
            # As odoo.service.model.get_public_method: @api.private anywhere
            # in the hierarchy makes the method unreachable over RPC.
            if any(
                getattr(getattr(cls, name, None), "_api_private", False)
                for cls in model_class.__mro__
            ):
                continue
            found[(model_name, name)] = getattr(model_class, name)
    return found


@tagged("post_install", "-at_install")
class TestRpcRights(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = start_sandbox(
            cls,
            name="Rights store",
            webhook_base_url="https://erp.example.com",
            import_orders_cron=False,
            import_customers_cron=False,
        )
        cls.instance.action_confirm()  # queues the categories and brands
        run_jobs(cls.env)
        cls._fixture_records()
        groups = ",".join(
            [
                "base.group_user",
                "bigcommerce_connector.group_bigcommerce_user",
                "sales_team.group_sale_salesman_all_leads",
                "stock.group_stock_user",
                "account.group_account_invoice",
            ]
        )
        cls.bc_user = new_test_user(cls.env, login="bc_rpc_user", groups=groups)
        cls.bc_admin = new_test_user(
            cls.env,
            login="bc_rpc_admin",
            groups=f"{groups},bigcommerce_connector.group_bigcommerce_manager",
        )
        cls.user_key = cls._api_key(cls.bc_user)
        cls.admin_key = cls._api_key(cls.bc_admin)

    @classmethod
    def _api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="rights test",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )

    @classmethod
    def _fixture_records(cls):
        """One record of each model, for the methods to be called on."""
        env = cls.env
        record = import_one_order(cls)
        order = {"id": record.bigcommerce_id}
        inline = cls.instance.with_context(queue_job__no_delay=True)
        product_id = next(
            product["id"]
            for product in cls.sandbox.state.products.values()
            if product["sku"] == "TOTE-CNV"
        )
        inline.import_products(product_ids=[product_id])
        variant = env["bigcommerce.product.variant"].search(
            [("instance_id", "=", cls.instance.id)], limit=1
        )
        assert variant, "the product import made no variant binding"
        location = cls.instance.location_ids[:1]
        picking = record.sale_order_id.picking_ids[:1]
        cls.records = {
            "bigcommerce.instance": cls.instance,
            "bigcommerce.order": record,
            "sale.order": record.sale_order_id,
            "stock.picking": picking,
            "account.move": record.invoice_id,
            "bigcommerce.product.variant": variant,
            "product.product": variant.product_id,
            "product.template": variant.product_id.product_tmpl_id,
            "bigcommerce.shipment.export": env["bigcommerce.shipment.export"].create(
                {
                    "instance_id": cls.instance.id,
                    "picking_id": picking.id,
                    "state": "failed",
                }
            ),
            "bigcommerce.order.export": env["bigcommerce.order.export"].create(
                {
                    "instance_id": cls.instance.id,
                    "order_record_id": record.id,
                    "kind": "cancel",
                    "state": "failed",
                }
            ),
            "bigcommerce.inventory.level": env["bigcommerce.inventory.level"].create(
                {
                    "instance_id": cls.instance.id,
                    "variant_binding_id": variant.id,
                    "location_binding_id": location.id,
                }
            ),
            "bigcommerce.refund": env["bigcommerce.refund"].create(
                {
                    "instance_id": cls.instance.id,
                    "bigcommerce_id": 1,
                    "order_bigcommerce_id": order["id"],
                    "state": "error",
                }
            ),
            "bigcommerce.webhook.event": env["bigcommerce.webhook.event"]
            .sudo()
            .create(
                {
                    "instance_id": cls.instance.id,
                    "company_id": cls.instance.company_id.id,
                    "scope": "store/order/updated",
                    "target_type": "order",
                    "target_id": order["id"],
                    "hash": "0" * 40,
                    "event_date": fields.Datetime.now(),
                    "received_at": fields.Datetime.now(),
                    "state": "failed",
                }
            ),
            "bigcommerce.delivery.invoice": env["bigcommerce.delivery.invoice"].create(
                {
                    "instance_id": cls.instance.id,
                    "company_id": cls.instance.company_id.id,
                    "picking_id": picking.id,
                    "state": "failed",
                }
            ),
            "bigcommerce.listing.export": env["bigcommerce.listing.export"].create(
                {
                    "instance_id": cls.instance.id,
                    "product_tmpl_id": variant.product_id.product_tmpl_id.id,
                    "state": "failed",
                }
            ),
            "bigcommerce.price.list.record": env[
                "bigcommerce.price.list.record"
            ].create(
                {
                    "price_list_id": env["bigcommerce.price.list"]
                    .create(
                        {
                            "instance_id": cls.instance.id,
                            "bigcommerce_id": 99,
                            "name": "Rights list",
                            "currency_id": cls.instance.company_id.currency_id.id,
                        }
                    )
                    .id,
                    "variant_bigcommerce_id": 1,
                    "state": "pending",
                }
            ),
            "bigcommerce.reconciliation": env["bigcommerce.reconciliation"].create(
                {
                    "instance_id": cls.instance.id,
                    "date_from": "2024-01-01 00:00:00",
                    "date_to": "2024-01-08 00:00:00",
                }
            ),
        }

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def record_ids(self, model_name):
        record = self.records.get(model_name)
        model = self.env[model_name]
        if record is None and not (model._abstract or model._transient):
            record = self.env[model_name].sudo().search([], limit=1)
        return record.ids if record else []

    def arguments(self, function):
        values = {}
        parameters = list(inspect.signature(function).parameters.values())[1:]
        for parameter in parameters:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.default is parameter.empty:
                values[parameter.name] = REQUIRED_VALUES.get(parameter.name)
        return values

    def rpc(self, key, model_name, method, ids, kwargs):
        """(error name or None, answer) of POST /json/2/<model>/<method>."""
        body = dict(kwargs)
        if ids:
            body["ids"] = ids
        self.env.flush_all()
        response = self.url_open(
            f"/json/2/{model_name}/{method}",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {key}",
            },
            timeout=60,
        )
        self.env.invalidate_all()
        answer = response.json() if response.content else None
        if response.status_code == 200:
            return None, answer
        return (answer or {}).get("name", str(response.status_code)), answer

    def effects(self):
        """What a call could have done to the store or the job queue."""
        return (
            len(self.sandbox.request_log),
            self.env["queue.job"].sudo().search_count([]),
        )

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_the_probe_sees_a_request_and_a_job(self):
        """The same calls as an Administrator do reach the store and the
        queue: the checks of the next test can fail."""
        before = self.effects()
        error, _answer = self.rpc(
            self.admin_key,
            "bigcommerce.instance",
            "action_test_connection",
            self.instance.ids,
            {},
        )
        self.assertIsNone(error, _answer)
        error, _answer = self.rpc(
            self.admin_key,
            "bigcommerce.instance",
            "export_prices",
            self.instance.ids,
            {},
        )
        self.assertIsNone(error, _answer)
        after = self.effects()
        self.assertGreater(after[0], before[0], "no request reached the sandbox")
        self.assertGreater(after[1], before[1], "no job was queued")

    def test_a_user_calls_every_public_method_and_nothing_happens(self):
        methods = addon_public_methods(self.registry)
        self.assertIn(("bigcommerce.instance", "export_prices"), methods)
        self.assertIn(("sale.order", "action_bigcommerce_mark_as_paid"), methods)
        problems = []
        called = []
        for (model_name, method), function in sorted(methods.items()):
            if self.env[model_name]._abstract and method in CRUD:
                continue  # a mixin has no records to create or write
            ids = [] if getattr(function, "_api_model", False) else None
            if ids is None:
                ids = self.record_ids(model_name)
                model = self.env[model_name]
                if not ids and not (model._abstract or model._transient):
                    # Called on no record, most methods return early: the
                    # call would prove nothing.
                    problems.append(f"{model_name}.{method}: no fixture record")
            kwargs = self.arguments(function)
            if (model_name, method) in CONTEXTS:
                kwargs["context"] = CONTEXTS[model_name, method]
            before = self.effects()
            error, answer = self.rpc(self.user_key, model_name, method, ids, kwargs)
            requests, jobs = (
                a - b for a, b in zip(self.effects(), before, strict=False)
            )
            harmless = HARMLESS.get((model_name, method))
            called.append(
                f"{model_name}.{method}({ids}) -> {error or 'ok'}"
                + (f" [allowed: {harmless}]" if harmless else "")
            )
            what = f"{model_name}.{method}"
            if requests:
                problems.append(f"{what}: {requests} requests reached the store")
            flow = ODOO_FLOWS.get((model_name, method))
            if flow:
                if jobs and method != "button_validate":
                    problems.append(f"{what}: {jobs} jobs queued")
                called[-1] += f" [Odoo flow: {flow}]"
                continue
            if jobs:
                problems.append(f"{what}: {jobs} jobs queued")
            if harmless:
                if error:
                    problems.append(f"{what} (harmless) failed: {answer}")
                continue
            if error != "odoo.exceptions.AccessError":
                problems.append(
                    f"{what}: answered {error or 'successfully'} instead of an "
                    f"AccessError: {answer!r:.300}"
                )
            elif method not in CRUD and not getattr(function, GUARD_ATTRIBUTE, False):
                problems.append(
                    f"{what}: refused by chance, not by @bigcommerce_admin_only"
                )
        _logger.info(
            "RPC as a BigCommerce / User: %s public methods called:\n%s",
            len(called),
            "\n".join(called),
        )
        self.assertFalse(problems, "\n".join(problems))
        # Allow-listed methods that no longer exist are stale entries.
        self.assertFalse(set(HARMLESS) - set(methods), "stale HARMLESS entries")
        self.assertFalse(set(ODOO_FLOWS) - set(methods), "stale ODOO_FLOWS entries")

    def test_a_job_sends_nothing_once_its_user_lost_the_group(self):
        """A job runs with the rights of whoever queued it, checked again
        when it runs: the Administrator demoted in between sends nothing."""
        manager = self.env.ref("bigcommerce_connector.group_bigcommerce_manager")
        variant = self.records["bigcommerce.product.variant"]
        self.instance.export_sale_price = True
        variant.product_id.lst_price = 123.45
        self.sandbox.received.clear()
        self.instance.with_user(self.bc_admin).export_prices()
        self.bc_admin.group_ids = [Command.unlink(manager.id)]
        stats = run_jobs(self.env)
        self.assertEqual(self.sandbox.received_writes("PUT", VARIANTS_PUT), [])
        self.assertEqual(stats["failed"].mapped("exc_name"), ["AccessError"])
        # The same job of an Administrator does send: there was a price to send.
        self.bc_admin.group_ids = [Command.link(manager.id)]
        self.instance.with_user(self.bc_admin).export_prices()
        run_jobs(self.env)
        self.assertTrue(self.sandbox.received_writes("PUT", VARIANTS_PUT))
