"""BigCommerce brands -> ``bigcommerce.brand`` (name and logo).

Reads ``GET /v3/catalog/brands`` (250 per page, or ``id:in``); a changed
``image_url`` queues the image download (another host than the API, see
``importers/product_image.py``); the same URL downloads nothing.
"""

from ..tools.sql_claim import insert_missing_bindings


class BrandImporter:
    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.brands = self.env["bigcommerce.brand"].with_context(active_test=False)

    def import_all(self, brand_ids=None):
        filters = {}
        if brand_ids:
            filters["id:in"] = ",".join(map(str, sorted(set(brand_ids))))
        return self.import_rows(list(self.client.iter_v3("catalog/brands", filters)))

    def import_rows(self, rows):
        rows = [row for row in rows if row.get("id")]
        if not rows:
            return self.brands
        bindings, inserted = insert_missing_bindings(
            self.brands, self.instance, [row["id"] for row in rows], {"name": ""}
        )
        by_id = {binding.bigcommerce_id: binding for binding in bindings}
        created = updated = 0
        to_download = self.brands
        for row in rows:
            binding = by_id[row["id"]]
            values = {
                "name": row.get("name") or str(row["id"]),
                "image_url": row.get("image_url") or False,
                "active": True,
            }
            changed = {k: v for k, v in values.items() if binding[k] != v}
            if changed:
                if row["id"] in inserted:
                    created += 1
                else:
                    updated += 1
                binding.write(changed)
            if (binding.image_url or False) != (binding.image_downloaded_url or False):
                to_download |= binding
        if to_download:
            self.instance._queue_image_downloads("bigcommerce.brand", to_download.ids)
        if self.recorder:
            self.recorder.add_counts(created=created, updated=updated)
            self.recorder.note(
                self.env._(
                    "Brands: %(created)s created, %(updated)s updated",
                    created=created,
                    updated=updated,
                )
            )
        return bindings
