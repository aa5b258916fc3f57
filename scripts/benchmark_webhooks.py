"""Benchmark the webhook endpoint: acknowledgement latency while the job
runner processes the events, and the processing rate at the store's quota.

    python3 scripts/benchmark_webhooks.py [--deliveries 1000] [--orders 250]
                                          [--workers 0] [--concurrency 1]
                                          [--channels root:4,root.bigcommerce:2]
                                          [--no-quota]

It installs the addon into a throwaway database (``bigcommerce_webhook_bench``,
dropped at the end unless ``--keep``), starts the sandbox store with
``--orders`` new orders at BigCommerce's Standard quota (150 requests per
30 s; ``--no-quota`` removes the rate limit and every figure then says so),
confirms an instance and registers its webhooks, then serves Odoo in a
separate process (threaded, or ``--workers`` prefork workers; no cron) WITH
queue_job's job runner (``queue_job`` loaded server-wide, channels
``--channels``, as docs/deployment.md recommends). The benchmark posts
``--deliveries`` signed callbacks to the real endpoint, the way BigCommerce
does: for every order ``created``, ``updated`` and ``statusUpdated``, and
redeliveries (duplicates) of earlier events for the rest. The runner imports
the orders in the same server while the callbacks arrive, so each POST,
timed from the client over a keep-alive connection (after a warm-up of 20
deliveries that is not counted), is acknowledged by a server that is busy
with the jobs. Then it waits until every job is done and prints the
processing rate. Nothing is asserted: the figures are printed.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import requests

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from bench_jobs import (  # noqa: E402
    add_quota_arguments,
    print_request_model,
    quota_label,
    quota_of,
)
from odoo_env import (  # noqa: E402
    ROOT,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    install_addon,
    odoo_command,
)

sys.path.insert(0, ROOT)

WARM_UP = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=250)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: threaded server (default); N: prefork, which also spawns "
        "Odoo's gevent process (needs gevent installed)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="parallel senders (default 1)"
    )
    parser.add_argument(
        "--channels",
        default="root:4,root.bigcommerce:2",
        help="queue_job channels of the server's job runner",
    )
    parser.add_argument(
        "--max-wait",
        type=int,
        default=3600,
        help="seconds to wait for the jobs to be done",
    )
    add_quota_arguments(parser)
    parser.add_argument("--db", default="bigcommerce_webhook_bench")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def make_store(count, quota, window_ms):
    from bigcommerce_sandbox import SandboxStore, seed  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=quota, window_ms=window_ms)
    # Created without webhooks: the benchmark sends their callbacks itself.
    with store.state.lock:
        orders = [seed.create_order(store.state, status_id=11) for _ in range(count)]
    return store.start(), [order["id"] for order in orders]


def setup_instance(registry, store, port):
    import odoo  # noqa: PLC0415
    from odoo import Command, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        instance = env["bigcommerce.instance"].create(
            {
                "name": "Webhook benchmark",
                "store_hash": store.store_hash,
                "access_token": store.access_token,
                "client_secret": store.client_secret,
                "api_url": store.api_url,
                "webhook_base_url": f"http://127.0.0.1:{port}",
                "import_orders_cron": False,
                "import_customers_cron": False,
                # The store's generated orders are its history, booked: a go-live
                # date before them (Confirm proposes "now", which would keep them out).
                "go_live_date": "2000-01-01 00:00:00",
            }
        )
        instance.action_confirm()  # registers the webhooks
        # Confirm's category and brand imports are not what is measured.
        env["queue.job"].search([]).unlink()
        skus = {
            v["sku"] for vs in store.state.variants.values() for v in vs if v["sku"]
        }
        env["product.product"].create(
            [
                {
                    "name": sku,
                    "default_code": sku,
                    "type": "consu",
                    "invoice_policy": "order",
                    "taxes_id": [Command.clear()],
                }
                for sku in sorted(skus)
            ]
        )
        cr.commit()
        return instance.id


def server_command():
    # Prefork mode re-runs its own script for the gevent worker: start Odoo
    # from odoo-bin when there is one (``python -m odoo`` cannot be re-run).
    import odoo  # noqa: PLC0415

    for package_dir in odoo.__path__:
        script = os.path.join(os.path.dirname(package_dir), "odoo-bin")
        if os.path.exists(script):
            return [sys.executable, script]
    return odoo_command()


def start_server(args, key, port):
    command = [
        *server_command(),
        "server",
        f"--addons-path={addons_path()}",
        "-d",
        args.db,
        f"--db-filter=^{args.db}$",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--http-interface=127.0.0.1",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--log-level=warn",
        "--no-database-list",
        # queue_job's runner in the server, as in production.
        "--load=base,web,queue_job",
    ]
    env = allow_sandbox_hosts(
        dict(
            os.environ,
            BIGCOMMERCE_ENCRYPTION_KEY=key,
            ODOO_QUEUE_JOB_CHANNELS=args.channels,
        )
    )
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("Odoo did not start within 120 s")


def build_deliveries(store, order_ids, count):
    """(hook, payload) of every callback to send, in sending order."""
    from bigcommerce_sandbox.webhooks import (  # noqa: PLC0415
        build_payload,
        scope_matches,
    )

    hooks = list(store.state.hooks.values())

    def hook_for(scope):
        return next(h for h in hooks if scope_matches(h["scope"], scope))

    events = []
    now = int(time.time())
    for order_id in order_ids:
        for scope, data in (
            ("store/order/created", {"type": "order", "id": order_id}),
            ("store/order/updated", {"type": "order", "id": order_id}),
            (
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": order_id,
                    "status": {"previous_status_id": 0, "new_status_id": 11},
                },
            ),
        ):
            payload = build_payload(store.state, store.store_id, scope, data, now)
            events.append((hook_for(scope), payload))
    deliveries = events[: count + WARM_UP]
    rng = random.Random(42)
    while len(deliveries) < count + WARM_UP:
        deliveries.append(rng.choice(events))  # a redelivery, same payload
    return deliveries


def send_all(store, deliveries, concurrency):
    from bigcommerce_sandbox.webhooks import sign  # noqa: PLC0415

    latencies, statuses = [], []
    lock = threading.Lock()
    queue = list(enumerate(deliveries))

    def sender():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                index, (hook, payload) = queue.pop(0)
            body = json.dumps(payload).encode()
            webhook_id = f"msg_{uuid.uuid4().hex}"
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(
                    store.client_secret, webhook_id, timestamp, body
                ),
                **(hook.get("headers") or {}),
            }
            started = time.perf_counter()
            response = session.post(
                hook["destination"], data=body, headers=headers, timeout=30
            )
            elapsed = time.perf_counter() - started
            with lock:
                statuses.append(response.status_code)
                if index >= WARM_UP:
                    latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def wait_for_jobs(registry, instance_id, started, max_wait):
    """Wait until the server's runner has no job left; the processing figures."""
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    deadline = time.perf_counter() + max_wait
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            states = Counter(env["queue.job"].search([]).mapped("state"))
        left = sum(
            states[s] for s in ("pending", "enqueued", "started", "wait_dependencies")
        )
        if not left or time.perf_counter() > deadline:
            break
        time.sleep(2)
    seconds = time.perf_counter() - started
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        events = env["bigcommerce.webhook.event"].search(
            [("instance_id", "=", instance_id)]
        )
        return {
            "jobs": dict(states),
            "jobs_left": left,
            "seconds": seconds,
            "events": len(events),
            "states": dict(Counter(events.mapped("state"))),
            "duplicates": sum(events.mapped("duplicate_count")),
            "sale_orders": env["bigcommerce.order"].search_count(
                [("instance_id", "=", instance_id), ("state", "=", "done")]
            ),
        }


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    print(f"installing bigcommerce_connector into {args.db} ...", flush=True)
    install_addon(args.db, key)
    store, order_ids = make_store(args.orders, *quota_of(args))

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    port = free_port()
    server = None
    try:
        instance_id = setup_instance(registry, store, port)
        server = start_server(args, key, port)
        # queue_job's runner starts a few seconds after the server.
        time.sleep(6)
        deliveries = build_deliveries(store, order_ids, args.deliveries)
        requests_before = store.request_count
        throttled_before = store.count_429
        started = time.perf_counter()
        latencies, statuses, wall = send_all(store, deliveries, args.concurrency)
        processing = wait_for_jobs(registry, instance_id, started, args.max_wait)
        processing["requests"] = store.request_count - requests_before
        processing["requests_by_path"] = Counter(
            "/".join(
                "{id}" if part.isdigit() else part
                for part in path.strip("/").split("/")
            )
            for _m, path, _q in store.request_log[requests_before:]
        )
        processing["count_429"] = store.count_429 - throttled_before
        processing["taxed"] = sum(
            1
            for order_id in order_ids
            if store.state.orders[order_id]["total_tax"] not in ("0.0000", "0")
        )
        processing["shipped"] = sum(
            1 for order_id in order_ids if store.state.orders[order_id]["items_shipped"]
        )
        processing["customers"] = len(
            {
                store.state.orders[order_id]["customer_id"]
                for order_id in order_ids
                if store.state.orders[order_id]["customer_id"]
            }
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        store.stop()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    report(args, latencies, statuses, wall, processing)


def report(args, latencies, statuses, wall, processing):
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    orders = args.orders
    print()
    print(f"Webhooks, {quota_label(args)}")
    print(
        f"  deliveries timed         {len(latencies)} (+{WARM_UP} warm-up), "
        f"{args.concurrency} sender(s), {args.workers} Odoo workers, job runner "
        f"{args.channels} processing the events meanwhile"
    )
    print(f"  HTTP statuses            {counts}")
    print(
        f"  acknowledgement latency  median {statistics.median(ordered) * 1000:.1f} "
        f"ms, p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms "
        f"(goal p99 < 50 ms)"
    )
    print(f"  deliveries per second    {len(statuses) / wall:.0f}")
    print(
        f"  events stored            {processing['events']} "
        f"(+{processing['duplicates']} duplicates acknowledged and ignored)"
    )
    print(
        f"  processing               {processing['seconds']:.1f} s from the first "
        f"delivery to the last job done -> "
        f"{processing['events'] / processing['seconds']:.1f} events/s; "
        f"{processing['sale_orders']} orders imported; jobs {processing['jobs']}"
        + (f", {processing['jobs_left']} NOT DONE" if processing["jobs_left"] else "")
    )
    print(
        f"  API requests             {processing['requests']} "
        f"({dict(processing['requests_by_path'])}); 429s {processing['count_429']}"
    )
    print_request_model(
        [
            (
                orders,
                "order reads, GET /v2/orders (by id): 1 per order (its three "
                "events and redeliveries make one job, identity key)",
                "a callback carries only the order's id; the order is read when "
                "its job runs, once for all its events queued meanwhile",
            ),
            (
                processing["taxed"],
                "tax reads, GET /v2/orders/{id}/taxes: 1 per taxed order",
                "the rows per rate are in no order payload",
            ),
            (
                processing["shipped"],
                "shipment reads, GET /v2/orders/{id}/shipments: 1 per shipped order",
                "tracking numbers are in no order payload",
            ),
            (
                processing["customers"],
                "customer reads, GET /v3/customers?id:in=<id>: 1 per registered "
                "customer not yet in Odoo",
                "an order carries only the customer's id (one job per order: "
                "nothing to batch them with)",
            ),
        ]
    )
    model = orders + processing["taxed"] + processing["shipped"]
    model += processing["customers"]
    print(
        f"  requests / model         {processing['requests']} / {model} = "
        f"{processing['requests'] / max(model, 1):.3f}x"
    )
    if not args.no_quota:
        print(
            f"  quota's lower bound      {processing['requests'] / 5:.0f} s "
            "(requests / 5 per second) for the processing"
        )


if __name__ == "__main__":
    main()
