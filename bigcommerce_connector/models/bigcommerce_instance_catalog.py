from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..client import RetryableError
from ..client.parsing import format_iso8601, parse_datetime
from ..importers.brand import BrandImporter
from ..importers.category import CategoryImporter
from ..importers.customer_group import CustomerGroupImporter
from ..importers.product import PAGE_SIZE, ProductImporter
from ..importers.product_image import download_records
from ..tools import batch, staging
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_instance import MIN_POLL_MINUTES
from .bigcommerce_log import log_operation

# Polls re-read what changed shortly before the checkpoint (clock skew,
# products saved while the previous poll was running).
POLL_OVERLAP = timedelta(minutes=5)
# Images downloaded per job: a job stays short, whatever the catalog.
IMAGES_PER_JOB = 100


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    update_product_category = fields.Boolean(
        string="Update Category in Odoo Products?",
        default=False,
        help="Map BigCommerce categories to Odoo product categories (under one "
        "root category per store) and set the category of imported products. "
        "Off: Odoo's product categories are left alone.",
    )
    category_root_id = fields.Many2one(
        "product.category",
        string="Root Product Category",
        copy=False,
        help="Parent of the Odoo categories made from this store's categories.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Catalog Pricelist",
        check_company=True,
        help="When set, the catalog import keeps a fixed price per variant "
        "(BigCommerce's calculated price) on this pricelist.",
    )
    product_checkpoint = fields.Datetime(string="Products Imported Up To", copy=False)
    import_products_cron = fields.Boolean(string="Poll Products", default=True)
    product_poll_interval = fields.Integer(
        string="Poll Products Every (min)", default=60
    )
    category_checkpoint = fields.Datetime(
        string="Categories Imported Up To", copy=False
    )
    import_categorys_cron = fields.Boolean(string="Poll Categories", default=True)
    category_poll_interval = fields.Integer(
        string="Poll Categories Every (min)", default=1440
    )
    brand_checkpoint = fields.Datetime(string="Brands Imported Up To", copy=False)
    import_brands_cron = fields.Boolean(string="Poll Brands", default=True)
    brand_poll_interval = fields.Integer(string="Poll Brands Every (min)", default=1440)
    bigcommerce_product_count = fields.Integer(
        string="Imported Products", compute="_compute_catalog_counts"
    )
    bigcommerce_category_count = fields.Integer(
        string="Imported Categories", compute="_compute_catalog_counts"
    )
    bigcommerce_brand_count = fields.Integer(
        string="Imported Brands", compute="_compute_catalog_counts"
    )

    _catalog_poll_intervals_check = models.Constraint(
        f"CHECK(product_poll_interval >= {MIN_POLL_MINUTES} "
        f"AND category_poll_interval >= {MIN_POLL_MINUTES} "
        f"AND brand_poll_interval >= {MIN_POLL_MINUTES})",
        f"Poll intervals are at least {MIN_POLL_MINUTES} minutes.",
    )

    def _compute_catalog_counts(self):
        for field, model in (
            ("bigcommerce_product_count", "bigcommerce.product"),
            ("bigcommerce_category_count", "bigcommerce.category"),
            ("bigcommerce_brand_count", "bigcommerce.brand"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("instance_id", "in", self.ids)], ["instance_id"], ["__count"]
                )
            )
            for instance in self:
                instance[field] = counts.get(instance, 0)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def action_confirm(self):
        """Confirm, then queue the category and brand import (products follow
        the poll, or the Import wizard)."""
        result = super().action_confirm()
        for instance in self:
            instance.import_categories()
            instance.import_brands()
        return result

    def _catalog_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"default_instance_id": self.id}
        return action

    def action_view_bigcommerce_products(self):
        return self._catalog_action("bigcommerce_connector.bigcommerce_product_action")

    def action_view_bigcommerce_categories(self):
        return self._catalog_action("bigcommerce_connector.bigcommerce_category_action")

    def action_view_bigcommerce_brands(self):
        return self._catalog_action("bigcommerce_connector.bigcommerce_brand_action")

    # ------------------------------------------------------------
    # Scripting API
    # ------------------------------------------------------------

    def _check_confirmed(self):
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )

    @bigcommerce_admin_only
    def import_products(self, product_ids=None, since=None):
        """Import this store's products and variants (stable scripting API).

        :param product_ids: BigCommerce product ids (list of int), or None
        :param since: only products modified since then: a datetime or a
            string (``YYYY-MM-DD HH:MM:SS`` UTC, or ISO 8601); None: all
            (and the products no longer in BigCommerce are archived)
        :return: True

        Queues one job per page of 250 products on ``root.bigcommerce``; each
        page queues the next one. With ``queue_job__no_delay=True`` in the
        context every page runs at once, in this transaction.
        """
        ids = sorted({int(product_id) for product_id in product_ids or []})
        if since:
            try:
                moment = parse_datetime(since)
            except ValueError:
                raise UserError(
                    self.env._("%s is not a date (YYYY-MM-DD HH:MM:SS).", since)
                ) from None
            since = fields.Datetime.to_string(moment.replace(tzinfo=None))
        self._check_confirmed()
        for instance in self:
            if ids:
                for start in range(0, len(ids), PAGE_SIZE):
                    instance._delay_products_page(
                        product_ids=ids[start : start + PAGE_SIZE]
                    )
            else:
                instance._delay_products_page(
                    since=since or None,
                    run_started=None if since else fields.Datetime.now(),
                )
        return True

    @bigcommerce_admin_only
    def import_categories(self, category_ids=None):
        """Import the store's category trees (all, or ``category_ids``)."""
        ids = sorted({int(category_id) for category_id in category_ids or []})
        self._check_confirmed()
        for instance in self:
            instance.with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import categories of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_categories(category_ids=ids or None)
        return True

    @bigcommerce_admin_only
    def import_brands(self, brand_ids=None):
        """Import the store's brands (all, or ``brand_ids``)."""
        ids = sorted({int(brand_id) for brand_id in brand_ids or []})
        self._check_confirmed()
        for instance in self:
            instance.with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import brands of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_brands(brand_ids=ids or None)
        return True

    # ------------------------------------------------------------
    # Crons and polls
    # ------------------------------------------------------------

    @api.model
    def _cron_import_products(self):
        return self._queue_due_polls(
            "product", lambda instance: self.env._("Poll products of %s", instance.name)
        )

    @api.model
    def _cron_import_categories(self):
        return self._queue_due_polls(
            "category",
            lambda instance: self.env._("Poll categories of %s", instance.name),
        )

    @api.model
    def _cron_import_brands(self):
        return self._queue_due_polls(
            "brand", lambda instance: self.env._("Poll brands of %s", instance.name)
        )

    def _job_poll_products(self):
        """Queue job: import the products modified since the checkpoint.

        This job reads the first page and queues the next ones; the
        checkpoint moves to the start of this run when it succeeds.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        since = self.product_checkpoint and self.product_checkpoint - POLL_OVERLAP
        result = self._job_import_products(
            since=fields.Datetime.to_string(since) if since else None,
            run_started=None if since else fields.Datetime.to_string(started),
        )
        self.product_checkpoint = started
        return result

    def _job_poll_categorys(self):
        """Queue job: re-read the category trees (no date filter exists)."""
        self.ensure_one()
        started = fields.Datetime.now()
        result = self._job_import_categories()
        self.category_checkpoint = started
        return result

    def _job_poll_brands(self):
        self.ensure_one()
        started = fields.Datetime.now()
        result = self._job_import_brands()
        self.brand_checkpoint = started
        return result

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _delay_products_page(self, seconds=0, **kwargs):
        options = {}
        if seconds:
            options["eta"] = fields.Datetime.now() + timedelta(seconds=seconds)
        return self.with_delay(
            channel=self._queue_channel(),
            description=self.env._(
                "Import products of %(store)s (after id %(after)s)",
                store=self.name,
                after=kwargs.get("after_id") or 0,
            ),
            identity_key=batch.identity_without_run,
            **options,
        )._job_import_products(**kwargs)

    def _job_import_products(
        self, product_ids=None, since=None, after_id=0, run_started=None, run=None
    ):
        """Queue job: import one page of products, then queue the next page.

        One request (``include=variants,images``, 250 per page, ``id`` >
        ``after_id``), plus the page's unknown categories and brands; a rate
        limit makes this same page run again later, never page 1, from what
        it already read: the answers are staged under ``run``
        (``tools/staging.py``). ``run_started`` (a full import) stamps the
        bindings read; the last page archives those it did not read
        (deleted in BigCommerce). ``product_ids``: those products only;
        the ones BigCommerce no longer has are archived.
        """
        self.ensure_one()
        run = run or staging.new_run()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_products", "product") as recorder,
        ):
            client = self._job_client()
            importer = ProductImporter(self, client, recorder)
            since_iso = (
                format_iso8601(fields.Datetime.to_datetime(since)) if since else None
            )
            page = {
                "product_ids": product_ids,
                "since": since,
                "after_id": after_id,
                "run_started": run_started,
            }
            with staging.staged_answers(self, client, run) as answers:
                try:
                    # All or nothing: a stop leaves no half-imported page.
                    with self.env.cr.savepoint():
                        rows, more = importer.fetch_page(
                            after_id=after_id, since=since_iso, product_ids=product_ids
                        )
                        importer.import_rows(rows, seen_at=run_started)
                except RetryableError as error:
                    if not answers.new_answers():
                        raise  # nothing read: queue_job runs this job again
                    staging.settle(self, run, answers, [], page_done=False)
                    seconds = batch.retry_seconds(error)
                    self._delay_products_page(seconds=seconds, run=run, **page)
                    recorder.note(
                        self.env._(
                            "Stopped by %(error)s; the page resumes in %(seconds)s s "
                            "from what it read.",
                            error=error.message,
                            seconds=seconds,
                        )
                    )
                    return self.env._("Page stopped by the quota; resumes later.")
                staging.settle(self, run, answers, [], page_done=True)
            if rows:
                # The customer groups' items of the products just imported.
                CustomerGroupImporter(self, None).refresh_pricelists()
                # Price list records waiting for these variants.
                self._retry_waiting_price_records()
            if product_ids:
                gone = set(product_ids) - {row["id"] for row in rows}
                archived = importer.archive(self._product_bindings(gone))
                more = False
            elif rows and more:
                self._delay_products_page(
                    since=since,
                    after_id=rows[-1]["id"],
                    run_started=run_started,
                    run=run,
                )
                archived = 0
            elif run_started:
                archived = importer.archive(
                    self.env["bigcommerce.product"].search(
                        [
                            ("instance_id", "=", self.id),
                            "|",
                            ("seen_at", "=", False),
                            ("seen_at", "<", run_started),
                        ]
                    )
                )
            else:
                archived = 0
            recorder.note(
                self.env._(
                    "Products: %(created)s created, %(updated)s updated, "
                    "%(skipped)s unchanged, %(failed)s failed, %(archived)s archived",
                    archived=archived,
                    **importer.counts,
                )
            )
        return self.env._(
            "%(count)s products read, %(created)s created, %(updated)s updated.",
            count=len(rows),
            **importer.counts,
        )

    def _product_bindings(self, bigcommerce_ids):
        return self.env["bigcommerce.product"].search(
            [
                ("instance_id", "=", self.id),
                ("bigcommerce_id", "in", list(bigcommerce_ids)),
            ]
        )

    def _job_import_categories(self, category_ids=None):
        """Queue job: import the category trees (a few pages of 250)."""
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_categories", "category") as recorder,
        ):
            bindings = CategoryImporter(self, self._job_client(), recorder).import_all(
                category_ids
            )
            if category_ids:
                self.env["bigcommerce.category"].search(
                    [
                        ("instance_id", "=", self.id),
                        ("bigcommerce_id", "in", category_ids),
                        ("id", "not in", bindings.ids),
                    ]
                ).active = False
            elif bindings:
                # Gone from every tree: deleted in BigCommerce.
                self.env["bigcommerce.category"].search(
                    [("instance_id", "=", self.id), ("id", "not in", bindings.ids)]
                ).active = False
        return self.env._("%s categories read.", len(bindings))

    def _job_import_brands(self, brand_ids=None):
        """Queue job: import the brands (pages of 250)."""
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_brands", "brand") as recorder,
        ):
            bindings = BrandImporter(self, self._job_client(), recorder).import_all(
                brand_ids
            )
        return self.env._("%s brands read.", len(bindings))

    def _queue_image_downloads(self, model, record_ids):
        """One download job per 100 images (never the API host, see product_image)."""
        for start in range(0, len(record_ids), IMAGES_PER_JOB):
            chunk = sorted(record_ids[start : start + IMAGES_PER_JOB])
            self.with_delay(
                channel=self._queue_channel(),
                description=self.env._("Download %s images", len(chunk)),
                identity_key=identity_exact,
            )._job_download_images(model, chunk)

    def _job_download_images(self, model, record_ids):
        """Queue job: download the images of these records that changed.

        An image that cannot be downloaded (timeout, not an image, too
        large) is marked failed with the reason; the others are kept.
        """
        self.ensure_one()
        if model not in ("bigcommerce.product.image", "bigcommerce.brand"):
            raise UserError(self.env._("No images on %s.", model))
        records = self.env[model].browse(record_ids).exists()
        downloaded, failed = download_records(records)
        return self.env._(
            "%(downloaded)s images downloaded, %(failed)s failed",
            downloaded=downloaded,
            failed=failed,
        )

    # ------------------------------------------------------------
    # Helpers (category root, order importer, webhooks)
    # ------------------------------------------------------------

    def _bigcommerce_category_root(self):
        self.ensure_one()
        if not self.category_root_id:
            self.category_root_id = self.env["product.category"].create(
                {"name": self.store_name or self.name}
            )
        return self.category_root_id

    def _bigcommerce_variant_product(self, variant_id, product_id, client=None):
        """The Odoo variant bound to BigCommerce variant ``variant_id``.

        Unknown, and the store allows product creation: BigCommerce product
        ``product_id`` is imported first (one request), then looked up again.
        :return: product.product (possibly empty)
        """
        self.ensure_one()
        variant_id, product_id = int(variant_id or 0), int(product_id or 0)

        def bound():
            if not variant_id:
                return self.env["product.product"]
            return (
                self.env["bigcommerce.product.variant"]
                .with_context(active_test=False)
                .search(
                    [
                        ("instance_id", "=", self.id),
                        ("bigcommerce_id", "=", variant_id),
                    ],
                    limit=1,
                )
                .product_id
            )

        product = bound()
        if product or not product_id or not self.create_products:
            return product
        importer = ProductImporter(self, client or self._get_client())
        rows, _more = importer.fetch_page(product_ids=[product_id])
        importer.import_rows(rows)
        return bound()
