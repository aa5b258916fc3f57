"""Who may act on a live BigCommerce store: one server-side check.

Odoo exposes every public model method over RPC (``/json/2``, ``call_kw``)
to anyone who can read the record; a button's ``groups=`` only hides it. A
method that sends to BigCommerce, queues such a job, reads a secret or
changes configuration is decorated with :func:`bigcommerce_admin_only`,
which checks the BigCommerce / Administrator group before the method body
runs (so before any request is sent or any job is queued).

The superuser environment passes: crons, the webhook endpoint and the
``sudo()`` of Odoo's own flows (a delivery validated by a warehouse user
queues its shipment export as the superuser). Those calls come from code,
not from an RPC caller, and RPC never runs in superuser mode.

A queued job runs with the rights of whoever queued it (queue_job stores the
user and the superuser flag of the recordset). Two checks keep that safe,
besides the decorator: ``bigcommerce.instance.with_delay`` refuses to queue
for anyone but an Administrator (or the superuser), and
``bigcommerce.instance._get_client`` (the only way to the access token, so
to the store) checks again when the job runs, so a job whose user lost the
group meanwhile sends nothing.
"""

import functools

from odoo.exceptions import AccessError

ADMIN_GROUP = "bigcommerce_connector.group_bigcommerce_manager"
USER_GROUP = "bigcommerce_connector.group_bigcommerce_user"

# Attribute set on decorated methods, so a test can enumerate what is guarded.
GUARD_ATTRIBUTE = "_bigcommerce_admin_only"


def is_bigcommerce_admin(env):
    """True when ``env`` may act on live stores (Administrator or superuser)."""
    return env.su or env.user.has_group(ADMIN_GROUP)


def check_bigcommerce_admin(env, what=None):
    """Raise AccessError unless ``env`` is a BigCommerce Administrator.

    ``what`` names the refused action in the message (a method name).
    """
    if is_bigcommerce_admin(env):
        return
    message = env._(
        "Only a BigCommerce Administrator may do this: it acts on the "
        "live store or changes the connector's configuration."
    )
    if what:
        message = f"{message} ({what})"
    raise AccessError(message)


def bigcommerce_admin_only(method):
    """Decorate a model method that acts on the live store or the configuration.

    The check runs first, before the method's own code. Odoo's decorators
    (``api.model``...) may go above or below it: their markers are kept.
    """

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        check_bigcommerce_admin(self.env, f"{self._name}.{method.__name__}")
        return method(self, *args, **kwargs)

    setattr(guarded, GUARD_ATTRIBUTE, True)
    return guarded
