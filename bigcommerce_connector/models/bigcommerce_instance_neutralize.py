"""Staging copies cannot touch the live store (Odoo's neutralization).

Integrators copy production to test an upgrade, with the same configuration
file and so the same encryption key: the copy could decrypt the token and
write to the live store (an export triggered by a validated delivery, a
webhook registration that moves the live hooks to the copy). Odoo neutralizes
such copies (``odoo-bin neutralize``, or the database manager's "neutralize"
option) by running every installed addon's ``data/neutralize.sql`` and
setting ``database.is_neutralized``. This addon's script:

- disconnects every store (``disconnected``): no request carries its token
  until an administrator reconnects it on purpose (``action_reconnect``);
- cancels the connector's pending jobs;
- forgets which hooks it registered, and its webhook address key, so that a
  copy never counts the live store's hooks as its own.

Hook ownership also asks for more than the URL path: a hook is ours when its
path carries this instance's route key *and* it points at this database's
webhook host, or it is a hook this database registered itself (recorded by
its id; a change of the public address keeps working).
"""

from urllib.parse import urlsplit

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation


def database_is_neutralized(env):
    return bool(env["ir.config_parameter"].sudo().get_param("database.is_neutralized"))


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    disconnected = fields.Boolean(
        readonly=True,
        copy=False,
        help="No request is sent to this store (set on a neutralized copy of "
        "the database) until an administrator reconnects it.",
    )
    reconnected_on_copy = fields.Boolean(
        readonly=True,
        copy=False,
        help="An administrator reconnected this store on a neutralized "
        "database on purpose: this copy talks to the store.",
    )

    def _get_client(self, *args, **kwargs):
        self.ensure_one()
        self._check_connected()
        return super()._get_client(*args, **kwargs)

    def _check_connected(self):
        """Refuse before the token is even decrypted on a disconnected store."""
        instance = self.sudo()
        if instance.disconnected or (
            database_is_neutralized(self.env) and not instance.reconnected_on_copy
        ):
            raise UserError(
                self.env._(
                    "%s is disconnected: this database is a neutralized copy, "
                    "so nothing is sent to the store until an administrator "
                    "reconnects it (Reconnect to the Store).",
                    self.name,
                )
            )

    @bigcommerce_admin_only
    def action_reconnect(self):
        """Let this database talk to the store again (on purpose)."""
        for instance in self:
            with log_operation(instance, "reconnect", "store") as recorder:
                instance.write(
                    {
                        "disconnected": False,
                        "reconnected_on_copy": database_is_neutralized(self.env),
                        "connection_state": "unknown",
                    }
                )
                recorder.note(
                    self.env._("Reconnected to the store by %s.", self.env.user.name)
                )
        return True

    def _is_connector_hook(self, hook):
        if not super()._is_connector_hook(hook):
            return False
        host = urlsplit(hook.get("destination") or "").netloc.lower()
        base = self._webhook_base_url()
        if base and urlsplit(base).netloc.lower() == host:
            return True
        # Registered by this database, before its public address changed.
        return bool(
            self.env["bigcommerce.webhook"].search_count(
                [
                    ("instance_id", "=", self.id),
                    ("hook_id", "=", hook["id"]),
                    ("is_connector_hook", "=", True),
                ]
            )
        )
