"""Imports by date range: on creation or modification date, both ends kept.

The scripting API keeps its signatures and gains keyword arguments:

    instance.import_orders(date_from=..., date_to=..., date_field="created")
    instance.import_refunds(since=..., until=...)
    instance.import_customers(since=..., until=..., date_field="created")

A range with an end, or on creation dates, queues the first step of the
usual resumable batch (``tools/batch.py``) with the range's end and date field
as job arguments, kept by every following step: the paging, logging and
records per job are those of every other import.
"""

from odoo import fields, models
from odoo.exceptions import UserError

from ..client.parsing import parse_datetime
from ..tools.rights import bigcommerce_admin_only

DATE_FIELDS = [("modified", "Modification date"), ("created", "Creation date")]


def _to_string(env, value):
    """A "YYYY-MM-DD HH:MM:SS" (UTC) string from a datetime or a string."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value)
        except ValueError:
            raise UserError(
                env._("%s is not a date (YYYY-MM-DD HH:MM:SS).", value)
            ) from None
        value = moment.replace(tzinfo=None)
    return fields.Datetime.to_string(value)


def _to_datetime(env, value):
    """A datetime for the base methods, which format their dates with
    ``fields.Datetime.to_string`` and so refused the documented strings."""
    return fields.Datetime.to_datetime(_to_string(env, value)) if value else None


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    # ------------------------------------------------------------
    # Scripting API
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def import_orders(
        self,
        order_ids=None,
        date_from=None,
        date_to=None,
        date_field="modified",
        history=None,
    ):
        """See the base method; ``date_field="created"`` filters the range on
        BigCommerce's creation date ("the orders of last week")."""
        if order_ids or date_field == "modified":
            return super().import_orders(
                order_ids=order_ids,
                date_from=_to_datetime(self.env, date_from),
                date_to=_to_datetime(self.env, date_to),
                history=history,
            )
        return self._import_in_range(
            "orders", date_from, date_to, date_field, history=history
        )

    @bigcommerce_admin_only
    def import_refunds(self, refund_ids=None, order_ids=None, since=None, until=None):
        """See the base method; ``until`` is the end of the range (refunds
        are never modified: their range is on their creation date)."""
        if refund_ids or order_ids or not until:
            return super().import_refunds(
                refund_ids=refund_ids,
                order_ids=order_ids,
                since=_to_datetime(self.env, since),
            )
        return self._import_in_range("refunds", since, until, "created")

    @bigcommerce_admin_only
    def import_customers(
        self, customer_ids=None, since=None, until=None, date_field="modified"
    ):
        """See the base method; ``until`` ends the range and
        ``date_field="created"`` filters on the customers' creation date."""
        if customer_ids or (not until and date_field == "modified"):
            return super().import_customers(customer_ids=customer_ids, since=since)
        return self._import_in_range("customers", since, until, date_field)

    def _import_in_range(self, entity, date_from, date_to, date_field, history=None):
        if date_field not in dict(DATE_FIELDS):
            raise UserError(self.env._("Unknown date field %s.", date_field))
        date_from = _to_string(self.env, date_from)
        date_to = _to_string(self.env, date_to)
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            delayed = instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._(
                    "Import %(entity)s of %(store)s (%(field)s %(start)s to %(end)s)",
                    entity=entity,
                    store=instance.name,
                    field=date_field,
                    start=date_from or "…",
                    end=date_to or "…",
                ),
            )
            if entity == "orders":
                delayed._job_import_orders(
                    date_from=date_from,
                    date_to=date_to,
                    date_field=date_field,
                    history=history,
                )
            elif entity == "refunds":
                # Refunds are never modified: their range is on creation.
                delayed._job_import_refunds(since=date_from, until=date_to)
            else:
                delayed._job_import_customers(
                    since=date_from, until=date_to, date_field=date_field
                )
        return True
