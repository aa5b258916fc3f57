import logging
import secrets
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

import psycopg2

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError

from ..client import BigCommerceError
from ..client.webhook_auth import TOKEN_HEADER
from ..importers.customer import CustomerImporter
from ..tools import secret_box
from ..tools.job_retry import is_last_attempt, retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation

_logger = logging.getLogger(__name__)

WEBHOOK_ROUTE = "/bigcommerce/webhook/"
WEBHOOK_SCOPES = (
    "store/order/created",
    "store/order/updated",
    "store/order/statusUpdated",
    "store/order/refund/created",
    "store/customer/created",
    "store/customer/updated",
    "store/customer/deleted",
    "store/customer/address/created",
    "store/customer/address/updated",
    "store/customer/address/deleted",
    "store/shipment/created",
    "store/shipment/updated",
    "store/shipment/deleted",
    "store/product/created",
    "store/product/updated",
    "store/product/deleted",
    "store/sku/created",
    "store/sku/updated",
    "store/sku/deleted",
    "store/category/created",
    "store/category/updated",
    "store/category/deleted",
)
# BigCommerce retries a failed delivery for about 48 hours: a redelivery of a
# rotated-out token is still accepted that long.
PREVIOUS_TOKEN_GRACE = timedelta(hours=48)
# An event still waiting this long lost its job (see _job_check_webhooks).
STUCK_EVENT_DELAY = timedelta(minutes=10)
CATCH_UP_OVERLAP = timedelta(minutes=5)
DASHBOARD_WINDOW = timedelta(hours=24)


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    webhook_base_url = fields.Char(
        string="Webhook Base URL",
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="Public HTTPS address of this Odoo as BigCommerce reaches it "
        "(e.g. https://erp.example.com). Empty: the system parameter "
        "web.base.url, when it is an https:// address.",
    )
    webhook_route_key = fields.Char(
        copy=False,
        readonly=True,
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="Identifies this instance in the webhook address; not a secret "
        "(the secret travels in a header).",
    )
    webhook_token_encrypted = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )
    webhook_previous_token_encrypted = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )
    webhook_token_rotated_at = fields.Datetime(copy=False, readonly=True)
    # On by default: BigCommerce documents Standard Webhooks signatures made
    # with the API account's client secret and recommends verifying them
    # (HTTPS Webhooks Overview, "Webhook signature"; shared/docs
    # bigcommerce-api.md 11.4). Only effective once a client secret is stored.
    webhook_require_signature = fields.Boolean(
        string="Require Webhook Signature",
        default=True,
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="With a client secret stored, reject callbacks without a valid "
        "Standard Webhooks signature made with it (BigCommerce's "
        "recommendation). Switch off only if your store's callbacks arrive "
        "unsigned: a signature is then verified when present. Without a "
        "client secret, the secret header alone authenticates callbacks.",
    )
    webhook_registered_at = fields.Datetime(copy=False, readonly=True)
    webhook_message = fields.Char(copy=False, readonly=True)
    webhook_ids = fields.One2many(
        "bigcommerce.webhook", "instance_id", string="Webhooks"
    )
    webhook_event_count = fields.Integer(
        string="Events (24 h)", compute="_compute_webhook_dashboard"
    )
    webhook_duplicate_count = fields.Integer(
        string="Duplicates Ignored (24 h)",
        compute="_compute_webhook_dashboard",
        help="Redeliveries acknowledged without processing, counted on the "
        "events redelivered in the last 24 hours.",
    )
    webhook_failed_count = fields.Integer(
        string="Failed Events (24 h)", compute="_compute_webhook_dashboard"
    )
    webhook_last_event_at = fields.Datetime(
        string="Last Event Received", compute="_compute_webhook_dashboard"
    )

    _webhook_route_key_uniq = models.Constraint(
        "UNIQUE(webhook_route_key)", "Two instances cannot share a webhook address."
    )

    def _compute_webhook_dashboard(self):
        events = self.env["bigcommerce.webhook.event"]
        since = fields.Datetime.now() - DASHBOARD_WINDOW
        domain = [("instance_id", "in", self.ids)]
        received = dict(
            events._read_group(
                [*domain, ("received_at", ">=", since)], ["instance_id"], ["__count"]
            )
        )
        failed = dict(
            events._read_group(
                [*domain, ("received_at", ">=", since), ("state", "=", "failed")],
                ["instance_id"],
                ["__count"],
            )
        )
        duplicates = dict(
            events._read_group(
                [*domain, ("last_duplicate_at", ">=", since)],
                ["instance_id"],
                ["duplicate_count:sum"],
            )
        )
        last = dict(events._read_group(domain, ["instance_id"], ["received_at:max"]))
        for instance in self:
            instance.webhook_event_count = received.get(instance, 0)
            instance.webhook_failed_count = failed.get(instance, 0)
            instance.webhook_duplicate_count = duplicates.get(instance, 0)
            instance.webhook_last_event_at = last.get(instance, False)

    # ------------------------------------------------------------
    # Address and secret
    # ------------------------------------------------------------

    def _webhook_base_url(self):
        """The public base URL, or False when none is known."""
        self.ensure_one()
        base = (self.sudo().webhook_base_url or "").strip()
        if not base:
            base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
            # BigCommerce only calls https:// on port 443: an http:// base URL
            # (Odoo's default, localhost) would be refused.
            if not (base or "").startswith("https://"):
                return False
        return base.rstrip("/")

    def _webhook_destination(self):
        self.ensure_one()
        base = self._webhook_base_url()
        if not base:
            raise UserError(
                self.env._(
                    "Set the Webhook Base URL of %s (the public https:// address "
                    "of this Odoo) first.",
                    self.name,
                )
            )
        instance = self.sudo()
        if not instance.webhook_route_key:
            instance.webhook_route_key = secrets.token_hex(16)
        return f"{base}{WEBHOOK_ROUTE}{instance.webhook_route_key}"

    def _webhook_token(self):
        """The secret sent back in every callback's header (created once)."""
        self.ensure_one()
        instance = self.sudo()
        if not instance.webhook_token_encrypted:
            instance.webhook_token_encrypted = secret_box.encrypt(
                self.env, secrets.token_urlsafe(32)
            )
        return secret_box.decrypt(self.env, instance.webhook_token_encrypted)

    def _is_connector_hook(self, hook):
        """A hook this instance registered (its address carries our route key)."""
        key = self.sudo().webhook_route_key
        path = urlsplit(hook.get("destination") or "").path.rstrip("/")
        return bool(key) and path == f"{WEBHOOK_ROUTE}{key}"

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def action_register_webhooks(self):
        self.ensure_one()
        self._check_webhooks_allowed()
        with log_operation(self, "register_webhooks", "webhook") as recorder:
            counts = self._register_webhooks(self._get_client(), recorder)
        return self._notification(
            self.env._("Webhooks registered"),
            self.env._(
                "%(created)s created, %(updated)s updated, %(deleted)s removed, "
                "%(kept)s unchanged.",
                **counts,
            ),
            "success",
        )

    @bigcommerce_admin_only
    def action_refresh_webhooks(self):
        self.ensure_one()
        self._check_webhooks_allowed()
        client = self._get_client()
        try:
            hooks = list(client.iter_hooks())
        except BigCommerceError as error:
            raise UserError(self._explain_api_error(error)) from None
        self._sync_webhook_records(hooks)
        return True

    @bigcommerce_admin_only
    def action_rotate_webhook_secret(self):
        """New secret, pushed to every hook; the old one stays valid 48 h
        (BigCommerce's retries of callbacks sent before still get in)."""
        self.ensure_one()
        self._check_webhooks_allowed()
        instance = self.sudo()
        instance.write(
            {
                "webhook_previous_token_encrypted": instance.webhook_token_encrypted,
                "webhook_token_encrypted": False,
                "webhook_token_rotated_at": fields.Datetime.now(),
            }
        )
        return self.action_register_webhooks()

    def action_view_webhook_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_webhook_event_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"search_default_last_24h": 1}
        return action

    @bigcommerce_admin_only
    def action_confirm(self):
        result = super().action_confirm()
        for instance in self:
            if instance._webhook_base_url():
                instance._register_webhooks_at_confirm()
        return result

    def _register_webhooks_at_confirm(self):
        # The store is confirmed even when BigCommerce refuses the hooks
        # (e.g. an address it cannot reach): the polls still import, and the
        # reason is shown on the instance.
        try:
            with (
                self.env.cr.savepoint(),
                log_operation(self, "register_webhooks", "webhook") as recorder,
            ):
                self._register_webhooks(self._get_client(), recorder)
        except (UserError, BigCommerceError) as error:
            message = (
                self._explain_api_error(error)
                if isinstance(error, BigCommerceError)
                else str(error)
            )
            self.webhook_message = self.env._("Webhooks not registered: %s", message)

    def _check_webhooks_allowed(self):
        # The secret and the hooks are written with sudo: only those who may
        # edit the instance may change them.
        self.check_access("write")
        if self.state != "confirmed":
            raise UserError(self.env._("Confirm the instance %s first.", self.name))

    # ------------------------------------------------------------
    # Registration, converging on the needed hooks
    # ------------------------------------------------------------

    def _register_webhooks(self, client, recorder=None):
        """Create, update or remove hooks until exactly the needed ones exist.

        One hook per scope, all pointing at this instance's address with its
        secret header; re-running changes nothing, a changed address or
        secret is PUT on the existing hooks, duplicates are deleted.
        """
        self.ensure_one()
        destination = self._webhook_destination()
        base_url = destination.rsplit(WEBHOOK_ROUTE, 1)[0]
        instance = self.sudo()
        if (
            instance.webhook_token_base_url
            and instance.webhook_token_base_url != base_url
        ):
            # The address moved without webhook_base_url changing (it
            # follows web.base.url): the secret stays with the old address.
            self._forget_webhook_tokens()
        headers = {TOKEN_HEADER: self._webhook_token()}
        instance.webhook_token_base_url = base_url
        counts = dict.fromkeys(("created", "updated", "deleted", "kept"), 0)
        try:
            ours = defaultdict(list)
            for hook in client.iter_hooks():
                if self._is_connector_hook(hook):
                    ours[hook["scope"]].append(hook)
            for scope in WEBHOOK_SCOPES:
                hooks = sorted(
                    ours.pop(scope, []),
                    key=lambda h: (h["destination"] != destination, h["id"]),
                )
                for extra in hooks[1:]:
                    client.delete_hook(extra["id"])
                    counts["deleted"] += 1
                if not hooks:
                    client.create_hook(scope, destination, headers=headers)
                    counts["created"] += 1
                    continue
                hook = hooks[0]
                changes = {}
                if hook["destination"] != destination:
                    changes["destination"] = destination
                if (hook.get("headers") or {}) != headers:
                    changes["headers"] = headers
                if not hook.get("is_active"):
                    changes["is_active"] = True
                if changes:
                    client.update_hook(hook["id"], **changes)
                    counts["updated"] += 1
                else:
                    counts["kept"] += 1
            for hooks in ours.values():  # scopes this version no longer needs
                for hook in hooks:
                    client.delete_hook(hook["id"])
                    counts["deleted"] += 1
            hooks = list(client.iter_hooks())
        except BigCommerceError as error:
            if error.retryable and not client.max_wait:
                raise
            raise UserError(self._explain_api_error(error)) from None
        self._sync_webhook_records(hooks)
        self.write(
            {
                "webhook_registered_at": fields.Datetime.now(),
                "webhook_message": self.env._(
                    "%(count)s webhooks registered for %(url)s",
                    count=len(WEBHOOK_SCOPES),
                    url=destination.rsplit("/", 1)[0],
                ),
            }
        )
        if recorder:
            recorder.add_counts(
                created=counts["created"],
                updated=counts["updated"] + counts["deleted"],
                skipped=counts["kept"],
            )
            recorder.note(
                self.env._(
                    "Webhooks: %(created)s created, %(updated)s updated, "
                    "%(deleted)s removed, %(kept)s unchanged",
                    **counts,
                )
            )
        return counts

    def _sync_webhook_records(self, hooks):
        """Mirror ``GET /v3/hooks`` in bigcommerce.webhook (bound by hook id)."""
        self.ensure_one()
        records = self.env["bigcommerce.webhook"]
        existing = {
            record.hook_id: record
            for record in records.search([("instance_id", "=", self.id)])
        }
        now = fields.Datetime.now()
        seen = set()
        for hook in hooks:
            values = records._values_from_hook(hook)
            values.update(
                is_connector_hook=self._is_connector_hook(hook), checked_at=now
            )
            seen.add(hook["id"])
            record = existing.get(hook["id"])
            if record:
                record.write(values)
            else:
                records.create({**values, "instance_id": self.id})
        gone = [record for hook_id, record in existing.items() if hook_id not in seen]
        records.union(*gone).unlink()

    # ------------------------------------------------------------
    # Health: re-activate, re-create, catch up
    # ------------------------------------------------------------

    @api.model
    def _cron_check_webhooks(self):
        for instance in self.search(
            [("state", "=", "confirmed"), ("webhook_registered_at", "!=", False)]
        ):
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Check webhooks of %s", instance.name),
                identity_key=f"bigcommerce-check-webhooks-{instance.id}",
            )._job_check_webhooks()
        return True

    def _job_check_webhooks(self):
        """Queue job: make every needed hook active again; poll what was missed.

        BigCommerce deactivates a hook after about 48 hours of failed
        deliveries (and after 90 days without events) and replays nothing:
        the orders, refunds and customers changed since the last event received
        through a hook that was down are polled again.
        """
        self.ensure_one()
        client = self._job_client()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "check_webhooks", "webhook") as recorder,
        ):
            hooks = [h for h in client.iter_hooks() if self._is_connector_hook(h)]
            present = {hook["scope"] for hook in hooks}
            down = {hook["scope"] for hook in hooks if not hook.get("is_active")}
            down |= set(WEBHOOK_SCOPES) - present
            if down:
                recorder.note(
                    self.env._("Hooks down or missing: %s", ", ".join(sorted(down))),
                    level="error",
                )
                since = self._webhook_catch_up_start(down)
                # Re-activates (PUT is_active) and re-creates what is missing.
                self._register_webhooks(client, recorder)
                self._webhook_catch_up(down, since, recorder)
            else:
                self._sync_webhook_records(list(client.iter_hooks()))
            stuck = self._requeue_stuck_webhook_events()
            if stuck:
                recorder.note(self.env._("%s waiting events queued again", stuck))
            self._purge_webhook_events()
        return self.env._("%s hooks were down", len(down)) if down else "ok"

    def _webhook_catch_up_start(self, scopes):
        """The earliest "last event received" of the hooks that were down."""
        events = self.env["bigcommerce.webhook.event"]
        starts = []
        for scope in scopes:
            last = events.search(
                [("instance_id", "=", self.id), ("scope", "=", scope)],
                order="received_at desc",
                limit=1,
            ).received_at
            starts.append(last or self.webhook_registered_at or fields.Datetime.now())
        return min(starts) - CATCH_UP_OVERLAP

    def _webhook_catch_up(self, scopes, since, recorder):
        families = {scope.split("/")[1] for scope in scopes}
        if families & {"order", "shipment"}:
            self.import_orders(date_from=since)
            recorder.note(self.env._("Orders polled since %s", since))
        if "store/order/refund/created" in scopes:
            self.import_refunds(since=since)
            recorder.note(self.env._("Refunds polled since %s", since))
        if "customer" in families:
            self.import_customers(since=since)
            recorder.note(self.env._("Customers polled since %s", since))

    def _requeue_stuck_webhook_events(self):
        """Queue again events whose job was lost (identity-key race, crash)."""
        events = self.env["bigcommerce.webhook.event"].search(
            [
                ("instance_id", "=", self.id),
                ("state", "=", "received"),
                ("received_at", "<", fields.Datetime.now() - STUCK_EVENT_DELAY),
            ]
        )
        events._enqueue()
        return len(events)

    # ------------------------------------------------------------
    # Processing of received events
    # ------------------------------------------------------------

    @api.model
    def _webhook_syncs(self, target_type):
        return target_type in self._webhook_handlers()

    @api.model
    def _webhook_handlers(self):
        return {
            "order": self._webhook_sync_order,
            "customer": self._webhook_sync_customer,
            "refund": self._webhook_sync_refund,
        }

    def _enqueue_webhook_job(self, target_type, target_id, company_id=None):
        """One job per BigCommerce record: a burst of events about one order
        (created, updated, statusUpdated, a shipment) reads it once."""
        self.ensure_one()
        self.with_company(company_id or self.company_id).with_delay(
            channel=self._queue_channel(),
            description=self.env._(
                "Webhook: sync BigCommerce %(type)s %(id)s",
                type=target_type,
                id=target_id,
            ),
            identity_key=f"bigcommerce-webhook-{self.id}-{target_type}-{target_id}",
        )._job_process_webhook_events(target_type, target_id)

    def _job_process_webhook_events(self, target_type, target_id):
        """Queue job: re-read one record and import it like the polls do.

        Every event of the record received so far is settled by this run;
        an error the user can act on marks them failed (with Retry), a
        transient one makes queue_job try again later.
        """
        self.ensure_one()
        events = self.env["bigcommerce.webhook.event"].search(
            [
                ("instance_id", "=", self.id),
                ("target_type", "=", target_type),
                ("target_id", "=", target_id),
                ("state", "=", "received"),
            ]
        )
        if not events:
            return "nothing to process"
        handler = self._webhook_handlers().get(target_type)
        if not handler:
            events.write({"state": "ignored", "processed_at": fields.Datetime.now()})
            return "ignored"
        client = self._job_client()
        try:
            with retry_job_on_transient_errors(self.env), self.env.cr.savepoint():
                state, message = handler(target_id, events, client)
        except RetryableJobError as error:
            if not is_last_attempt(self.env):
                raise
            # queue_job would give up: the events say so, with Retry.
            state = "failed"
            message = self.env._("BigCommerce kept failing, gave up: %s", error)
        except psycopg2.Error:
            raise  # concurrency errors: queue_job runs the job again
        except BigCommerceError as error:
            state, message = "failed", self._explain_api_error(error)
        except UserError as error:
            state, message = "failed", str(error)
        except Exception as error:  # noqa: BLE001 - kept on the events, with Retry
            _logger.exception("Webhook sync of %s %s failed", target_type, target_id)
            state, message = "failed", self.env._("Unexpected error: %s", error)
        values = {"state": state, "processed_at": fields.Datetime.now()}
        values["error" if state == "failed" else "result"] = message
        events.write(values)
        return f"{state}: {message}"

    def _webhook_sync_order(self, order_id, events, client):
        counts = self._import_orders_now(order_ids=[order_id], client=client)
        record = self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "=", order_id)]
        )
        if record.state == "failed":
            return "failed", record.failure_reason
        if counts.get("before_go_live") or record.state == "reference":
            return "ignored", self.env._(
                "Order %s was created before the go-live date: not booked.", order_id
            )
        if record.refresh_error and counts.get("failed"):
            # Booked, but this version could not be applied (Retry on the order).
            return "failed", record.refresh_error
        if not record or not record.sale_order_id:
            return "ignored", self.env._(
                "Order %s is not in a status this instance imports.", order_id
            )
        outcome = next(
            (
                label
                for key, label in (
                    ("created", self.env._("imported")),
                    ("review", self.env._("imported, needs review")),
                    ("updated", self.env._("updated")),
                    ("skipped", self.env._("status updated")),
                )
                if counts.get(key)
            ),
            self.env._("unchanged"),
        )
        return "done", self.env._(
            "Order %(id)s %(outcome)s (%(sale)s)",
            id=order_id,
            outcome=outcome,
            sale=record.sale_order_id.name,
        )

    def _webhook_sync_refund(self, refund_id, events, client):
        """Book the refund once; its ``statusUpdated`` twin only re-syncs the
        order, so the two events of a refund make one credit note."""
        self._import_refunds_now(refund_ids=[refund_id], client=client)
        record = self.env["bigcommerce.refund"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "=", refund_id)]
        )
        if not record:
            return "failed", self.env._("BigCommerce has no refund %s.", refund_id)
        if record.state == "error":
            return "failed", record.message
        if record.state == "not_booked":
            return "ignored", record.message
        if record.state == "pending":
            # The refund waits on its own record (order not invoiced yet...),
            # which its poll and Retry pick up.
            return "done", self.env._(
                "Refund %(id)s pending: %(reason)s", id=refund_id, reason=record.message
            )
        return "done", self.env._(
            "Refund %(id)s booked (%(credit_note)s)",
            id=refund_id,
            credit_note=record.credit_note_id.name,
        )

    def _webhook_sync_customer(self, customer_id, events, client):
        rows = [
            row
            for row in client.iter_customers(**{"id:in": str(customer_id)})
            if row.get("id") == customer_id
        ]
        if rows:
            importer = CustomerImporter(self, client)
            importer.import_rows(rows)
            partner = importer._binding(customer_id).partner_id
            # Ids only: every BigCommerce User reads event and job results.
            return "done", self.env._(
                "Customer %(id)s imported (partner %(partner)s)",
                id=customer_id,
                partner=partner.id,
            )
        # Deleted in BigCommerce: the partner stays, since invoices and
        # orders refer to it; the customer importer deletes nothing either.
        return "ignored", self.env._(
            "BigCommerce no longer has customer %s; its partner is kept.",
            customer_id,
        )
