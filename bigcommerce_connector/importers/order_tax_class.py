"""BigCommerce tax classes mapped to Odoo taxes, in the "Odoo taxes" mode.

A product line's taxes in that mode are its Odoo product's; when the
BigCommerce product's tax class is mapped (BigCommerce > Tax Classes), the
class's taxes are used instead (none for a "Non-taxable" class mapped to no
tax), then the fiscal position as usual. Unmapped classes keep the product's
taxes. Order lines do not carry their tax class (orderProducts has no
``tax_class_id``): it is read from the catalog, once per order for the
products not seen yet in this run (``GET /v3/catalog/products?id:in=...``),
and only when the store maps at least one class.
"""

# Line kinds taxed by the product's class: the product and its discount.
CLASS_TAXED_KINDS = ("product", "discount")
ID_CHUNK = 250


class TaxClassRule:
    """The mapped taxes of one order's lines; empty when nothing applies."""

    def __init__(self, importer, products):
        self.importer = importer
        instance = importer.instance
        self.by_line = {}
        if instance.tax_mode != "odoo":
            return
        mapped = {
            tax_class.bigcommerce_id: tax_class
            for tax_class in instance.tax_class_ids
            if tax_class.odoo_tax_rule == "mapped"
        }
        if not mapped:
            return
        classes = self._product_classes(
            {int(line["product_id"]) for line in products if line.get("product_id")}
        )
        for line in products:
            tax_class = mapped.get(classes.get(int(line.get("product_id") or 0)))
            if tax_class:
                self.by_line[int(line["id"])] = tax_class

    def _product_classes(self, product_ids):
        """{BigCommerce product id: tax class id}, cached for the run."""
        cache = self.importer.__dict__.setdefault("_product_tax_classes", {})
        wanted = sorted(product_ids - set(cache))
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = wanted[start : start + ID_CHUNK]
            rows = self.importer.client.iter_v3(
                "catalog/products",
                {
                    "id:in": ",".join(map(str, chunk)),
                    "include_fields": "tax_class_id",
                },
            )
            for row in rows:
                cache[int(row["id"])] = int(row.get("tax_class_id") or 0)
        return cache

    def odoo_taxes(self, values, product_taxes):
        """The Odoo taxes of a line before the fiscal position."""
        if values.get("bigcommerce_line_kind") not in CLASS_TAXED_KINDS:
            return product_taxes
        tax_class = self.by_line.get(values.get("bigcommerce_line_id"))
        if tax_class is None:
            return product_taxes
        company = self.importer.company
        return tax_class.tax_ids.filtered(lambda tax: tax.company_id == company)
