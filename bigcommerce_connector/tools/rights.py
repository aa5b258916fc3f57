"""Who may act on a live BigCommerce store: one server-side check.

Odoo exposes every public model method over RPC to anyone who can read the
record; a button's ``groups=`` only hides it. A method that sends to
BigCommerce, queues such a job, reads a secret or changes configuration is
decorated with :func:`bigcommerce_admin_only`, which checks the
BigCommerce / Administrator group before the method body runs (so before any
request is sent or any job is queued).

The superuser environment (crons, ``sudo()`` of Odoo's own flows such as a
delivery validated by a warehouse user) passes: those calls come from code,
not from an RPC caller, and RPC never runs in superuser mode.
"""

import functools

from odoo import _
from odoo.exceptions import AccessError

ADMIN_GROUP = "bigcommerce_connector.group_bigcommerce_manager"
USER_GROUP = "bigcommerce_connector.group_bigcommerce_user"

# Attribute set on decorated methods, so a test can enumerate what is guarded.
GUARD_ATTRIBUTE = "_bigcommerce_admin_only"


def is_bigcommerce_admin(env):
    """True when ``env`` may act on live stores (Administrator or superuser)."""
    return env.su or env.user.has_group(ADMIN_GROUP)


def check_bigcommerce_admin(env):
    """Raise AccessError unless ``env`` is a BigCommerce Administrator."""
    if not is_bigcommerce_admin(env):
        raise AccessError(
            _(
                "Only a BigCommerce Administrator may do this: it acts on the "
                "live store or changes the connector's configuration."
            )
        )


def bigcommerce_admin_only(method):
    """Decorate a model method that acts on the live store or the configuration."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        check_bigcommerce_admin(self.env)
        return method(self, *args, **kwargs)

    setattr(guarded, GUARD_ATTRIBUTE, True)
    return guarded
