"""Money BigCommerce shows as refunded without a refund record (issue 23).

Orders refunded through the gateway outside BigCommerce's refund API, or
before it existed, show it only in the order's ``refunded_amount`` (and the
Refunded / Partially Refunded status); ``/payment_actions/refunds`` has
nothing. What no record explains is::

    refunded_amount - the order's refund records' total_amount

Odoo's own knowledge is checked first (its synced refunds and what it
already credited without a record); BigCommerce's list of the order's
refund records is read (one request) only when that leaves money
unexplained, so that a record not imported yet is never taken for missing.

The order is then flagged with the amount and a one-click credit note
(``book``): one order-level line on the refund adjustment product, its tax
in proportion to the order's (BigCommerce's total_tax over total_inc_tax),
split like the invoice's most taxed line, as the merchant-override refunds
are (core/refund_plan.py, ``_apply_bigcommerce_tax``). The instance's policy can
book it at once. A refund record that turns up later for the same money is
matched against it (``cover``): it credits only what was not credited yet.
"""

from decimal import Decimal

from odoo import Command
from odoo.tools import float_compare, float_round

from ..client.parsing import parse_money

PREFIX_REASON = "Refunded in BigCommerce without a refund record"


def _digits(record):
    # JPY has 0 decimal places: never "or 2".
    currency = record.currency_id or record.company_id.currency_id
    return currency.decimal_places


def available_cover(order_record):
    """What was credited without a record and no refund record claimed yet."""
    rows = order_record.env["bigcommerce.unrecorded.refund"].search(
        [("order_record_id", "=", order_record.id), ("credit_note_id", "!=", False)]
    )
    return sum(row.amount - row.covered_amount for row in rows), rows


def follow(importer, record, order):
    """After a version of a booked order was applied: flag (or book, by the
    store's policy) the money refunded without a record."""
    invoice = record.invoice_id
    if not invoice or invoice.state != "posted":
        return
    env = importer.env
    digits = _digits(record)
    refunded = float(parse_money(order.get("refunded_amount")))
    synced = env["bigcommerce.refund"].search(
        [("order_record_id", "=", record.id), ("state", "=", "synced")]
    )
    cover, _rows = available_cover(record)
    # Claimed cover is among the synced records: count each money once.
    known = sum(synced.mapped("total_amount")) + cover
    missing = refunded - known
    if float_compare(missing, 0, precision_digits=digits) <= 0:
        _clear(record)
        return
    recorded = sum(
        float(parse_money(row.get("total_amount")))
        for row in importer.client.iter_order_refunds(order["id"])
    )
    missing = float_round(refunded - recorded - cover, precision_digits=digits)
    if float_compare(missing, 0, precision_digits=digits) <= 0:
        # Records BigCommerce has and Odoo has not booked yet: the refund
        # import books them.
        _clear(record)
        return
    if importer.instance.unrecorded_refund_policy == "book":
        book(importer.instance, record, missing)
        return
    record.write(
        {
            "unrecorded_refund_amount": missing,
            "state": "review",
            "failure_reason": env._(
                "%(prefix)s: %(amount)s. “Book Credit Note” credits it on the "
                "refund adjustment product.",
                prefix=PREFIX_REASON,
                amount=missing,
            ),
        }
    )


def _clear(record):
    values = {}
    if record.unrecorded_refund_amount:
        values["unrecorded_refund_amount"] = 0.0
    if record.state == "review" and (record.failure_reason or "").startswith(
        PREFIX_REASON
    ):
        values.update(state="done", failure_reason=False)
    if values:
        record.write(values)


def book(instance, record, amount):
    """A posted credit note of ``amount`` for money refunded without a record."""
    env = instance.env
    credit_note = _credit_note(
        instance,
        record,
        amount,
        env._(
            "BigCommerce order %(order)s: %(prefix)s",
            order=record.bigcommerce_id,
            prefix=PREFIX_REASON.lower(),
        ),
    )
    env["bigcommerce.unrecorded.refund"].create(
        {
            "order_record_id": record.id,
            "amount": credit_note.amount_total,
            "tax": credit_note.amount_tax,
            "credit_note_id": credit_note.id,
        }
    )
    values = {"unrecorded_refund_amount": 0.0}
    if record.state == "review" and (record.failure_reason or "").startswith(
        PREFIX_REASON
    ):
        values.update(state="done", failure_reason=False)
    record.write(values)
    record.sale_order_id.message_post(
        body=env._(
            "%(prefix)s: %(amount)s, credited by %(credit_note)s.",
            prefix=PREFIX_REASON,
            amount=credit_note.amount_total,
            credit_note=credit_note.name,
        )
    )
    return credit_note


def _credit_note(instance, record, amount, ref):
    """A posted order-level credit note of ``amount`` on the order's invoice,
    its tax in proportion to the order's; checked to the cent."""
    from .refund import RefundImporter, RefundImportError  # noqa: PLC0415

    env = instance.env
    # One booking at a time per order (as refunds do, importers/refund.py).
    env.cr.execute(
        "UPDATE bigcommerce_order SET write_date = write_date WHERE id = %s",
        [record.id],
    )
    digits = _digits(record)
    importer = RefundImporter(instance, None)
    invoice = record.invoice_id
    quantum = Decimal(1).scaleb(-digits)
    total = Decimal(str(amount)).quantize(quantum)
    tax = Decimal(0)
    if record.total_inc_tax:
        tax = (
            total * Decimal(str(record.total_tax)) / Decimal(str(record.total_inc_tax))
        ).quantize(quantum)
    refund = {
        "id": 0,
        "order_id": record.bigcommerce_id,
        "total_amount": str(total),
        "total_tax": str(tax),
        "uses_merchant_override_values": True,
        "items": [],
    }
    importer._quantum = quantum
    with env.cr.savepoint():
        credit_note = importer._create_credit_note(
            invoice, refund, env["bigcommerce.refund"]
        )
        credit_note.ref = ref
        importer._use_refund_tax_account(credit_note)
        problem = importer._mismatch(credit_note, total, tax, invoice.currency_id)
        if problem:
            raise RefundImportError(problem)
        credit_note.line_ids.sale_line_ids = [Command.clear()]
        credit_note.action_post()
    return credit_note


def cover(importer, order_record, record, refund):
    """A refund record for money already credited without a record: the
    credit note that covers it (nothing new), a credit note for the part not
    covered yet, or None (no cover: the refund is booked as usual)."""
    available, rows = available_cover(order_record)
    digits = _digits(order_record)
    if float_compare(available, 0, precision_digits=digits) <= 0:
        return None
    # New money makes refunded_amount grow with its record; a record made
    # late for money refunded without one does not: only what BigCommerce
    # still shows without a record stays credited without one.
    client = importer.client
    order = client.get_order(order_record.bigcommerce_id)
    recorded = sum(
        float(parse_money(row.get("total_amount")))
        for row in client.iter_order_refunds(order_record.bigcommerce_id)
    )
    unrecorded = float(parse_money(order.get("refunded_amount"))) - recorded
    claimable = float_round(available - max(unrecorded, 0.0), precision_digits=digits)
    if float_compare(claimable, 0, precision_digits=digits) <= 0:
        return None
    total = float(parse_money(refund.get("total_amount")))
    claimed = min(total, claimable)
    available = claimable
    for row in rows:
        left = row.amount - row.covered_amount
        if float_compare(left, 0, precision_digits=digits) <= 0:
            continue
        take = min(left, claimed)
        row.covered_amount += take
        claimed -= take
        if float_compare(claimed, 0, precision_digits=digits) <= 0:
            break
    covering = rows.filtered(lambda row: row.covered_amount)[-1:]
    record.unrecorded_refund_id = covering
    rest = float_round(total - min(total, available), precision_digits=digits)
    if float_compare(rest, 0, precision_digits=digits) <= 0:
        return covering.credit_note_id
    # The part not covered yet, order-level, its tax in proportion.
    return _credit_note(
        importer.instance,
        order_record,
        rest,
        importer.env._(
            "BigCommerce refund %(refund)s of order %(order)s (part not credited "
            "before without a record)",
            refund=record.bigcommerce_id,
            order=order_record.bigcommerce_id,
        ),
    )


def credited(order_record):
    """The credit notes booked for money refunded without a record."""
    return available_cover(order_record)[1].credit_note_id
