"""BigCommerce REST client: plain Python on ``requests``, nothing from Odoo."""

from .client import BigCommerceClient
from .errors import (
    AccessDeniedError,
    AuthenticationError,
    BigCommerceError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    RetryableError,
    ServerError,
    TransportError,
)
from .governor import RateLimitGovernor, governor_for
from .parsing import format_iso8601, format_rfc2822, parse_datetime, parse_money

__all__ = [
    "AccessDeniedError",
    "AuthenticationError",
    "BigCommerceClient",
    "BigCommerceError",
    "ConfigurationError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitError",
    "RateLimitGovernor",
    "RequestTimeoutError",
    "RetryableError",
    "ServerError",
    "TransportError",
    "format_iso8601",
    "format_rfc2822",
    "governor_for",
    "parse_datetime",
    "parse_money",
]
