"""Instance settings of issue 14: what admins of the paid connectors look for.

Each setting changes what the importers do; the logic lives next to the
importer it changes (``importers/order_pricelist.py``,
``importers/order_invoice.py``, ``importers/order_tax_class.py``).
"""

from odoo import fields, models

from ..client.client import PAGE_LIMIT
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
        default=PAGE_LIMIT,
        help="How many orders (and refunds) one step of an import batch "
        "reads and imports (its page size), each in its own savepoint; the "
        "step then queues the next one. Fewer: shorter jobs, more requests. "
        f"At most one API page ({PAGE_LIMIT}).",
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

    def _records_per_job(self):
        """How many records one step of an order or refund batch handles:
        the page size it reads (tools/batch.py), at most one API page."""
        self.ensure_one()
        return max(1, min(self.queue_batch_size or PAGE_LIMIT, PAGE_LIMIT))

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

    def _note_page(self, recorder, kind, ids):
        """One line per record of a batch step ("Every record"): what its
        binding (bigcommerce.order, bigcommerce.refund) ended in."""
        if not recorder or not ids or recorder.level != "debug":
            return
        bindings = self.env[f"bigcommerce.{kind}"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "in", list(ids))]
        )
        states = {binding.bigcommerce_id: binding for binding in bindings}
        for bigcommerce_id in ids:
            self._note_record(
                recorder, kind, {"id": bigcommerce_id}, states.get(bigcommerce_id)
            )

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
