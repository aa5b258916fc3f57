"""Issue 20 item 2: one quota, many processes.

Every Odoo process (prefork worker, node) has its own memory: a governor
kept there counts only that process's requests, and N of them together spend
N times the store's budget. The store's quota lives in PostgreSQL instead
(``tools/shared_quota.py``): here two clients with nothing shared in memory,
each on its own database connections as two processes would be, spend one
store's quota together without a single 429.
"""

import threading
from unittest.mock import patch

from odoo.tests import tagged

from ..client import governor as governor_module
from ..tools import shared_quota
from .common import TEST_QUOTA, TEST_WINDOW_MS, BigcommerceSandboxCase, forget_quota

# The governor's reserve at the Standard quota (5 % of 150).
RESERVE = 7


@tagged("post_install", "-at_install")
class TestSharedQuota(BigcommerceSandboxCase):
    def setUp(self):
        super().setUp()
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
        forget_quota(self.env, self.sandbox)

    def tearDown(self):
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def _client_of_a_process(self):
        """The client one Odoo process would have: none of its objects is
        shared in memory with the other process's (separate registries of
        governors), it waits for the quota as an interactive call does."""
        with (
            patch.dict(governor_module._GOVERNORS, clear=True),
            patch.dict(shared_quota._GOVERNORS, clear=True),
        ):
            return self.instance._get_client(max_wait=60)

    def _together(self, clients, work):
        """Run ``work(client)`` in one thread per client, all at once."""
        barrier = threading.Barrier(len(clients))
        errors = []

        def process(client):
            try:
                barrier.wait(timeout=10)
                work(client)
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)

        threads = [threading.Thread(target=process, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse([thread for thread in threads if thread.is_alive()])
        return errors

    def test_a_job_in_another_process_sees_the_spent_quota(self):
        """What one process spent stops another process's job at the
        reserve: the job's client (never waiting) raises with the wait
        instead of sending."""
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=30000)
        spender, job = (self._client_of_a_process() for _process in range(2))
        job.get_time()  # its process read the quota early in the window
        for _request in range(TEST_QUOTA - RESERVE - 1):
            spender.get_time()
        job.max_wait = 0
        before = self.sandbox.request_count
        with self.assertRaises(governor_module.RateLimitError) as caught:
            job.get_time()
        self.assertEqual(self.sandbox.request_count, before, "a request was sent")
        self.assertGreater(caught.exception.retry_after, 0)

    def test_processes_at_the_reserve_never_meet_a_429(self):
        """Eight processes read the quota early in the window; a ninth
        spends it down to the reserve; then the eight send at once. Each
        one's own reading says plenty is left: counted per process, they
        would send eight requests into the seven of the reserve."""
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=30000)
        spender = self._client_of_a_process()
        spender.max_wait = 0
        jobs = [self._client_of_a_process() for _process in range(8)]
        for job in jobs:
            job.get_time()
            job.max_wait = 0
        while True:
            try:
                spender.get_time()
            except governor_module.RateLimitError:
                break  # the reserve: what it waits for is the next window
            if self.sandbox.count_429:
                break
        throttled = self.sandbox.count_429
        errors = self._together(jobs, lambda client: client.get_time())
        self.assertEqual(
            self.sandbox.count_429 - throttled,
            0,
            "the processes together spent more than the store's quota",
        )
        self.assertEqual(len(errors), len(jobs))

    def test_many_processes_spend_one_quota_without_429(self):
        """Ten processes, 45 requests each, at 150 per 3 s window: they wait
        for the resets together and BigCommerce never answers 429."""
        clients = [self._client_of_a_process() for _process in range(10)]
        throttled = self.sandbox.count_429

        def spend(client):
            for _request in range(45):
                client.get_time()

        self.assertEqual(self._together(clients, spend), [])
        self.assertEqual(
            self.sandbox.count_429 - throttled,
            0,
            "the processes together spent more than the store's quota",
        )
        # They did spend it: the quota was reached and its reset waited for.
        self.assertGreater(sum(client._governor.waited_s for client in clients), 0)
