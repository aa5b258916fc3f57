"""An order edited in BigCommerce after its invoice was posted: the difference,
booked (issue 23).

The control panel's "Edit order" adds or removes lines, changes quantities
and prices, re-quotes shipping; BigCommerce's ``total_inc_tax`` moves and the
posted invoice no longer says what the customer owes. A posted move is never
edited: every BigCommerce line (product, discount, shipping, handling,
wrapping, fee: one key per kind and BigCommerce id) whose booking differs is
credited as it was booked, on one credit note, and invoiced as it is now,
on one invoice ("credit and re-bill"). So each line's booking stays one
invoice line at BigCommerce's own amounts and taxes (manual tax amounts, as
the order import books them), later refunds find it the way they find the
original invoice's lines (``current_invoice_lines``), and the order's posted
invoices minus its edit credit notes equal BigCommerce's new total to the
cent, which is checked before anything is kept: a difference rolls back and
leaves the order in review, never adjusted.

The sale order's lines are made BigCommerce's (quantity, price, taxes),
except that a line is never cut below what was delivered: those units are
reported on the order (a return is a person's decision), not un-delivered.
"""

from collections import defaultdict

from odoo import Command
from odoo.tools import float_compare

from ..client.parsing import parse_money
from . import order_exchange_rate
from .order_dates import accounting_day

# Sale order line fields that the order import sets from BigCommerce.
LINE_FIELDS = (
    "name",
    "product_uom_qty",
    "price_unit",
    "discount",
    "tax_ids",
    "extra_tax_data",
    "bigcommerce_charged",
    "analytic_distribution",
)


class EditNotBooked(Exception):
    """The edit cannot be booked as BigCommerce states it; shown to users."""


def _key(kind, line_id):
    return (kind or False, int(line_id or 0))


def booked_moves(order_record):
    """The order's posted invoice and its edits' posted moves, oldest first."""
    moves = (
        order_record.invoice_id
        | order_record.edit_ids.credit_note_id
        | order_record.edit_ids.invoice_id
    )
    return moves.filtered(lambda move: move.state == "posted").sorted("id")


def booked_total(order_record):
    """What the order's bookings charge: invoices minus edit credit notes."""
    return sum(
        move.amount_total * (-1 if move.move_type == "out_refund" else 1)
        for move in booked_moves(order_record)
    )


def current_invoice_lines(order_record, invoice):
    """The invoice lines that book the order's lines now: the invoice's,
    then each edit's credit note takes a line away and its invoice puts the
    new one in (refunds credit these, importers/refund.py)."""
    if not order_record.edit_ids:
        return invoice.invoice_line_ids
    current = {}
    for move in booked_moves(order_record):
        for line in move.invoice_line_ids:
            if line.display_type != "product":
                continue
            for sale_line in line.sale_line_ids:
                if move.move_type == "out_refund":
                    current.pop(sale_line.id, None)
                else:
                    current[sale_line.id] = line
    lines = invoice.env["account.move.line"]
    for line in current.values():
        lines |= line
    return lines


def _money(env, value):
    return float(parse_money(value))


def _digits(record):
    currency = record.currency_id or record.company_id.currency_id
    return currency.decimal_places


def _booked_lines(order_record):
    """Sale line id -> the invoice line that books it now."""
    return {
        sale_line_id: line
        for line in current_invoice_lines(order_record, order_record.invoice_id)
        for sale_line_id in line.sale_line_ids.ids
    }


def _booked_quantity(sale_line, booked):
    """What is invoiced for the sale line now: a line kept above
    BigCommerce's quantity for units delivered is booked at BigCommerce's."""
    source = booked.get(sale_line.id)
    return source.quantity if source else sale_line.product_uom_qty


def is_edited(importer, record, order):
    """Whether BigCommerce's version of an invoiced order differs from what
    is booked: its totals, or its product lines (embedded in the payload:
    no request)."""
    digits = _digits(record)
    total = _money(importer.env, order.get("total_inc_tax"))
    if float_compare(total, booked_total(record), precision_digits=digits):
        return True
    embedded = {
        int(line["id"]): (
            int(line["quantity"]),
            _money(importer.env, line["total_inc_tax"]),
        )
        for group in importer._consignment_groups(order)
        for line in group.get("line_items") or []
        if isinstance(line, dict) and "id" in line and "total_inc_tax" in line
    }
    if not embedded:
        return False
    invoiced = _booked_lines(record)
    booked = {
        line.bigcommerce_line_id: (
            int(_booked_quantity(line, invoiced)),
            line.bigcommerce_charged,
        )
        for line in record.sale_order_id.order_line
        if line.bigcommerce_line_kind in ("product", "gift_certificate")
        and _booked_quantity(line, invoiced)
    }
    if set(booked) != set(embedded):
        return True
    return any(
        booked[line_id][0] != quantity
        or float_compare(booked[line_id][1], charged, precision_digits=digits)
        for line_id, (quantity, charged) in embedded.items()
    )


def follow_edit(importer, record, order, values):
    """``_refresh``'s hook for an edited, invoiced order: book the change
    (policy "auto", or a person pressed "Apply BigCommerce's change") or
    send the order to review; ``values`` are the record's new values."""
    instance = importer.instance
    env = importer.env
    if instance.order_edit_policy != "auto" and not record.edit_approved:
        values.update(
            state="review",
            failure_reason=env._(
                "Edited in BigCommerce after invoice %(invoice)s was posted: the "
                "total is now %(new)s (booked: %(old)s). “Apply BigCommerce's "
                "change” books the difference.",
                invoice=record.invoice_id.name,
                new=values["total_inc_tax"],
                old=booked_total(record),
            ),
        )
        return
    try:
        with env.cr.savepoint():
            edit, delivered = book_edit(importer, record, order)
    except EditNotBooked as error:
        values.update(state="review", failure_reason=str(error))
        return
    values["edit_approved"] = False
    if delivered:
        values.update(state="review", failure_reason=delivered)
    elif edit or record.state == "review":
        values.update(state="done", failure_reason=False)


def book_edit(importer, record, order):
    """Credit and re-bill the lines the edit changed; returns the
    ``bigcommerce.order.edit`` (or an empty one) and what was delivered
    beyond BigCommerce's new quantities (text, or False)."""
    env = importer.env
    sale_order = record.sale_order_id
    refunds = env["bigcommerce.refund"].search_count(
        [("order_record_id", "=", record.id), ("credit_note_id", "!=", False)]
    )
    if refunds:
        raise EditNotBooked(
            env._(
                "Edited in BigCommerce after invoice %(invoice)s was posted, but "
                "the order has refunds booked already: book the difference by hand "
                "(BigCommerce's total is now %(total)s).",
                invoice=record.invoice_id.name,
                total=_money(env, order.get("total_inc_tax")),
            )
        )
    prepared = importer._prepare_sale_order(record, order)
    new_by_key = defaultdict(list)
    for command in prepared.values["order_line"]:
        values = command[2]
        new_by_key[
            _key(values["bigcommerce_line_kind"], values["bigcommerce_line_id"])
        ].append(values)
    old_by_key = defaultdict(lambda: env["sale.order.line"])
    for line in sale_order.order_line:
        if (
            line.display_type
            or not line.bigcommerce_line_kind
            or not line.product_uom_qty
        ):
            continue
        old_by_key[_key(line.bigcommerce_line_kind, line.bigcommerce_line_id)] |= line
    currency = sale_order.currency_id
    booked_line = _booked_lines(record)
    changed = [
        key
        for key in sorted(set(old_by_key) | set(new_by_key), key=str)
        if _signature_of_lines(old_by_key[key], currency, booked_line)
        != _signature_of_values(new_by_key[key], currency)
    ]
    if not changed:
        raise EditNotBooked(
            env._(
                "BigCommerce's total is %(new)s, the bookings of the order %(old)s, "
                "but its lines are the same: nothing to book; check the order.",
                new=_money(env, order.get("total_inc_tax")),
                old=booked_total(record),
            )
        )
    credit_lines, bill, notes, delivered = [], [], [], []
    unlocked = sale_order.locked
    if unlocked:
        sale_order.action_unlock()
    for key in changed:
        old_lines, new_values = old_by_key[key], new_by_key[key]
        for line in old_lines:
            source = booked_line.get(line.id)
            if source:
                credit_lines.append(_credit_values(source, line))
        for position, values in enumerate(new_values):
            line = old_lines[position] if position < len(old_lines) else None
            if line and line.product_id.id != values["product_id"]:
                _set_quantity(line, 0, delivered)
                line = None
            if line:
                _write_line(line, values, delivered)
            else:
                line = env["sale.order.line"].create(
                    {**values, "order_id": sale_order.id, "sequence": 100}
                )
            bill.append((line, values))
        for line in old_lines[len(new_values) :]:
            _set_quantity(line, 0, delivered)
        notes.append(_describe(env, old_lines, new_values, currency))
    if unlocked:
        sale_order.action_lock()
    moves = env["account.move"]
    credit_note = moves
    if credit_lines:
        credit_note = _create_move(importer, record, order, "out_refund", credit_lines)
    new_invoice = moves
    if bill:
        new_invoice = _create_move(
            importer,
            record,
            order,
            "out_invoice",
            [_bill_values(line, values) for line, values in bill],
        )
    (credit_note | new_invoice).action_post()
    edit = env["bigcommerce.order.edit"].create(
        {
            "order_record_id": record.id,
            "date_modified": importer._datetime(order.get("date_modified")),
            "total_before": booked_total(record),
            "total_after": _money(env, order.get("total_inc_tax")),
            "credit_note_id": credit_note.id,
            "invoice_id": new_invoice.id,
            "summary": "\n".join(notes),
        }
    )
    _check_ties_out(importer, record, order)
    _settle(credit_note, new_invoice)
    delivered_text = "\n".join(delivered) or False
    sale_order.message_post(
        body=env._(
            "Edited in BigCommerce (total %(before)s → %(after)s): %(changes)s. "
            "Booked: %(moves)s.%(delivered)s",
            before=edit.total_before,
            after=edit.total_after,
            changes="; ".join(notes),
            moves=", ".join((credit_note | new_invoice).mapped("name")),
            delivered=f" {delivered_text}" if delivered_text else "",
        )
    )
    return edit, delivered_text


def _signature_of_lines(lines, currency, booked):
    digits = currency.decimal_places
    return sorted(
        (
            line.product_id.id,
            round(_booked_quantity(line, booked), 3),
            round(line.price_unit, 4),
            tuple(sorted(line.tax_ids.ids)),
            round(line.bigcommerce_charged, digits),
        )
        for line in lines
    )


def _signature_of_values(values_list, currency):
    digits = currency.decimal_places
    return sorted(
        (
            values["product_id"],
            round(float(values["product_uom_qty"]), 3),
            round(float(values["price_unit"]), 4),
            tuple(sorted(values["tax_ids"][0][2])),
            round(float(values["bigcommerce_charged"]), digits),
        )
        for values in values_list
    )


def _set_quantity(line, quantity, delivered):
    """``quantity`` on the sale line, never below what was delivered: the
    units BigCommerce removed after they left are reported."""
    kept = max(quantity, line.qty_delivered)
    if kept > quantity:
        delivered.append(
            line.env._(
                "%(units)s unit(s) of %(product)s were delivered but BigCommerce "
                "no longer lists them: the delivery was not changed (make a "
                "return if they come back).",
                units=kept - quantity,
                product=line.product_id.display_name,
            )
        )
    line.product_uom_qty = kept


def _write_line(line, values, delivered):
    fields = {name: values[name] for name in LINE_FIELDS if name in values}
    quantity = fields.pop("product_uom_qty")
    line.write(fields)
    _set_quantity(line, quantity, delivered)


def _credit_values(source, sale_line):
    """The booked invoice line ``source``, given back as it was booked."""
    return {
        "product_id": source.product_id.id,
        "name": source.name,
        "quantity": source.quantity,
        "price_unit": source.price_unit,
        "discount": source.discount,
        "tax_ids": [Command.set(source.tax_ids.ids)],
        "extra_tax_data": source.extra_tax_data,
        "account_id": source.account_id.id,
        "analytic_distribution": source.analytic_distribution,
        "sale_line_ids": [Command.set(sale_line.ids)],
    }


def _bill_values(line, values):
    """The sale line as BigCommerce has it now, invoiced for BigCommerce's
    quantity (the sale line may keep more: units delivered)."""
    result = line._prepare_invoice_line(quantity=values["product_uom_qty"])
    result["price_unit"] = values["price_unit"]
    result["extra_tax_data"] = values.get("extra_tax_data")
    return result


def _create_move(importer, record, order, move_type, lines):
    invoice = record.invoice_id
    date = importer._datetime(order.get("date_modified"))
    values = {
        # The order's rate, whatever Odoo's rate table says (as refunds).
        **order_exchange_rate.reversal_values(invoice),
        "move_type": move_type,
        "partner_id": invoice.partner_id.id,
        "partner_shipping_id": invoice.partner_shipping_id.id,
        "currency_id": invoice.currency_id.id,
        "fiscal_position_id": invoice.fiscal_position_id.id,
        "journal_id": invoice.journal_id.id,
        "invoice_origin": invoice.invoice_origin,
        "invoice_user_id": invoice.invoice_user_id.id,
        # The store's day of the edit (importers/order_dates.py).
        "invoice_date": accounting_day(importer.instance, order.get("date_modified"))
        or invoice.invoice_date,
        "ref": importer.env._(
            "BigCommerce order %(order)s edited on %(date)s",
            order=order["id"],
            date=date or "",
        ),
        "invoice_line_ids": [Command.create(line) for line in lines],
    }
    if move_type == "out_refund":
        values["reversed_entry_id"] = invoice.id
    return (
        importer.env["account.move"]
        .with_company(importer.company)
        .with_context(default_move_type=move_type, tracking_disable=True)
        .create(values)
    )


def _check_ties_out(importer, record, order):
    """The order's bookings equal BigCommerce's total and tax, or nothing of
    the edit is kept (the caller's savepoint rolls back)."""
    env = importer.env
    digits = record.currency_id.decimal_places
    moves = booked_moves(record)
    sign = {move.id: -1 if move.move_type == "out_refund" else 1 for move in moves}
    total = sum(move.amount_total * sign[move.id] for move in moves)
    tax = sum(move.amount_tax * sign[move.id] for move in moves)
    expected_total = _money(env, order.get("total_inc_tax"))
    expected_tax = _money(env, order.get("total_tax"))
    if float_compare(total, expected_total, precision_digits=digits) or float_compare(
        tax, expected_tax, precision_digits=digits
    ):
        raise EditNotBooked(
            env._(
                "Edited in BigCommerce after invoicing, but the difference would not "
                "tie out: the bookings would be %(total)s with tax %(tax)s, "
                "BigCommerce says %(expected_total)s with tax %(expected_tax)s. "
                "Nothing was booked.",
                total=total,
                tax=tax,
                expected_total=expected_total,
                expected_tax=expected_tax,
            )
        )


def _settle(credit_note, invoice):
    """The edit's credit note pays its invoice as far as it goes (the
    customer owes the difference, or is owed it)."""
    if not credit_note or not invoice:
        return
    lines = (credit_note | invoice).line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable"
        and not line.reconciled
    )
    if len(lines) > 1:
        lines.reconcile()


def _describe(env, old_lines, new_values, currency):
    """One change, in words, for the chatter."""

    def amount(value):
        return f"{value:.{currency.decimal_places}f}"

    old_qty = sum(old_lines.mapped("product_uom_qty")) if old_lines else 0
    new_qty = sum(float(values["product_uom_qty"]) for values in new_values)
    name = (new_values[0]["name"] if new_values else old_lines[:1].name) or ""
    old_charged = sum(old_lines.mapped("bigcommerce_charged")) if old_lines else 0
    new_charged = sum(float(values["bigcommerce_charged"]) for values in new_values)
    if not old_lines:
        return env._(
            "added %(qty)s × %(name)s (%(amount)s)",
            qty=new_qty,
            name=name,
            amount=amount(new_charged),
        )
    if not new_values:
        return env._(
            "removed %(qty)s × %(name)s (%(amount)s)",
            qty=old_qty,
            name=name,
            amount=amount(old_charged),
        )
    return env._(
        "%(name)s: %(old_qty)s → %(new_qty)s, %(old)s → %(new)s",
        name=name,
        old_qty=old_qty,
        new_qty=new_qty,
        old=amount(old_charged),
        new=amount(new_charged),
    )
