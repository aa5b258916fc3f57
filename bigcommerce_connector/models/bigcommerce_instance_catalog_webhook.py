from odoo import models

from ..importers.category import CategoryImporter
from ..importers.product import ProductImporter


class BigcommerceInstance(models.Model):
    """Catalog webhooks: ``store/product/*``, ``store/sku/*`` (through their
    product) and ``store/category/*`` go through the catalog importers.

    Images are not announced by ``store/product/updated`` (P17): the product
    poll covers them.
    """

    _inherit = "bigcommerce.instance"

    def _webhook_handlers(self):
        return {
            **super()._webhook_handlers(),
            "product": self._webhook_sync_product,
            "category": self._webhook_sync_category,
        }

    def _webhook_catch_up(self, scopes, since, recorder):
        result = super()._webhook_catch_up(scopes, since, recorder)
        families = {scope.split("/")[1] for scope in scopes}
        if families & {"product", "sku"}:
            self.import_products(since=since)
            recorder.note(self.env._("Products polled since %s", since))
        if "category" in families:
            self.import_categories()
            recorder.note(self.env._("Categories imported again"))
        return result

    def _webhook_sync_product(self, product_id, events, client):
        importer = ProductImporter(self, client)
        rows, _more = importer.fetch_page(product_ids=[product_id])
        rows = [row for row in rows if row.get("id") == product_id]
        if not rows:
            archived = importer.archive(self._product_bindings([product_id]))
            return "done", self.env._(
                "BigCommerce no longer has product %(id)s: %(what)s",
                id=product_id,
                what=self.env._("archived") if archived else self.env._("not bound"),
            )
        # An event says the product changed: import it even when its
        # date_modified is the one already imported.
        binding = importer.import_rows(rows, force=True)
        if binding.import_message:
            return "failed", binding.import_message
        return "done", self.env._(
            "Product %(id)s imported (%(name)s)",
            id=product_id,
            name=binding.product_tmpl_id.display_name,
        )

    def _webhook_sync_category(self, category_id, events, client):
        bindings = CategoryImporter(self, client).import_all([category_id])
        if bindings:
            return "done", self.env._(
                "Category %(id)s imported (%(name)s)",
                id=category_id,
                name=bindings.complete_name,
            )
        self.env["bigcommerce.category"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "=", category_id)]
        ).active = False
        return "done", self.env._("Category %s archived (deleted)", category_id)
