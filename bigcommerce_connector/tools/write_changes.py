"""Write a record only where a value differs.

Importers compare before they write: an unchanged BigCommerce record then
writes nothing (no write date moved, no mail thread entry, no recompute), and
the run counts it "skipped" or "unchanged".
"""


def write_changes(record, values):
    """Write the ``values`` that differ from ``record``; return whether any did.

    A relational value is compared by id; empty equals empty (``False``,
    ``None``, ``""``, ``[]``: a Json field reads ``[]`` back as None).
    """
    changes = {}
    for name, value in values.items():
        current = record[name]
        if hasattr(current, "_name"):
            current = current.id
        if (current or False) != (value or False):
            changes[name] = value
    if changes:
        record.write(changes)
    return bool(changes)
