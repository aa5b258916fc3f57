import logging
from contextlib import contextmanager

from odoo import fields, models

_logger = logging.getLogger(__name__)

LOG_LEVELS = [("error", "Errors only"), ("info", "Summary"), ("debug", "Every record")]
_LEVEL_RANK = {"error": 0, "info": 1, "debug": 2}


class BigcommerceLog(models.Model):
    """One run of a BigCommerce operation (an import, a Confirm, a test).

    Rows are written on a cursor of their own and committed at once, so the
    log of an operation that fails, and whose transaction is rolled back,
    still tells what was attempted and why it failed.
    """

    _name = "bigcommerce.log"
    _description = "BigCommerce operation log"
    _order = "started_at desc, id desc"
    _rec_name = "operation"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    operation = fields.Char(required=True, readonly=True)
    entity = fields.Char(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    started_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    ended_at = fields.Datetime(readonly=True)
    duration = fields.Float(
        string="Duration (s)", compute="_compute_duration", digits=(16, 2)
    )
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    unchanged_count = fields.Integer(
        string="Unchanged",
        readonly=True,
        help="Items already up to date (e.g. stock BigCommerce already has).",
    )
    failed_count = fields.Integer(string="Failed", readonly=True)
    message = fields.Text(readonly=True)

    def _compute_duration(self):
        for log in self:
            if log.started_at and log.ended_at:
                log.duration = (log.ended_at - log.started_at).total_seconds()
            else:
                log.duration = 0.0

    def _write_detached(self, instance_id, values, log_id=None):
        """Create or update a log row in its own, immediately committed transaction.

        An instance created in the still open transaction is invisible to any
        other one (and inserting a row that references it would wait for this
        very transaction): its log then shares the transaction, since a
        rollback removes the instance as well.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT 1 FROM bigcommerce_instance WHERE id = %s", [instance_id]
            )
            if cr.rowcount:
                return self.with_env(self.env(cr=cr, su=True))._write(values, log_id)
        return self.sudo()._write(values, log_id)

    def _write(self, values, log_id):
        if log_id:
            self.browse(log_id).write(values)
            return log_id
        return self.create(values).id


class OperationRecorder:
    """Counts and messages of one logged operation (see ``_log_operation``)."""

    def __init__(self, level):
        self.level = level
        self.created = self.updated = self.skipped = self.failed = 0
        self.unchanged = 0
        self.messages = []

    def note(self, text, level="info"):
        if _LEVEL_RANK[level] <= _LEVEL_RANK[self.level]:
            self.messages.append(text)

    def add_counts(self, created=0, updated=0, skipped=0, failed=0, unchanged=0):
        self.created += created
        self.updated += updated
        self.skipped += skipped
        self.failed += failed
        self.unchanged += unchanged

    def _values(self):
        return {
            "created_count": self.created,
            "updated_count": self.updated,
            "skipped_count": self.skipped,
            "failed_count": self.failed,
            "unchanged_count": self.unchanged,
            "message": "\n".join(self.messages) or False,
        }


@contextmanager
def log_operation(instance, operation, entity=False):
    """Record ``operation`` of ``instance`` in ``bigcommerce.log``.

    The context yields an :class:`OperationRecorder`; when the block raises,
    the log is closed as failed with the error text (never a credential: our
    errors do not carry them) and the error propagates.
    """
    logs = instance.env["bigcommerce.log"]
    recorder = OperationRecorder(instance.log_level or "info")
    log_id = logs._write_detached(
        instance.id,
        {"instance_id": instance.id, "operation": operation, "entity": entity},
    )
    try:
        yield recorder
    except Exception as exc:
        recorder.note(str(exc), level="error")
        logs._write_detached(
            instance.id,
            {
                **recorder._values(),
                "state": "failed",
                "ended_at": fields.Datetime.now(),
            },
            log_id=log_id,
        )
        _logger.info("BigCommerce %s of %s failed: %s", operation, instance.name, exc)
        raise
    logs._write_detached(
        instance.id,
        {**recorder._values(), "state": "done", "ended_at": fields.Datetime.now()},
        log_id=log_id,
    )
    # Notifications (e-mail summary of the run): in the run's transaction.
    instance._bigcommerce_run_closed(
        operation, entity, "done", recorder._values(), recorder._values()["message"]
    )
