"""BigCommerce category trees -> ``bigcommerce.category`` (+ Odoo categories).

Reads ``GET /v3/catalog/trees/categories`` (every tree, 250 per page): a
store has hundreds of categories at most, so an import re-reads them all,
in a few requests. Parents are set once every category of the run exists,
so a child listed before its parent is kept in the tree. With the instance
option "Update Category in Odoo Products?" each category gets an Odoo
product category of the same name under the store's root category, its
parent the Odoo category of its BigCommerce parent.
"""

from ..tools.sql_claim import insert_missing_bindings


class CategoryImporter:
    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.categories = self.env["bigcommerce.category"].with_context(
            active_test=False
        )

    def import_all(self, category_ids=None):
        """Import the categories (all, or ``category_ids``); return the bindings."""
        filters = {}
        if category_ids:
            filters["category_id:in"] = ",".join(map(str, sorted(set(category_ids))))
        rows = list(self.client.iter_v3("catalog/trees/categories", filters))
        return self.import_rows(rows)

    def import_rows(self, rows):
        rows = [row for row in rows if row.get("category_id")]
        if not rows:
            return self.categories
        bindings, inserted = insert_missing_bindings(
            self.categories,
            self.instance,
            [row["category_id"] for row in rows],
            {"name": ""},
        )
        by_id = {binding.bigcommerce_id: binding for binding in bindings}
        parent_ids = {row.get("parent_id") for row in rows} - set(by_id) - {0, None}
        parents = {
            binding.bigcommerce_id: binding
            for binding in self.categories.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "in", list(parent_ids)),
                ]
            )
        }
        parents.update(by_id)
        created = updated = 0
        for row in rows:
            binding = by_id[row["category_id"]]
            values = {
                "name": row.get("name") or str(row["category_id"]),
                "tree_id": row.get("tree_id"),
                "is_visible": bool(row.get("is_visible")),
                "sort_order": row.get("sort_order") or 0,
                "url": (row.get("url") or {}).get("path"),
                "parent_id": parents.get(row.get("parent_id"), self.categories).id
                or False,
                "active": True,
            }
            changed = {
                key: value
                for key, value in values.items()
                if (binding[key].id if key == "parent_id" else binding[key]) != value
            }
            if changed:
                if row["category_id"] in inserted:
                    created += 1
                else:
                    updated += 1
                binding.write(changed)
        if self.instance.update_product_category:
            self._map_odoo_categories(bindings)
        if self.recorder:
            self.recorder.add_counts(created=created, updated=updated)
            self.recorder.note(
                self.env._(
                    "Categories: %(created)s created, %(updated)s updated",
                    created=created,
                    updated=updated,
                )
            )
        return bindings

    def _map_odoo_categories(self, bindings):
        """Give each category an Odoo category under the store's root, parents first."""
        root = self.instance._bigcommerce_category_root()
        Category = self.env["product.category"]
        for binding in bindings.sorted(lambda b: b._depth()):
            parent = binding.parent_id.product_category_id or root
            if not binding.product_category_id:
                binding.product_category_id = Category.create(
                    {"name": binding.name, "parent_id": parent.id}
                )
            elif (
                binding.product_category_id.name != binding.name
                or binding.product_category_id.parent_id != parent
            ):
                binding.product_category_id.write(
                    {"name": binding.name, "parent_id": parent.id}
                )
