"""Client-side rate-limit governor, one per store.

BigCommerce gives each *store* a quota per window (Standard plan: 150 requests
per 30 s) shared by every app and thread calling it, and reports what is left
in ``X-Rate-Limit-*`` headers. The governor keeps the last reading per store,
counts its own requests down between readings (so concurrent callers do not
all act on the same stale number), and makes a caller wait for the window to
reset once only the reserve is left, instead of spending the quota and eating
a 429.

The rules are :class:`QuotaState`: plain data, no lock, no clock. Where the
state lives is the shell's business: :class:`RateLimitGovernor` keeps it in
this process (threads share it); the Odoo addon keeps it in PostgreSQL, one
row per store, so that every worker and node of a deployment shares one
countdown (``tools/shared_quota.py``). Both have the same interface
(``acquire``, ``update``, ``throttled``, ``forget``).

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
# Share of the quota never spent: requests of other callers in flight when a
# reading was taken, and the store's other apps, are absorbed by it.
RESERVE_RATIO = 0.05


def governor_for(store_key):
    """The shared governor of one store (keyed by its API URL) in this process."""
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


def read_headers(headers):
    """``(left, reset_ms, quota, window_ms)`` of a response, or None when it
    carries no reading (quota and window may be None)."""
    left = _int_header(headers, "X-Rate-Limit-Requests-Left")
    reset_ms = _int_header(headers, "X-Rate-Limit-Time-Reset-Ms")
    if left is None or reset_ms is None:
        return None
    return (
        left,
        reset_ms,
        _int_header(headers, "X-Rate-Limit-Requests-Quota"),
        _int_header(headers, "X-Rate-Limit-Time-Window-Ms"),
    )


def quota_error(wait):
    return RateLimitError(
        f"The store's API quota is used up; it resets in {wait:.1f} s.",
        retry_after=wait,
        status=429,
    )


class QuotaState:
    """One store's quota as last seen, and the rules that move it.

    ``now`` is the caller's clock (seconds); ``reset_at`` is on that clock.
    ``left`` None: no reading yet (nothing is known, nothing waits).
    """

    __slots__ = ("left", "quota", "reset_at", "window_s")

    def __init__(self, quota=None, left=None, reset_at=None, window_s=None):
        self.quota = quota
        self.left = left
        self.reset_at = reset_at
        self.window_s = window_s

    def reserve(self, ratio=RESERVE_RATIO):
        if not self.quota:
            return 0
        return max(1, int(self.quota * ratio))

    def claim(self, now, ratio=RESERVE_RATIO):
        """Claim one request: 0 when claimed, else the seconds to wait."""
        wait = self.wait_needed(now, ratio)
        if wait <= 0 and self.left is not None:
            self.left -= 1
        return wait

    def wait_needed(self, now, ratio=RESERVE_RATIO):
        if self.left is None or self.reset_at is None:
            return 0
        if now >= self.reset_at:
            # A new window started; the next response will tell the real numbers.
            self.left = self.quota
            self.reset_at = None
            return 0
        if self.left > self.reserve(ratio):
            return 0
        return self.reset_at - now + RESET_MARGIN_S

    def record(self, now, left, reset_ms, quota=None, window_ms=None):
        """A response's reading (any status)."""
        reset_at = now + reset_ms / 1000.0
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

    def throttle(self, now, reset_ms):
        """A 429 arrived: nothing is left until the reset it announced."""
        self.left = 0
        self.reset_at = now + reset_ms / 1000.0


class RateLimitGovernor:
    """Thread-safe view of one store's quota, in this process."""

    def __init__(
        self, reserve_ratio=RESERVE_RATIO, clock=time.monotonic, sleep=time.sleep
    ):
        self.reserve_ratio = reserve_ratio
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._state = QuotaState()
        self.waited_s = 0.0

    # The last reading, for callers and tests.
    quota = property(lambda self: self._state.quota)
    left = property(lambda self: self._state.left)
    reset_at = property(lambda self: self._state.reset_at)
    window_s = property(lambda self: self._state.window_s)

    @property
    def reserve(self):
        return self._state.reserve(self.reserve_ratio)

    def reset_in(self):
        """Seconds until the window of the last reading resets (None: unknown)."""
        with self._lock:
            if self._state.reset_at is None:
                return None
            return self._state.reset_at - self._clock()

    def forget(self):
        """Drop the last reading (tests reconfigure the sandbox's quota)."""
        with self._lock:
            self._state = QuotaState()

    def acquire(self, max_wait):
        """Claim one request; wait (at most ``max_wait`` s) if the quota is spent."""
        while True:
            with self._lock:
                wait = self._state.claim(self._clock(), self.reserve_ratio)
            if wait <= 0:
                return
            if wait > max_wait:
                raise quota_error(wait)
            self.waited_s += wait
            self._sleep(wait)
            max_wait -= wait

    def update(self, headers):
        """Record the quota reading of a response (any status)."""
        reading = read_headers(headers)
        if reading is None:
            return
        with self._lock:
            self._state.record(self._clock(), *reading)

    def throttled(self, reset_ms):
        """A 429 arrived: nothing is left until the reset it announced."""
        with self._lock:
            self._state.throttle(self._clock(), reset_ms)
