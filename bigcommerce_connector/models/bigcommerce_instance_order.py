from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..client import BigCommerceError
from ..client.parsing import format_rfc2822
from ..importers.order import OrderImporter
from ..tools.job_retry import retry_job_on_transient_errors, run_or_keep
from .bigcommerce_log import log_operation
from .bigcommerce_order_status import INCOMPLETE_STATUS, default_odoo_action

# date_modified has second resolution and pages can tie: poll with an overlap.
POLL_OVERLAP = timedelta(minutes=5)
ORDER_BATCH_SIZE = 250

TAX_MODES = [
    ("odoo", "Odoo taxes (product and fiscal position)"),
    ("bigcommerce", "Follow BigCommerce"),
    ("bigcommerce_fiscal", "Follow BigCommerce, then the fiscal position"),
]


class BigcommerceInstance(models.Model):
    # analytic.mixin: the analytic distribution every imported line carries.
    _name = "bigcommerce.instance"
    _inherit = ["bigcommerce.instance", "analytic.mixin"]

    use_bigcommerce_order_number = fields.Boolean(
        string="Use BigCommerce Order Number",
        default=True,
        help="Name sale orders after the BigCommerce order number (with the "
        "prefix); otherwise Odoo's sequence names them and the number is the "
        "customer reference.",
    )
    order_prefix = fields.Char(default="BC")
    create_products = fields.Boolean(
        string="Create Odoo Products?",
        help="Create a product for an unknown SKU instead of failing the order.",
    )
    tax_mode = fields.Selection(TAX_MODES, default="bigcommerce", required=True)
    tax_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Account of the taxes created from BigCommerce tax lines.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson")
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    custom_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_custom_item", raise_if_not_found=False
        ),
        help="Product of custom (non-catalog) order lines.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_shipping", raise_if_not_found=False
        ),
    )
    handling_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_handling", raise_if_not_found=False
        ),
    )
    wrapping_product_id = fields.Many2one(
        "product.product",
        string="Gift Wrapping Product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_gift_wrapping", raise_if_not_found=False
        ),
    )
    discount_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_discount", raise_if_not_found=False
        ),
    )
    gift_certificate_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_gift_certificate", raise_if_not_found=False
        ),
        help="Product of sold gift certificates; give it a liability income "
        "account: a gift certificate is a debt until it is used.",
    )
    order_checkpoint = fields.Datetime(
        string="Orders Imported Up To",
        copy=False,
        help="Start of the last successful order poll; the next one asks for "
        "orders modified since then, minus a short overlap.",
    )
    import_orders_cron = fields.Boolean(string="Poll Orders", default=True)
    order_poll_interval = fields.Integer(string="Poll Orders Every (min)", default=15)
    bigcommerce_order_ids = fields.One2many(
        "bigcommerce.order", "instance_id", string="BigCommerce Orders"
    )
    order_review_count = fields.Integer(compute="_compute_order_review_count")

    def _compute_order_review_count(self):
        counts = dict(
            self.env["bigcommerce.order"]._read_group(
                [
                    ("instance_id", "in", self.ids),
                    ("state", "in", ("failed", "review")),
                ],
                ["instance_id"],
                ["__count"],
            )
        )
        for instance in self:
            instance.order_review_count = counts.get(instance, 0)

    def _status_actions(self):
        """{BigCommerce status id: what Odoo does}, from the status map.

        BigCommerce's fifteen system statuses fall back to their defaults
        while the store's statuses have not been read.
        """
        self.ensure_one()
        actions = {status_id: default_odoo_action(status_id) for status_id in range(15)}
        actions.update(
            (status.bigcommerce_id, status.odoo_action)
            for status in self.order_status_ids
        )
        actions[INCOMPLETE_STATUS] = "ignore"
        return actions

    def _eligible_status_ids(self):
        """Statuses whose orders become sale orders."""
        return {
            status_id
            for status_id, action in self._status_actions().items()
            if action == "import"
        }

    # ------------------------------------------------------------
    # Scripting API (wizard, crons, XML-RPC)
    # ------------------------------------------------------------

    def import_orders(self, order_ids=None, date_from=None, date_to=None):
        """Import orders by id, or modified in [date_from, date_to].

        Queues one batch job per instance (channel root.bigcommerce); with the
        context key ``queue_job__no_delay`` the job runs at once.
        Dates are "YYYY-MM-DD HH:MM:SS" strings (UTC) or datetimes.
        """
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_delay(
                channel="root.bigcommerce",
                description=self.env._("Import orders of %s", instance.name),
            )._job_import_orders(
                order_ids=[int(order_id) for order_id in order_ids or []],
                date_from=fields.Datetime.to_string(date_from) if date_from else None,
                date_to=fields.Datetime.to_string(date_to) if date_to else None,
            )
        return True

    @api.model
    def _cron_import_orders(self):
        return self._queue_due_polls(
            "order", lambda instance: self.env._("Poll orders of %s", instance.name)
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_orders(self):
        """Import what changed since the checkpoint; move it on success."""
        self.ensure_one()
        started = fields.Datetime.now()
        since = self.order_checkpoint and self.order_checkpoint - POLL_OVERLAP
        self._job_import_orders(
            date_from=fields.Datetime.to_string(since) if since else None
        )
        # The start of the run: changes made while it ran are polled next time.
        self.order_checkpoint = started
        return True

    def _job_import_orders(self, order_ids=None, date_from=None, date_to=None):
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_orders", "order") as recorder,
        ):
            self._import_orders_now(
                order_ids=order_ids,
                date_from=date_from,
                date_to=date_to,
                recorder=recorder,
                client=self._job_client(),
                per_order_jobs=True,
            )
        return True

    def _job_import_order(self, order):
        """Queue job: import one order from the payload its batch job read.

        The payload saves a second request per order; a stale payload is
        harmless because the next poll brings the newer version. When
        queue_job would give up (retries exhausted, or an unexpected error),
        the order is kept as a failed record with the reason instead, in the
        list an admin watches, with its Retry button.
        """
        self.ensure_one()
        importer = OrderImporter(self, self._job_client())
        record = run_or_keep(
            self.env,
            lambda: importer.import_order(order),
            lambda reason: importer.give_up(order, reason),
            f"Import of BigCommerce order {order['id']}",
        )
        return f"{record.display_name}: {record.state}" if record else "skipped"

    def _import_orders_now(
        self,
        order_ids=None,
        date_from=None,
        date_to=None,
        recorder=None,
        client=None,
        per_order_jobs=False,
    ):
        """Page through the orders; import each (or queue one job per order).

        Every order is imported in its own savepoint, so one bad order never
        blocks the others.
        """
        self.ensure_one()
        client = client or self._get_client()
        importer = OrderImporter(self, client, recorder)
        eligible = self._eligible_status_ids()
        orders = self._iter_bigcommerce_orders(client, order_ids, date_from, date_to)
        queued = 0
        # "Records per job": the orders of one job, queued once it is full.
        pending = []
        for order in orders:
            if per_order_jobs and order.get("status_id") in eligible:
                pending.append(order)
                queued += 1
                if len(pending) >= self.queue_batch_size:
                    self._queue_import_jobs("order", pending, recorder)
                    pending = []
            else:
                self._note_record(
                    recorder, "order", order, importer.import_order(order)
                )
        self._queue_import_jobs("order", pending, recorder)
        self._note_summary(recorder, "order", importer.counts, queued)
        return dict(importer.counts, queued=queued)

    def _iter_bigcommerce_orders(self, client, order_ids, date_from, date_to):
        if order_ids:
            for order_id in order_ids:
                try:
                    yield client.get_order(order_id)
                except BigCommerceError as error:
                    if error.status != 404:
                        raise
                    # Reported by the importer as a failed record.
                    yield {"id": int(order_id), "_missing": True}
            return
        filters = {"sort": "date_modified:asc"}
        if date_from:
            filters["min_date_modified"] = format_rfc2822(
                fields.Datetime.to_datetime(date_from)
            )
        if date_to:
            filters["max_date_modified"] = format_rfc2822(
                fields.Datetime.to_datetime(date_to)
            )
        yield from client.iter_orders(**filters)
