"""Creating a row whose unique key another job may be creating right now."""

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import mute_logger


def create_keyed(model, values, busy_message, seconds=10):
    """``model.create(values)`` in a savepoint; on the key's violation, retry.

    Two jobs creating the same key collide in PostgreSQL; the loser cannot
    see the winner's row in its snapshot, so its job is retried (queue_job)
    and its next run finds the row.
    """
    try:
        with model.env.cr.savepoint(), mute_logger("odoo.sql_db"):
            return model.create(values)
    except psycopg2.errors.UniqueViolation:
        raise RetryableJobError(busy_message, seconds=seconds) from None
