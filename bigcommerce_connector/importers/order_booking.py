"""A new order's sale order, invoice and payments, in batches.

``_prepare_sale_order`` reads what the order needs (its plan, partners,
pricelist, products and taxes) before anything of it is created;
``_create_prepared`` then creates, confirms, invoices and posts a batch of
orders at once and registers the plan's payments. The invoice is checked
against ``total_inc_tax`` and ``total_tax`` (and the plan against them): a
mismatch leaves it in draft and the order in "Needs Review", never adjusted.
"""

from collections import namedtuple

from odoo import Command
from odoo.tools import float_compare

from ..client.parsing import parse_money
from ..core.money import quantum
from . import (
    order_exchange_rate,
    order_payments,
    order_shipping_method,
    order_tax_country,
    order_warehouse,
)
from .order_channel import apply_channel
from .order_dates import accounting_day
from .order_lines import OrderImportError
from .order_pricelist import resolve_pricelist
from .order_tax_class import TaxClassRule

# A new order ready to be created: its record, payload, sale order values,
# payment mapping, currency, shipments (read beforehand, or None), the
# remarks to post on it and its booking plan.
PreparedOrder = namedtuple(
    "PreparedOrder", "record order values mapping currency shipments remarks plan"
)


class OrderBooking:
    """Mixin of OrderImporter: sale orders, invoices and payments."""

    def _create_sale_order(self, record, order):
        """One order's sale order, invoice and payments (see ``order_batch``
        for a page of new orders at once)."""
        return self._create_prepared([self._prepare_sale_order(record, order)])[0]

    def _prepare_sale_order(self, record, order):
        """Everything a new order needs from BigCommerce and Odoo's
        reference data (products, taxes, partners), before anything of the
        order itself is created: the sale order's values."""
        instance = self.instance
        currency = self._currency(order)
        self._quantum = quantum(currency.decimal_places)
        mapping = self._payment_mapping(order)
        inclusive = bool(order.get("is_tax_inclusive_pricing"))
        products = self._order_products(order)
        addresses = self._shipping_addresses(order)
        self._jurisdiction = order_tax_country.jurisdiction(order, addresses)
        plan = self._order_plan(order, products, addresses, currency)
        partner, invoice_partner, shipping_partner = self._partners(order)
        lines = self._plan_line_values(
            plan,
            {int(line["id"]): line for line in products},
            addresses,
            inclusive,
            currency,
        )
        if instance.analytic_distribution:
            for values in lines:
                values["analytic_distribution"] = instance.analytic_distribution
        self._tax_classes = TaxClassRule(self, products)
        fiscal_position = self._apply_tax_mode(
            lines, partner, shipping_partner, currency
        )
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "company_id": self.company.id,
            "date_order": self._datetime(order["date_created"]),
            "client_order_ref": str(order["id"]),
            "origin": self.env._("BigCommerce order %s", order["id"]),
            "bigcommerce_order_record_id": record.id,
            "order_line": [Command.create(values) for values in lines],
        }
        order_shipping_method.set_carrier(self, values, addresses)
        remarks = []  # the pricelist levels passed over, posted on the order
        pricelist = self._pricelist(currency, mapping, partner, remarks, order)
        if pricelist:
            values["pricelist_id"] = pricelist.id
        if instance.use_bigcommerce_order_number:
            values["name"] = f"{instance.order_prefix or ''}{order['id']}"
        if instance.warehouse_id:
            values["warehouse_id"] = instance.warehouse_id.id
        # The store's Salesperson, never the user who runs the job: without
        # one the order has none (an online order), and no team unless the
        # Sales Team is set (a salesperson alone: his team, as Odoo picks it).
        values["user_id"] = instance.user_id.id
        if instance.team_id or not instance.user_id:
            values["team_id"] = instance.team_id.id
        if instance.payment_term_id:
            values["payment_term_id"] = instance.payment_term_id.id
        # The channel's team, analytic account and prefix (order_channel.py).
        apply_channel(instance, order, values)
        if instance.tax_mode != "odoo":
            # BigCommerce already chose the taxes: only the fiscal position
            # applied by _fiscal_position (mode "then the fiscal position").
            # (or, registered for VAT in the order's country, its position).
            values["fiscal_position_id"] = (
                fiscal_position
                or order_tax_country.foreign_vat_position(self, self._jurisdiction)
            ).id
        # Read now, so that creating the orders needs no request.
        shipments = None
        if self._fulfilment_values(order)["items_shipped"]:
            shipments = list(self.client.iter_order_shipments(order["id"]))
        return PreparedOrder(
            record, order, values, mapping, currency, shipments, remarks, plan
        )

    def _create_prepared(self, batch):
        """Create, confirm, invoice and post prepared orders, as one batch:
        one ``create`` of the sale orders, one ``action_confirm``, one
        ``create`` of the invoices and one ``action_post`` (Odoo's batch
        work is about twice as fast as one order at a time). Returns the
        sale orders."""
        sale_orders = (
            self.env["sale.order"]
            .with_company(self.company)
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create([prepared.values for prepared in batch])
        )
        pairs = list(zip(batch, sale_orders, strict=True))
        for prepared, sale_order in pairs:
            for remark in prepared.remarks:
                sale_order.message_post(body=remark)
        sale_orders.browse(
            [order.id for prepared, order in pairs if prepared.mapping.confirm_order]
        ).action_confirm()
        # "Create Single Invoice?" off: one invoice per delivery instead
        # (importers/order_invoice.py, when a picking is validated).
        single = self.instance.create_single_invoice
        invoiced = [pair for pair in pairs if single and pair[0].mapping.create_invoice]
        invoices = self._create_invoices(
            [(sale_order, prepared.order) for prepared, sale_order in invoiced]
        )
        invoice_of = {
            sale_order.id: invoice
            for (_prepared, sale_order), invoice in zip(invoiced, invoices, strict=True)
        }
        moves = self.env["account.move"]
        to_post, outcomes = moves, []
        for prepared, sale_order in pairs:
            invoice = invoice_of.get(sale_order.id, moves)
            problem = order_exchange_rate.book_rate(
                self,
                prepared.record,
                prepared.order,
                prepared.currency,
                accounting_day(self.instance, prepared.order["date_created"]),
            ) or self._mismatch(
                invoice if sale_order.id in invoice_of else sale_order,
                prepared.order,
                prepared.currency,
                prepared.plan,
            )
            if not problem and prepared.mapping.post_invoice:
                to_post |= invoice
            outcomes.append((prepared, sale_order, invoice, problem))
        to_post.action_post()
        for prepared, sale_order, invoice, problem in outcomes:
            record, order, mapping = prepared.record, prepared.order, prepared.mapping
            if not problem and invoice in to_post and mapping.register_payment:
                self._register_payments(invoice, order, mapping, prepared.plan)
            record.write(
                {
                    **self._status_values(order),
                    "sale_order_id": sale_order.id,
                    "invoice_id": invoice.id,
                    "payment_mapping_id": mapping.id,
                    "failure_reason": problem or False,
                    "attempt_count": record.attempt_count + 1,
                    "state": "review" if problem else "done",
                }
            )
            self._sync_shipments(record, order, prepared.shipments)
            order_warehouse.follow_status(self, record, order)
        # Counted once all went through: a batch rolled back counts nothing.
        for _prepared, _sale_order, _invoice, problem in outcomes:
            self._count("review" if problem else "created")
        return sale_orders

    def _payment_mapping(self, order):
        key = (order.get("payment_method") or "", order.get("payment_status") or "")
        # A savepoint rolled back empties this cache (_forget_rolled_back).
        if key not in self._mappings:
            self._mappings[key] = self.env["bigcommerce.payment.mapping"]._for_order(
                self.instance, *key
            )
        return self._mappings[key]

    def _register_payments(self, invoice, order, mapping, plan):
        """The plan's payments: gift certificates, store credit and the rest,
        each on its journal.

        They are payments, not discounts: the invoice keeps BigCommerce's
        total and these settle it. A missing journal fails the order (nothing
        is kept) with the setting to fill in.
        """
        instance = self.instance
        means = {
            "gift_certificate": (
                instance.gift_certificate_journal_id,
                self.env._("gift certificate"),
                None,
            ),
            "store_credit": (
                instance.store_credit_journal_id,
                self.env._("store credit"),
                None,
            ),
            # The gateway's part: its mapping (clearing account, transactions).
            "gateway": (mapping.journal_id, order.get("payment_method") or "", mapping),
        }
        for payment in plan.payments:
            amount = payment.amount
            journal, label, gateway_mapping = means[payment.kind]
            if not journal:
                raise OrderImportError(
                    self.env._(
                        "Set the %(label)s journal on the store %(store)s to "
                        "register this payment, then retry.",
                        label=label,
                        store=instance.name,
                    )
                )
            gateway, transaction_ids = (
                order_payments.read_gateway_payment(self, order)
                if gateway_mapping
                else ("", [])
            )
            payments = (
                self.env["account.payment.register"]
                .with_company(invoice.company_id)
                .with_context(
                    active_model="account.move",
                    active_ids=invoice.ids,
                    **order_exchange_rate.payment_context(invoice),
                    **order_payments.clearing_context(gateway_mapping),
                )
                .create(
                    {
                        "amount": float(amount),
                        "journal_id": journal.id,
                        "payment_date": invoice.invoice_date,
                        "communication": order_payments.payment_memo(
                            invoice.name, order["id"], label, transaction_ids
                        ),
                    }
                )
                ._create_payments()
            )
            order_payments.tag(payments, order["id"], gateway, transaction_ids)

    def _sync_shipments(self, record, order, rows=None):
        """BigCommerce's shipments of the order (carrier, tracking, items).

        Read only when the order shipped something, or had shipments before
        (a shipment deleted in BigCommerce goes away here too); ``rows``:
        already read.
        """
        if not record.items_shipped and not record.shipment_ids:
            return
        shipments = self.env["bigcommerce.shipment"]
        if rows is None:
            rows = list(self.client.iter_order_shipments(order["id"]))
        known = {shipment.bigcommerce_id: shipment for shipment in record.shipment_ids}
        skus = {
            line.bigcommerce_line_id: line.product_id.default_code or line.name
            for line in record.sale_order_id.order_line
            if line.bigcommerce_line_kind == "product"
        }
        to_create = []
        for row in rows:
            items = row.get("items") or []
            values = {
                "date_created": self._datetime(row.get("date_created")),
                "shipping_provider": row.get("shipping_provider_display_name")
                or row.get("shipping_provider")
                or row.get("tracking_carrier"),
                "shipping_method": row.get("shipping_method"),
                "tracking_number": row.get("tracking_number"),
                "tracking_url": row.get("tracking_link")
                or row.get("generated_tracking_link"),
                "item_count": sum(int(item.get("quantity") or 0) for item in items),
                "items_description": "\n".join(
                    f"{item.get('quantity')} × {skus.get(line_id, line_id)}"
                    for item in items
                    for line_id in [item.get("order_product_id")]
                ),
            }
            shipment = known.pop(int(row["id"]), None)
            if shipment:
                shipment.write(values)
            else:
                to_create.append(
                    {
                        **values,
                        "instance_id": self.instance.id,
                        "order_record_id": record.id,
                        "bigcommerce_id": int(row["id"]),
                    }
                )
        if to_create:
            shipments.create(to_create)
        for shipment in known.values():
            shipment.unlink()

    def _create_invoice(self, sale_order, order):
        """The invoice of every ordered quantity: BigCommerce charged it all."""
        return self._create_invoices([(sale_order, order)])

    def _create_invoices(self, pairs):
        """The invoices of [(sale order, BigCommerce order)], in one create."""
        values = []
        for sale_order, order in pairs:
            invoice_values = sale_order._prepare_invoice()
            invoice_values["invoice_date"] = accounting_day(
                self.instance, order["date_created"]
            )
            invoice_values.update(
                order_exchange_rate.invoice_values(
                    self, order, sale_order.currency_id, invoice_values["invoice_date"]
                )
            )
            invoice_values["invoice_line_ids"] = [
                Command.create(
                    line._prepare_invoice_line(quantity=line.product_uom_qty)
                )
                for line in sale_order.order_line
                if not line.display_type
            ]
            values.append(invoice_values)
        return (
            self.env["account.move"]
            .with_company(self.company)
            .with_context(default_move_type="out_invoice", tracking_disable=True)
            .create(values)
        )

    def _mismatch(self, document, order, currency, plan=None):
        """Why ``document`` (invoice, or sale order when not invoiced) does
        not equal BigCommerce's order, or why its plan cannot (False)."""
        expected_total = float(parse_money(order["total_inc_tax"]))
        expected_tax = float(parse_money(order["total_tax"]))
        digits = currency.decimal_places
        kind = (
            self.env._("invoice")
            if document._name == "account.move"
            else self.env._("sale order")
        )
        if float_compare(
            document.amount_total, expected_total, precision_digits=digits
        ):
            return self.env._(
                "The %(kind)s total %(odoo)s differs from BigCommerce's total "
                "%(bigcommerce)s.",
                kind=kind,
                odoo=document.amount_total,
                bigcommerce=expected_total,
            )
        if float_compare(document.amount_tax, expected_tax, precision_digits=digits):
            return self.env._(
                "The %(kind)s tax %(odoo)s differs from BigCommerce's tax "
                "%(bigcommerce)s.",
                kind=kind,
                odoo=document.amount_tax,
                bigcommerce=expected_tax,
            )
        if plan and plan.review:
            return self.env._(
                "BigCommerce's order cannot be booked as it is: %s.", plan.review
            )
        return False

    def _partners(self, order):
        instance = self.instance
        billing = order.get("billing_address") or {}
        if order.get("customer_id"):
            partner = instance._bigcommerce_order_customer_partner(
                order["customer_id"], billing, self.client
            )
        else:
            partner = instance._bigcommerce_guest_partner(billing)
        order_tax_country.take_vat_number(partner, billing)
        invoice_partner = instance._bigcommerce_address_partner(
            partner, billing, "invoice"
        )
        addresses = self._shipping_addresses(order)
        shipping_partner = (
            instance._bigcommerce_address_partner(partner, addresses[0], "delivery")
            if addresses
            else invoice_partner
        )
        return partner, invoice_partner, shipping_partner

    def _currency(self, order):
        # default_currency_code is the transactional currency: what was paid.
        code = order.get("default_currency_code") or order.get("currency_code")
        if code not in self._currencies:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
            if not currency:
                raise OrderImportError(
                    self.env._("The currency %s does not exist in Odoo.", code)
                )
            if not currency.active:
                currency.sudo().active = True
            self._currencies[code] = currency
        return self._currencies[code]

    def _pricelist(self, currency, mapping, partner, remarks=None, order=None):
        """See importers/order_pricelist.py (five levels, then a fallback);
        why a level was passed over is appended to ``remarks`` (noted on the
        sale order)."""
        return resolve_pricelist(
            self.instance,
            currency,
            mapping,
            partner,
            [] if remarks is None else remarks,
            order=order,
        )
