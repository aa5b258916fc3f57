from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import float_compare

from ..client.parsing import parse_money
from .common import ConcurrentJobsCase, run_jobs
from .test_order_import import OrderImportCase


class RefundImportCase(OrderImportCase):
    def import_refunds(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_refunds(**kwargs)

    def refund_record(self, refund_id):
        return self.env["bigcommerce.refund"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", refund_id),
            ]
        )

    def order_record(self, order_id):
        return self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.instance.id), ("bigcommerce_id", "=", order_id)]
        )

    def new_order(self, **options):
        options.setdefault("status_id", 11)
        order = self.sandbox.create_order(**options)
        self.sandbox.advance_clock(60)
        return order

    def imported_order(self, **options):
        order = self.new_order(**options)
        self.import_orders(order_ids=[order["id"]])
        record = self.order_record(order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        return order, record

    def book(self, refund):
        self.import_refunds(refund_ids=[refund["id"]])
        return self.refund_record(refund["id"])

    def assertTiesOut(self, record, refund=None):
        refund = refund or self.sandbox.state.refunds[record.bigcommerce_id]
        self.assertEqual(record.state, "synced", record.message)
        credit_note = record.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        invoice = self.order_record(refund["order_id"]).invoice_id
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.currency_id, invoice.currency_id)
        self.assertIn(credit_note, record.sale_order_id.invoice_ids)
        digits = credit_note.currency_id.decimal_places
        self.assertEqual(
            float_compare(
                credit_note.amount_total,
                float(parse_money(refund["total_amount"])),
                precision_digits=digits,
            ),
            0,
            f"total {credit_note.amount_total} != {refund['total_amount']}",
        )
        self.assertEqual(
            float_compare(
                credit_note.amount_tax,
                float(parse_money(refund["total_tax"])),
                precision_digits=digits,
            ),
            0,
            f"tax {credit_note.amount_tax} != {refund['total_tax']}",
        )
        return credit_note

    def credit_notes(self):
        return self.env["account.move"].search([("move_type", "=", "out_refund")])

    def assertRerunCreatesNothing(self, **kwargs):
        before = self.credit_notes()
        self.import_refunds(**kwargs)
        self.assertEqual(self.credit_notes(), before)


@tagged("post_install", "-at_install")
class TestRefundImport(RefundImportCase):
    def _sku(self, index=0):
        variants = self.sandbox.state.variants
        return variants[sorted(variants)[index]][0]["sku"]

    def _order_product(self, order, sku):
        return next(
            line
            for line in self.sandbox.state.order_products[order["id"]]
            if line["sku"].lower() == sku.lower()
        )

    def _taxed_usd(self, **options):
        order, record = self.imported_order(
            currency_code="USD", tax_inclusive=False, **options
        )
        self.assertTrue(parse_money(order["total_tax"]), "the test needs tax")
        return order, record

    def test_full_refund_reverses_and_settles_the_invoice(self):
        order, record = self._taxed_usd()
        refund = self.sandbox.add_refund(order["id"], kind="full")
        refund_record = self.book(refund)
        credit_note = self.assertTiesOut(refund_record)
        self.assertEqual(
            float_compare(credit_note.amount_total, record.invoice_id.amount_total, 2),
            0,
        )
        self.assertEqual(
            len(credit_note.invoice_line_ids), len(record.invoice_id.invoice_line_ids)
        )
        # The invoice was still open: the credit note settles it.
        self.assertEqual(record.invoice_id.payment_state, "reversed")
        self.assertFalse(credit_note.amount_residual)
        self.assertRerunCreatesNothing(refund_ids=[refund["id"]])
        self.assertEqual(refund_record.attempt_count, 1)

    def test_partial_refund_of_one_of_three_units(self):
        sku = self._sku()
        order, record = self._taxed_usd(lines=[(sku, 3)], coupon_code="SPRING10")
        line = self._order_product(order, sku)
        refund = self.sandbox.add_refund(
            order["id"],
            items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        )
        credit_note = self.assertTiesOut(self.book(refund))
        invoiced = record.invoice_id.invoice_line_ids.filtered(
            lambda aml: aml.sale_line_ids.bigcommerce_line_id == line["id"]
            and aml.sale_line_ids.bigcommerce_line_kind == "product"
        )
        product_line = credit_note.invoice_line_ids.filtered(
            lambda aml: aml.product_id == invoiced.product_id
        )
        self.assertEqual(product_line.quantity, 1)
        self.assertEqual(product_line.price_unit, invoiced.price_unit)
        self.assertEqual(product_line.tax_ids, invoiced.tax_ids)
        # The coupon's share of the unit goes back with it.
        self.assertIn(
            self.instance.discount_product_id, credit_note.invoice_line_ids.product_id
        )
        # The open invoice is reduced by the credit note.
        self.assertEqual(record.invoice_id.payment_state, "partial")
        self.assertFalse(credit_note.amount_residual)
        self.assertRerunCreatesNothing(order_ids=[order["id"]])

    def test_credit_note_of_a_paid_invoice_stays_open_for_the_money_sent_back(self):
        order, record = self._taxed_usd()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=record.invoice_id.ids
        ).create({}).action_create_payments()
        self.assertIn(record.invoice_id.payment_state, ("paid", "in_payment"))
        credit_note = self.assertTiesOut(
            self.book(self.sandbox.add_refund(order["id"], kind="partial"))
        )
        self.assertEqual(credit_note.amount_residual, credit_note.amount_total)

    def test_shipping_only_refund(self):
        order, _record = self._taxed_usd()
        refund = self.sandbox.add_refund(order["id"], kind="shipping")
        self.assertEqual({i["item_type"] for i in refund["items"]}, {"SHIPPING"})
        credit_note = self.assertTiesOut(self.book(refund))
        self.assertEqual(
            credit_note.invoice_line_ids.product_id, self.instance.shipping_product_id
        )

    def test_order_level_amount_refund(self):
        order, _record = self._taxed_usd()
        refund = self.sandbox.add_refund(
            order["id"], items=[{"item_type": "ORDER", "amount": 7.5}]
        )
        credit_note = self.assertTiesOut(self.book(refund))
        self.assertEqual(
            credit_note.invoice_line_ids.product_id,
            self.instance.refund_adjustment_product_id,
        )
        self.assertEqual(credit_note.amount_total, 7.5)
        self.assertEqual(credit_note.amount_tax, 0.0)

    def test_merchant_override_refund_uses_the_override_totals(self):
        sku = self._sku()
        order, _record = self._taxed_usd(lines=[(sku, 2)])
        line = self._order_product(order, sku)
        refund = self.sandbox.add_refund(
            order["id"],
            items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
            override={"total_amount": 10.0, "total_tax": 0.5},
        )
        self.assertTrue(refund["uses_merchant_override_values"])
        record = self.book(refund)
        credit_note = self.assertTiesOut(record)
        self.assertTrue(record.uses_merchant_override_values)
        self.assertEqual(credit_note.amount_total, 10.0)
        self.assertEqual(credit_note.amount_tax, 0.5)
        # The difference to the item's value is a visible line of its own.
        self.assertIn(
            self.instance.refund_adjustment_product_id,
            credit_note.invoice_line_ids.product_id,
        )

    def test_tax_adjustment_refund_without_items(self):
        order, _record = self._taxed_usd()
        refund = self.sandbox.add_refund(
            order["id"], items=[{"item_type": "ORDER", "amount": 2}]
        )
        # BigCommerce's tax_adjustment_amount refunds list no items.
        self.sandbox.state.refunds[refund["id"]].update(items=[], total_tax=0.15)
        credit_note = self.assertTiesOut(self.book(refund))
        self.assertEqual(credit_note.amount_total, 2.0)
        self.assertEqual(credit_note.amount_tax, 0.15)
        self.assertEqual(
            credit_note.invoice_line_ids.product_id,
            self.instance.refund_adjustment_product_id,
        )

    def test_two_refunds_on_one_order(self):
        sku = self._sku()
        order, record = self._taxed_usd(lines=[(sku, 3)])
        line = self._order_product(order, sku)
        item = {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}
        first = self.sandbox.add_refund(order["id"], items=[item])
        self.sandbox.advance_clock(60)
        second = self.sandbox.add_refund(order["id"], kind="full")
        self.import_refunds(order_ids=[order["id"]])
        notes = self.env["account.move"]
        for refund in (first, second):
            notes |= self.assertTiesOut(self.refund_record(refund["id"]))
        self.assertEqual(len(notes), 2)
        # Together they give back the invoice, not a cent more.
        self.assertEqual(
            float_compare(
                sum(notes.mapped("amount_total")), record.invoice_id.amount_total, 2
            ),
            0,
        )
        self.assertRerunCreatesNothing(order_ids=[order["id"]])

    def test_refund_in_the_second_currency(self):
        order, record = self.imported_order(currency_code="EUR")
        self.assertEqual(record.invoice_id.currency_id.name, "EUR")
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        credit_note = self.assertTiesOut(self.book(refund))
        self.assertEqual(credit_note.currency_id.name, "EUR")

    def test_refund_on_a_tax_inclusive_order(self):
        sku = self._sku(1)
        order, _record = self.imported_order(
            currency_code="USD", tax_inclusive=True, lines=[(sku, 3)]
        )
        self.assertTrue(order["is_tax_inclusive_pricing"])
        self.assertTrue(parse_money(order["total_tax"]), "the test needs tax")
        line = self._order_product(order, sku)
        refund = self.sandbox.add_refund(
            order["id"],
            items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 2}],
        )
        credit_note = self.assertTiesOut(self.book(refund))
        self.assertTrue(
            any(credit_note.invoice_line_ids.tax_ids.mapped("price_include"))
        )

    def test_refund_of_an_order_not_imported_yet_imports_the_order(self):
        order = self.new_order(currency_code="USD", tax_inclusive=False)
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        self.assertFalse(self.order_record(order["id"]))
        record = self.book(refund)
        self.assertEqual(self.order_record(order["id"]).state, "done")
        self.assertTiesOut(record)

    def test_refund_of_an_ineligible_order_stays_pending(self):
        order = self.new_order()
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        partially_refunded = self.instance.order_status_ids.filtered(
            lambda status: status.bigcommerce_id == 14
        )
        partially_refunded.odoo_action = "ignore"
        record = self.book(refund)
        self.assertEqual(record.state, "pending")
        self.assertIn("Partially Refunded", record.message)
        self.assertFalse(record.credit_note_id)
        partially_refunded.odoo_action = "import"
        record.action_retry()
        self.assertEqual(record.retry_job_state, "queued")
        self.assertEqual(
            self.env["bigcommerce.refund"].search([("retry_job_state", "=", "queued")]),
            record,
        )
        run_jobs(self.env)
        record.invalidate_recordset(["retry_job_state"])
        self.assertFalse(record.retry_job_state)
        self.assertTiesOut(record)

    def test_refund_waits_for_the_invoice(self):
        order = self.new_order(currency_code="USD", tax_inclusive=False)
        total = order["total_inc_tax"]
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "9999.9900"
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(self.order_record(order["id"]).state, "review")
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = total
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        record = self.book(refund)
        self.assertEqual(record.state, "pending")
        self.assertIn("not posted", record.message)
        self.order_record(order["id"]).invoice_id.action_post()
        record.action_retry()
        run_jobs(self.env)
        self.assertTiesOut(record)

    def test_mismatch_goes_to_error_posts_nothing_and_retry_posts(self):
        order, record = self._taxed_usd()
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        right = refund["total_amount"]
        wrong = round(right + 1.0, 2)
        self.sandbox.tamper_refund(refund["id"], total_amount=wrong)
        refund_record = self.book(refund)
        self.assertEqual(refund_record.state, "error")
        self.assertIn("Totals differ", refund_record.message)
        self.assertIn(f"{wrong}", refund_record.message)
        self.assertIn(f"{right}", refund_record.message)
        self.assertFalse(refund_record.credit_note_id)
        self.assertFalse(
            self.credit_notes().filtered(
                lambda move: move.reversed_entry_id == record.invoice_id
            )
        )
        self.sandbox.tamper_refund(refund["id"], total_amount=right)
        refund_record.action_retry()
        run_jobs(self.env)
        self.assertTiesOut(refund_record)

    def test_refunds_never_exceed_the_invoice(self):
        order, record = self._taxed_usd(lines=[(self._sku(), 3)])
        first = self.sandbox.add_refund(order["id"], kind="partial")
        self.assertTiesOut(self.book(first))
        second = self.sandbox.add_refund(order["id"], kind="partial")
        self.sandbox.tamper_refund(
            second["id"], total_amount=record.invoice_id.amount_total
        )
        record = self.book(second)
        self.assertEqual(record.state, "error")
        self.assertIn("exceed", record.message)
        self.assertFalse(record.credit_note_id)

    def test_credit_note_tax_account_is_configurable(self):
        account = self.env["account.account"].create(
            {
                "name": "Tax refunded",
                "code": "251099",
                "account_type": "liability_current",
            }
        )
        # Taxes created before the account is set are covered too.
        self._taxed_usd()
        self.instance.refund_tax_account_id = account
        order, record = self._taxed_usd()
        credit_note = self.assertTiesOut(
            self.book(self.sandbox.add_refund(order["id"], kind="partial"))
        )
        tax_lines = credit_note.line_ids.filtered(lambda aml: aml.display_type == "tax")
        self.assertTrue(tax_lines)
        self.assertEqual(tax_lines.account_id, account)
        invoice_tax = record.invoice_id.line_ids.filtered(
            lambda aml: aml.display_type == "tax"
        )
        self.assertNotIn(account, invoice_tax.account_id)

    def test_wizard_imports_the_refunds_of_an_order(self):
        order, _record = self._taxed_usd()
        refund = self.sandbox.add_refund(order["id"], kind="shipping")
        wizard = self.env["bigcommerce.import.wizard"].create(
            {
                "instance_id": self.instance.id,
                "entity": "refunds",
                "mode": "ids",
                "refund_id_kind": "order",
                "bigcommerce_ids": str(order["id"]),
            }
        )
        wizard.with_context(queue_job__no_delay=True).action_import()
        self.assertTiesOut(self.refund_record(refund["id"]))

    def test_poll_asks_for_refunds_created_since_the_checkpoint(self):
        order, _record = self._taxed_usd()
        # Past the overlap of the refunds other tests of the class made.
        self.sandbox.advance_clock(3600)
        now = self.sandbox.state.clock.now()
        self.instance.refund_checkpoint = now.replace(tzinfo=None)
        self.sandbox.advance_clock(3600)
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        before = self.sandbox.request_count
        self.instance.with_context(queue_job__no_delay=True)._job_poll_refunds()
        self.assertTiesOut(self.refund_record(refund["id"]))
        lists = [
            query
            for _method, path, query in self.sandbox.request_log[before:]
            if path == "/v3/orders/payment_actions/refunds"
        ]
        self.assertEqual(len(lists), 1)
        self.assertIn("created:min", lists[0])
        # Only the new refund: the others are older than the checkpoint.
        self.assertEqual(
            self.env["bigcommerce.refund"].search_count(
                [("instance_id", "=", self.instance.id)]
            ),
            1,
        )

    def test_batch_job_books_its_page_without_a_job_per_refund(self):
        from odoo.addons.queue_job.tests.common import trap_jobs

        with trap_jobs() as trap:
            self.instance._job_import_refunds()
            # No refund payload (names, amounts) stored as a job argument.
            trap.assert_jobs_count(0, only=self.instance._job_import_refund)
        self.assertEqual(
            self.env["bigcommerce.refund"].search_count(
                [("instance_id", "=", self.instance.id)]
            ),
            len(self.sandbox.state.refunds),
        )

    def test_salesperson_sees_the_credit_notes_without_bigcommerce_rights(self):
        order, record = self._taxed_usd()
        refund = self.sandbox.add_refund(
            order["id"], items=[{"item_type": "ORDER", "amount": 3}]
        )
        credit_note = self.book(refund).credit_note_id
        salesperson = new_test_user(
            self.env,
            login="bc_refund_salesperson",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
        )
        sale_order = record.sale_order_id.with_user(salesperson)
        self.assertIn(credit_note, sale_order.invoice_ids)
        with self.assertRaises(AccessError):
            self.refund_record(refund["id"]).with_user(salesperson).read(["state"])

    def test_sale_order_shows_its_refunds(self):
        order, record = self._taxed_usd()
        refund_record = self.book(self.sandbox.add_refund(order["id"], kind="partial"))
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.bigcommerce_refund_ids, refund_record)
        self.assertEqual(sale_order.bigcommerce_refund_count, 1)
        action = sale_order.action_view_bigcommerce_refunds()
        self.assertEqual(
            self.env["bigcommerce.refund"].search(action["domain"]), refund_record
        )


@tagged("post_install", "-at_install")
class TestSeededRefundImport(RefundImportCase):
    """Every refund the sandbox is seeded with, imported in one run."""

    def test_every_seeded_refund_is_a_credit_note_that_ties_out(self):
        refunds = self.sandbox.state.refunds
        self.assertGreaterEqual(len(refunds), 12)
        self.import_refunds()
        records = self.env["bigcommerce.refund"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertEqual(len(records), len(refunds))
        problems = [
            f"{r.bigcommerce_id}: {r.state} {r.message}"
            for r in records
            if r.state != "synced"
        ]
        self.assertEqual(problems, [])
        for record in records:
            self.assertTiesOut(record)
        self.assertEqual(len(records.credit_note_id), len(refunds))
        first_run = self.instance.log_ids.filtered(
            lambda lg: lg.operation == "import_refunds"
        )
        # The steps book the refunds themselves (no job per refund).
        self.assertEqual(sum(first_run.mapped("created_count")), len(refunds))
        self.assertRerunCreatesNothing()
        rerun = (
            self.instance.log_ids.filtered(lambda lg: lg.operation == "import_refunds")
            - first_run
        )
        self.assertEqual(sum(rerun.mapped("created_count")), 0)
        self.assertEqual(sum(rerun.mapped("skipped_count")), len(refunds))


@tagged("post_install", "-at_install")
class TestRefundImportConcurrency(ConcurrentJobsCase):
    def test_two_jobs_booking_one_refund_leave_one_credit_note(self):
        order = next(
            o
            for o in self.sandbox.state.orders.values()
            if o["customer_id"] == 0
            and o["status_id"] == 11
            and o["default_currency_code"] == "USD"
        )
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        instance_id = self.committed_instance(
            name="Refund concurrency", create_products=True
        )
        (payload,) = self.instance._get_client().iter_refunds(
            **{"id:in": str(refund["id"])}
        )

        def job(env):
            env["bigcommerce.instance"].browse(instance_id)._job_import_refund(
                payload["id"]
            )

        postponed = self.run_concurrently([job, job])
        self.assertLessEqual(len(postponed), 1)
        rows = self.fetch(
            "SELECT state, credit_note_id FROM bigcommerce_refund "
            "WHERE instance_id = %s",
            [instance_id],
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "synced")
        count = self.fetch(
            "SELECT count(*) FROM account_move WHERE move_type = 'out_refund' "
            "AND reversed_entry_id IN (SELECT invoice_id FROM bigcommerce_order "
            "WHERE instance_id = %s)",
            [instance_id],
        )
        self.assertEqual(count[0][0], 1)
