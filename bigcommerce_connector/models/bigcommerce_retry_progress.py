from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.job_retry import queued_notification

# queue_job states of a job that has not finished yet.
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
RUNNING_JOB_STATES = ("started",)


class BigcommerceRetryProgress(models.AbstractModel):
    """What a record's Retry became: queued, running, or nothing pending.

    Retry queues a job instead of waiting for BigCommerce's quota in the web
    request; without this the record looks unchanged until the job has run,
    and users press Retry again. The job is found by the identity key Retry
    gives it, so nothing extra is stored and a job that ends (done, failed,
    cancelled) stops showing by itself.
    """

    _name = "bigcommerce.retry.progress"
    _description = "BigCommerce record with a queued Retry"
    # f"{prefix}-{instance id}-{BigCommerce id}" is the job's identity key.
    _retry_identity_prefix = None

    retry_job_state = fields.Selection(
        [("queued", "Retry Queued"), ("running", "Retrying")],
        string="Retry",
        compute="_compute_retry_job_state",
        search="_search_retry_job_state",
        help="A Retry of this record waiting in the job queue, or running.",
    )

    def _retry_identity_key(self):
        self.ensure_one()
        return (
            f"{self._retry_identity_prefix}-{self.instance_id.id}-"
            f"{self.bigcommerce_id}"
        )

    def _queue_retry(self, description, job):
        """Queue ``job(instance, bigcommerce_id)`` for each record, once: a
        second Retry while the first is waiting adds nothing (same identity
        key). Returns the notification the button shows."""
        for record in self:
            instance = record.instance_id
            delayed = instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=description % record.bigcommerce_id,
                identity_key=record._retry_identity_key(),
            )
            job(delayed, record.bigcommerce_id)
        return queued_notification(self.env, len(self))

    def _unfinished_retry_jobs(self, keys=None):
        domain = [
            ("state", "in", WAITING_JOB_STATES + RUNNING_JOB_STATES),
            ("identity_key", "=like", f"{self._retry_identity_prefix}-%"),
        ]
        if keys is not None:
            domain.append(("identity_key", "in", keys))
        # Users of the connector need not manage queue_job to see this.
        return self.env["queue.job"].sudo().search(domain)

    @api.depends("instance_id", "bigcommerce_id")
    def _compute_retry_job_state(self):
        keys = {record: record._retry_identity_key() for record in self}
        state_of = {}
        for job in self._unfinished_retry_jobs(list(set(keys.values()))):
            running = job.state in RUNNING_JOB_STATES
            if running or job.identity_key not in state_of:
                state_of[job.identity_key] = "running" if running else "queued"
        for record, key in keys.items():
            record.retry_job_state = state_of.get(key, False)

    def _search_retry_job_state(self, operator, value):
        # "not in" is negated by the ORM from this "in".
        if operator != "in":
            return NotImplemented
        pairs_of = {"queued": set(), "running": set()}
        for job in self._unfinished_retry_jobs():
            state = "running" if job.state in RUNNING_JOB_STATES else "queued"
            instance_id, bigcommerce_id = job.identity_key.rsplit("-", 2)[-2:]
            pairs_of[state].add((int(instance_id), int(bigcommerce_id)))

        def records_in(states):
            pairs = set().union(*(pairs_of[state] for state in states))
            return Domain.OR(
                Domain("instance_id", "=", instance_id)
                & Domain("bigcommerce_id", "=", bigcommerce_id)
                for instance_id, bigcommerce_id in pairs
            )

        if False in value:
            # No Retry pending, or one in the states asked for.
            return ~records_in(set(pairs_of) - set(value))
        return records_in(set(value) & set(pairs_of))
