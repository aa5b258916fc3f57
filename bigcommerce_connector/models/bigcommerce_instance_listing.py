"""Odoo -> BigCommerce listings: the instance's jobs, schedule, settings and API.

``export_products(template_ids=None)`` (stable scripting API) queues jobs of
at most ``LISTING_JOB_SIZE`` templates; each job creates the new ones (one
``POST /v3/catalog/products`` each), binds their variants, and sends what
changed of the others in batches (``PUT /v3/catalog/products`` by 10,
``PUT /v3/catalog/variants`` by 50), then the images that changed
(``exporters/product.py``). A job stopped by the quota keeps what it sent
and is queued again for when the quota resets: nothing already acknowledged
is sent twice, because every acknowledgement is recorded as it arrives.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..exporters import listing_plan
from ..exporters.product import ProductExporter
from ..tools import batch
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_instance import MIN_POLL_MINUTES
from .bigcommerce_instance_schedule import _interval_check, _unit_field
from .bigcommerce_log import log_operation

_logger = logging.getLogger(__name__)

# Templates one job compares and sends: its requests and memory are bounded.
LISTING_JOB_SIZE = 50
# A creation whose answer was lost is looked up (a read, not a new POST) by
# the next step, this late.
UNANSWERED_RETRY = timedelta(seconds=10)

# BigCommerce's store dimension units (GET /v2/store dimension_units) -> Odoo.
DIMENSION_UOM_XMLIDS = {
    "inches": "uom.product_uom_inch",
    "in": "uom.product_uom_inch",
    "centimeters": "uom.product_uom_cm",
    "cm": "uom.product_uom_cm",
    "millimeters": "uom.product_uom_millimeter",
    "mm": "uom.product_uom_millimeter",
    "meters": "uom.product_uom_meter",
    "feet": "uom.product_uom_foot",
}


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    sync_listing_images = fields.Boolean(
        string="Sync Listing Images?",
        default=True,
        help="Product images both ways: the catalog import downloads "
        "BigCommerce's; the product export uploads the template's image (and "
        "its extra images) once, then only when they change.",
    )
    dimension_uom_id = fields.Many2one(
        "uom.uom",
        string="Dimension Unit of Measure",
        readonly=True,
        copy=False,
        help="The store's dimension unit, read at Confirm.",
    )
    # The schedule of the product export (off by default: a merchant whose
    # catalog is mastered in BigCommerce never sends products back).
    import_product_exports_cron = fields.Boolean(
        string="Export Products",
        default=False,
        help="Send the templates published to this store that changed since "
        "they were last exported, on a schedule.",
    )
    product_export_checkpoint = fields.Datetime(
        string="Products Exported Up To", copy=False, readonly=True
    )
    product_export_poll_interval = fields.Integer(
        string="Export Products Every", default=60
    )
    product_export_poll_interval_unit = _unit_field("Product Export Unit")
    dashboard_listing_export_failed_count = fields.Integer(
        string="Failed Product Exports", compute="_compute_dashboard_counts"
    )

    _listing_intervals_check = models.Constraint(
        "CHECK("
        + _interval_check(
            "product_export_poll_interval", "product_export_poll_interval_unit"
        )
        + ")",
        f"Schedule intervals are at least 1, and at least {MIN_POLL_MINUTES} minutes.",
    )

    def _compute_export_attention_count(self):
        result = super()._compute_export_attention_count()
        counts = dict(
            self.env["bigcommerce.listing.export"]._read_group(
                [("instance_id", "in", self.ids), ("state", "=", "failed")],
                ["instance_id"],
                ["__count"],
            )
        )
        for instance in self:
            instance.export_attention_count += counts.get(instance, 0)
        return result

    # ------------------------------------------------------------
    # Scripting API
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def export_products(self, template_ids=None):
        """Send Odoo product templates to this store (stable scripting API).

        :param template_ids: ``product.template`` ids (published to the store
            by this call), or None: every template published to the store
            that changed since it was last exported
        :return: True

        Queues jobs of at most 50 templates on ``root.bigcommerce``; with
        ``queue_job__no_delay=True`` in the context they run at once, in this
        transaction.
        """
        ids = sorted({int(template_id) for template_id in template_ids or []})
        self._check_confirmed()
        for instance in self:
            if ids:
                instance._listing_publish(ids)
                for chunk in listing_plan.chunks(ids, LISTING_JOB_SIZE):
                    instance._delay_listing_step(template_ids=chunk)
            else:
                instance._delay_listing_step()
        return True

    @bigcommerce_admin_only
    def action_export_products(self):
        return self.export_products()

    @api.model
    def _cron_export_products(self):
        return self._queue_due_polls(
            "product_export",
            lambda instance: self.env._("Export products to %s", instance.name),
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_product_exports(self):
        """The schedule: every published template changed since last time."""
        self.ensure_one()
        started = fields.Datetime.now()
        result = self._job_export_products()
        self.product_export_checkpoint = started
        return result

    def _delay_listing_step(self, template_ids=None, after_id=0, eta=None):
        options = {
            "channel": self._queue_channel(),
            "description": self.env._("Export products to %s", self.name),
        }
        if eta:
            options["eta"] = eta
        return (
            self.with_company(self.company_id)
            .with_delay(**options)
            ._job_export_products(template_ids=template_ids, after_id=after_id)
        )

    def _job_export_products(self, template_ids=None, after_id=0):
        """Queue job: compare and send at most LISTING_JOB_SIZE templates.

        ``template_ids``: these; None: the next published templates changed
        since they were last compared, after ``after_id`` (the next step
        carries on from the last one). Stopped by the quota, the same
        templates are queued again at its reset; a creation whose answer was
        lost is looked up a minute later.
        """
        self.ensure_one()
        templates = self.env["product.template"].with_context(active_test=False)
        if template_ids:
            templates = templates.browse(template_ids).exists()
            following = None
        else:
            templates = templates.browse(self._listing_templates_to_export(after_id))
            following = templates[-1].id if len(templates) == LISTING_JOB_SIZE else None
        inline = batch.run_inline(self.env)
        with log_operation(self, "export_products", "listing") as recorder:
            exporter = ProductExporter(self, self._job_client(), recorder)
            stopped = exporter.export(templates)
            if stopped is not None:
                recorder.note(
                    self.env._(
                        "Stopped by BigCommerce (%s): the rest is sent when the "
                        "quota allows.",
                        stopped.message,
                    )
                )
        if stopped is not None and not inline:
            self._delay_listing_step(
                template_ids=templates.ids,
                eta=fields.Datetime.now()
                + timedelta(seconds=batch.retry_seconds(stopped)),
            )
        elif exporter.unanswered and not inline:
            self._delay_listing_step(
                template_ids=exporter.unanswered.product_tmpl_id.ids,
                eta=fields.Datetime.now() + UNANSWERED_RETRY,
            )
        if following and (stopped is None or not inline):
            self._delay_listing_step(after_id=following)
        return dict(exporter.counts)

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _listing_publish(self, template_ids):
        """Publish these templates to this store (what a full export sends)."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO bigcommerce_instance_product_template_rel
                       (product_tmpl_id, instance_id)
                SELECT t.id, %s FROM product_template t WHERE t.id = ANY(%s)
                ON CONFLICT DO NOTHING
                """,
                self.id,
                list(template_ids),
            )
        )
        self.env["product.template"].invalidate_model(["bigcommerce_instance_ids"])

    def _listing_templates_to_export(self, after_id=0, limit=LISTING_JOB_SIZE):
        """Ids of the published templates to compare: never exported, still
        to send, or changed (template or a variant) since last compared."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT t.id
                  FROM bigcommerce_instance_product_template_rel rel
                  JOIN product_template t ON t.id = rel.product_tmpl_id
             LEFT JOIN bigcommerce_listing_export r
                    ON r.product_tmpl_id = t.id AND r.instance_id = rel.instance_id
                 WHERE rel.instance_id = %(instance)s
                   AND t.id > %(after)s
                   AND (t.company_id IS NULL OR t.company_id = %(company)s)
                   AND (r.id IS NULL
                        OR r.state = 'pending'
                        OR r.checked_at IS NULL
                        OR t.write_date > r.checked_at
                        OR EXISTS (SELECT 1 FROM product_product p
                                    WHERE p.product_tmpl_id = t.id
                                      AND p.write_date > r.checked_at))
                 ORDER BY t.id
                 LIMIT %(limit)s
                """,
                instance=self.id,
                after=after_id,
                company=self.company_id.id,
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _listing_nothing_new(self, binding, row):
        """Whether the import may skip ``row``: our own export's echo.

        Only for products this store exported (a row exists): a BigCommerce
        product that holds nothing Odoo does not know is not imported again,
        so a ``store/product/updated`` caused by our own PUT neither writes
        stale values over newer Odoo ones nor sends them back.
        """
        if not binding.product_tmpl_id or not binding.bigcommerce_values:
            return False
        exported = self.env["bigcommerce.listing.export"].search_count(
            [
                ("instance_id", "=", self.id),
                ("product_tmpl_id", "=", binding.product_tmpl_id.id),
                ("date_sent", "!=", False),
            ],
            limit=1,
        )
        if not exported:
            return False
        variants = {
            vb.bigcommerce_id: vb.bigcommerce_values or {}
            for vb in binding.variant_ids.filtered("active")
        }
        # Without "Sync Listing Images?" the import keeps no images: they
        # are not compared.
        images = (
            {
                (image.image_key, image.date_modified or "")
                for image in binding.image_ids
                if image.image_key > 0
            }
            if self.sync_listing_images
            else None
        )
        return listing_plan.nothing_new(
            row, binding.bigcommerce_values, variants, images
        )

    def _import_weight_unit(self, store, recorder):
        result = super()._import_weight_unit(store, recorder)
        unit = (store.get("dimension_units") or "").strip().lower()
        uom = self.env.ref(
            DIMENSION_UOM_XMLIDS.get(unit, "uom.product_uom_cm"),
            raise_if_not_found=False,
        )
        if unit and unit not in DIMENSION_UOM_XMLIDS:
            recorder.note(
                self.env._("Unknown dimension unit %r", store.get("dimension_units")),
                level="error",
            )
        self.dimension_uom_id = uom.id if unit in DIMENSION_UOM_XMLIDS else False
        return result
