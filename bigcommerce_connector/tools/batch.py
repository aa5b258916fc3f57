"""Resumable, bounded batch jobs over a BigCommerce collection.

A store has 100,000 orders and 150 requests per 30 s shared with its other
apps: no single job can read and book all of it, and a job rolled back by a
rate limit must not start again from page 1. So a batch is a chain of jobs,
each doing one bounded **step**:

1. read ONE page at its cursor (one request);
2. handle the page's rows from ``cursor["offset"]`` on, each in its own
   savepoint (:func:`handle_rows`): one bad row never blocks the others;
3. if the quota (or a transient error) stops it in the middle of the page,
   keep the rows already handled and queue the same page again from the
   first row not handled, when the quota resets (``eta``);
4. otherwise queue the next page (:func:`next_cursor`), or finish.

The rows handled and the next step are committed together by the job's own
transaction (no explicit commit): a crash repeats at most one step, and the
importers skip what is already booked (a payload not newer than the stored
``date_modified`` is "unchanged"), so a repeated step is harmless.

Use it from any ``_job_import_<kind>s`` method (orders, customers, refunds;
catalog and inventory do the same)::

    def _job_import_things(self, since=None, cursor=None):
        cursor = cursor or batch.first_cursor(since=since)
        params = {"page": cursor["page"], "limit": batch.PAGE_SIZE}
        if cursor.get("since"):
            params["date_modified:min"] = cursor["since"]
        rows = client.get_v3("things", params)            # one request
        handled, error = batch.handle_rows(
            self.env, rows, cursor, importer.import_thing
        )
        following, seconds = batch.plan_next(
            cursor, rows, handled, error, key="date_modified"
        )
        if following:
            batch.queue_step(self, "_job_import_things", following,
                             "Import things (continued)", seconds=seconds)

(``bigcommerce_instance_order.py``, ``_run_order_steps``, is the reference.)

A cursor is a small JSON-able dict stored as the job's argument:

``page``     the page to read (1-based),
``offset``   rows of that page already handled by an earlier step,
``since``    with ``key``: the lowest ``key`` of the rows still to read. When a
             full page moved the key forward, the next step asks from its last
             value again (page 1): rows tied at that value are re-read and
             skipped, and rows that moved to the end of the collection
             (modified meanwhile) are not missed as page numbers would;
             pages only advance while a whole page shares one key value,
``started``  (polls) when the chain began: the checkpoint the last step sets,
``run``      the token of the chain: the answers a step paid for and has not
             booked are staged under it for the next step
             (``tools/staging.py``), so a step stopped by the quota resumes
             from what it already read instead of asking again.

Inline runs (context ``queue_job__no_delay``: the scripting API, the demo)
have no queue to come back to: the caller loops over the steps instead of
queueing them (:func:`run_inline`) and its client waits for the quota.
"""

import hashlib
import logging
from datetime import timedelta
from math import ceil

from odoo import fields

from ..client import RetryableError
from ..client.answers import about, subject_of
from .staging import new_run

_logger = logging.getLogger(__name__)

PAGE_SIZE = 250
# Every job's parent channel; a store's jobs go to its own sub-channel
# (models/bigcommerce_instance_channel.py).
CHANNEL = "root.bigcommerce"
INSTANCE = "bigcommerce.instance"


def first_cursor(**values):
    """The cursor of a chain's first step (a new run)."""
    values.setdefault("run", new_run())
    return {"page": 1, "offset": 0, **{k: v for k, v in values.items() if v}}


def handle_rows(env, rows, cursor, handle_row, client=None):
    """Handle ``rows[cursor["offset"]:]`` one by one, each in a savepoint.

    Returns ``(handled, error)``: how many rows of the page are done (the
    offset included) and the transient error that stopped the step, or
    None. Only BigCommerce's transient errors stop the step (the row that met
    it is rolled back and handled by the next step); anything else is the
    row's own business (the importers keep it as a failed record). What
    ``client`` reads for a row is tagged with the row: its staged answers
    are dropped once it is handled (``tools/staging.py``).
    """
    handled = cursor.get("offset", 0)
    for row in rows[handled:]:
        try:
            # One row, all or nothing: a rate limit in the middle of an order
            # (its tax lines, its shipments) leaves nothing half-written.
            with env.cr.savepoint(), about(client, subject_of(row)):
                handle_row(row)
        except RetryableError as error:
            return handled, error
        handled += 1
    return handled, None


def next_cursor(cursor, rows, key=None, page_size=PAGE_SIZE):
    """The cursor after a page fully handled, or None at the end."""
    if len(rows) < page_size:
        return None
    if key:
        last = rows[-1].get(key)
        if last and last != cursor.get("since"):
            return {**cursor, "since": last, "page": 1, "offset": 0}
    return {**cursor, "page": cursor["page"] + 1, "offset": 0}


def resume_cursor(cursor, handled):
    """The cursor of a step stopped after ``handled`` rows of its page."""
    return {**cursor, "offset": handled}


def retry_seconds(error):
    """When to resume after ``error``: when the quota resets, else soon.

    Counted from when the error was raised, not from now: the step booked
    the rows it read before the stop in between, and adding that time to
    every window would leave part of the quota unused.
    """
    return max(1, ceil(error.remaining_wait()))


def queue_step(record, method, cursor, description, kwargs=None, seconds=0):
    """Queue the step of ``record.method(cursor=cursor, **kwargs)``.

    The identity key makes a step queued twice (a replayed job) run once.
    Jobs act in the instance's company, whoever queued them.
    """
    key = f"{record._name}-{record.id}-{method}-{sorted((kwargs or {}).items())}-"
    # Without the run: two chains at the same place continue as one.
    key += str(sorted((k, v) for k, v in cursor.items() if k != "run"))
    options = {
        "channel": record._queue_channel() if record._name == INSTANCE else CHANNEL,
        "description": description,
        "identity_key": key,
    }
    if seconds:
        options["eta"] = fields.Datetime.now() + timedelta(seconds=seconds)
    target = record
    if "company_id" in record._fields and record.company_id:
        target = record.with_company(record.company_id)
    return getattr(target.with_delay(**options), method)(
        cursor=cursor, **(kwargs or {})
    )


def identity_without_run(job_):
    """queue_job identity of a page job: its arguments, except the run token
    (two runs at the same page continue as one, as with ``queue_step``)."""
    hasher = hashlib.sha1()
    hasher.update(job_.model_name.encode("utf-8"))
    hasher.update(job_.method_name.encode("utf-8"))
    hasher.update(str(sorted(job_.recordset.ids)).encode("utf-8"))
    hasher.update(str(job_.args).encode("utf-8"))
    kwargs = sorted((k, v) for k, v in job_.kwargs.items() if k != "run")
    hasher.update(str(kwargs).encode("utf-8"))
    return hasher.hexdigest()


def plan_next(cursor, rows, handled, error, key=None, page_size=PAGE_SIZE):
    """``(next cursor or None, seconds to wait)`` after one step."""
    if error is not None:
        return resume_cursor(cursor, handled), retry_seconds(error)
    return next_cursor(cursor, rows, key=key, page_size=page_size), 0


def run_inline(env):
    """Whether the chain runs in this transaction (no queue to come back to)."""
    return bool(env.context.get("queue_job__no_delay"))


def continue_or_queue(record, method, following, error, seconds, description, kwargs):
    """After a step that did not finish the batch: the cursor to run next in
    this transaction (inline runs), or None once the next step is queued."""
    if run_inline(record.env) and not error:
        return following
    queue_step(
        record,
        method,
        following,
        description,
        kwargs={k: v for k, v in kwargs.items() if v},
        seconds=seconds,
    )
    return None
