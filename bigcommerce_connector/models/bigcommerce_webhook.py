from datetime import UTC, datetime

from odoo import api, fields, models


def _from_unix(value):
    if not isinstance(value, int) or value <= 0:
        return False
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


class BigcommerceWebhook(models.Model):
    """A hook of the store's API account, as ``GET /v3/hooks`` last showed it.

    Its custom headers are not copied: they hold the webhook secret.
    """

    _name = "bigcommerce.webhook"
    _description = "BigCommerce webhook"
    _order = "instance_id, scope, hook_id"
    _rec_name = "scope"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    hook_id = fields.Integer(string="Hook ID", required=True, readonly=True)
    scope = fields.Char(required=True, readonly=True)
    destination = fields.Char(readonly=True)
    is_active = fields.Boolean(string="Active", readonly=True)
    is_connector_hook = fields.Boolean(
        string="Registered by Odoo",
        readonly=True,
        help="Points at this instance's webhook address. Hooks of other "
        "integrations using the same API account are listed but left alone.",
    )
    created_at = fields.Datetime(string="Created in BigCommerce", readonly=True)
    updated_at = fields.Datetime(string="Updated in BigCommerce", readonly=True)
    checked_at = fields.Datetime(string="Checked On", readonly=True)

    _hook_uniq = models.Constraint(
        "UNIQUE(instance_id, hook_id)", "This hook is already listed for this store."
    )

    @api.model
    def _values_from_hook(self, hook):
        return {
            "hook_id": hook["id"],
            "scope": hook.get("scope") or "",
            "destination": hook.get("destination") or False,
            "is_active": bool(hook.get("is_active")),
            "created_at": _from_unix(hook.get("created_at")),
            "updated_at": _from_unix(hook.get("updated_at")),
        }
