"""Where the access token may be sent: BigCommerce's API host, over HTTPS.

The token opens the whole store, so the client refuses any base URL whose
host is not ``api.bigcommerce.com`` (HTTPS only) unless the server's own
configuration names that host: ``BIGCOMMERCE_ALLOWED_API_HOSTS`` (comma
separated host names; Odoo also reads ``bigcommerce_allowed_api_hosts`` from
its configuration file). Development and tests allow ``127.0.0.1`` for the
sandbox store; a production server allows nothing else. An allowed extra
host may use plain HTTP (the sandbox does).
"""

import os
from urllib.parse import urlsplit

from . import errors

BIGCOMMERCE_API_HOST = "api.bigcommerce.com"
ENV_ALLOWED_HOSTS = "BIGCOMMERCE_ALLOWED_API_HOSTS"


def parse_hosts(raw):
    """``"a, B ,"`` -> ``frozenset({"a", "b"})``."""
    return frozenset(
        host.strip().lower() for host in (raw or "").split(",") if host.strip()
    )


def hosts_from_environment():
    return parse_hosts(os.environ.get(ENV_ALLOWED_HOSTS))


def api_host_problem(url, allowed_hosts=()):
    """Why ``url`` may not receive the token, or None when it may."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower()
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return "the API base URL is not a valid URL"
    if port == 0:
        return "the API base URL is not a valid URL"
    if parts.username or parts.password:
        return "the API base URL must not contain a user name or password"
    if host == BIGCOMMERCE_API_HOST:
        if parts.scheme != "https":
            return f"{BIGCOMMERCE_API_HOST} is only reached over https"
        return None
    if host and host in allowed_hosts and parts.scheme in ("http", "https"):
        return None
    return (
        f"the API host must be {BIGCOMMERCE_API_HOST} (https); "
        f"{host or 'this URL'} is not allowed by the server configuration "
        f"({ENV_ALLOWED_HOSTS})"
    )


def check_api_url(url, allowed_hosts=()):
    """Raise :class:`errors.ForbiddenHostError` unless ``url`` may get the token."""
    problem = api_host_problem(url, allowed_hosts)
    if problem:
        raise errors.ForbiddenHostError(f"The access token is not sent: {problem}.")
