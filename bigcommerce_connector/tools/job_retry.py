"""Hand transient BigCommerce failures to queue_job instead of sleeping.

A worker that sleeps through a rate-limit window holds a database connection
and a worker slot; queue_job can postpone the job instead. A 429 is retried
exactly when the store's quota resets; 5xx, timeouts and platform-load 429s
back off longer on every attempt, as BigCommerce asks.
"""

from contextlib import contextmanager
from math import ceil

from odoo.addons.queue_job.exception import RetryableJobError

from ..client import RateLimitError, RetryableError

MAX_BACKOFF_S = 3600


def retry_delay(error, attempt):
    """Seconds before the next try of a job that failed with ``error``."""
    if isinstance(error, RateLimitError) and not error.platform_load:
        return max(1, ceil(error.retry_after))
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
