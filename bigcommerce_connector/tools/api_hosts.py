"""Which API hosts this Odoo server lets the access token go to.

BigCommerce's own ``api.bigcommerce.com`` (https) always; any other host only
when the server's administrator names it: ``bigcommerce_allowed_api_hosts``
in the Odoo configuration file, or the environment variable
``BIGCOMMERCE_ALLOWED_API_HOSTS`` (comma-separated host names). It is server
configuration on purpose: a BigCommerce Administrator in the web client can
edit an instance's API base URL but cannot widen this list.
"""

from odoo.tools import config

from ..client.hosts import hosts_from_environment, parse_hosts

CONFIG_KEY = "bigcommerce_allowed_api_hosts"


def allowed_api_hosts():
    configured = config.get(CONFIG_KEY)
    if configured:
        return parse_hosts(configured)
    return hosts_from_environment()
