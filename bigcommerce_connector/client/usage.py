"""Requests this Odoo process sent to each store in the last hour.

One counter per store and minute, kept for an hour: constant memory, no
database write per request. Each Odoo process (worker) counts its own
requests; the dashboard shows this server's share of the store's quota.
"""

import threading
import time
from collections import defaultdict, deque

WINDOW_MINUTES = 60

_LOCK = threading.Lock()
_BUCKETS = defaultdict(deque)  # store key -> deque of [minute, count]


def record(store_key, clock=time.time):
    minute = int(clock() // 60)
    with _LOCK:
        buckets = _BUCKETS[store_key]
        if buckets and buckets[-1][0] == minute:
            buckets[-1][1] += 1
        else:
            buckets.append([minute, 1])
        while buckets and buckets[0][0] <= minute - WINDOW_MINUTES:
            buckets.popleft()


def last_hour(store_key, clock=time.time):
    oldest = int(clock() // 60) - WINDOW_MINUTES
    with _LOCK:
        return sum(
            count for minute, count in _BUCKETS.get(store_key, ()) if minute > oldest
        )
