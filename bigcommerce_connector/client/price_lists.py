"""Price lists (price_lists.v3.yml): the lists, their records, assignments.

Mixed into :class:`~.client.BigCommerceClient`; nothing here imports Odoo.
"""

from .parsing import format_iso8601

# PUT /v3/pricelists/{id}/records: "Batch requests support up to 1,000 items
# per request" (price_lists.v3.yml, upsertPriceListRecords); one at a time
# (two in parallel on the same store answer 429).
RECORD_BATCH = 1000
RECORD_INCLUDES = "bulk_pricing_tiers,sku"
# Records per page read (the collection's largest page: "capped at the
# maximum limit").
PAGE = 250


class PriceListCalls:
    def iter_price_lists(self, **filters):
        """Every price list (``GET /pricelists``, paged; ``id:in``...)."""
        return self.iter_v3("pricelists", filters)

    def get_price_list(self, price_list_id):
        """One price list (``GET /pricelists/{id}``); NotFoundError if gone."""
        return self.get_v3(f"pricelists/{int(price_list_id)}")

    def iter_price_list_records(
        self, price_list_id, modified_since=None, variant_ids=None, **filters
    ):
        """The records of a price list with their bulk pricing tiers and SKUs,
        every page. ``modified_since`` (aware datetime): only records with
        ``date_modified`` at or after it (``date_modified:min``);
        ``variant_ids``: only those variants (``variant_id:in``)."""
        params = {"include": RECORD_INCLUDES, **filters}
        if modified_since:
            params["date_modified:min"] = format_iso8601(modified_since)
        if variant_ids:
            params["variant_id:in"] = ",".join(str(int(v)) for v in variant_ids)
        return self.iter_v3(f"pricelists/{int(price_list_id)}/records", params)

    def get_price_list_records_page(
        self, price_list_id, page=1, limit=PAGE, modified_since=None
    ):
        """One page of a price list's records (with tiers and SKUs):
        (rows, whether more pages follow), from ``meta.pagination``."""
        params = {"include": RECORD_INCLUDES, "page": int(page), "limit": int(limit)}
        if modified_since:
            params["date_modified:min"] = format_iso8601(modified_since)
        body = self.request(
            "GET", "v3", f"pricelists/{int(price_list_id)}/records", params=params
        )
        body = body if isinstance(body, dict) else {}
        rows = body.get("data") or []
        pagination = (body.get("meta") or {}).get("pagination") or {}
        if pagination.get("total_pages") is not None:
            more = int(page) < int(pagination["total_pages"])
        else:
            more = len(rows) >= int(limit)
        return rows, bool(rows) and more

    def iter_price_list_assignments(self, **filters):
        """Price list assignments (``GET /pricelists/assignments``): rows of
        ``{id, price_list_id, customer_group_id, channel_id}``."""
        return self.iter_v3("pricelists/assignments", filters)

    def upsert_price_list_records(self, price_list_id, records):
        """``PUT /pricelists/{id}/records`` (at most RECORD_BATCH records:
        ``{variant_id, currency, price, bulk_pricing_tiers}``...); never
        retried here."""
        records = list(records)
        if len(records) > RECORD_BATCH:
            raise ValueError(f"at most {RECORD_BATCH} records per request")
        body = self.request(
            "PUT", "v3", f"pricelists/{int(price_list_id)}/records", json=records
        )
        return body.get("data") if isinstance(body, dict) else body
