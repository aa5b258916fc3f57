"""BigCommerce price lists -> Odoo pricelists (issue 26 item 2).

Each price list (``GET /v3/pricelists``, price_lists.v3.yml) is bound per
currency of its records in ``bigcommerce.price.list``: one Odoo pricelist in
that currency (always one in the store's currency), holding one fixed-price
item per variant at minimum quantity 0 and one per bulk pricing tier at its
``quantity_min`` (``core/price_list_plan.py``), priced in the currency's
decimals, then rounded half up to the "Product Price" precision when it is
lower (a KWD price has 3 decimals, an item keeps 2 unless the precision is
raised).

Incremental: the records are read with ``date_modified:min`` = the store's
time (``GET /v2/time``) when they were last read, so an unchanged list costs
one request answered empty, and a changed record is read alone. A variant's
items are found by (pricelist, variant) and rewritten only when they differ
from the plan: the other variants' items are not touched. A full read (the
first one, or ``full=True``) also removes the items of records deleted in
BigCommerce (an incremental read cannot see a deletion). Records are
applied page by page; a job stopped by the quota after applying some keeps
them and queues the rest from the page it did not read
(:class:`PriceListsPaused`), with the same read time.

A record whose variant is not imported in Odoo yet waits in
``bigcommerce.price.list.record`` (``pending``, with the reason); the next
product import applies it (no request), as the Retry button does. A record
Odoo cannot price is ``failed`` there, with the reason.

Assignments (``GET /v3/pricelists/assignments``): which price wins is the
spec's "Order of operations" (price_lists.v3.yml, info.description): a price
list assigned to the shopper's customer group, else the group's discounts,
else the channel's price list, else the catalog price; and "You cannot
assign Price Lists to a customer group with customer group discounts". So:

- a group assigned a price list (an assignment, or a ``price_list`` discount
  rule of the group, customers.v2.yml) prices its customers from the list's
  pricelist in the store's currency, instead of its discount rules'
  (``bigcommerce.customer.group.customer_pricelist_id``); a variant without
  a record falls back to the catalog price, as in BigCommerce, so the
  pricelists are not chained. A group assigned lists on several channels
  takes the one without channel, else the lowest channel id (channel 1 is
  the default storefront);
- a channel assigned a price list (no group) gets its pricelist as the
  channel mapping's, unless the admin chose another pricelist there; the
  order import then ranks it after the group's (``order_pricelist.py``).
"""

from odoo import fields
from odoo.tools import float_round

from ..client import NotFoundError, RetryableError, parse_datetime
from ..core.money import money
from ..core.price_list_plan import by_currency, plan_records, quantum
from ..tools.keyed_create import create_keyed
from ..tools.write_changes import write_changes as _write_changes
from .customer_group import CustomerGroupImporter

VARIANT = "0_product_variant"
# Records per request (the collection's page size).
RECORD_PAGE = 250


class PriceListsPaused(Exception):
    """An import stopped by the quota after applying records: the job keeps
    them and queues the rest (``remaining`` price list ids, the first one
    from ``resume``'s page; empty: only the assignments are left)."""

    def __init__(self, remaining, resume, error):
        super().__init__(str(error))
        self.remaining = remaining
        self.resume = resume
        self.error = error


class PriceListImporter:
    def __init__(self, instance, client, recorder=None):
        instance = instance.with_company(instance.company_id)
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.lists = self.env["bigcommerce.price.list"]
        self.waiting = self.env["bigcommerce.price.list.record"]
        self.store_currency = instance.currency_id or instance.company_id.currency_id
        self._read_at = None
        # Whether this job applied records (then a pause keeps them), and
        # (list id, page, {currency: variants seen}, bindings) of the read
        # in progress.
        self._applied = False
        self._reading = None

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def import_all(self, full=False):
        """Every price list, its changed records, and every assignment."""
        rows = list(self.client.iter_price_lists())
        ids = {int(row["id"]) for row in rows}
        self._deactivate(
            self._bindings().filtered(lambda b: b.bigcommerce_id not in ids)
        )
        bindings = self.import_rows(rows, full=full)
        self.import_assignments_now()
        return bindings

    def import_ids(self, price_list_ids, full=False, resume=None):
        """The price lists ``price_list_ids`` (``GET /v3/pricelists/{id}``
        each), their changed records, and every assignment. ``resume``: where
        a paused import stopped (:class:`PriceListsPaused`)."""
        resume = resume or {}
        if resume.get("read_at"):
            # The records read before the pause were read from then on.
            self._read_at = fields.Datetime.to_datetime(resume["read_at"])
        rows = []
        for list_id in sorted({int(i) for i in price_list_ids}):
            try:
                row = self.client.get_price_list(list_id)
            except NotFoundError:
                self._deactivate(self._bindings(list_id))
                continue
            if row:
                rows.append(row)
        bindings = self.import_rows(rows, full=full, resume=resume)
        self.import_assignments_now()
        return bindings

    def import_rows(self, rows, full=False, resume=None):
        resume = resume or {}
        bindings = self.lists
        for index, row in enumerate(rows):
            resumed = resume if int(row["id"]) == resume.get("list_id") else {}
            try:
                bindings |= self.import_list(row, full=full, resumed=resumed)
            except RetryableError as error:
                self._pause(error, [int(r["id"]) for r in rows[index:]])
        return bindings

    def import_assignments_now(self):
        try:
            rows = list(self.client.iter_price_list_assignments())
        except RetryableError as error:
            self._pause(error, [])
        self.import_assignments(rows)

    def _pause(self, error, remaining):
        """Stopped by the quota or a transient error: when this job applied
        records, keep them (the job ends and commits) and resume from the
        page that was not read (a list of many pages gets through a small
        quota); otherwise nothing is lost by retrying the job."""
        if not self._applied:
            raise error
        resume = {"read_at": fields.Datetime.to_string(self._read_at or False)}
        if self._reading and remaining:
            list_id, page, since, seen, bindings = self._reading
            resume.update(
                list_id=list_id,
                page=page,
                since=fields.Datetime.to_string(since) if since else False,
            )
            for code, binding in bindings.items():
                if code in seen:
                    binding.read_seen = sorted(seen[code])
        raise PriceListsPaused(remaining, resume, error) from error

    def _store_now(self):
        """The store's time, read once per import, before any record: the
        next read asks for the records modified since."""
        if self._read_at is None:
            answer = self.client.get_time() or {}
            moment = parse_datetime(answer.get("time"))
            self._read_at = moment.replace(tzinfo=None) if moment else False
        return self._read_at

    def _bindings(self, list_id=None):
        domain = [("instance_id", "=", self.instance.id)]
        if list_id is not None:
            domain.append(("bigcommerce_id", "=", int(list_id)))
        return self.lists.search(domain)

    # ------------------------------------------------------------------
    # One price list
    # ------------------------------------------------------------------

    def import_list(self, row, full=False, resumed=None):
        """Bind one price list per currency and apply its changed records,
        page by page; ``resumed``: the page and filter of a paused read."""
        list_id = int(row["id"])
        known = self._bindings(list_id)
        read_at = [moment for moment in known.mapped("records_read_at") if moment]
        since = None
        if read_at and not full:
            since = min(read_at)
        page = 1
        if resumed:
            # The same query as before the pause, from the page not read.
            page = int(resumed["page"])
            since = fields.Datetime.to_datetime(resumed.get("since") or False) or None
        started = self._store_now()
        values = {
            "name": (row.get("name") or "").strip() or str(list_id),
            "is_active": row.get("active") is not False,
        }
        bindings = {binding.currency_id.name: binding for binding in known}
        # Every binding written (not any()'s first change only).
        updated = bool(sum(_write_changes(binding, values) for binding in known))
        created = not known
        self._binding(list_id, self.store_currency.name, values, bindings)
        # A whole read (the first, or full=True) sees every record: the items
        # of the variants it does not see go at its end. A read resumed
        # after a pause starts from what the earlier pages saw.
        whole = since is None
        seen = {
            code: set(binding.read_seen or [])
            for code, binding in bindings.items()
            if whole and page > 1
        }
        while True:
            self._reading = (list_id, page, since, seen, bindings)
            rows, more = self.client.get_price_list_records_page(
                list_id, page, limit=RECORD_PAGE, modified_since=since
            )
            for code, chunk in sorted(by_currency(rows).items()):
                binding = self._binding(list_id, code, values, bindings, len(chunk))
                if not binding:
                    continue
                updated |= self._apply(binding, chunk)
                seen.setdefault(code, set()).update(
                    int(r["variant_id"]) for r in chunk if r.get("variant_id")
                )
            self._applied = True
            if not more:
                break
            page += 1
        self._reading = None
        for code, binding in bindings.items():
            if whole:
                updated |= self._remove_others(binding, seen.get(code, set()))
            self._ensure_pricelist(binding)
        done = self.lists.browse([b.id for b in bindings.values()])
        done.write(
            {"read_seen": False, **({"records_read_at": started} if started else {})}
        )
        self._count("created" if created else "updated" if updated else "skipped")
        return done

    def _binding(self, list_id, code, values, bindings, count=0):
        """The list's binding of currency ``code`` (made when new, with its
        pricelist); None for a currency Odoo does not have (noted)."""
        if code in bindings:
            return bindings[code]
        currency = self._currency(code) if code else self.env["res.currency"]
        if not currency:
            self._note(
                self.env._(
                    "Price list %(list)s: %(count)s records in %(code)s, a "
                    "currency Odoo does not have, not imported.",
                    list=list_id,
                    count=count,
                    code=code or "?",
                ),
                level="error",
            )
            self._count("failed", count)
            return None
        binding = self._create(list_id, currency, values)
        self._ensure_pricelist(binding)
        bindings[code] = binding
        return binding

    def _currency(self, code):
        return (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )

    def _create(self, list_id, currency, values):
        return create_keyed(
            self.lists,
            {
                **values,
                "instance_id": self.instance.id,
                "bigcommerce_id": list_id,
                "currency_id": currency.id,
            },
            self.env._(
                "BigCommerce price list %s is being imported by another job.", list_id
            ),
        )

    def _ensure_pricelist(self, binding):
        name = self.env._(
            "%(store)s: %(list)s (%(currency)s)",
            store=self.instance.name,
            list=binding.name,
            currency=binding.currency_id.name,
        )
        if binding.pricelist_id:
            _write_changes(binding.pricelist_id, {"name": name})
            return
        binding.pricelist_id = self.env["product.pricelist"].create(
            {
                "name": name,
                "currency_id": binding.currency_id.id,
                "company_id": self.instance.company_id.id,
            }
        )

    def _deactivate(self, bindings):
        """Price lists deleted in BigCommerce: inactive (their groups and
        channels fall back); their pricelists are kept for history."""
        gone = bindings.filtered("is_active")
        if gone:
            gone.is_active = False
            self._note(
                self.env._(
                    "Price lists %s are no longer in BigCommerce: inactive.",
                    ", ".join(
                        str(i) for i in sorted(set(gone.mapped("bigcommerce_id")))
                    ),
                )
            )

    # ------------------------------------------------------------------
    # Records -> items
    # ------------------------------------------------------------------

    def _apply(self, binding, records):
        """Write the items of ``records`` (one currency) whose plan differs
        from the pricelist's; returns whether anything changed."""
        plans, errors = plan_records(records, binding.currency_id.decimal_places)
        by_variant = {int(r["variant_id"]): r for r in records if r.get("variant_id")}
        products = self._products(by_variant)
        pricelist = binding.pricelist_id
        current = self._items(pricelist, products.values())
        waiting = {r.variant_bigcommerce_id: r for r in binding.record_ids}
        # Priced in the currency (what BigCommerce charges), then kept at
        # the decimals Odoo stores.
        unit = quantum(self._price_places(binding.currency_id))
        rounded_away = 0
        changed = False
        for variant, plan in plans.items():
            product = products.get(variant)
            if not product:
                changed |= self._wait(
                    binding,
                    by_variant[variant],
                    waiting.get(variant),
                    "pending",
                    self.env._(
                        "Variant %s is not imported in Odoo yet: its prices wait "
                        "for the product's import.",
                        variant,
                    ),
                )
                continue
            kept = tuple((quantity, money(price, unit)) for quantity, price in plan)
            rounded_away += sum(1 for a, b in zip(plan, kept, strict=True) if a != b)
            if self._write_items(
                pricelist, product, kept, current.get(product.id), unit
            ):
                changed = True
                self._count("updated_items")
            row = waiting.get(variant)
            if row and row.state != "done":
                row.write({"state": "done", "reason": False})
        if rounded_away:
            # Odoo cannot hold these prices to the currency's decimals: said
            # in the run's log, with the setting that would keep them.
            self._note(
                self.env._(
                    "%(count)s prices of price list %(list)s in %(currency)s have "
                    "more decimals than Odoo keeps (the Product Price precision, "
                    "%(places)s): they are rounded half up. Raise that precision "
                    "to %(wanted)s to keep them exactly.",
                    count=rounded_away,
                    list=binding.bigcommerce_id,
                    currency=binding.currency_id.name,
                    places=self._price_places(binding.currency_id),
                    wanted=binding.currency_id.decimal_places,
                )
            )
        for key, reason in errors.items():
            if key in by_variant:
                changed |= self._wait(
                    binding, by_variant[key], waiting.get(key), "failed", reason
                )
            else:
                self._note(f"Price list {binding.bigcommerce_id}: {key}: {reason}")
                self._count("failed")
        return changed

    def _price_places(self, currency):
        """The decimals an item's price keeps in Odoo: the currency's, or
        fewer when the "Product Price" precision (the digits of
        ``fixed_price``, 2 by default) is lower. Planned at more (KWD's 3),
        a price would differ from its stored item at every read and be
        rewritten each time."""
        items = self.env["product.pricelist.item"]
        digits = items._fields["fixed_price"].get_digits(self.env)
        if not digits:
            return currency.decimal_places
        return min(currency.decimal_places, digits[1])

    def _products(self, variant_ids):
        """{BigCommerce variant id: product.product} of the imported ones."""
        if not variant_ids:
            return {}
        found = self.env["bigcommerce.product.variant"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", list(variant_ids)),
                ("product_id", "!=", False),
            ]
        )
        return {v.bigcommerce_id: v.product_id for v in found}

    def _items(self, pricelist, products):
        """{product id: the pricelist's variant items of that product}."""
        ids = [p.id for p in products]
        if not ids:
            return {}
        items = self.env["product.pricelist.item"].search(
            [
                ("pricelist_id", "=", pricelist.id),
                ("applied_on", "=", VARIANT),
                ("product_id", "in", ids),
            ]
        )
        found = {}
        for item in items:
            found[item.product_id.id] = (
                found.get(item.product_id.id, items.browse()) | item
            )
        return found

    def _write_items(self, pricelist, product, plan, items, unit):
        """Rewrite the variant's items when they differ from ``plan``."""
        items = items or self.env["product.pricelist.item"]
        now = sorted(
            (int(round(item.min_quantity)), money(item.fixed_price, unit))
            for item in items
            if item.compute_price == "fixed"
        )
        if len(now) == len(items) and tuple(now) == plan:
            return False
        items.unlink()
        self.env["product.pricelist.item"].create(
            [
                {
                    "pricelist_id": pricelist.id,
                    "applied_on": VARIANT,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_id": product.id,
                    "compute_price": "fixed",
                    "fixed_price": float_round(
                        float(price), precision_rounding=float(unit)
                    ),
                    "min_quantity": quantity,
                }
                for quantity, price in plan
            ]
        )
        return True

    def _wait(self, binding, record, row, state, reason):
        """Keep ``record`` waiting with ``reason`` (never lost)."""
        values = {
            "state": state,
            "reason": reason,
            "payload": record,
            "product_bigcommerce_id": record.get("product_id") or 0,
            "sku": record.get("sku") or False,
        }
        self._count("failed" if state == "failed" else "waiting")
        if row:
            return _write_changes(row, values)
        create_keyed(
            self.waiting,
            {
                **values,
                "price_list_id": binding.id,
                "variant_bigcommerce_id": int(record["variant_id"]),
            },
            self.env._(
                "A record of BigCommerce price list %s is being saved by another job.",
                binding.bigcommerce_id,
            ),
        )
        return True

    def _remove_others(self, binding, variants):
        """After a whole read: the items of variants without a record any
        more, and their waiting rows, go."""
        keep = [p.id for p in self._products(variants).values()]
        stale = self.env["product.pricelist.item"].search(
            [
                ("pricelist_id", "=", binding.pricelist_id.id),
                ("applied_on", "=", VARIANT),
                ("product_id", "not in", keep),
            ]
        )
        rows = binding.record_ids.filtered(
            lambda r: r.variant_bigcommerce_id not in variants
        )
        if stale:
            stale.unlink()
        if rows:
            rows.unlink()
        return bool(stale or rows)

    def retry(self, rows):
        """Apply waiting records again from their payload (no request)."""
        for binding in rows.price_list_id:
            mine = rows.filtered(lambda r, b=binding: r.price_list_id == b)
            self._ensure_pricelist(binding)
            self._apply(binding, [r.payload for r in mine if r.payload])

    def retry_waiting(self):
        """After a product import: the records waiting for a variant."""
        rows = self.waiting.search(
            [("instance_id", "=", self.instance.id), ("state", "=", "pending")]
        )
        if rows:
            self.retry(rows)

    # ------------------------------------------------------------------
    # Assignments
    # ------------------------------------------------------------------

    def import_assignments(self, rows):
        """Groups and channels -> the pricelists of their price lists."""
        group_ids = {r["customer_group_id"] for r in rows if r.get("customer_group_id")}
        if group_ids and self.client:
            CustomerGroupImporter(self.instance, self.client).ensure(group_ids)
        lists = self._bindings()
        store = {
            b.bigcommerce_id: b for b in lists if b.currency_id == self.store_currency
        }
        ordered = sorted(
            rows, key=lambda r: (r.get("channel_id") or 0, r.get("id") or 0)
        )
        group_lists, channel_lists = {}, {}
        for row in ordered:
            if row.get("customer_group_id"):
                group_lists.setdefault(row["customer_group_id"], row["price_list_id"])
            elif row.get("channel_id"):
                channel_lists.setdefault(row["channel_id"], row["price_list_id"])
        groups = self.env["bigcommerce.customer.group"].search(
            [("instance_id", "=", self.instance.id)]
        )
        chosen = {}
        for group in groups:
            list_id = group_lists.get(group.bigcommerce_id) or _rule_price_list(
                group.discount_rules
            )
            chosen[group.id] = list_id
            self._assign_group(group, store.get(list_id, self.lists))
        self._assign_channels(channel_lists, store, lists)
        # What each list is assigned to (shown on the price list).
        for binding in lists:
            assigned_groups = groups.filtered(
                lambda g, b=binding: chosen[g.id] == b.bigcommerce_id
            )
            assigned_channels = self.instance.channel_ids.filtered(
                lambda c, b=binding: channel_lists.get(c.bigcommerce_id)
                == b.bigcommerce_id
            )
            if binding.customer_group_ids != assigned_groups:
                binding.customer_group_ids = assigned_groups
            if binding.channel_ids != assigned_channels:
                binding.channel_ids = assigned_channels

    def _assign_group(self, group, binding):
        """The group's price list; its customers who had the group's former
        pricelist (or, when it had none, all of them) get the new one: a
        pricelist chosen in Odoo for a partner is kept (customer_group.py)."""
        if group.price_list_id == binding:
            return
        before = group.customer_pricelist_id
        group.price_list_id = binding
        after = group.customer_pricelist_id
        if before == after:
            return
        company = self.instance.company_id
        for customer in group.customer_ids:
            partner = customer.partner_id.with_company(company)
            if not before or partner.property_product_pricelist == before:
                partner.property_product_pricelist = after

    def _assign_channels(self, channel_lists, store, lists):
        ours = lists.pricelist_id
        for channel in self.instance.channel_ids:
            binding = store.get(channel_lists.get(channel.bigcommerce_id))
            wanted = (
                binding.pricelist_id
                if binding and binding.is_active
                else self.env["product.pricelist"]
            )
            if channel.pricelist_id and channel.pricelist_id not in ours:
                continue  # the admin's choice
            if channel.pricelist_id != wanted:
                channel.pricelist_id = wanted

    # ------------------------------------------------------------------

    def _count(self, key, number=1):
        if self.recorder and key in ("created", "updated", "skipped", "failed"):
            self.recorder.add_counts(**{key: number})

    def _note(self, text, level="info"):
        if self.recorder:
            self.recorder.note(text, level=level)


def _rule_price_list(rules):
    """The price list of a group's ``price_list`` discount rule (customers.v2
    ``discount_rules``), or None."""
    for rule in rules or []:
        if rule.get("type") == "price_list" and rule.get("price_list_id"):
            return int(rule["price_list_id"])
    return None
