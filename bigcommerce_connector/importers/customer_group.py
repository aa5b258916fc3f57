"""BigCommerce customer groups -> partner tags and pricelists (issue 26).

Each group (GET /v2/customer_groups, customers.v2.yml) is bound by
(instance, group id) in ``bigcommerce.customer.group``; it becomes a partner
tag, and, when it has discount rules, a pricelist in the store's currency
whose items reproduce them (``customer_group_rules.py``). A customer in a
group carries its tag and, when its group changes, the group's pricelist.

Re-importing an unchanged group writes nothing. The pricelist's items are
rebuilt only when the rules or the products they cover changed: at a group
import (every customer poll reads the groups once) and after each page of a
product import (a product imported after its group gets its item then).
"""

from odoo import Command

from ..tools.keyed_create import create_keyed
from ..tools.write_changes import write_changes as _write_changes
from .customer_group_rules import plan_items

# GET /v2/customer_groups pages hold at most 250 rows.
PAGE = 250


class CustomerGroupImporter:
    def __init__(self, instance, client, recorder=None):
        instance = instance.with_company(instance.company_id)
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.groups = self.env["bigcommerce.customer.group"]

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def import_all(self):
        """Every group of the store (GET /v2/customer_groups, paged)."""
        rows = list(self.client.iter_v2("customer_groups", limit=PAGE))
        return self.import_rows(rows)

    def import_ids(self, group_ids):
        """The groups ``group_ids`` (GET /v2/customer_groups/{id} each)."""
        rows = []
        for group_id in group_ids:
            row = self.client.get_v2(f"customer_groups/{int(group_id)}")
            if row:
                rows.append(row)
        return self.import_rows(rows)

    def import_rows(self, rows):
        bindings = self.groups
        for row in rows:
            bindings |= self.import_group(row)
        return bindings

    def ensure(self, group_ids):
        """{group id: binding} of ``group_ids``; groups not bound yet are
        read (all the store's groups, in one request)."""
        wanted = {int(group_id) for group_id in group_ids if group_id}
        if not wanted:
            return {}
        known = self._bindings(wanted)
        if wanted - set(known) and self.client:
            self.import_all()
            known = self._bindings(wanted)
        return known

    def _bindings(self, group_ids):
        found = self.groups.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", list(group_ids)),
            ]
        )
        return {binding.bigcommerce_id: binding for binding in found}

    # ------------------------------------------------------------------
    # One group
    # ------------------------------------------------------------------

    def import_group(self, row):
        """Create or update the binding, tag and pricelist of one group."""
        values = {
            "name": (row.get("name") or "").strip() or str(row["id"]),
            "is_default": bool(row.get("is_default")),
            "discount_rules": row.get("discount_rules") or [],
        }
        binding = self._bindings([row["id"]]).get(int(row["id"]))
        created = not binding
        if binding:
            changed = _write_changes(binding, values)
        else:
            binding = self._create(int(row["id"]), values)
            changed = True
        changed |= self._tag(binding)
        changed |= self._pricelist(binding)
        self._count("created" if created else "updated" if changed else "skipped")
        return binding

    def _create(self, group_id, values):
        """The binding of a new group, exactly once (see the customers')."""
        return create_keyed(
            self.groups,
            {**values, "instance_id": self.instance.id, "bigcommerce_id": group_id},
            self.env._(
                "BigCommerce customer group %s is being imported by another job.",
                group_id,
            ),
        )

    def _tag(self, binding):
        """The group's partner tag, named after it."""
        if binding.partner_category_id:
            return _write_changes(binding.partner_category_id, {"name": binding.name})
        binding.partner_category_id = self.env["res.partner.category"].create(
            {"name": binding.name}
        )
        return True

    def _pricelist(self, binding):
        """The pricelist reproducing the rules; items rewritten only when
        they differ from what is planned."""
        items, notes = plan_items(
            binding.discount_rules,
            self._category_templates(binding.discount_rules),
            self._product_templates(binding.discount_rules),
        )
        changed = _write_changes(binding, {"rules_note": "\n".join(notes) or False})
        pricelist = binding.pricelist_id
        if not pricelist and not _has_odoo_rules(binding.discount_rules):
            return changed
        if not pricelist:
            pricelist = self.env["product.pricelist"].create(
                {
                    "name": self.env._(
                        "%(store)s: %(group)s",
                        store=self.instance.name,
                        group=binding.name,
                    ),
                    "currency_id": self.instance.currency_id.id
                    or self.instance.company_id.currency_id.id,
                    "company_id": self.instance.company_id.id,
                }
            )
            binding.pricelist_id = pricelist
            # Customers already in the group get it now (unless a price list
            # assigned to the group prices them: price_list.py).
            for customer in (
                binding.customer_ids
                if binding.customer_pricelist_id == pricelist
                else binding.customer_ids.browse()
            ):
                customer.partner_id.with_company(
                    self.instance.company_id
                ).property_product_pricelist = pricelist
            changed = True
        if _current_items(pricelist) != items:
            pricelist.item_ids.unlink()
            self.env["product.pricelist.item"].create(
                [_item_values(pricelist, item) for item in items]
            )
            changed = True
        return changed

    def refresh_pricelists(self):
        """Rebuild what changed in the pricelists of the store's groups with
        product or category rules (after a product import: a product
        imported after its group gets its item now). No request."""
        for binding in self.groups.search([("instance_id", "=", self.instance.id)]):
            if any(
                rule.get("type") in ("category", "product")
                for rule in binding.discount_rules or []
            ):
                self._pricelist(binding)

    def _product_templates(self, rules):
        """{BigCommerce product id: template id} of the rules' products."""
        ids = [r.get("product_id") for r in rules or [] if r.get("type") == "product"]
        if not ids:
            return {}
        products = self.env["bigcommerce.product"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", ids),
                ("product_tmpl_id", "!=", False),
            ]
        )
        return {p.bigcommerce_id: p.product_tmpl_id.id for p in products}

    def _category_templates(self, rules):
        """{BigCommerce category id: template ids of the products in it or in
        one of its subcategories}."""
        found = {}
        categories = self.env["bigcommerce.category"].with_context(active_test=False)
        for rule in rules or []:
            if rule.get("type") != "category":
                continue
            top = categories.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", rule.get("category_id")),
                ]
            )
            tree = categories.search([("id", "child_of", top.ids)]) if top else top
            products = self.env["bigcommerce.product"].search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("category_ids", "in", tree.ids),
                    ("product_tmpl_id", "!=", False),
                ],
                order="bigcommerce_id",
            )
            found[rule.get("category_id")] = products.product_tmpl_id.ids
        return found

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    def apply_to_customer(self, binding, partner, group):
        """Give the customer its group's tag and, when its group changed
        (or it is new), the group's pricelist (its price list's, when one is
        assigned: ``customer_pricelist_id``); returns whether anything
        changed. ``group``: the binding of its group (empty: none).

        A pricelist chosen in Odoo for the partner is kept until the group
        changes; leaving a group takes its tag away, and its pricelist when
        the partner still has it."""
        changed = False
        if binding.customer_group_id != group:
            old = binding.customer_group_id
            binding.customer_group_id = group
            priced = partner.with_company(self.instance.company_id)
            if old.partner_category_id in partner.category_id:
                partner.category_id = [Command.unlink(old.partner_category_id.id)]
            if group.customer_pricelist_id:
                priced.property_product_pricelist = group.customer_pricelist_id
            elif old.customer_pricelist_id and priced.property_product_pricelist == (
                old.customer_pricelist_id
            ):
                priced.property_product_pricelist = False
            changed = True
        tag = group.partner_category_id
        if tag and tag not in partner.category_id:
            partner.category_id = [Command.link(tag.id)]
            changed = True
        return changed

    def _count(self, key):
        if self.recorder:
            self.recorder.add_counts(**{key: 1})


# ----------------------------------------------------------------------
# Called by the customer importer (importers/customer.py)
# ----------------------------------------------------------------------


def _group_importer(customer_importer):
    """One group importer per customer importer (it remembers what it read)."""
    found = customer_importer.__dict__.get("_group_importer")
    if found is None:
        found = CustomerGroupImporter(
            customer_importer.instance, customer_importer.client
        )
        found.known = {}
        found.read_all = False
        customer_importer._group_importer = found
    return found


def prepare(customer_importer, customers, refresh=False):
    """Read what the groups of ``customers`` need before they are imported:
    every group when one is not bound yet, or when ``refresh`` (the first
    page of a customer poll or full import: changed rules are picked up)."""
    groups = _group_importer(customer_importer)
    wanted = {c.get("customer_group_id") for c in customers} - {None, 0}
    if refresh and groups.client and not groups.read_all:
        groups.import_all()
        groups.read_all = True
    missing = wanted - set(groups.known)
    if missing:
        groups.known.update(groups._bindings(missing))
    if wanted - set(groups.known) and groups.client and not groups.read_all:
        groups.import_all()
        groups.read_all = True
        groups.known.update(groups._bindings(wanted - set(groups.known)))


def apply(customer_importer, partner, customer):
    """The customer's group on its partner (tag, pricelist); whether anything
    changed."""
    groups = _group_importer(customer_importer)
    group_id = customer.get("customer_group_id") or 0
    if group_id and group_id not in groups.known:
        prepare(customer_importer, [customer])
    group = groups.known.get(group_id, groups.groups)
    binding = customer_importer._binding(customer["id"])
    return groups.apply_to_customer(binding, partner, group)


def _has_odoo_rules(rules):
    """Whether ``rules`` hold a rule a pricelist reproduces (its products
    may be imported later: the pricelist is made at once, for the group's
    customers and their orders)."""
    return any(
        rule.get("type") in ("all", "category", "product") for rule in rules or []
    )


def _current_items(pricelist):
    return sorted(
        (
            item.applied_on,
            item.product_tmpl_id.id or False,
            item.compute_price,
            {
                "percentage": item.percent_price,
                "fixed": item.fixed_price,
                "formula": item.price_surcharge,
            }[item.compute_price],
        )
        for item in pricelist.item_ids
    )


def _item_values(pricelist, item):
    applied_on, template_id, compute, value = item
    values = {
        "pricelist_id": pricelist.id,
        "applied_on": applied_on,
        "product_tmpl_id": template_id,
        "compute_price": compute,
    }
    if compute == "percentage":
        values["percent_price"] = value
    elif compute == "fixed":
        values["fixed_price"] = value
    else:  # an amount off the sales price
        values.update(base="list_price", price_discount=0.0, price_surcharge=value)
    return values
