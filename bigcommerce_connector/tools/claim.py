"""Exactly once: the one row of a BigCommerce record, locked for the job."""

from odoo import fields
from odoo.tools import SQL


def claim(model, instance, bigcommerce_id):
    """The record of ``model`` bound to ``bigcommerce_id``, locked.

    The table has UNIQUE(instance_id, bigcommerce_id) and ``state`` /
    ``attempt_count`` columns. INSERT ... ON CONFLICT DO NOTHING waits for a
    concurrent transaction inserting the same record; the row lock then
    serialises the jobs, so concurrent or replayed imports of one BigCommerce
    record wait for each other instead of duplicating it.
    """
    env = model.env
    env.flush_all()
    table = SQL.identifier(model._table)
    env.cr.execute(
        SQL(
            """
            INSERT INTO %(table)s
                (instance_id, company_id, bigcommerce_id, state, attempt_count,
                 create_uid, create_date, write_uid, write_date)
            VALUES (%(instance)s, %(company)s, %(record)s, 'pending', 0,
                    %(uid)s, %(now)s, %(uid)s, %(now)s)
            ON CONFLICT (instance_id, bigcommerce_id) DO NOTHING
            """,
            table=table,
            instance=instance.id,
            company=instance.company_id.id,
            record=bigcommerce_id,
            uid=env.uid,
            now=fields.Datetime.now(),
        )
    )
    env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE instance_id = %s AND bigcommerce_id = %s "
            "FOR UPDATE",
            table,
            instance.id,
            bigcommerce_id,
        )
    )
    record = model.browse(env.cr.fetchone()[0])
    record.invalidate_recordset()
    return record
