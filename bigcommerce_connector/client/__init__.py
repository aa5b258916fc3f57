"""BigCommerce REST client: plain Python on ``requests``, nothing from Odoo."""

from .client import BigCommerceClient
from .errors import (
    AccessDeniedError,
    AuthenticationError,
    BigCommerceError,
    ConfigurationError,
    ForbiddenHostError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    RetryableError,
    ServerError,
    TransportError,
)
from .hosts import BIGCOMMERCE_API_HOST, api_host_problem, check_api_url
from .governor import RateLimitGovernor, governor_for
from .parsing import format_iso8601, format_rfc2822, parse_datetime, parse_money

__all__ = [
    "BIGCOMMERCE_API_HOST",
    "AccessDeniedError",
    "AuthenticationError",
    "BigCommerceClient",
    "BigCommerceError",
    "ConfigurationError",
    "ForbiddenHostError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitError",
    "RateLimitGovernor",
    "RequestTimeoutError",
    "RetryableError",
    "ServerError",
    "TransportError",
    "api_host_problem",
    "check_api_url",
    "format_iso8601",
    "format_rfc2822",
    "governor_for",
    "parse_datetime",
    "parse_money",
]
