"""B2B: BigCommerce price lists into Odoo pricelists, and the optional
export of an Odoo pricelist's prices to one BigCommerce price list."""

from odoo import api, fields, models
from odoo.addons.queue_job.job import identity_exact

from ..exporters.price_list import PriceListExporter
from ..importers.price_list import PriceListImporter, PriceListsPaused
from ..tools import batch
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation
from .bigcommerce_retry_progress import RUNNING_JOB_STATES, WAITING_JOB_STATES


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    price_list_ids = fields.One2many(
        "bigcommerce.price.list", "instance_id", string="Price Lists"
    )
    price_list_export_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Price List Export Pricelist",
        check_company=True,
        help="Its prices (quantity 1, in its currency) and the minimum "
        "quantities of its fixed-price variant items (as bulk pricing tiers) "
        "are sent to the BigCommerce price list below, only the changed ones.",
    )
    price_list_export_bc_id = fields.Integer(
        string="BigCommerce Price List to Export To",
        help="The id of the BigCommerce price list that receives them (never "
        "one this store imports: its records would come back).",
    )
    # The scheduled import (bigcommerce_instance_schedule.py; the unit and
    # the interval check are there): on by default like the catalog polls,
    # since an unchanged list costs one request.
    import_price_lists_cron = fields.Boolean(
        string="Poll Price Lists",
        # Off until an administrator turns it on: the first import gives
        # customer groups' partners and channels new pricelists, which an
        # upgrade must not do on its own, and price lists are a feature of
        # some BigCommerce plans only (others refuse the request).
        default=False,
        help="Import the price lists modified since the last read on a schedule "
        "(off by default: the first import changes the pricelists of the "
        "customers in groups with a price list).",
    )
    price_list_poll_interval = fields.Integer(
        string="Poll Price Lists Every", default=1
    )
    price_list_checkpoint = fields.Datetime(
        string="Price Lists Polled On", copy=False, readonly=True
    )

    @bigcommerce_admin_only
    def import_price_lists(self, price_list_ids=None, full=False):
        """Import this store's price lists (stable scripting API).

        :param price_list_ids: BigCommerce price list ids (list of int), or
            None: every price list
        :param full: read every record again (also removes the items of
            records deleted in BigCommerce); default: only the records
            modified since the last read
        :return: True

        Queues one job per instance (the same request queued twice while
        pending is queued once); ``queue_job__no_delay=True`` runs it at once.
        """
        ids = sorted({int(list_id) for list_id in price_list_ids or []})
        self._check_confirmed()
        for instance in self:
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import price lists of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_price_lists(price_list_ids=ids or None, full=bool(full))
        return True

    @bigcommerce_admin_only
    def action_import_price_lists(self):
        return self.import_price_lists()

    @bigcommerce_admin_only
    def export_price_list(self, product_ids=None):
        """Send the export pricelist's changed prices to the BigCommerce
        price list of the setting (stable scripting API).

        :param product_ids: ``product.product`` ids, or None: every bound
            variant
        :return: True
        """
        self._check_confirmed()
        for instance in self:
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Export price list of %s", instance.name),
                identity_key=identity_exact,
            )._job_export_price_list(product_ids=product_ids or None)
        return True

    @bigcommerce_admin_only
    def action_export_price_list(self):
        return self.export_price_list()

    @api.model
    def _cron_import_price_lists(self):
        return self._queue_due_polls(
            "price_list",
            lambda instance: self.env._("Poll price lists of %s", instance.name),
        )

    def _unfinished_price_list_imports(self):
        """This store's price list imports waiting or running (a manual one,
        or the rest of one stopped by the quota)."""
        self.ensure_one()
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("method_name", "=", "_job_import_price_lists"),
                    ("state", "in", WAITING_JOB_STATES + RUNNING_JOB_STATES),
                ]
            )
        )
        return jobs.filtered(lambda job: self.id in job.records.ids)

    def _job_poll_price_lists(self):
        """Queue job: the incremental price list import (only the records
        modified since the last read). Skipped while another price list
        import of the store is waiting or running: the checkpoint stays, so
        the next tick tries again."""
        self.ensure_one()
        if self._unfinished_price_list_imports():
            return self.env._("A price list import is already queued; skipped.")
        started = fields.Datetime.now()
        result = self._job_import_price_lists()
        self.price_list_checkpoint = started
        return result

    def _job_import_price_lists(self, price_list_ids=None, full=False, resume=None):
        """Queue job: GET /v3/pricelists (or each id), the records modified
        since the last read, and the assignments. Stopped by the quota after
        applying records, it keeps them and queues the rest from the page it
        did not read (``resume``), when the quota allows."""
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_price_lists", "price_list") as recorder,
        ):
            importer = PriceListImporter(self, self._job_client(), recorder)
            try:
                if resume and not price_list_ids:
                    importer.import_assignments_now()
                    bindings = importer.lists
                elif price_list_ids:
                    bindings = importer.import_ids(
                        price_list_ids, full=full, resume=resume
                    )
                else:
                    bindings = importer.import_all(full=full)
            except PriceListsPaused as paused:
                seconds = batch.retry_seconds(paused.error)
                self.with_company(self.company_id).with_delay(
                    channel=self._queue_channel(),
                    description=self.env._(
                        "Import price lists of %s (continued)", self.name
                    ),
                    eta=seconds,
                    identity_key=identity_exact,
                )._job_import_price_lists(
                    price_list_ids=paused.remaining or None,
                    full=full,
                    resume=paused.resume,
                )
                recorder.note(
                    self.env._(
                        "Stopped by %(error)s; resumes in %(seconds)s s from "
                        "where it stopped.",
                        error=paused.error.message,
                        seconds=seconds,
                    )
                )
                return self.env._("Paused by the quota; resumes later.")
        return self.env._(
            "%s price lists read.", len(set(bindings.mapped("bigcommerce_id")))
        )

    def _job_export_price_list(self, product_ids=None):
        """Queue job: PUT /v3/pricelists/{id}/records, changed prices only."""
        self.ensure_one()
        domain = [("instance_id", "=", self.id), ("product_id", "!=", False)]
        if product_ids:
            domain.append(("product_id", "in", product_ids))
        bindings = self.env["bigcommerce.product.variant"].search(domain, order="id")
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "export_price_list", "price_list") as recorder,
        ):
            exporter = PriceListExporter(self, self._job_client(), recorder)
            counts = exporter.export(bindings)
        return dict(counts)

    def _retry_waiting_price_records(self):
        """After a product import: records waiting for their variant (no
        request)."""
        self.ensure_one()
        PriceListImporter(self, None).retry_waiting()
