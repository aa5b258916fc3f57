"""``python -m bigcommerce_sandbox --port 8765 --seed 42``

``--orders N`` adds N orders an hour after the seeded ones (the mix of the
benchmarks: awaiting fulfillment, shipped, completed, awaiting shipment;
some in EUR, some by guests); ``--json`` prints one JSON line describing
the store (API URL, credentials, when the added orders start) for scripts
that start several stores (``scripts/benchmark_scale_out.py``).
"""

import argparse
import json
import logging
import time

from .seed import iso_z
from .server import DEFAULT_QUOTA, DEFAULT_WINDOW_MS, SandboxStore

# The order mix of the benchmarks (scripts/benchmark_orders.py).
STATUSES = [11, 11, 11, 2, 10, 9]


def add_orders(store, count):
    """``count`` new orders after the seeded ones; returns (when they start,
    their ids)."""
    store.advance_clock(3600)
    since = store.state.clock.now()
    ids = []
    for index in range(count):
        options = {"status_id": STATUSES[index % len(STATUSES)]}
        if index % 7 == 0:
            options["currency_code"] = "EUR"
        if index % 11 == 0:
            options["guest"] = True
        ids.append(store.create_order(**options)["id"])
    store.advance_clock(60)
    return since, ids


def main():
    parser = argparse.ArgumentParser(description="BigCommerce sandbox store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA)
    parser.add_argument("--window-ms", type=int, default=DEFAULT_WINDOW_MS)
    parser.add_argument("--orders", type=int, default=0, help="orders to add")
    parser.add_argument("--json", action="store_true", help="print the store as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    store = SandboxStore(seed=args.seed, quota=args.quota, window_ms=args.window_ms)
    since, ids = add_orders(store, args.orders) if args.orders else (None, [])
    store.start(args.host, args.port)
    if args.json:
        print(
            json.dumps(
                {
                    "api_url": store.api_url,
                    "url": store.url,
                    "store_hash": store.store_hash,
                    "store_id": store.store_id,
                    "access_token": store.access_token,
                    "client_secret": store.client_secret,
                    "orders_since": iso_z(since) if since else None,
                    "order_ids": [min(ids), max(ids)] if ids else None,
                    "orders": len(store.state.orders),
                }
            ),
            flush=True,
        )
    else:
        print(
            f"BigCommerce sandbox store on {store.api_url} "
            f"(token {store.access_token}, {len(store.state.orders)} orders, "
            f"{len(store.state.customers)} customers, "
            f"{len(store.state.products)} products)",
            flush=True,
        )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        store.stop()


if __name__ == "__main__":
    main()
