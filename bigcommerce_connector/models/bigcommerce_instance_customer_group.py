from odoo import fields, models
from odoo.addons.queue_job.job import identity_exact

from ..importers.customer_group import CustomerGroupImporter
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation


class BigcommerceInstance(models.Model):
    """Customer groups: imported with the customers (the groups they need,
    and every group at the start of each poll), by id or all on demand."""

    _inherit = "bigcommerce.instance"

    customer_group_ids = fields.One2many(
        "bigcommerce.customer.group", "instance_id", string="Customer Groups"
    )

    @bigcommerce_admin_only
    def import_customer_groups(self, group_ids=None):
        """Import this store's customer groups (stable scripting API).

        :param group_ids: BigCommerce customer group ids (list of int), or
            None: every group
        :return: True

        Queues one job per instance (the same request queued twice while
        pending is queued once); ``queue_job__no_delay=True`` runs it at once.
        """
        ids = sorted({int(group_id) for group_id in group_ids or []})
        self._check_confirmed()
        for instance in self:
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import customer groups of %s", instance.name),
                identity_key=identity_exact,
            )._job_import_customer_groups(group_ids=ids or None)
        return True

    def _job_import_customer_groups(self, group_ids=None):
        """Queue job: GET /v2/customer_groups (or each id), bound exactly once."""
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_customer_groups", "customer_group") as recorder,
        ):
            importer = CustomerGroupImporter(self, self._job_client(), recorder)
            if group_ids:
                bindings = importer.import_ids(group_ids)
            else:
                bindings = importer.import_all()
        return self.env._("%s customer groups read.", len(bindings))
