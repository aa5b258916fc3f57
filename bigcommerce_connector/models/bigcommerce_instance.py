import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..client import (
    AccessDeniedError,
    AuthenticationError,
    BigCommerceClient,
    BigCommerceError,
    ForbiddenHostError,
    NotFoundError,
    TransportError,
    api_host_problem,
)
from ..client.client import resolve_api_url
from ..tools import secret_box
from ..tools.api_hosts import allowed_api_hosts
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only, check_bigcommerce_admin
from ..tools.shared_quota import shared_governor
from .bigcommerce_log import LOG_LEVELS, log_operation

_logger = logging.getLogger(__name__)

# Seconds an inline job may wait for the store's quota or a transient error.
INLINE_MAX_WAIT = 30.0
# Seconds a button (Test Connection, Confirm: a web request that holds a
# worker while the user waits) may wait; beyond, it says to try again.
INTERACTIVE_MAX_WAIT = 5.0
# A poll queued by the cron starts a little after the tick it is due at.
POLL_SLACK = timedelta(minutes=2)
# The import crons tick this often; shorter intervals would not be honoured.
MIN_POLL_MINUTES = 5

DEFAULT_API_URL = "https://api.bigcommerce.com/stores/{store_hash}"

# BigCommerce's store weight units (GET /v2/store weight_units) -> Odoo units.
WEIGHT_UOM_XMLIDS = {
    "lbs": "uom.product_uom_lb",
    "pounds": "uom.product_uom_lb",
    "ounces": "uom.product_uom_oz",
    "oz": "uom.product_uom_oz",
    "kgs": "uom.product_uom_kgm",
    "kilograms": "uom.product_uom_kgm",
    "grams": "uom.product_uom_gram",
    "g": "uom.product_uom_gram",
    "tonnes": "uom.product_uom_ton",
}


class BigcommerceInstance(models.Model):
    _name = "bigcommerce.instance"
    _description = "BigCommerce store"
    _order = "sequence, name, id"
    _check_company_auto = True

    def _default_warehouse_id(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    @api.model
    def _lang_get(self):
        return self.env["res.lang"].get_installed()

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        default=lambda self: self._default_warehouse_id(),
        help="Warehouse of the imported sale orders.",
    )
    lang = fields.Selection(
        _lang_get,
        string="Language",
        default=lambda self: self.env.lang,
        help="Language of the partners and products created from BigCommerce.",
    )
    log_level = fields.Selection(
        LOG_LEVELS,
        default="info",
        required=True,
        help="How much each operation log tells: failures only, a summary, "
        "or one line per record.",
    )

    # Credentials. Only managers see these fields; the clear values are
    # computed as empty so that they are never sent to a browser, and the
    # ciphertexts live in columns no user group can read.
    store_hash = fields.Char(
        required=True,
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="The part after /stores/ in the API path of the store-level API account.",
    )
    api_url = fields.Char(
        string="API Base URL",
        compute="_compute_api_url",
        store=True,
        readonly=False,
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="Base of the REST API, without /v2 or /v3. Only "
        "https://api.bigcommerce.com, unless the server configuration "
        "(bigcommerce_allowed_api_hosts) allows another host.",
    )
    access_token = fields.Char(
        compute="_compute_access_token",
        inverse="_inverse_access_token",
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="Access token of the store-level API account; stored encrypted. "
        "Changing the store hash or the API base URL clears it (and the client "
        "secret): enter it again in the same save.",
    )
    client_secret = fields.Char(
        compute="_compute_client_secret",
        inverse="_inverse_client_secret",
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="Client secret of the API account, used to verify webhook "
        "signatures; stored encrypted.",
    )
    access_token_encrypted = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )
    client_secret_encrypted = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )
    has_access_token = fields.Boolean(compute="_compute_has_credentials")
    has_client_secret = fields.Boolean(compute="_compute_has_credentials")
    encryption_key_configured = fields.Boolean(
        compute="_compute_encryption_key_configured"
    )

    connection_state = fields.Selection(
        [("unknown", "Not tested"), ("ok", "Connected"), ("failed", "Failed")],
        default="unknown",
        required=True,
        readonly=True,
        copy=False,
    )
    connection_message = fields.Char(readonly=True, copy=False)
    connection_checked_at = fields.Datetime(
        string="Connection Checked On", readonly=True, copy=False
    )

    # What Confirm reads from the store.
    store_name = fields.Char(readonly=True, copy=False)
    store_domain = fields.Char(readonly=True, copy=False)
    store_plan = fields.Char(readonly=True, copy=False)
    store_timezone = fields.Char(readonly=True, copy=False)
    currency_id = fields.Many2one(
        "res.currency",
        string="Store Currency",
        readonly=True,
        copy=False,
        help="Default currency of the store.",
    )
    currency_ids = fields.Many2many(
        "res.currency",
        string="Store Currencies",
        readonly=True,
        copy=False,
        help="Currencies enabled in the store.",
    )
    weight_unit = fields.Char(readonly=True, copy=False)
    weight_uom_id = fields.Many2one(
        "uom.uom", string="Weight Unit of Measure", readonly=True, copy=False
    )
    dimension_unit = fields.Char(readonly=True, copy=False)
    prices_include_tax = fields.Boolean(
        readonly=True,
        copy=False,
        help="The store enters its prices with tax included.",
    )
    order_status_ids = fields.One2many(
        "bigcommerce.order.status", "instance_id", string="Order Statuses"
    )
    channel_ids = fields.One2many("bigcommerce.channel", "instance_id", "Channels")
    location_ids = fields.One2many("bigcommerce.location", "instance_id", "Locations")
    tax_class_ids = fields.One2many(
        "bigcommerce.tax.class", "instance_id", string="Tax Classes"
    )
    log_ids = fields.One2many("bigcommerce.log", "instance_id", string="Logs")
    log_count = fields.Integer(compute="_compute_log_count")

    _poll_intervals_check = models.Constraint(
        f"CHECK(order_poll_interval >= {MIN_POLL_MINUTES} "
        f"AND customer_poll_interval >= {MIN_POLL_MINUTES} "
        f"AND refund_poll_interval >= {MIN_POLL_MINUTES})",
        f"Poll intervals are at least {MIN_POLL_MINUTES} minutes.",
    )
    _store_hash_company_uniq = models.Constraint(
        "UNIQUE(store_hash, company_id)",
        "This store is already connected to this company.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("store_hash")
    def _compute_api_url(self):
        for instance in self:
            # BigCommerce's URL holds the store hash: it follows the hash.
            # A URL of another host (the sandbox) is left as typed.
            follows = not instance.api_url or instance.api_url.startswith(
                DEFAULT_API_URL.format(store_hash="")
            )
            if follows and instance.store_hash:
                instance.api_url = DEFAULT_API_URL.format(
                    store_hash=instance.store_hash.strip()
                )

    @api.constrains("api_url")
    def _check_api_url(self):
        """The token may only go to BigCommerce's API or a host the server
        configuration allows (see tools/api_hosts.py)."""
        allowed = allowed_api_hosts()
        for instance in self.sudo():
            problem = instance.api_url and api_host_problem(instance.api_url, allowed)
            if problem:
                raise ValidationError(
                    self.env._(
                        "API base URL refused: %(problem)s. Another host can only "
                        "be allowed in the server configuration "
                        "(bigcommerce_allowed_api_hosts).",
                        problem=problem,
                    )
                )

    def _compute_access_token(self):
        self.access_token = False

    def _inverse_access_token(self):
        for instance in self:
            if instance.access_token:
                instance.sudo().access_token_encrypted = secret_box.encrypt(
                    self.env, instance.access_token.strip()
                )

    def _compute_client_secret(self):
        self.client_secret = False

    def _inverse_client_secret(self):
        for instance in self:
            if instance.client_secret:
                instance.sudo().client_secret_encrypted = secret_box.encrypt(
                    self.env, instance.client_secret.strip()
                )

    def _compute_has_credentials(self):
        for instance in self:
            sudo_instance = instance.sudo()
            instance.has_access_token = bool(sudo_instance.access_token_encrypted)
            instance.has_client_secret = bool(sudo_instance.client_secret_encrypted)

    def _compute_encryption_key_configured(self):
        self.encryption_key_configured = secret_box.key_configured()

    def _compute_log_count(self):
        counts = dict(
            self.env["bigcommerce.log"]._read_group(
                [("instance_id", "in", self.ids)], ["instance_id"], ["__count"]
            )
        )
        for instance in self:
            instance.log_count = counts.get(instance, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        instances = super().create(vals_list)
        # The typed secret stays in the cache after its inverse ran: drop it,
        # so nothing reads it back in this transaction either.
        instances.invalidate_recordset(["access_token", "client_secret"])
        return instances

    def write(self, vals):
        if {"store_hash", "api_url"} & vals.keys():
            # Another store means another quota, statuses and currencies:
            # the instance has to be tested and confirmed again.
            vals = {**vals, "state": "draft", "connection_state": "unknown"}
            self._forget_credentials_if_moved(vals)
        result = super().write(vals)
        if {"access_token", "client_secret"} & vals.keys():
            self.invalidate_recordset(["access_token", "client_secret"])
        return result

    def _forget_credentials_if_moved(self, vals):
        """Clear the stored token and client secret of the instances whose
        store hash or API URL changes: they were given for one store, and
        must be typed again for another, so that whoever may edit the URL
        cannot have the stored token sent to a server of theirs. Credentials
        typed in the same save are kept (their inverse runs after this)."""
        moved = self.sudo().filtered(
            lambda instance: any(
                field in vals
                and (vals[field] or "").strip() != (instance[field] or "").strip()
                for field in ("store_hash", "api_url")
            )
        )
        if moved:
            moved.write(
                {"access_token_encrypted": False, "client_secret_encrypted": False}
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def action_test_connection(self):
        """Read the store's information; report success or a clear reason."""
        self.ensure_one()
        try:
            store = self._read_store_information("test_connection")
        except UserError as error:
            return self._notification(
                self.env._("Connection failed"), str(error), "danger"
            )
        return self._notification(
            self.env._("Connection successful"),
            self.env._(
                "Connected to %(store)s (%(domain)s).",
                store=store.get("name"),
                domain=store.get("domain"),
            ),
            "success",
        )

    @bigcommerce_admin_only
    def action_confirm(self):
        """Import the store's settings and make the instance ready to sync."""
        for instance in self:
            store = instance._read_store_information("test_connection")
            with log_operation(instance, "confirm", "store settings") as recorder:
                instance._import_store_settings(store, recorder)
            instance.state = "confirmed"
        return True

    @api.model
    def _cron_refresh_store_settings(self):
        """Queue a refresh of every confirmed store's settings (statuses, ...)."""
        for instance in self.search([("state", "=", "confirmed")]):
            instance.with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Refresh settings of %s", instance.name),
                identity_key=f"bigcommerce-refresh-settings-{instance.id}",
            )._job_refresh_store_settings()

    def _job_refresh_store_settings(self):
        """Queue job: re-read the store's settings; never sleeps on the API."""
        self.ensure_one()
        client = self._job_client()
        with retry_job_on_transient_errors(self.env):
            store = self._read_store_information("refresh_settings", client=client)
            with log_operation(self, "refresh_settings", "store settings") as recorder:
                self._import_store_settings(store, recorder, client=client)
        return self.env._("Settings of %s refreshed.", self.name)

    @api.model
    def _queue_due_polls(self, kind, describe):
        """Queue the poll job of every store whose ``kind`` poll is due.

        ``kind`` is "order", "customer" or "refund": the store's switch
        ``import_<kind>s_cron``, ``<kind>_checkpoint`` (the start of its last
        successful poll), ``<kind>_poll_interval`` and ``_job_poll_<kind>s``.
        The crons tick every few minutes; a store is due once its checkpoint
        is older than its own interval, less a little slack for the time a
        job waits to start.
        """
        now = fields.Datetime.now()
        checkpoint = f"{kind}_checkpoint"
        for instance in self.search(
            [("state", "=", "confirmed"), (f"import_{kind}s_cron", "=", True)]
        ):
            interval = timedelta(minutes=instance[f"{kind}_poll_interval"])
            if (
                instance[checkpoint]
                and instance[checkpoint] + interval - POLL_SLACK > now
            ):
                continue
            delayed = instance.with_delay(
                channel=instance._queue_channel(),
                description=describe(instance),
                identity_key=f"bigcommerce-poll-{kind}s-{instance.id}",
            )
            getattr(delayed, f"_job_poll_{kind}s")()
        return True

    @bigcommerce_admin_only
    def action_reset_to_draft(self):
        self.state = "draft"
        return True

    def action_view_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_log_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"default_instance_id": self.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_client(self, max_wait=INTERACTIVE_MAX_WAIT):
        """A REST client for this store.

        ``max_wait=0`` (jobs, see ``_job_client``): the client raises a
        retryable error instead of sleeping, and queue_job postpones the job.
        """
        self.ensure_one()
        # The way to the store for buttons and jobs alike: a job runs with
        # the rights of whoever queued it, checked again here when it runs.
        check_bigcommerce_admin(self.env, "connect to the store")
        instance = self.sudo()
        if not instance.access_token_encrypted:
            raise UserError(
                self.env._("Enter the access token of the store %s first.", self.name)
            )
        allowed = allowed_api_hosts()
        problem = api_host_problem(instance.api_url, allowed)
        if problem:
            # Checked before the token is even decrypted.
            raise UserError(
                self.env._(
                    "The access token of %(name)s is not sent: %(problem)s.",
                    name=self.name,
                    problem=problem,
                )
            )
        return BigCommerceClient(
            instance.store_hash.strip(),
            secret_box.decrypt(self.env, instance.access_token_encrypted),
            api_url=instance.api_url,
            max_wait=max_wait,
            allowed_hosts=allowed,
            governor=instance._quota_governor(),
        )

    def _quota_governor(self):
        """The store's rate-limit governor, shared by every Odoo process and
        node on this database (``tools/shared_quota.py``)."""
        self.ensure_one()
        return shared_governor(self.env.cr.dbname, self._api_url())

    def _api_url(self):
        """The store's API base URL, as the client resolves it."""
        self.ensure_one()
        instance = self.sudo()
        return resolve_api_url((instance.store_hash or "").strip(), instance.api_url)

    def _job_client(self):
        """The client of a job.

        In a queued job it never sleeps: a rate limit or a transient error
        raises, and queue_job runs the job again later. A job run inline
        (context ``queue_job__no_delay``: the scripting API, the demo) has no
        queue to come back to, so it waits for the quota like an interactive
        call.
        """
        inline = self.env.context.get("queue_job__no_delay")
        return self._get_client(max_wait=INLINE_MAX_WAIT if inline else 0)

    def _read_store_information(self, operation, client=None):
        """GET /v2/store; record the outcome on the instance and in the log.

        With a job's client (``max_wait=0``) transient errors are re-raised as
        they are, for queue_job to retry; anything else becomes a UserError.
        """
        self.ensure_one()
        client = client or self._get_client()
        try:
            with log_operation(self, operation, "store") as recorder:
                try:
                    store = client.get_store()
                except BigCommerceError as error:
                    if error.retryable and not client.max_wait:
                        raise
                    raise UserError(self._explain_api_error(error)) from None
                recorder.note(
                    self.env._(
                        "Connected to %(name)s (%(domain)s)",
                        name=store.get("name"),
                        domain=store.get("domain"),
                    )
                )
        except UserError as error:
            self.write(
                {
                    "connection_state": "failed",
                    "connection_message": str(error),
                    "connection_checked_at": fields.Datetime.now(),
                }
            )
            raise
        self.write(
            {
                "connection_state": "ok",
                "connection_message": self.env._("Connected to %s", store.get("name")),
                "connection_checked_at": fields.Datetime.now(),
                "store_name": store.get("name"),
                "store_domain": store.get("domain"),
                "store_plan": store.get("plan_name"),
                "store_timezone": (store.get("timezone") or {}).get("name"),
                "prices_include_tax": bool(store.get("is_price_entered_with_tax")),
            }
        )
        return store

    def _explain_api_error(self, error):
        """What an admin can do about a failed call.

        Never the token, and never the store hash or the API path that holds
        it: these texts land in fields and logs every BigCommerce User reads.
        """
        if isinstance(error, ForbiddenHostError):
            return error.message
        if isinstance(error, AuthenticationError):
            return self.env._(
                "BigCommerce rejected the access token (401). "
                "Copy the access token of the store-level API account again."
            )
        if isinstance(error, AccessDeniedError):
            return self.env._(
                "BigCommerce refused access (403): the API account lacks a scope "
                "this connector needs, or the store hash belongs to another "
                "store. Needed scopes: Information & settings (read-only), "
                "Orders, Customers, Products, Inventory, Channel settings "
                "(read-only). Details: %(detail)s",
                detail=error.message,
            )
        if isinstance(error, NotFoundError):
            return self.env._(
                "No BigCommerce store answers at this address (404): check the "
                "store hash and the API base URL."
            )
        if isinstance(error, TransportError):
            return self.env._(
                "BigCommerce could not be reached: %(detail)s. Check the API "
                "base URL and this server's network access.",
                detail=error.message,
            )
        return self.env._("BigCommerce answered with an error: %s", error)

    def _import_store_settings(self, store, recorder, client=None):
        client = client or self._get_client()
        try:
            currencies = list(client.iter_currencies())
            statuses = list(client.iter_order_statuses())
            channels = list(client.iter_channels())
            locations = list(client.iter_locations())
            tax_classes = list(client.iter_tax_classes())
        except BigCommerceError as error:
            if error.retryable and not client.max_wait:
                raise
            raise UserError(self._explain_api_error(error)) from None

        self._import_currencies(store, currencies, recorder)
        self._import_weight_unit(store, recorder)
        for model, rows in (
            ("bigcommerce.order.status", statuses),
            ("bigcommerce.channel", channels),
            ("bigcommerce.location", locations),
            ("bigcommerce.tax.class", tax_classes),
        ):
            created, updated = self.env[model]._upsert_from_bigcommerce(self, rows)
            recorder.add_counts(created=created, updated=updated)
            recorder.note(
                self.env._(
                    "%(model)s: %(created)s created, %(updated)s updated",
                    model=self.env[model]._description,
                    created=created,
                    updated=updated,
                )
            )

    def _import_currencies(self, store, currencies, recorder):
        """Activate the store's currencies in Odoo; the default one is the store's."""
        codes = {store.get("currency")} | {
            row.get("currency_code") for row in currencies if row.get("enabled")
        }
        codes.discard(None)
        odoo_currencies = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", sorted(codes))])
        )
        missing = codes - set(odoo_currencies.mapped("name"))
        if store.get("currency") in missing:
            raise UserError(
                self.env._(
                    "The store's currency %s does not exist in Odoo.", store["currency"]
                )
            )
        if missing:
            recorder.note(
                self.env._(
                    "Currencies unknown to Odoo, ignored: %s",
                    ", ".join(sorted(missing)),
                ),
                level="error",
            )
        inactive = odoo_currencies.filtered(lambda currency: not currency.active)
        if inactive:
            inactive.sudo().active = True
            recorder.note(
                self.env._(
                    "Activated currencies: %s", ", ".join(inactive.mapped("name"))
                )
            )
        self.write(
            {
                "currency_id": odoo_currencies.filtered(
                    lambda currency: currency.name == store.get("currency")
                ).id,
                "currency_ids": [fields.Command.set(odoo_currencies.ids)],
            }
        )

    def _import_weight_unit(self, store, recorder):
        unit = (store.get("weight_units") or "").strip()
        uom = self.env.ref(
            WEIGHT_UOM_XMLIDS.get(unit.lower(), "uom.product_uom_kgm"),
            raise_if_not_found=False,
        )
        if unit.lower() not in WEIGHT_UOM_XMLIDS:
            recorder.note(self.env._("Unknown weight unit %r", unit), level="error")
        self.write(
            {
                "weight_unit": unit,
                "weight_uom_id": uom.id if unit.lower() in WEIGHT_UOM_XMLIDS else False,
                "dimension_unit": store.get("dimension_units"),
            }
        )

    def _notification(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                # Reload the form so that the connection status shows at once.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
