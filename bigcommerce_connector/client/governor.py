"""Client-side rate-limit governor, one per store.

BigCommerce gives each *store* a quota per window (Standard plan: 150 requests
per 30 s) shared by every app and thread calling it, and reports what is left
in ``X-Rate-Limit-*`` headers. The governor keeps the last reading per store,
counts its own requests down between readings (so concurrent threads do not all
act on the same stale number), and makes a caller wait for the window to reset
once only the reserve is left, instead of spending the quota and eating a 429.

Waiting is bounded by the caller's ``max_wait``: queue jobs pass 0, and then
get a ``RateLimitError`` carrying the wait, which their retry machinery honours
(a worker never sleeps).
"""

import threading
import time

from .errors import RateLimitError

_GOVERNORS = {}
_GOVERNORS_LOCK = threading.Lock()

# Pause a little past the announced reset: the store's clock and ours differ.
RESET_MARGIN_S = 0.05


def governor_for(store_key):
    """The shared governor of one store (keyed by its API URL)."""
    with _GOVERNORS_LOCK:
        governor = _GOVERNORS.get(store_key)
        if governor is None:
            governor = _GOVERNORS[store_key] = RateLimitGovernor()
        return governor


def _header(headers, name):
    # requests' headers are case-insensitive already; plain dicts (tests,
    # other transports) are not, and BigCommerce may send lower-case names.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                value = candidate
                break
    return value


def _int_header(headers, name):
    value = _header(headers, name)
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


class RateLimitGovernor:
    """Thread-safe view of one store's quota."""

    def __init__(self, reserve_ratio=0.05, clock=time.monotonic, sleep=time.sleep):
        self.reserve_ratio = reserve_ratio
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.quota = None
        self.left = None
        self.reset_at = None
        self.window_s = None
        self.waited_s = 0.0

    def forget(self):
        """Drop the last reading (tests reconfigure the sandbox's quota)."""
        with self._lock:
            self.quota = self.left = self.reset_at = self.window_s = None

    @property
    def reserve(self):
        if not self.quota:
            return 0
        return max(1, int(self.quota * self.reserve_ratio))

    def acquire(self, max_wait):
        """Claim one request; wait (at most ``max_wait`` s) if the quota is spent."""
        while True:
            with self._lock:
                wait = self._wait_needed()
                if wait <= 0:
                    if self.left is not None:
                        self.left -= 1
                    return
                if wait > max_wait:
                    raise RateLimitError(
                        "The store's API quota is used up; it resets in "
                        f"{wait:.1f} s.",
                        retry_after=wait,
                        status=429,
                    )
            self.waited_s += wait
            self._sleep(wait)
            max_wait -= wait

    def _wait_needed(self):
        if self.left is None or self.reset_at is None:
            return 0
        now = self._clock()
        if now >= self.reset_at:
            # A new window started; the next response will tell the real numbers.
            self.left = self.quota
            self.reset_at = None
            return 0
        if self.left > self.reserve:
            return 0
        return self.reset_at - now + RESET_MARGIN_S

    def update(self, headers):
        """Record the quota reading of a response (any status)."""
        left = _int_header(headers, "X-Rate-Limit-Requests-Left")
        reset_ms = _int_header(headers, "X-Rate-Limit-Time-Reset-Ms")
        if left is None or reset_ms is None:
            return
        quota = _int_header(headers, "X-Rate-Limit-Requests-Quota")
        window_ms = _int_header(headers, "X-Rate-Limit-Time-Window-Ms")
        with self._lock:
            reset_at = self._clock() + reset_ms / 1000.0
            tolerance = min(1.0, (self.window_s or 4.0) / 4)
            same_window = (
                self.reset_at is not None and abs(reset_at - self.reset_at) < tolerance
            )
            # Responses of concurrent requests arrive out of order: within one
            # window, the lowest count is the freshest.
            if same_window and self.left is not None:
                self.left = min(self.left, left)
            else:
                self.left = left
            self.reset_at = reset_at
            if quota:
                self.quota = quota
            if window_ms:
                self.window_s = window_ms / 1000.0

    def throttled(self, reset_ms):
        """A 429 arrived: nothing is left until the reset it announced."""
        with self._lock:
            self.left = 0
            self.reset_at = self._clock() + reset_ms / 1000.0
