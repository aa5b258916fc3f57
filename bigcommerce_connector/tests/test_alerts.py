from datetime import timedelta

from odoo import fields, sql_db
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..client import AccessDeniedError, AuthenticationError
from .common import BigcommerceSandboxCase, run_jobs


@tagged("post_install", "-at_install")
class TestDeadManAlerts(BigcommerceSandboxCase):
    """Each trigger turns the store red and tells its responsible person once;
    its recovery says "back to normal"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.responsible = new_test_user(
            cls.env,
            login="bc_alert_responsible",
            email="responsible@example.com",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )
        cls.instance.write(
            {
                "notify_user_id": cls.responsible.id,
                "import_orders_cron": True,
                "import_refunds_cron": True,
                "import_customers_cron": False,
            }
        )
        cls.instance.action_confirm()

    def setUp(self):
        super().setUp()
        self.addCleanup(self.forget_committed_refusals)
        now = fields.Datetime.now()
        self.instance.write({"order_checkpoint": now, "refund_checkpoint": now})

    def committed_refusals(self):
        """Statuses of the refusals committed apart (another connection)."""
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(
                "SELECT status FROM bigcommerce_access_refusal "
                "WHERE instance_id = %s ORDER BY id",
                [self.instance.id],
            )
            return [status for (status,) in cr.fetchall()]

    def forget_committed_refusals(self):
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(
                "DELETE FROM bigcommerce_access_refusal WHERE instance_id = %s",
                [self.instance.id],
            )

    def inline(self):
        return self.instance.with_context(queue_job__no_delay=True)

    def mails(self, words):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "bigcommerce.instance"),
                ("res_id", "=", self.instance.id),
                ("subject", "ilike", words),
            ]
        )

    def activities(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "bigcommerce.instance"),
                ("res_id", "=", self.instance.id),
                ("user_id", "=", self.responsible.id),
            ]
        )

    def assert_alerted_once(self, reason_words):
        self.instance._check_health()
        self.assertEqual(self.instance.alert_state, "alert")
        self.assertIn(reason_words, self.instance.alert_reason)
        # A second check of the same incident sends nothing more.
        self.instance._check_health()
        stopped = self.mails("imports stopped")
        self.assertEqual(len(stopped), 1)
        self.assertEqual(stopped.recipient_ids, self.responsible.partner_id)
        self.assertIn(reason_words, stopped.body_html)
        self.assertEqual(len(self.activities()), 1)

    def assert_back_to_normal(self):
        self.instance._check_health()
        self.assertEqual(self.instance.alert_state, "ok")
        self.assertFalse(self.instance.alert_reason)
        self.assertEqual(len(self.mails("back to normal")), 1)
        self.assertFalse(self.activities())  # closed (archived)
        self.instance._check_health()
        self.assertEqual(len(self.mails("back to normal")), 1)

    def test_a_healthy_store_is_not_alerted(self):
        # What the cron runs (every confirmed store; old refusals purged).
        self.env["bigcommerce.instance"]._cron_check_health()
        self.assertEqual(self.instance.alert_state, "ok")
        self.assertFalse(self.mails("BigCommerce"))

    def test_no_successful_poll_within_n_intervals(self):
        # Polls every 15 minutes, alert after 3 intervals: 50 minutes is late.
        self.instance.order_checkpoint -= timedelta(minutes=50)
        self.assert_alerted_once("No successful poll of orders")
        # The poll runs again and succeeds.
        self.inline()._job_poll_orders()
        self.assert_back_to_normal()

    def test_oldest_pending_job_older_than_the_threshold(self):
        waiting = self.instance.dashboard_job_pending_count
        self.instance.import_orders()
        self.instance.invalidate_recordset(["dashboard_job_pending_count"])
        job = self.env["queue.job"].search(
            [("state", "=", "pending")], order="id desc", limit=1
        )
        # The dashboard counts the store's waiting jobs.
        self.assertEqual(self.instance.dashboard_job_pending_count, waiting + 1)
        self.instance._check_health()
        self.assertEqual(self.instance.alert_state, "ok")  # 60 min threshold
        job.flush_recordset()
        self.env.cr.execute(
            "UPDATE queue_job SET date_created = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=61), job.id],
        )
        self.assert_alerted_once("A job has been waiting")
        # The job runner is back: the backlog is worked off.
        self.env.invalidate_all()
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"])
        self.instance.invalidate_recordset(["dashboard_job_pending_count"])
        self.assertEqual(self.instance.dashboard_job_pending_count, 0)
        self.assert_back_to_normal()

    @mute_logger("odoo.addons.bigcommerce_connector.models.bigcommerce_log")
    def test_access_refused_401(self):
        self.instance.access_token = "revoked-token"
        # The job fails and its transaction rolls back (a savepoint here)...
        with self.assertRaises(AuthenticationError), self.env.cr.savepoint():
            self.inline()._job_poll_orders()
        # ... the refusal was committed apart, for every later transaction.
        self.assertEqual(self.committed_refusals(), [401])
        self.assert_alerted_once("BigCommerce refused access (401)")
        # An administrator pastes the new token; the next request succeeds.
        self.instance.access_token = self.sandbox.access_token
        self.inline()._job_poll_orders()
        self.assertTrue(self.instance.access_ok_at)
        self.assert_back_to_normal()

    @mute_logger("odoo.addons.bigcommerce_connector.models.bigcommerce_log")
    def test_access_refused_403(self):
        self.sandbox.add_token("no-orders-scope", scopes=["store_v2_information"])
        self.instance.access_token = "no-orders-scope"
        with self.assertRaises(AccessDeniedError), self.env.cr.savepoint():
            self.inline()._job_poll_orders()
        self.assertEqual(self.committed_refusals(), [403])
        self.assert_alerted_once("BigCommerce refused access (403)")
        self.instance.access_token = self.sandbox.access_token
        self.inline()._job_poll_orders()
        self.assert_back_to_normal()
