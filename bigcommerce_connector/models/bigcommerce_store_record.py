from odoo import fields, models


class BigcommerceStoreRecord(models.AbstractModel):
    """A store setting read from BigCommerce at Confirm, bound to its id."""

    _name = "bigcommerce.store.record"
    _description = "BigCommerce store setting"
    _order = "instance_id, sequence, bigcommerce_id"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True)
    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce record is already known for this instance.",
    )

    def _upsert_from_bigcommerce(self, instance, rows):
        """Create or update one record per row; return (created, updated)."""
        existing = {
            rec.bigcommerce_id: rec
            for rec in self.with_context(active_test=False).search(
                [("instance_id", "=", instance.id)]
            )
        }
        created = updated = 0
        to_create = []
        for row in rows:
            values = self._values_from_bigcommerce(row)
            record = existing.get(values["bigcommerce_id"])
            if record:
                record.write(values)
                updated += 1
            else:
                to_create.append(
                    {**self._values_for_new(values), "instance_id": instance.id}
                )
        if to_create:
            self.create(to_create)
            created = len(to_create)
        return created, updated

    def _values_from_bigcommerce(self, row):
        raise NotImplementedError

    def _values_for_new(self, values):
        """Values of a record seen for the first time; settings an admin may
        change afterwards go here, so that a refresh never resets them."""
        return values
