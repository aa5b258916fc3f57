"""Going live: the store's history is never booked by accident.

``go_live_date`` is proposed as "now" at Confirm. Orders created before it
are never booked by the polls, the webhooks or an import of everything, not
even when they are modified later (the polls ask BigCommerce only for orders
created since it, ``min_date_created``). Refunds of such orders are not
booked and say why; no delivery is made for them, so their stock never moves.

An explicit import by id or date range may reach older orders; it says what
to do with them (``history``):

- ``"book"``: book them like any order (sale order, invoice, delivery);
- ``"reference"``: keep the BigCommerce order with its amounts, visible and
  reconcilable, without sale order, invoice or delivery.

An import by id without ``history`` keeps older orders for reference (and
says so in its log); a date range that starts before the go-live date
without ``history`` is refused with the question.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.rights import bigcommerce_admin_only

HISTORY_CHOICES = [
    ("book", "Book them (sale order, invoice, delivery)"),
    ("reference", "For reference only (no sale order, invoice or delivery)"),
]


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    go_live_date = fields.Datetime(
        string="Go-Live Date",
        copy=False,
        help="Orders created in BigCommerce before this moment are never "
        "booked by the polls, the webhooks or an import of everything, even "
        "when they are modified later; their refunds are not booked either. "
        "Proposed as the moment of Confirm. An import by id or date range "
        "asks whether to book older orders or keep them for reference.",
    )

    @bigcommerce_admin_only
    def action_confirm(self):
        # Proposed before anything is read: the polls that Confirm makes due
        # never see the store's history unless an admin moves the date.
        for instance in self.filtered(lambda instance: not instance.go_live_date):
            instance.go_live_date = fields.Datetime.now()
        return super().action_confirm()

    @bigcommerce_admin_only
    def import_orders(
        self,
        order_ids=None,
        date_from=None,
        date_to=None,
        date_field="modified",
        history=None,
    ):
        """See the base methods; ``history`` ("book" or "reference") says what
        to do with orders created before the go-live date (module docstring).
        """
        if history not in (None, "book", "reference"):
            raise UserError(self.env._("history is “book” or “reference”."))
        if date_from and not history:
            start = fields.Datetime.to_datetime(date_from)
            for instance in self:
                if instance.go_live_date and start < instance.go_live_date:
                    raise UserError(
                        self.env._(
                            "The range starts before the go-live date of "
                            "%(store)s (%(date)s): say whether its older orders "
                            "are booked (history=“book”) or kept for reference "
                            "only (history=“reference”).",
                            store=instance.name,
                            date=instance.go_live_date,
                        )
                    )
        return super().import_orders(
            order_ids=order_ids,
            date_from=date_from,
            date_to=date_to,
            date_field=date_field,
            history=history,
        )

    @api.model
    def _history_policy(self, history, explicit_ids):
        """What the importer does with an order created before go-live."""
        if history:
            return history
        return "reference" if explicit_ids else "skip"

    def _go_live_filter(self, history):
        """``min_date_created`` of a list read, or None: an import that does
        not book history asks BigCommerce for the orders created since the
        go-live date only, instead of reading and discarding the rest."""
        self.ensure_one()
        if history or not self.go_live_date:
            return None
        return self.go_live_date
