"""Exactly once for catalog bindings: insert the missing rows, lock them all.

``tools/claim.py`` claims one order-like row (with ``state`` and
``attempt_count``); the catalog binds pages of records at once, whose
tables have neither. Same discipline: ``INSERT ... ON CONFLICT DO NOTHING``
waits for a concurrent transaction inserting the same id, and the rows are
then locked (in id order, so two jobs never deadlock on them): a concurrent
import of the same records waits, then fails to serialise and is retried by
queue_job, seeing what the first one made.
"""

from odoo import fields
from odoo.tools import SQL


def insert_missing_bindings(model, instance, bigcommerce_ids, extra=None):
    """The locked bindings of ``bigcommerce_ids`` and the set of ids inserted now.

    :param extra: column -> value of the inserted rows (required columns)
    """
    ids = sorted({int(i) for i in bigcommerce_ids})
    if not ids:
        return model.browse(), set()
    env = model.env
    env.flush_all()
    table = SQL.identifier(model._table)
    extra = dict(extra or {})
    columns = ["instance_id", "company_id", "bigcommerce_id", "active", *extra]
    columns += ["create_uid", "create_date", "write_uid", "write_date"]
    now = fields.Datetime.now()
    rows = [
        SQL(
            "(%s)",
            SQL(", ").join(
                [
                    SQL("%s", value)
                    for value in (
                        instance.id,
                        instance.company_id.id,
                        bigcommerce_id,
                        True,
                        *extra.values(),
                        env.uid,
                        now,
                        env.uid,
                        now,
                    )
                ]
            ),
        )
        for bigcommerce_id in ids
    ]
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) VALUES %s "
            "ON CONFLICT (instance_id, bigcommerce_id) DO NOTHING "
            "RETURNING bigcommerce_id",
            table,
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(rows),
        ),
        # A concurrent import of the same records is expected: queue_job
        # retries the job, it is not a bad query.
        log_exceptions=False,
    )
    inserted = {row[0] for row in env.cr.fetchall()}
    env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE instance_id = %s AND bigcommerce_id = ANY(%s) "
            "ORDER BY id FOR UPDATE",
            table,
            instance.id,
            ids,
        )
    )
    records = model.browse([row[0] for row in env.cr.fetchall()])
    records.invalidate_recordset()
    return records, inserted
