from odoo import models


class StockMove(models.Model):
    """Stock that moved, got reserved or was released is published later.

    Each hook queues one debounced export per store of the bound products
    (see ``_queue_inventory_export_after_stock_change``); the export itself
    works out what changed.
    """

    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        (moves | self).product_id._bigcommerce_stock_changed()
        return moves

    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        self.product_id._bigcommerce_stock_changed()
        return result

    def _do_unreserve(self):
        result = super()._do_unreserve()
        self.product_id._bigcommerce_stock_changed()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.product_id._bigcommerce_stock_changed()
        return result
