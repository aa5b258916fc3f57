"""What can go wrong when talking to BigCommerce, sorted by what the caller can do.

- ``RetryableError`` (429, 5xx, timeouts, dropped connections): try again later;
  ``retry_after`` says when. Queue jobs turn it into ``RetryableJobError``.
- ``ConfigurationError`` (401, 403): the token or its scopes are wrong; retrying
  will not help until an admin fixes the instance.
- ``NotFoundError`` (404): the record is gone or the store hash is wrong.
- ``InvalidRequestError`` (400, 409, 413, 422): BigCommerce refused the request
  and said why (``message`` carries its text).

No error ever holds the access token: messages are built from the status, the
path and BigCommerce's own error text, and that text is scrubbed as well.
"""

import time


class BigCommerceError(Exception):
    """Base of every error raised by the client."""

    retryable = False

    def __init__(self, message, *, status=None, method=None, path=None, details=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.details = details or {}

    def __str__(self):
        where = f" [{self.method} {self.path}]" if self.method and self.path else ""
        return f"{self.message}{where}"


class RetryableError(BigCommerceError):
    """A temporary failure: the same request may succeed after ``retry_after`` s."""

    retryable = True
    default_retry_after = 60.0

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = (
            self.default_retry_after if retry_after is None else float(retry_after)
        )
        self.raised_at = time.monotonic()

    def remaining_wait(self):
        """Seconds still to wait now: ``retry_after`` counts from the answer,
        and the caller may have worked since (booked what it read before)."""
        return max(0.0, self.retry_after - (time.monotonic() - self.raised_at))


class RateLimitError(RetryableError):
    """HTTP 429, or the governor's own refusal to wait longer than allowed.

    ``platform_load`` is true for a 429 without rate-limit headers: BigCommerce
    documents that as load on its side, which calls for a longer back-off.
    """

    def __init__(self, message, *, platform_load=False, **kwargs):
        super().__init__(message, **kwargs)
        self.platform_load = platform_load


class ServerError(RetryableError):
    """HTTP 5xx: BigCommerce or the store is having trouble (503 = maintenance)."""


class TransportError(RetryableError):
    """No usable HTTP answer: connection refused or dropped, DNS failure, TLS."""

    default_retry_after = 30.0


class RequestTimeoutError(TransportError):
    """The store did not answer within the client's timeout."""


class ConfigurationError(BigCommerceError):
    """The instance's credentials cannot do this; an admin must fix them."""


class ForbiddenHostError(ConfigurationError):
    """The API base URL is not BigCommerce's and the server does not allow it:
    the token is never sent there."""


class AuthenticationError(ConfigurationError):
    """HTTP 401: missing, wrong or revoked access token."""


class AccessDeniedError(ConfigurationError):
    """HTTP 403: the API account lacks an OAuth scope (or the store hash is wrong)."""


class NotFoundError(BigCommerceError):
    """HTTP 404: the resource does not exist (or no store answers at that hash)."""


class InvalidRequestError(BigCommerceError):
    """HTTP 400/409/413/422 and other 4xx: BigCommerce refused the request."""
