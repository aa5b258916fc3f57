from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..exporters.inventory import InventoryExporter
from ..importers.inventory import InventoryImporter
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_instance import MIN_POLL_MINUTES, POLL_SLACK
from .bigcommerce_log import log_operation

# pg_try_advisory_xact_lock(class, instance id): one inventory job per store.
INVENTORY_LOCK_CLASS = 0x42434956  # "BCIV"
# A job that finds the store's inventory busy tries again this much later.
INVENTORY_BUSY_RETRY_S = 30

STOCK_BASES = [
    ("on_hand", "On Hand"),
    ("free", "Free to Use (On Hand - Reserved)"),
    ("forecast", "Forecast"),
]


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    stock_based_on = fields.Selection(
        STOCK_BASES,
        string="Stock Based On",
        default="free",
        required=True,
        help="The quantity published to BigCommerce per location: on hand; "
        "free to use (on hand less what deliveries have reserved, e.g. for "
        "imported orders); or forecast (on hand plus incoming less outgoing).",
    )
    validate_inventory_adjustment = fields.Boolean(
        string="Validate Inventory Adjustment?",
        default=False,
        help="Apply the quantities imported from BigCommerce at once; "
        "otherwise they are left counted for a person to apply in "
        "Inventory > Physical Inventory.",
    )
    import_inventory_levels_cron = fields.Boolean(
        string="Import Stock Periodically",
        default=False,
        help="Re-import BigCommerce's stock on a schedule. Off by default: "
        "after the initial import Odoo is the source of truth; turn it on only "
        "if BigCommerce's stock is managed elsewhere.",
    )
    inventory_level_poll_interval = fields.Integer(
        string="Import Stock Every (min)", default=1440
    )
    inventory_level_checkpoint = fields.Datetime(
        string="Stock Imported On", copy=False, readonly=True
    )
    export_inventory_cron = fields.Boolean(
        string="Export Stock Periodically",
        default=True,
        help="The scheduled action sends the quantities that changed since "
        "the last export (a safety net beside the export after stock moves).",
    )
    inventory_export_interval = fields.Integer(
        string="Export Stock Every (min)", default=15
    )
    inventory_export_checkpoint = fields.Datetime(
        string="Stock Exported On", copy=False, readonly=True
    )
    export_inventory_on_stock_change = fields.Boolean(
        string="Export After Stock Moves",
        default=True,
        help="When stock moves of bound products are done, reserved or "
        "cancelled, queue an export a little later (one for all the moves "
        "of that while).",
    )
    inventory_export_delay = fields.Integer(
        string="Export Delay (min)",
        default=2,
        help="Debounce: the export after stock moves waits this long, so a "
        "busy warehouse sends one request instead of one per move.",
    )
    inventory_level_ids = fields.One2many(
        "bigcommerce.inventory.level", "instance_id", string="Stock Levels"
    )
    inventory_differs_count = fields.Integer(
        string="Stock Differences", compute="_compute_inventory_differs_count"
    )

    _inventory_intervals_check = models.Constraint(
        f"CHECK(inventory_level_poll_interval >= {MIN_POLL_MINUTES} "
        f"AND inventory_export_interval >= {MIN_POLL_MINUTES} "
        "AND inventory_export_delay >= 0)",
        f"Stock import and export intervals are at least {MIN_POLL_MINUTES} minutes.",
    )

    def _compute_inventory_differs_count(self):
        counts = dict(
            self.env["bigcommerce.inventory.level"]._read_group(
                [("instance_id", "in", self.ids), ("stock_differs", "=", True)],
                ["instance_id"],
                ["__count"],
            )
        )
        for instance in self:
            instance.inventory_differs_count = counts.get(instance, 0)

    # ------------------------------------------------------------
    # Scripting API, buttons, crons
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def import_inventory(self, location_ids=None):
        """Import BigCommerce's stock into Odoo (stable scripting API).

        :param location_ids: BigCommerce location ids (list of int), or None
            for every enabled location mapped to an Odoo stock location
        :return: True

        Queues one job per store (page by page, each page a job of its own);
        with ``queue_job__no_delay=True`` in the context it runs at once.
        """
        for instance in self:
            instance._check_confirmed()
            locations = instance._inventory_locations(location_ids)
            instance.with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import stock of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_inventory(locations.ids)
        return True

    @bigcommerce_admin_only
    def export_inventory(self, product_ids=None):
        """Send Odoo's stock to BigCommerce (stable scripting API).

        :param product_ids: Odoo product.product ids (list of int), or None
            for every bound product
        :return: True

        Only the quantities BigCommerce does not have yet are sent. A full
        export is queued once per store while one is pending (identity
        key); exports of a store never run together (see ``_lock_inventory``).
        """
        ids = sorted({int(pid) for pid in product_ids}) if product_ids else None
        for instance in self:
            instance._check_confirmed()
            instance._inventory_export_delayable(ids)._job_export_inventory(
                product_ids=ids
            )
        return True

    @bigcommerce_admin_only
    def action_import_inventory(self):
        self.import_inventory()
        return self._notification(
            self.env._("Stock import queued"),
            self.env._("Its result appears in the logs of %s.", self.name),
            "success",
        )

    @bigcommerce_admin_only
    def action_export_inventory(self):
        self.export_inventory()
        return self._notification(
            self.env._("Stock export queued"),
            self.env._("Its result appears in the logs of %s.", self.name),
            "success",
        )

    def action_view_inventory_levels(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_inventory_level_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"search_default_stock_differs": 1}
        return action

    @api.model
    def _cron_import_inventory_levels(self):
        """Queue a stock import for the stores that enabled it and are due."""
        return self._queue_due_polls(
            "inventory_level",
            lambda instance: self.env._("Import stock of %s", instance.name),
        )

    @api.model
    def _cron_export_inventory(self):
        """Queue a stock export for every store whose interval is due."""
        now = fields.Datetime.now()
        for instance in self.search(
            [("state", "=", "confirmed"), ("export_inventory_cron", "=", True)]
        ):
            interval = timedelta(minutes=instance.inventory_export_interval)
            checkpoint = instance.inventory_export_checkpoint
            if checkpoint and checkpoint + interval - POLL_SLACK > now:
                continue
            instance._inventory_export_delayable(None)._job_export_inventory()
        return True

    def _queue_inventory_export_after_stock_change(self):
        """Debounced export after stock moves: later, once per store.

        Every move within the delay finds the pending job (same identity key)
        and adds nothing; the job computes the changes when it runs. Always
        queued, even from an inline context: debouncing needs the queue.
        """
        for instance in self.filtered(
            lambda i: i.state == "confirmed"
            and i.export_inventory_on_stock_change
            # No location synced: nothing would be exported, queue nothing.
            and i.location_ids.filtered(lambda loc: loc._is_inventory_synced())
        ):
            eta = fields.Datetime.now() + timedelta(
                minutes=instance.inventory_export_delay
            )
            instance.with_context(
                queue_job__no_delay=False
            )._inventory_export_delayable(None, eta=eta)._job_export_inventory()

    def _inventory_export_delayable(self, product_ids, eta=None):
        self.ensure_one()
        # A full export of a store is queued once while pending; an export of
        # some products gets its own job (a pending full export must not
        # swallow it, nor it a full one).
        key = (
            f"bigcommerce-export-inventory-{self.id}"
            if product_ids is None
            else identity_exact
        )
        return self.with_delay(
            channel=self._queue_channel(),
            description=self.env._("Export stock of %s", self.name),
            identity_key=key,
            eta=eta,
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_inventory_levels(self):
        """Queue job (cron): import the stock of every synced location."""
        self.ensure_one()
        self.inventory_level_checkpoint = fields.Datetime.now()
        return self._job_import_inventory(self._inventory_locations().ids)

    def _job_import_inventory(self, location_ids, page=1):
        """Queue job: import one page of the first location, queue the rest.

        Bounded (one page of 250 items per job) and resumable: the next page,
        then the next location, is a job of its own, queued when this one
        has done its page. Never sleeps on the API.
        """
        self.ensure_one()
        locations = self.env["bigcommerce.location"].browse(location_ids).exists()
        locations = locations.filtered(lambda location: location._is_inventory_synced())
        if not locations:
            return self.env._("No mapped location to import.")
        location = locations[0]
        self._lock_inventory()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_inventory", "stock") as recorder,
        ):
            importer = InventoryImporter(self, self._job_client(), recorder)
            more = importer.import_page(location, page)
            recorder.note(
                self.env._(
                    "%(location)s, page %(page)s: %(updated)s counted, "
                    "%(unchanged)s unchanged, %(skipped)s skipped%(why)s",
                    location=location.name,
                    page=page,
                    updated=recorder.updated,
                    unchanged=recorder.unchanged,
                    skipped=recorder.skipped,
                    why=f" ({importer.summary()})" if importer.skipped else "",
                )
            )
        if more:
            following, next_page = locations, page + 1
        else:
            following, next_page = locations[1:], 1
        if following:
            self.with_delay(
                channel=self._queue_channel(),
                description=self.env._("Import stock of %s", self.name),
                identity_key=identity_exact,
            )._job_import_inventory(following.ids, page=next_page)
        return self.env._(
            "%(location)s page %(page)s: %(updated)s counted, %(skipped)s skipped.",
            location=location.name,
            page=page,
            updated=recorder.updated,
            skipped=recorder.skipped,
        )

    def _job_export_inventory(self, product_ids=None, run_started=None):
        """Queue job: send the changed quantities; queue the rest.

        Bounded: at most a few requests of 2,000 items per job; the levels
        acknowledged so far are the cursor (the next job recomputes and finds
        only what is left). A 5xx or a rate limit retries the job, which sends
        the same absolute values again. Exports of one store run one after
        the other (``_lock_inventory``); BigCommerce applies writes
        asynchronously (P12), so overlapping writes are avoided, not checked.
        """
        self.ensure_one()
        run_started = (
            fields.Datetime.to_datetime(run_started)
            if run_started
            else fields.Datetime.now()
        )
        self._lock_inventory()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "export_inventory", "stock") as recorder,
        ):
            exporter = InventoryExporter(
                self, self._job_client(), recorder, run_started=run_started
            )
            more = exporter.export(product_ids)
            recorder.note(
                self.env._(
                    "%(requests)s requests: %(exported)s exported, %(unchanged)s "
                    "unchanged, %(skipped)s skipped (not tracked), %(failed)s failed",
                    requests=exporter.requests,
                    exported=recorder.updated,
                    unchanged=recorder.unchanged,
                    skipped=recorder.skipped,
                    failed=recorder.failed,
                )
            )
        if product_ids is None:
            self.inventory_export_checkpoint = run_started
        if more:
            self.with_delay(
                channel=self._queue_channel(),
                description=self.env._("Export stock of %s (next)", self.name),
                identity_key=identity_exact,
            )._job_export_inventory(
                product_ids=product_ids,
                run_started=fields.Datetime.to_string(run_started),
            )
        return self.env._(
            "%(exported)s exported, %(unchanged)s unchanged, %(skipped)s skipped, "
            "%(failed)s failed.",
            exported=recorder.updated,
            unchanged=recorder.unchanged,
            skipped=recorder.skipped,
            failed=recorder.failed,
        )

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _check_confirmed(self):
        if self.state != "confirmed":
            raise UserError(self.env._("Confirm the instance %s first.", self.name))

    def _inventory_locations(self, bigcommerce_location_ids=None):
        """The synced locations, or those of the given BigCommerce ids.

        An id that is unknown, disabled or not mapped is refused: its stock
        is never touched.
        """
        self.ensure_one()
        synced = self.location_ids.filtered(lambda loc: loc._is_inventory_synced())
        if bigcommerce_location_ids is None:
            if not synced:
                raise UserError(
                    self.env._(
                        "Map a BigCommerce location of %s to an Odoo stock "
                        "location first (Store tab).",
                        self.name,
                    )
                )
            return synced
        wanted = {int(location_id) for location_id in bigcommerce_location_ids}
        chosen = synced.filtered(lambda loc: loc.bigcommerce_id in wanted)
        missing = wanted - set(chosen.mapped("bigcommerce_id"))
        if missing:
            raise UserError(
                self.env._(
                    "BigCommerce locations %(ids)s of %(store)s are unknown, "
                    "disabled or not mapped to an Odoo stock location.",
                    ids=", ".join(map(str, sorted(missing))),
                    store=self.name,
                )
            )
        return chosen

    def _lock_inventory(self):
        """One inventory job per store at a time, until this transaction ends.

        A try-lock, not a waiting one: Odoo's transactions read a snapshot
        taken at their first query, so a job that waited would not see what
        the other one recorded. The busy job is retried later instead.
        """
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            [INVENTORY_LOCK_CLASS, self.id],
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                self.env._(
                    "Another stock job of %s is running; trying again later.",
                    self.name,
                ),
                seconds=INVENTORY_BUSY_RETRY_S,
            )
