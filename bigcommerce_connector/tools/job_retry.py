"""Hand transient BigCommerce failures to queue_job instead of sleeping.

A worker that sleeps through a rate-limit window holds a database connection
and a worker slot; queue_job can postpone the job instead. A 429 is retried
exactly when the store's quota resets; 5xx, timeouts and platform-load 429s
back off longer on every attempt, as BigCommerce asks.
"""

import logging
from contextlib import contextmanager
from math import ceil

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError

from ..client import RateLimitError, RetryableError

_logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600


def retry_delay(error, attempt):
    """Seconds before the next try of a job that failed with ``error``."""
    if isinstance(error, RateLimitError) and not error.platform_load:
        return max(1, ceil(error.remaining_wait()))
    return min(MAX_BACKOFF_S, max(1, ceil(error.retry_after * 2 ** min(attempt, 6))))


def _current_job(env):
    job_uuid = env.context.get("job_uuid")
    if not job_uuid:
        return env["queue.job"]
    return env["queue.job"].sudo().search([("uuid", "=", job_uuid)], limit=1)


def _current_attempt(env):
    return _current_job(env).retry or 0


def is_last_attempt(env):
    """Whether queue_job gives up if the running job fails again.

    The stored ``retry`` counts the attempts before this one. Outside a
    queued job (inline runs) every attempt is the last.
    """
    job = _current_job(env)
    if not job:
        return True
    return bool(job.max_retries) and job.retry + 1 >= job.max_retries


@contextmanager
def retry_job_on_transient_errors(env):
    """Turn the client's retryable errors into ``RetryableJobError``."""
    try:
        yield
    except RetryableError as error:
        seconds = retry_delay(error, _current_attempt(env))
        raise RetryableJobError(
            env._(
                "%(error)s Retrying in %(seconds)s s.",
                error=error.message,
                seconds=seconds,
            ),
            seconds=seconds,
        ) from None


def run_or_keep(env, work, keep, what):
    """Run one record's job; when queue_job would give up, keep it visible.

    ``work()`` runs with BigCommerce's transient errors turned into retries.
    On the last attempt, or on an unexpected error (malformed data, a bug),
    ``keep(reason)`` records the failure on the record in the job's own
    transaction, which then commits, and its result is returned: nothing is
    lost in queue_job's failed jobs. Database concurrency errors always go
    back to queue_job, which runs the job again.
    """
    try:
        with retry_job_on_transient_errors(env):
            return work()
    except RetryableJobError as error:
        if not is_last_attempt(env):
            raise
        return keep(env._("BigCommerce kept failing, gave up: %s", error))
    except psycopg2.Error:
        raise
    except Exception as error:  # noqa: BLE001 - kept on the record, with Retry
        _logger.exception("%s failed", what)
        return keep(env._("Unexpected error: %s", error))


def queued_notification(env, count):
    """What a button that queued ``count`` jobs tells the user."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "title": env._("Queued"),
            "message": env._(
                "%s record(s) queued: the job runs as soon as the store's API "
                "quota allows, and each record shows its result then.",
                count,
            ),
            "type": "info",
            "sticky": False,
            "next": {"type": "ir.actions.act_window_close"},
        },
    }
