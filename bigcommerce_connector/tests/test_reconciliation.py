"""Reconciliation report on the sandbox: exactly the drift a test makes."""

from datetime import timedelta

from odoo import fields
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .test_operations import OperationsCase


@tagged("post_install", "-at_install")
class TestReconciliation(OperationsCase):
    def period_start(self):
        self.sandbox.advance_clock(3600)
        return self.sandbox_now() - timedelta(seconds=1)

    def sandbox_now(self):
        return self.sandbox.state.clock.now().replace(tzinfo=None)

    def differences(self, report):
        return sorted(
            (line.record_type, line.bigcommerce_id, line.difference)
            for line in report.line_ids
        )

    def test_clean_import_has_no_difference(self):
        start = self.period_start()
        first, _record = self.imported_order(lines=[[self.sku, 2]])
        self.imported_order()
        refund = self.sandbox.add_refund(first["id"], kind="partial")
        self.assertEqual(self.book(refund).state, "synced")
        report = self.instance.reconcile(
            start, self.sandbox_now() + timedelta(minutes=1)
        )
        self.assertEqual(report._name, "bigcommerce.reconciliation")
        self.assertEqual(report.state, "done")
        self.assertEqual(report.order_count, 2)
        self.assertEqual(report.refund_count, 1)
        self.assertEqual(self.differences(report), [])

    def test_finds_exactly_the_drift(self):
        start = self.period_start()
        changed, changed_record = self.imported_order()
        missing = self.new_order()
        refunded, _record = self.imported_order(lines=[[self.sku, 2]])
        cancelled, _record = self.imported_order()
        self.imported_order()  # clean, in the same period
        invoiced = changed_record.invoice_id.amount_total
        # Changed in BigCommerce after invoicing (not re-imported).
        self.sandbox.state.orders[changed["id"]]["total_inc_tax"] = "777.7700"
        # A refund not booked in Odoo; an order cancelled after its invoice.
        refund = self.sandbox.add_refund(refunded["id"], kind="partial")
        self.sandbox.set_order_status(cancelled["id"], 5)
        report = self.instance.reconcile(
            start, self.sandbox_now() + timedelta(minutes=1)
        )
        self.assertEqual(
            self.differences(report),
            sorted(
                [
                    ("order", changed["id"], "amount"),
                    ("order", missing["id"], "missing"),
                    ("order", cancelled["id"], "extra"),
                    ("refund", refund["id"], "missing"),
                ]
            ),
        )
        amount = report.line_ids.filtered(lambda line: line.difference == "amount")
        self.assertEqual(amount.bigcommerce_amount, 777.77)
        self.assertEqual(amount.odoo_amount, invoiced)
        missing_line = report.line_ids.filtered(
            lambda line: line.bigcommerce_id == missing["id"]
        )
        self.assertEqual(missing_line.odoo_amount, 0.0)
        # The PDF renders.
        pdf, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "bigcommerce_connector.action_report_bigcommerce_reconciliation", report.ids
        )
        # Tests render the report's HTML (no wkhtmltopdf run); it lists the lines.
        self.assertIn(kind, ("pdf", "html"))
        self.assertIn(str(missing["id"]).encode(), pdf)

    def test_tells_apart_edits_refunds_without_record_and_drift(self):
        start = self.period_start()
        usd = {"currency_code": "USD", "tax_inclusive": False}
        edited, edited_record = self.imported_order(lines=[[self.sku, 1]], **usd)
        flagged, _record = self.imported_order(lines=[[self.sku, 1]], **usd)
        credited, credited_record = self.imported_order(lines=[[self.sku, 1]], **usd)
        drift, _record = self.imported_order(lines=[[self.sku, 1]], **usd)
        self.sandbox.edit_order(
            edited["id"], lines=[{"sku": self.other_sku, "quantity": 1}]
        )
        self.sandbox.refund_without_record(flagged["id"], 5)
        self.sandbox.refund_without_record(credited["id"], 4)
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[edited["id"], flagged["id"], credited["id"]])
        self.assertEqual(edited_record.state, "done", edited_record.failure_reason)
        credited_record.action_book_unrecorded_refund()
        # True drift: changed in BigCommerce, never read again.
        self.sandbox.state.orders[drift["id"]]["total_inc_tax"] = "777.7700"
        report = self.instance.reconcile(
            start, self.sandbox_now() + timedelta(minutes=1)
        )
        self.assertEqual(
            self.differences(report),
            sorted(
                [
                    ("order", edited["id"], "edited"),
                    ("order", flagged["id"], "unrecorded"),
                    ("order", credited["id"], "unrecorded"),
                    ("order", drift["id"], "amount"),
                ]
            ),
        )
        # Only what needs a person counts: the drift and the money not credited.
        self.assertEqual(report.difference_count, 2)
        edited_line = report.line_ids.filtered(lambda line: line.difference == "edited")
        self.assertEqual(
            edited_line.bigcommerce_amount,
            float(self.sandbox.state.orders[edited["id"]]["total_inc_tax"]),
        )
        self.assertEqual(edited_line.odoo_amount, edited_line.bigcommerce_amount)
        flagged_line, credited_line = (
            report.line_ids.filtered(
                lambda line, order=order: line.bigcommerce_id == order["id"]
            )
            for order in (flagged, credited)
        )
        self.assertEqual(
            (flagged_line.bigcommerce_amount, flagged_line.odoo_amount), (5, 0)
        )
        self.assertEqual(
            (credited_line.bigcommerce_amount, credited_line.odoo_amount), (4, 4)
        )

    def test_the_weekly_job_resumes_page_by_page_and_mails_the_drift(self):
        self.instance.write({"notify_partner_ids": [(6, 0, self.recipient.ids)]})
        start = self.period_start()
        self.new_order()
        self.new_order()
        self.imported_order()
        # The sandbox's clock runs ahead of Odoo's: the period is the store's.
        report = self.env["bigcommerce.reconciliation"].create(
            {
                "instance_id": self.instance.id,
                "date_from": start,
                "date_to": self.sandbox_now() + timedelta(minutes=1),
            }
        )
        small_steps = {
            "bigcommerce_reconcile_page_size": 1,
            "bigcommerce_reconcile_pages_per_step": 2,
        }
        with trap_jobs() as trap:
            self.instance.with_context(**small_steps)._job_reconcile(
                report_id=report.id
            )
            # Two pages of one order per step: the next step is queued.
            steps = 1
            while report.state != "done":
                self.assertEqual(len(trap.enqueued_jobs), 1)
                job = trap.enqueued_jobs[0]
                trap.enqueued_jobs.clear()
                job.recordset.with_context(**small_steps)._job_reconcile(
                    *job.args, **job.kwargs
                )
                steps += 1
        self.assertGreater(steps, 1)
        self.assertEqual(report.line_ids.mapped("difference"), ["missing", "missing"])
        mails = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.recipient.ids)]
        )
        self.assertEqual(len(mails), 1)
        self.assertIn("differences", mails.body_html)

    def test_the_cron_queues_the_report_when_due(self):
        self.instance.reconciliation_checkpoint = fields.Datetime.now() - timedelta(
            days=3
        )
        with trap_jobs() as trap:
            self.env["bigcommerce.instance"]._cron_reconcile()
            trap.assert_jobs_count(0, only=self.instance._job_reconcile)
            self.instance.reconcile_interval_unit = "days"
            self.env["bigcommerce.instance"]._cron_reconcile()
            trap.assert_jobs_count(1, only=self.instance._job_reconcile)
