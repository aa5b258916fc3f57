"""Instance settings of issue 14: what admins of the paid connectors look for.

Each setting changes what the importers do; the logic lives next to the
importer it changes (``importers/order_pricelist.py``,
``importers/order_invoice.py``, ``importers/order_tax_class.py``).
"""

import hashlib

from odoo import fields, models

from ..client.client import PAGE_LIMIT
from ..importers.order import OrderImporter
from ..importers.refund import RefundImporter
from ..tools.job_retry import run_or_keep
from .bigcommerce_log import LOG_LEVELS


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    country_id = fields.Many2one(
        "res.country",
        string="Default Country",
        help="Country of the partners and addresses BigCommerce sends without "
        "one (a customer without an address book, an address with an empty "
        "or unknown country). Empty: such partners have no country.",
    )
    queue_batch_size = fields.Integer(
        string="Records per Job",
        default=1,
        help="How many orders (and refunds) one queued job imports. 1: one job "
        "per record (a failure retries only that record); more: fewer jobs, "
        "each importing its records one savepoint at a time. At most one API "
        f"page ({PAGE_LIMIT}).",
    )
    log_level = fields.Selection(
        LOG_LEVELS,
        help="What each operation log (orders, refunds, customers, store "
        "settings, webhooks) tells besides its counts. Errors only: the "
        "records that failed and why. Summary: also the totals of the run "
        "(queued, created, updated). Every record: also one line per order, "
        "refund or customer with what happened to it.",
    )
    create_single_invoice = fields.Boolean(
        string="Create Single Invoice?",
        default=True,
        help="On: one invoice per order with every ordered quantity, as soon "
        "as the order is imported (BigCommerce has charged it all). Off: one "
        "invoice per validated delivery, for the delivered quantities (the "
        "first one also takes shipping, discounts of what is not shipped, "
        "fees and gift certificates); each is checked against what "
        "BigCommerce charged for its lines, and the order against its total "
        "once every invoice is posted.",
    )
    custom_storable_product_id = fields.Many2one(
        "product.product",
        string="Custom Storable Product",
        check_company=True,
        domain="[('is_storable', '=', True)]",
        help="Product of custom (non-catalog) lines that have to be shipped "
        "(BigCommerce type physical): stock moves out of the warehouse for "
        "them. Empty: every custom line uses the Custom Item Product "
        "(consumable).",
    )

    _queue_batch_size_range = models.Constraint(
        f"CHECK(queue_batch_size >= 1 AND queue_batch_size <= {PAGE_LIMIT})",
        f"Records per job is between 1 and {PAGE_LIMIT} (one API page).",
    )

    # ------------------------------------------------------------
    # Confirm: one pricelist per currency the store sells in
    # ------------------------------------------------------------

    def _import_currencies(self, store, currencies, recorder):
        result = super()._import_currencies(store, currencies, recorder)
        pricelists = self.env["product.pricelist"]
        for currency in self.currency_ids:
            pricelists._bigcommerce_store_pricelist(self, currency)
        recorder.note(
            self.env._("Pricelists: %s", ", ".join(self.currency_ids.mapped("name")))
        )
        return result

    # ------------------------------------------------------------
    # Jobs: "Records per job"
    # ------------------------------------------------------------

    def _queue_import_jobs(self, kind, rows, recorder=None):
        """Queue the import of ``rows`` (orders or refunds read by a batch job).

        One row: the record's own job, with its usual identity key. More
        (``queue_batch_size`` > 1): one job for them all, whose identity key
        is the list of ids (and order versions), so a poll that reads the
        same page again queues nothing new while it waits.
        """
        self.ensure_one()
        if not rows:
            return
        for row in rows:
            self._note_record(recorder, kind, row, None)
        if len(rows) == 1:
            row = rows[0]
            if kind == "order":
                key = (
                    f"bigcommerce-order-{self.id}-{row['id']}-"
                    f"{row.get('date_modified')}"
                )
            else:
                key = f"bigcommerce-refund-{self.id}-{row['id']}"
            delayed = self.with_delay(
                channel="root.bigcommerce",
                description=self.env._(
                    "Import BigCommerce %(kind)s %(id)s", kind=kind, id=row["id"]
                ),
                identity_key=key,
            )
            getattr(delayed, f"_job_import_{kind}")(row)
            return
        versions = ",".join(f"{row['id']}@{row.get('date_modified')}" for row in rows)
        digest = hashlib.sha1(versions.encode(), usedforsecurity=False).hexdigest()
        delayed = self.with_delay(
            channel="root.bigcommerce",
            description=self.env._(
                "Import %(count)s BigCommerce %(kind)ss (%(first)s to %(last)s)",
                count=len(rows),
                kind=kind,
                first=rows[0]["id"],
                last=rows[-1]["id"],
            ),
            identity_key=f"bigcommerce-{kind}s-{self.id}-{digest}",
        )
        getattr(delayed, f"_job_import_{kind}_batch")(rows)

    def _job_import_order_batch(self, orders):
        """Queue job: import several orders, each in its own savepoint.

        Same guarantees as one job per order: a transient API error retries
        the job (orders already imported are then "unchanged"); when
        queue_job would give up, or on an unexpected error, the order is kept
        as a failed record and the others go on.
        """
        self.ensure_one()
        importer = OrderImporter(self, self._job_client())
        results = []
        for order in orders:
            record = run_or_keep(
                self.env,
                lambda order=order: importer.import_order(order),
                lambda reason, order=order: importer.give_up(order, reason),
                f"Import of BigCommerce order {order['id']}",
            )
            results.append(f"{order['id']}: {record.state if record else 'skipped'}")
        return ", ".join(results)

    def _job_import_refund_batch(self, refunds):
        """Queue job: book several refunds, in BigCommerce's order (ids)."""
        self.ensure_one()
        importer = RefundImporter(self, self._job_client())
        results = []
        for refund in refunds:
            record = run_or_keep(
                self.env,
                lambda refund=refund: importer.import_refund(refund),
                lambda reason, refund=refund: importer.give_up(refund, reason),
                f"Import of BigCommerce refund {refund['id']}",
            )
            results.append(f"{refund['id']}: {record.state}")
        return ", ".join(results)

    # ------------------------------------------------------------
    # Log levels: what an operation log says about orders and refunds
    # ------------------------------------------------------------

    def _note_record(self, recorder, kind, row, record):
        """One line per record ("Every record")."""
        if not recorder:
            return
        if record is None:
            text = self.env._("%(kind)s %(id)s queued", kind=kind.title(), id=row["id"])
        else:
            text = self.env._(
                "%(kind)s %(id)s: %(state)s",
                kind=kind.title(),
                id=row["id"],
                state=record.state if record else self.env._("skipped"),
            )
        recorder.note(text, level="debug")

    def _note_summary(self, recorder, kind, counts, queued):
        """The totals of a run ("Summary")."""
        if not recorder:
            return
        if queued:
            recorder.note(
                self.env._(
                    "%(count)s %(kind)ss queued for import", count=queued, kind=kind
                )
            )
        done = {key: value for key, value in counts.items() if value}
        if done:
            recorder.note(
                self.env._(
                    "%(kind)ss: %(counts)s",
                    kind=kind.title(),
                    counts=", ".join(
                        f"{value} {key}" for key, value in sorted(done.items())
                    ),
                )
            )

    # ------------------------------------------------------------
    # Helpers of the importers
    # ------------------------------------------------------------

    def _bigcommerce_custom_product(self, line):
        """Product of a custom (non-catalog) line: the storable one for an
        item that has to be shipped, when set; the consumable one otherwise."""
        self.ensure_one()
        if line.get("type") == "physical" and self.custom_storable_product_id:
            return self.custom_storable_product_id
        return self.custom_product_id

    def _job_batches(self, records):
        """``records`` in lists of ``queue_batch_size`` (one list per job)."""
        self.ensure_one()
        size = max(1, min(self.queue_batch_size or 1, PAGE_LIMIT))
        batch = []
        for record in records:
            batch.append(record)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
