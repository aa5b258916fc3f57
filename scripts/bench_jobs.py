"""What the benchmark scripts share: the quota every figure names, queue_job's
runner loop (the connector measured through its job path), and the time spent
waiting for HTTP answers (not Odoo's work).

Not a benchmark itself: ``scripts/benchmark_*.py`` import it.
"""

import time
from contextlib import contextmanager

# BigCommerce's Standard plan: 150 requests per 30 s per store, shared with
# the merchant's other apps (bigcommerce-api.md, rate limits).
STANDARD_QUOTA = 150
STANDARD_WINDOW_MS = 30000
NO_QUOTA = 10**9


def add_quota_arguments(parser):
    parser.add_argument(
        "--no-quota",
        action="store_true",
        help="remove the rate limit (NOT BigCommerce's: every figure printed "
        "says so); default: the Standard quota, 150 requests / 30 s",
    )


def quota_of(args):
    """(quota, window in ms) of the sandbox store for ``args``."""
    return (NO_QUOTA if args.no_quota else STANDARD_QUOTA), STANDARD_WINDOW_MS


def quota_label(args):
    if args.no_quota:
        return (
            "NO QUOTA (rate limit removed; not BigCommerce's: Odoo-side figures "
            "only, wall times are not a store's)"
        )
    return "Standard quota: 150 requests / 30 s (BigCommerce's, not raised)"


class HttpClock:
    """Time this process spends inside ``requests`` calls (waiting for the
    store's answers): subtracted from a job's time to get Odoo's own."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0

    @contextmanager
    def watching(self):
        import requests  # noqa: PLC0415

        original = requests.Session.request
        clock = self

        def timed(session, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(session, *args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started
                clock.calls += 1

        requests.Session.request = timed
        try:
            yield self
        finally:
            requests.Session.request = original


class JobRunner:
    """queue_job's runner, in this process: due jobs in ``eta`` order, each
    in its own committed transaction, a postponed job run again at its eta
    (the wait is idle time, never a sleep inside a job).

    ``job_seconds`` is the time from taking a job to committing its outcome
    (the job path: state changes, the job, its log and next step, commits),
    HTTP answers included; ``idle_seconds`` the time waiting for a job to
    be due (the quota).
    """

    def __init__(self, registry, http=None, after_job=None):
        self.registry = registry
        self.http = http  # an HttpClock: HTTP time per job method
        self.after_job = after_job  # called with the method name of each run
        self.runs = 0
        self.postponed = 0
        self.failed = []
        self.job_seconds = 0.0
        self.idle_seconds = 0.0
        self.seconds_by_method = {}
        self.http_by_method = {}
        self.runs_by_method = {}

    def run_until_done(self, progress=None, every=10):
        started = time.perf_counter()
        while True:
            wait = self._run_due()
            if wait is None:
                break
            if wait > 0:
                self.idle_seconds += wait
                time.sleep(wait)
            if progress and self.runs and self.runs % every == 0:
                progress(self, time.perf_counter() - started)
        return time.perf_counter() - started

    def _run_due(self):
        import odoo  # noqa: PLC0415
        from odoo import api, fields  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            pending = env["queue.job"].search(
                [("state", "in", ("pending", "enqueued"))],
                order="eta, date_created, id",
            )
            if not pending:
                return None
            now = fields.Datetime.now()
            due = pending.filtered(lambda job: not job.eta or job.eta <= now)
            if not due:
                return max(0.2, min((j.eta - now).total_seconds() for j in pending))
            jobs = [(job.uuid, job.method_name) for job in due]
        for uuid, method in jobs:
            http_before = self.http.seconds if self.http else 0.0
            started = time.perf_counter()
            self._run_one(uuid)
            elapsed = time.perf_counter() - started
            self.job_seconds += elapsed
            self.seconds_by_method[method] = (
                self.seconds_by_method.get(method, 0.0) + elapsed
            )
            self.runs_by_method[method] = self.runs_by_method.get(method, 0) + 1
            if self.http:
                self.http_by_method[method] = (
                    self.http_by_method.get(method, 0.0)
                    + self.http.seconds
                    - http_before
                )
            if self.after_job:
                self.after_job(method)
        return 0

    def odoo_seconds(self, method):
        """Time of ``method``'s runs less their HTTP waits."""
        return self.seconds_by_method.get(method, 0.0) - self.http_by_method.get(
            method, 0.0
        )

    def _run_one(self, uuid):
        import traceback  # noqa: PLC0415

        import psycopg2  # noqa: PLC0415

        import odoo  # noqa: PLC0415
        from odoo import api  # noqa: PLC0415
        from odoo.addons.queue_job.exception import RetryableJobError  # noqa: PLC0415
        from odoo.addons.queue_job.job import Job  # noqa: PLC0415

        self.runs += 1
        with self.registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            job = Job.load(env, uuid)
            job.set_started()
            job.store()
            cr.commit()  # pylint: disable=invalid-commit
            try:
                result = job.perform()
            except (RetryableJobError, psycopg2.OperationalError) as error:
                cr.rollback()
                env.invalidate_all()
                job = Job.load(env, uuid)
                job.postpone(result=str(error), seconds=getattr(error, "seconds", 1))
                job.set_pending(reset_retry=False)
                job.store()
                self.postponed += 1
            except Exception as error:  # noqa: BLE001 - reported by the script
                cr.rollback()
                env.invalidate_all()
                job = Job.load(env, uuid)
                job.set_failed(
                    exc_info=traceback.format_exc(), exc_name=type(error).__name__
                )
                job.store()
                self.failed.append(f"{job.method_name}: {error}")
            else:
                job.set_done(result=result)
                job.store()
            cr.commit()  # pylint: disable=invalid-commit


def print_request_model(rows):
    """``rows``: (requests, what, why no fewer can do it)."""
    print("  request model (the connector's; why no fewer requests can do the job):")
    for count, what, why in rows:
        print(f"    {count:>7}  {what}")
        print(f"             {why}")
