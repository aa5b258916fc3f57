"""``python -m bigcommerce_sandbox --port 8765 --seed 42``"""

import argparse
import logging
import time

from .server import DEFAULT_QUOTA, DEFAULT_WINDOW_MS, SandboxStore


def main():
    parser = argparse.ArgumentParser(description="BigCommerce sandbox store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA)
    parser.add_argument("--window-ms", type=int, default=DEFAULT_WINDOW_MS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    store = SandboxStore(seed=args.seed, quota=args.quota, window_ms=args.window_ms)
    store.start(args.host, args.port)
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
