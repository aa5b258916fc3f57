from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..client.parsing import format_iso8601
from ..importers.customer import CustomerImporter
from ..tools.job_retry import retry_job_on_transient_errors
from .bigcommerce_log import log_operation

POLL_OVERLAP = timedelta(minutes=5)


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    create_company_contact = fields.Boolean(
        string="Create Company Contact?",
        help="Create a company contact for a customer with a company name and "
        "make the customer one of its contacts.",
    )
    customer_receivable_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Receivable account of the partners created from BigCommerce.",
    )
    customer_checkpoint = fields.Datetime(string="Customers Imported Up To", copy=False)
    import_customers_cron = fields.Boolean(string="Poll Customers", default=True)

    def import_customers(self, customer_ids=None, since=None):
        """Import customers by id, or modified since ``since`` (all if neither).

        Queues a job per instance; the context key ``queue_job__no_delay``
        runs it at once.
        """
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_delay(
                channel="root.bigcommerce",
                description=self.env._("Import customers of %s", instance.name),
            )._job_import_customers(
                customer_ids=[int(i) for i in customer_ids or []],
                since=fields.Datetime.to_string(since) if since else None,
            )
        return True

    @api.model
    def _cron_import_customers(self):
        for instance in self.search(
            [("state", "=", "confirmed"), ("import_customers_cron", "=", True)]
        ):
            instance.with_delay(
                channel="root.bigcommerce",
                description=self.env._("Poll customers of %s", instance.name),
                identity_key=f"bigcommerce-poll-customers-{instance.id}",
            )._job_poll_customers()
        return True

    def _job_poll_customers(self):
        self.ensure_one()
        started = fields.Datetime.now()
        since = self.customer_checkpoint and self.customer_checkpoint - POLL_OVERLAP
        self._job_import_customers(
            since=fields.Datetime.to_string(since) if since else None
        )
        self.customer_checkpoint = started
        return True

    def _job_import_customers(self, customer_ids=None, since=None):
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_customers", "customer") as recorder,
        ):
            client = self._get_client(max_wait=0)
            importer = CustomerImporter(self, client, recorder)
            if customer_ids:
                for start in range(0, len(customer_ids), 250):
                    chunk = customer_ids[start : start + 250]
                    importer.import_rows(
                        client.iter_customers(**{"id:in": ",".join(map(str, chunk))})
                    )
            else:
                filters = {"sort": "date_modified:asc"}
                if since:
                    filters["date_modified:min"] = format_iso8601(
                        fields.Datetime.to_datetime(since)
                    )
                importer.import_rows(client.iter_customers(**filters))
        return True

    # Helpers of the order importer.

    def _bigcommerce_customer_partner(self, customer_id, client):
        """The partner of BigCommerce customer ``customer_id``, imported if new."""
        self.ensure_one()
        binding = self.env["bigcommerce.customer"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "=", int(customer_id))],
            limit=1,
        )
        if binding:
            return binding.partner_id
        importer = CustomerImporter(self, client)
        importer.import_rows(client.iter_customers(**{"id:in": str(customer_id)}))
        binding = self.env["bigcommerce.customer"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "=", int(customer_id))],
            limit=1,
        )
        if not binding:
            raise UserError(
                self.env._("BigCommerce does not know the customer %s.", customer_id)
            )
        return binding.partner_id

    def _bigcommerce_guest_partner(self, billing_address):
        """One partner per guest e-mail and address, never one per order."""
        self.ensure_one()
        return CustomerImporter(self, None).guest_partner(billing_address)

    def _bigcommerce_address_partner(self, parent, address, address_type):
        """A child contact of ``parent`` for an order address (deduplicated)."""
        self.ensure_one()
        return CustomerImporter(self, None).address_partner(
            parent, address, address_type
        )
