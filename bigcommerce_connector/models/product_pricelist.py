import psycopg2

from odoo import fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import mute_logger


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    bigcommerce_instance_id = fields.Many2one(
        "bigcommerce.instance",
        string="BigCommerce Store",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="The store's own pricelist of this currency: created at Confirm "
        "for every currency the store sells in, used for its orders in that "
        "currency.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    # Confirm and concurrent order jobs may create a store's pricelist of a
    # currency at the same time: one per store and currency, enforced here.
    _bigcommerce_currency_uniq = models.UniqueIndex(
        "(bigcommerce_instance_id, currency_id)"
        " WHERE bigcommerce_instance_id IS NOT NULL",
        "A BigCommerce store has one pricelist per currency.",
    )

    def _bigcommerce_store_pricelist(self, instance, currency):
        """The store's pricelist of ``currency`` ("BigCommerce EUR"), created
        once; a concurrent creation loses on the unique index and reads the
        winner's. Renaming it or adding rules in Odoo is kept; archiving it
        makes the store's orders of that currency fall back (empty result)."""
        pricelists = self.with_company(instance.company_id).sudo()
        domain = [
            ("bigcommerce_instance_id", "=", instance.id),
            ("currency_id", "=", currency.id),
        ]
        found = pricelists.with_context(active_test=False).search(domain, limit=1)
        if found:
            # Archived by an admin: not used (nor made again); the order
            # falls back to the customer's or the company's pricelist.
            return found.sudo(False).filtered("active")
        values = {
            "name": f"BigCommerce {currency.name}",
            "currency_id": currency.id,
            "company_id": instance.company_id.id,
            "bigcommerce_instance_id": instance.id,
        }
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return pricelists.create(values).sudo(False)
        except psycopg2.errors.UniqueViolation:
            known = pricelists.with_context(active_test=False).search(domain, limit=1)
            if known:
                return known.sudo(False).filtered("active")
            # Made by a transaction this one's snapshot does not see yet:
            # queue_job runs the job again, which then finds it.
            raise RetryableJobError(
                self.env._(
                    "The %s pricelist of this store is being created by another job.",
                    currency.name,
                ),
                seconds=5,
            ) from None
