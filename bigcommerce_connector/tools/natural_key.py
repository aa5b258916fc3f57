"""Exactly once for records found by a natural key, not a BigCommerce id.

``find_or_create(model, company, kind, key, find, values)`` returns the
record ``find()`` finds, else creates it with ``values()`` — once, whatever
number of jobs try at the same time. The unique row of
``bigcommerce.natural.key`` (company, kind, key) decides who creates:

- ``INSERT ... ON CONFLICT DO NOTHING`` inserts the key, or waits for the
  transaction inserting it;
- under Odoo's REPEATABLE READ, a key committed by another transaction after
  this one's snapshot makes PostgreSQL raise a serialization failure:
  queue_job runs the job again, and its fresh snapshot finds the record;
- a key visible to this snapshot names the record (``res_id``): it is reused
  even if ``find()`` no longer finds it (renamed, archived).

An advisory lock alone would not do: the job that waited would search with
its old snapshot and create a second record.
"""

from odoo import fields
from odoo.tools import SQL


def find_or_create(model, company, kind, key, find, values):
    record = find()
    if record:
        return record
    env = model.env
    env.flush_all()
    now = fields.Datetime.now()
    env.cr.execute(
        SQL(
            """
            INSERT INTO bigcommerce_natural_key
                (company_id, kind, key, create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (company_id, kind, key) DO NOTHING
            RETURNING id
            """,
            company.id,
            kind,
            key,
            env.uid,
            now,
            env.uid,
            now,
        )
    )
    row = env.cr.fetchone()
    if not row:
        env.cr.execute(
            SQL(
                "SELECT res_id FROM bigcommerce_natural_key "
                "WHERE company_id = %s AND kind = %s AND key = %s",
                company.id,
                kind,
                key,
            )
        )
        known = model.browse(env.cr.fetchone()[0] or []).exists()
        if known:
            return known
        # The record it named was deleted: make it again under the same key.
    record = model.create(values())
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE bigcommerce_natural_key SET res_id = %s "
            "WHERE company_id = %s AND kind = %s AND key = %s",
            record.id,
            company.id,
            kind,
            key,
        )
    )
    return record
