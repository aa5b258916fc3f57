"""Orders created before the instance's go-live date (its history).

They are never booked unless a person asked for it: the polls, the webhooks
and an import of everything skip them (``importer.history == "skip"``), an
explicit import keeps them for reference (``"reference"``: the BigCommerce
order with its status and amounts, no sale order, invoice or delivery) or
books them (``"book"``). An older order once booked on purpose keeps its
normal life afterwards (status changes, refunds, Retry), as does one whose
booking was asked for and failed (``book_history`` on its record).
"""


def _created(importer, order):
    return importer._datetime(order.get("date_created"))


def is_history(importer, order):
    """Whether ``order`` is history that this run does not book.

    With ``importer.history == "book"`` the order's record remembers the
    choice (so that its Retry books it too) and the answer is False.
    """
    go_live = importer.instance.go_live_date
    created = _created(importer, order)
    if not go_live or not created or created >= go_live:
        return False
    records = importer.env["bigcommerce.order"]
    record = records.search(
        [
            ("instance_id", "=", importer.instance.id),
            ("bigcommerce_id", "=", int(order["id"])),
        ]
    )
    if record.sale_order_id or record.book_history:
        return False
    if importer.history == "book":
        record = records._claim(importer.instance, int(order["id"]))
        record.book_history = True
        return False
    return True


def import_history(importer, order):
    """Skip an older order, or keep (refresh) it for reference.

    Returns its bigcommerce.order (empty when skipped).
    """
    env = importer.env
    records = env["bigcommerce.order"]
    order_id = int(order["id"])
    record = records.search(
        [("instance_id", "=", importer.instance.id), ("bigcommerce_id", "=", order_id)]
    )
    if not record and importer.history == "skip":
        importer.counts["before_go_live"] += 1
        if importer.recorder:
            importer.recorder.add_counts(skipped=1)
            importer.recorder.note(
                env._(
                    "Order %(id)s was created before the go-live date: not booked.",
                    id=order_id,
                ),
                level="debug",
            )
        return record
    record = records._claim(importer.instance, order_id)
    if record.state == "reference" and importer._not_newer(record, order):
        return record
    try:
        values = importer._status_values(order)
    except Exception:  # noqa: BLE001 - e.g. a currency Odoo lacks: kept anyway
        values = {
            "status_id": order.get("status_id"),
            "status": order.get("status"),
            "date_created": _created(importer, order),
            "date_modified": importer._datetime(order.get("date_modified")),
        }
    values.update(
        state="reference",
        failure_reason=env._(
            "Created before the go-live date (%(date)s): kept for reference, "
            "not booked.",
            date=importer.instance.go_live_date,
        ),
    )
    record.write(values)
    importer.counts["reference"] += 1
    if importer.recorder:
        importer.recorder.add_counts(skipped=1)
    return record
