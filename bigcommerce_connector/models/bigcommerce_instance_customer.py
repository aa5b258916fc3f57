from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.queue_job.job import identity_exact
from odoo.exceptions import UserError

from ..client import RetryableError
from ..client.parsing import format_iso8601, parse_datetime
from ..importers import customer_group
from ..importers.customer import BATCH_SIZE, CustomerImporter
from ..tools import batch, staging
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation

# Polls re-read what changed shortly before the checkpoint (clock skew,
# customers saved while the previous poll was running).
POLL_OVERLAP = timedelta(minutes=5)


def _date_key(kwargs):
    """The customer date a batch filters and pages on."""
    if kwargs.get("date_field") == "created":
        return "date_created"
    return "date_modified"


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    create_company_contact = fields.Boolean(
        string="Create company contact?",
        default=False,
        help="Create (or reuse, by exact name) a company contact for a customer "
        "with a company name and make the customer one of its contacts.",
    )
    match_existing_partners = fields.Boolean(
        string="Match Shoppers to Existing Partners",
        default=False,
        help="Off (recommended): a guest checkout is matched only to earlier "
        "guest checkouts of this store with the same e-mail and address, and a "
        "customer's company name only to company contacts this store created. "
        "On: a guest checkout is also matched to a registered customer with "
        "that e-mail and address, and a company name to any company of the "
        "same name. Risk: shoppers type their e-mail, address and company "
        "freely, so anyone who types a customer's e-mail and address puts an "
        "unpaid order on that customer's account, and anyone who types "
        '"Acme Ltd" becomes a contact of Acme, its invoices on Acme\'s '
        "receivable.",
    )
    customer_receivable_account_id = fields.Many2one(
        "account.account",
        string="Customer Receivable Account",
        check_company=True,
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Receivable account of the partners created from BigCommerce; "
        "empty: the company's default.",
    )
    customer_checkpoint = fields.Datetime(
        string="Customers Imported Up To",
        copy=False,
        help="Start of the last successful customer poll; the next one reads "
        "the customers modified since then (minus 5 minutes).",
    )
    import_customers_cron = fields.Boolean(
        string="Poll Customers",
        default=True,
        help="The scheduled action imports the customers modified in this store.",
    )
    customer_poll_interval = fields.Integer(
        string="Poll Customers Every (min)", default=60
    )
    bigcommerce_customer_ids = fields.One2many(
        "bigcommerce.customer", "instance_id", string="BigCommerce Customers"
    )
    bigcommerce_customer_count = fields.Integer(
        string="Imported Customers", compute="_compute_bigcommerce_customer_count"
    )

    def _compute_bigcommerce_customer_count(self):
        counts = dict(
            self.env["bigcommerce.customer"]._read_group(
                [("instance_id", "in", self.ids)], ["instance_id"], ["__count"]
            )
        )
        for instance in self:
            instance.bigcommerce_customer_count = counts.get(instance, 0)

    # ------------------------------------------------------------
    # Scripting API, cron and jobs
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def import_customers(self, customer_ids=None, since=None):
        """Import this store's customers as partners (stable scripting API).

        :param customer_ids: BigCommerce customer ids (list of int), or None
        :param since: only customers modified since then: a datetime or a
            string (``YYYY-MM-DD HH:MM:SS`` UTC, or ISO 8601); None: all
        :return: True (XML-RPC friendly)

        Queues one job per instance on ``root.bigcommerce`` (the same request
        queued twice while pending is queued once); with the context key
        ``queue_job__no_delay=True`` the job runs at once, in this
        transaction.
        """
        ids = [int(customer_id) for customer_id in customer_ids or []]
        if since:
            try:
                moment = parse_datetime(since)
            except ValueError:
                raise UserError(
                    self.env._("%s is not a date (YYYY-MM-DD HH:MM:SS).", since)
                ) from None
            since = fields.Datetime.to_string(moment.replace(tzinfo=None))
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import customers of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_customers(customer_ids=ids or None, since=since or None)
        return True

    @api.model
    def _cron_import_customers(self):
        """Queue a poll of the modified customers for every confirmed store."""
        return self._queue_due_polls(
            "customer",
            lambda instance: self.env._("Poll customers of %s", instance.name),
        )

    def _job_poll_customers(self, cursor=None):
        """Queue job: import the customers modified since the checkpoint.

        One page per job (``tools/batch.py``); the checkpoint moves to the
        start of the poll when its last page is imported.
        """
        self.ensure_one()
        if cursor is None:
            since = self.customer_checkpoint and self.customer_checkpoint - POLL_OVERLAP
            cursor = batch.first_cursor(
                since=format_iso8601(since) if since else None,
                started=fields.Datetime.to_string(fields.Datetime.now()),
            )
        done, result = self._run_customer_steps("_job_poll_customers", cursor, {})
        if done:
            self.customer_checkpoint = fields.Datetime.to_datetime(done["started"])
        return result

    def _job_import_customers(
        self, customer_ids=None, since=None, cursor=None, until=None, date_field=None
    ):
        """Queue job: one step (one page of 250) of a customer import.

        Reads GET /v3/customers?include=addresses at the cursor (by ids, 250
        a page, or modified since ``since``, sorted by ``date_modified``),
        imports the page and queues the next step; never sleeps on the API
        (a rate limit resumes the page where it stopped).
        """
        self.ensure_one()
        if cursor is None:
            cursor = batch.first_cursor(
                since=format_iso8601(fields.Datetime.to_datetime(since))
                if since
                else None
            )
        kwargs = {
            "customer_ids": customer_ids,
            "until": until,
            "date_field": date_field,
        }
        return self._run_customer_steps("_job_import_customers", cursor, kwargs)[1]

    def _run_customer_steps(self, method, cursor, kwargs):
        """Run the step at ``cursor``, queue the next (inline: run them all).

        Returns (the last cursor when the batch is complete else None, a
        summary of this job's work).
        """
        client = self._job_client()
        created = updated = 0
        while True:
            with (
                retry_job_on_transient_errors(self.env),
                log_operation(self, "import_customers", "customer") as recorder,
            ):
                rows, handled, error = self._import_customers_step(
                    client, cursor, recorder, **kwargs
                )
                recorder.note(
                    self.env._(
                        "Customers: %(created)s created, %(updated)s updated, "
                        "%(skipped)s unchanged",
                        created=recorder.created,
                        updated=recorder.updated,
                        skipped=recorder.skipped,
                    )
                )
            created += recorder.created
            updated += recorder.updated
            following, seconds = batch.plan_next(
                cursor,
                rows,
                handled,
                error,
                key=None if kwargs.get("customer_ids") else _date_key(kwargs),
            )
            following_inline = following and batch.continue_or_queue(
                self,
                method,
                following,
                error,
                seconds,
                self.env._("Import customers of %s (continued)", self.name),
                kwargs,
            )
            if following_inline:
                cursor = following_inline
                continue
            summary = self.env._(
                "%(created)s customers created, %(updated)s updated.",
                created=created,
                updated=updated,
            )
            return (cursor if following is None else None), summary

    def _import_customers_step(
        self, client, cursor, recorder, customer_ids=None, until=None, date_field=None
    ):
        """Read the page at ``cursor`` and import its customers from its offset.

        The page and the extra addresses are two requests: when the quota
        stops the second, the page is staged and the next step of the run
        asks only for the addresses (``tools/staging.py``).
        """
        run = cursor.get("run")
        with staging.staged_answers(self, client, run) as answers:
            rows, handled, error = self._book_customers_page(
                client, cursor, recorder, customer_ids, until, date_field
            )
            staging.settle(self, run, answers, [], page_done=not error)
        return rows, handled, error

    def _book_customers_page(
        self, client, cursor, recorder, customer_ids, until, date_field
    ):
        importer = CustomerImporter(self, client, recorder)
        page = cursor["page"]
        params = {"include": "addresses", "page": 1, "limit": BATCH_SIZE}
        if customer_ids:
            chunk = customer_ids[(page - 1) * BATCH_SIZE : page * BATCH_SIZE]
            params["id:in"] = ",".join(map(str, chunk))
        else:
            # By creation or modification date (the wizard's date range).
            key = _date_key({"date_field": date_field})
            params["sort"] = f"{key}:asc"
            params["page"] = page
            if cursor.get("since"):
                params[f"{key}:min"] = cursor["since"]
            if until:
                params[f"{key}:max"] = format_iso8601(
                    fields.Datetime.to_datetime(until)
                )
        body = client.request("GET", "v3", "customers", params=params) or {}
        rows = body.get("data") or []
        if customer_ids:
            # A page of ids is complete even if BigCommerce lost some of them.
            rows = rows + [None] * (len(chunk) - len(rows))
        offset = cursor.get("offset", 0)
        todo = [row for row in rows[offset:] if row]
        # The page's extra addresses in one request, its new customers in one
        # batch: nothing below calls BigCommerce, so the page is done whole.
        try:
            more = importer._all_addresses(todo)
            # The groups the page needs; every group at a run's first page.
            customer_group.prepare(
                importer, todo, refresh=not customer_ids and page == 1
            )
        except RetryableError as error:
            return rows, offset, error
        importer.import_page(todo, more)
        return rows, len(rows), None

    # ------------------------------------------------------------
    # Helpers of the order importer
    # ------------------------------------------------------------

    def _bigcommerce_customer_partner(self, customer_id, client):
        """Return the partner bound to BigCommerce customer ``customer_id``.

        If the customer was never imported, it is imported now (GET
        /v3/customers?id:in=<id>&include=addresses, with its addresses as
        delivery contacts) and its partner returned.

        :param customer_id: the order's ``customer_id`` (not 0: guests go
            through :meth:`_bigcommerce_guest_partner`)
        :param client: the caller's client (a job passes its ``max_wait=0``
            client; None: a new interactive client)
        :return: res.partner (one record)
        :raise UserError: BigCommerce does not know the customer
        """
        self.ensure_one()
        customer_id = int(customer_id or 0)
        if not customer_id:
            raise UserError(
                self.env._("Customer id 0 is a guest checkout, not a customer.")
            )
        importer = CustomerImporter(self, client or self._get_client())
        binding = importer._binding(customer_id)
        if binding:
            return binding.partner_id
        rows = list(importer.client.iter_customers(**{"id:in": str(customer_id)}))
        rows = [row for row in rows if row.get("id") == customer_id]
        if not rows:
            raise UserError(
                self.env._(
                    "BigCommerce does not know the customer %(id)s of store "
                    "%(store)s (deleted, or from another store?).",
                    id=customer_id,
                    store=self.name,
                )
            )
        importer.import_rows(rows)
        return importer._binding(customer_id).partner_id

    def _bigcommerce_order_customer_partner(self, customer_id, billing, client):
        """The partner of an order placed by customer ``customer_id``.

        A customer deleted in BigCommerce since (its orders stay) is booked
        with the order's billing address, as a guest would be: the order is
        imported, not failed.
        """
        self.ensure_one()
        importer = CustomerImporter(self, client or self._get_client())
        if importer._binding(customer_id):
            return importer._binding(customer_id).partner_id
        rows = list(importer.client.iter_customers(**{"id:in": str(customer_id)}))
        rows = [row for row in rows if row.get("id") == int(customer_id)]
        if not rows:
            return importer.guest_partner(billing)
        importer.import_rows(rows)
        return importer._binding(customer_id).partner_id

    def _bigcommerce_guest_partner(self, billing_address):
        """Return the partner of a guest checkout (order ``customer_id`` 0).

        :param billing_address: the v2 order ``billing_address`` dict
            (first_name, last_name, company, street_1, street_2, city, state,
            zip, country, country_iso2, phone, email)
        :return: res.partner: an existing partner of this store with the same
            e-mail (case-insensitive) and address (street_1, zip, country) —
            a guest partner created earlier by this store (with "Match
            Shoppers to Existing Partners" on, also a bound customer: own
            address or one of its contacts) — else a new guest partner.
            Never one partner per order.
        """
        self.ensure_one()
        return CustomerImporter(self, None).guest_partner(billing_address)

    def _bigcommerce_address_partner(self, parent, address, address_type):
        """Return the contact of ``parent`` for an order address.

        :param parent: the order's partner (customer or guest)
        :param address: v2 order address dict (keys of ``billing_address``;
            shipping addresses also have ``id``, unused here)
        :param address_type: "invoice" or "delivery"
        :return: ``parent`` itself when the address is the parent's own
            (same name, street, street2, city, zip, country, and no other
            e-mail/phone); else its child contact of that type with the same
            content, created when none exists (re-importing an order, or
            another order to the same address, reuses it)
        """
        self.ensure_one()
        if address_type not in ("invoice", "delivery"):
            raise UserError(self.env._("Unknown address type %s.", address_type))
        return CustomerImporter(self, None).address_partner(
            parent, address, address_type
        )
