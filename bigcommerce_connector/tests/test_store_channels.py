"""Issue 20 item 3: stores do not starve each other.

Each store's jobs go to its own queue_job channel; with the runner configured
as the deployment guide says (``_queue_job_channels_config``), a store with a
backlog of jobs has at most its capacity of them waiting in
``root.bigcommerce``, and another store's new job runs next. Checked with
queue_job's own scheduler (``ChannelManager``, what the runner runs) on the
jobs the connector really queued.
"""

import time

from odoo.addons.queue_job.jobrunner.channels import PENDING, ChannelManager
from odoo.tests import tagged

from .common import BigcommerceSandboxCase

BACKLOG = 200


@tagged("post_install", "-at_install")
class TestStoreChannels(BigcommerceSandboxCase):
    def _first_jobs_to_run(self, config, after_id):
        """The jobs the runner would start first, with ``config``, among
        those queued by the test (after job ``after_id``; other suites leave
        jobs committed in the database)."""
        manager = ChannelManager()
        manager.simple_configure(config)
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("id", ">", after_id)], order="date_created, id")
        )
        for seq, job in enumerate(jobs):
            manager.notify(
                self.env.cr.dbname,
                job.channel,
                job.uuid,
                seq,
                seq,  # creation order
                job.priority,
                None,
                PENDING,
            )
        return [job.uuid for job in manager.get_jobs_to_run(time.time())]

    def test_a_backlog_does_not_delay_another_store(self):
        busy = self.instance
        other = self.env["bigcommerce.instance"].create(
            {"name": "Other store", "store_hash": "other", "access_token": "x"}
        )
        before = self.env["queue.job"].sudo().search([], order="id desc", limit=1)
        # The busy store's backlog: a webhook job per changed order.
        for order_id in range(1, BACKLOG + 1):
            busy._enqueue_webhook_job("order", order_id)
        # Then the other store's new order.
        other._enqueue_webhook_job("order", 1)
        new_order = self.env["queue.job"].sudo().search([], order="id desc", limit=1)
        config = self.env["bigcommerce.instance"]._queue_job_channels_config(
            workers_for_jobs=3, per_store=1
        )
        first = self._first_jobs_to_run(config, before.id or 0)
        self.assertIn(
            new_order.uuid,
            first,
            f"the other store's job waits behind {BACKLOG} jobs of the busy one",
        )
        self.assertEqual(len(first), 2, "one job of each store, within capacity")
        self.assertEqual(new_order.channel, other._queue_channel())
        self.assertIn(f"{other._queue_channel()}:1", config)

    def test_each_store_has_a_channel_record(self):
        """Its done jobs are purged after a week, like the parent's."""
        channel = (
            self.env["queue.job.channel"]
            .sudo()
            .search([("complete_name", "=", self.instance._queue_channel())])
        )
        self.assertEqual(channel.removal_interval, 7)
