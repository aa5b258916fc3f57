from odoo import api, fields, models

from ..tools.batch import CHANNEL


class BigcommerceInstance(models.Model):
    """Each store's jobs in a queue_job channel of their own (issue 20 item 3).

    queue_job's runner hands a channel's jobs out in order (priority, eta,
    creation) within its capacity. With every store in ``root.bigcommerce``,
    a store's backlog (100,000 orders of webhook events, an import) fills the
    channel ahead of another store's new order. With a channel per store,
    ``root.bigcommerce.store_<id>``, given a capacity in the runner's
    configuration (``docs/deployment.md``), a store never has more than its
    capacity of jobs waiting in ``root.bigcommerce``: another store's job is
    next as soon as a slot frees. A store's channel not listed in the
    configuration falls back to ``root.bigcommerce`` (queue_job creates it
    without a capacity): as before, nothing breaks.
    """

    _inherit = "bigcommerce.instance"

    job_channel = fields.Char(
        compute="_compute_job_channel",
        help="The queue_job channel of this store's jobs: list it with a "
        "capacity in the job runner's configuration (see the deployment "
        "guide) so that stores do not wait for each other.",
    )

    def _compute_job_channel(self):
        for instance in self:
            instance.job_channel = instance._queue_channel() if instance.id else False

    @api.model_create_multi
    def create(self, vals_list):
        instances = super().create(vals_list)
        instances._ensure_job_channels()
        return instances

    def _queue_channel(self):
        """The channel of this store's jobs (``with_delay(channel=...)``)."""
        self.ensure_one()
        return f"{CHANNEL}.store_{self.id}"

    def _ensure_job_channels(self):
        """A ``queue.job.channel`` record per store, under ``root.bigcommerce``:
        its done jobs are purged after the parent's week, not the root's
        month (queue_job's autovacuum goes by channel record)."""
        parent = self.env.ref(
            "bigcommerce_connector.queue_job_channel_bigcommerce",
            raise_if_not_found=False,
        )
        if not parent:
            return
        Channel = self.env["queue.job.channel"].sudo()
        known = set(Channel.search([("parent_id", "=", parent.id)]).mapped("name"))
        Channel.create(
            [
                {
                    "name": name,
                    "parent_id": parent.id,
                    "removal_interval": parent.removal_interval,
                }
                for name in {f"store_{instance.id}" for instance in self} - known
            ]
        )

    @api.model
    def _ensure_all_job_channels(self):
        """Module install/upgrade: the channels of the stores made before."""
        # A database holds a few stores, not thousands.
        instances = self.with_context(active_test=False).search([])  # pylint: disable=no-search-all
        instances._ensure_job_channels()

    @api.model
    def _queue_job_channels_config(self, workers_for_jobs=3, per_store=1):
        """The runner's ``channels`` line for the stores of this database:
        ``workers_for_jobs`` jobs at once in all, at most ``per_store`` of one
        store; printed by ``odoo shell`` as ``docs/deployment.md`` shows."""
        instances = (
            self.sudo().with_context(active_test=False).search([], order="id")  # pylint: disable=no-search-all
        )
        parts = [f"root:{workers_for_jobs}", f"{CHANNEL}:{workers_for_jobs}"]
        parts += [f"{instance._queue_channel()}:{per_store}" for instance in instances]
        return ",".join(parts)
