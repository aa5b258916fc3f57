"""Imports by date range: on creation or modification date, both ends kept.

The scripting API keeps its signatures and gains keyword arguments:

    instance.import_orders(date_from=..., date_to=..., date_field="created")
    instance.import_refunds(since=..., until=...)
    instance.import_customers(since=..., until=..., date_field="created")

A range with an end, or on creation dates, runs as the job
``_job_import_in_range``, which runs the usual batch job with the range in
its context; the importers' filters read it there (``_range``), so the paging,
logging and per-record jobs are those of every other import.
"""

from odoo import fields, models
from odoo.exceptions import UserError

from ..client.parsing import format_iso8601, format_rfc2822, parse_datetime

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

    def import_orders(
        self, order_ids=None, date_from=None, date_to=None, date_field="modified"
    ):
        """See the base method; ``date_field="created"`` filters the range on
        BigCommerce's creation date ("the orders of last week")."""
        if order_ids or date_field == "modified":
            return super().import_orders(
                order_ids=order_ids,
                date_from=_to_datetime(self.env, date_from),
                date_to=_to_datetime(self.env, date_to),
            )
        return self._import_in_range("orders", date_from, date_to, date_field)

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

    def import_customers(
        self, customer_ids=None, since=None, until=None, date_field="modified"
    ):
        """See the base method; ``until`` ends the range and
        ``date_field="created"`` filters on the customers' creation date."""
        if customer_ids or (not until and date_field == "modified"):
            return super().import_customers(customer_ids=customer_ids, since=since)
        return self._import_in_range("customers", since, until, date_field)

    def _import_in_range(self, entity, date_from, date_to, date_field):
        if date_field not in dict(DATE_FIELDS):
            raise UserError(self.env._("Unknown date field %s.", date_field))
        date_from = _to_string(self.env, date_from)
        date_to = _to_string(self.env, date_to)
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_delay(
                channel="root.bigcommerce",
                description=self.env._(
                    "Import %(entity)s of %(store)s (%(field)s %(start)s to %(end)s)",
                    entity=entity,
                    store=instance.name,
                    field=date_field,
                    start=date_from or "…",
                    end=date_to or "…",
                ),
            )._job_import_in_range(entity, date_from, date_to, date_field)
        return True

    # ------------------------------------------------------------
    # Job
    # ------------------------------------------------------------

    def _job_import_in_range(self, entity, date_from, date_to, date_field):
        """Queue job: the batch import of ``entity`` over a date range."""
        self.ensure_one()
        ranged = self.with_context(
            bigcommerce_range={"from": date_from, "to": date_to, "field": date_field}
        )
        if entity == "orders":
            return ranged._job_import_orders(date_from=date_from, date_to=date_to)
        if entity == "refunds":
            return ranged._job_import_refunds(since=date_from)
        return ranged._job_import_customers(since=date_from)

    def _range(self):
        return self.env.context.get("bigcommerce_range")

    # ------------------------------------------------------------
    # The filters of each entity
    # ------------------------------------------------------------

    def _iter_bigcommerce_orders(self, client, order_ids, date_from, date_to):
        wanted = self._range()
        if order_ids or not wanted or wanted["field"] != "created":
            yield from super()._iter_bigcommerce_orders(
                client, order_ids, date_from, date_to
            )
            return
        filters = {"sort": "date_created:asc"}
        for key, value in (
            ("min_date_created", wanted["from"]),
            ("max_date_created", wanted["to"]),
        ):
            if value:
                filters[key] = format_rfc2822(fields.Datetime.to_datetime(value))
        yield from client.iter_orders(**filters)

    def _iter_bigcommerce_refunds(self, client, refund_ids, order_ids, since):
        wanted = self._range()
        if refund_ids or order_ids or not wanted or not wanted["to"]:
            yield from super()._iter_bigcommerce_refunds(
                client, refund_ids, order_ids, since
            )
            return
        filters = {
            "created:max": format_iso8601(fields.Datetime.to_datetime(wanted["to"]))
        }
        if wanted["from"]:
            filters["created:min"] = format_iso8601(
                fields.Datetime.to_datetime(wanted["from"])
            )
        yield from client.iter_refunds(**filters)

    def _customer_filters(self, customer_ids=None, since=None):
        chains = super()._customer_filters(customer_ids=customer_ids, since=since)
        wanted = self._range()
        if customer_ids or not wanted:
            return chains
        prefix = "date_created" if wanted["field"] == "created" else "date_modified"
        filters = {"sort": f"{prefix}:asc"}
        for bound, value in (("min", wanted["from"]), ("max", wanted["to"])):
            if value:
                filters[f"{prefix}:{bound}"] = format_iso8601(
                    fields.Datetime.to_datetime(value)
                )
        return [
            {
                **{k: v for k, v in chain.items() if not k.startswith("date_modified")},
                **filters,
            }
            for chain in chains
        ]
