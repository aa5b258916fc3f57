"""Benchmark the production topology: prefork workers, queue_job's runner,
several stores, several nodes (issue 20).

    python3 scripts/benchmark_scale_out.py [--stores 1,2,4] [--orders 2000]
        [--workers 4] [--window-ms 30000] [--webhooks-per-second 1]
        [--two-nodes] [--two-nodes-stores 2]

It installs the addon into a throwaway database (``bigcommerce_scale_bench``,
dropped at the end unless ``--keep``), then for each K of ``--stores``:

1. starts K sandbox stores, each its own process and quota (``--quota``,
   Standard: 150 requests per ``--window-ms``), with ``--orders`` new orders
   each (``python -m bigcommerce_sandbox --orders N --json``);
2. makes K confirmed instances (webhooks registered to Odoo, crons off) and
   the Odoo products of the stores' SKUs, committed;
3. serves Odoo in prefork mode (``--workers``) with queue_job's real runner
   (``--load=base,web,rpc,queue_job``), its channels as the deployment guide
   says: ``root.bigcommerce`` at workers - 1 (one HTTP worker is kept free
   for the webhooks), each store's channel at 1;
4. queues one import of the new orders per store and, while the runner books
   them, posts signed ``store/order/updated`` callbacks of the stores' orders
   to the webhook endpoint at ``--webhooks-per-second`` per store, timing
   each acknowledgement;
5. waits until every order is booked, samples the memory of every Odoo
   process all along, then checks the database and the stores.

Printed per K: orders per second and the ratio to K x the one-store figure;
the 429s BigCommerce answered; the share of each store's quota used while it
had orders waiting; webhook acknowledgement p50/p99 during the run; the peak
memory of the Odoo processes; duplicates (a BigCommerce order with two sale
orders or two invoices); invoices that do not tie out to ``total_inc_tax``.

``--two-nodes`` then runs ``--two-nodes-stores`` stores on two Odoo nodes
(each ``--workers`` workers, its own runner process) on the same database
behind a round-robin HTTP balancer: queue_job elects one runner by its
PostgreSQL advisory lock, its dispatch URL is the balancer's, and the jobs run
on both nodes. Printed: jobs executed per node and the duplicates.

Nothing is asserted: figures only, each with the quota it ran at. On a
shared or small machine the CPU, not the quotas, is the limit: the script
prints the load average so that figures can be read against it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from odoo_env import (  # noqa: E402
    ROOT,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    install_addon,
)

sys.path.insert(0, ROOT)

from scale_topology import (  # noqa: E402
    Balancer,
    MemorySampler,
    Node,
    Store,
    WebhookSender,
    wait_for_runner,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="1,2,4", help="K values, e.g. 1,2,4")
    parser.add_argument("--orders", type=int, default=2000, help="N per store")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--window-ms", type=int, default=30000)
    parser.add_argument("--webhooks-per-second", type=float, default=1.0)
    parser.add_argument(
        "--free-http-workers",
        type=int,
        default=1,
        help="HTTP workers per node kept free of jobs for the webhooks (the "
        "deployment guide's rule: 1); 0 shows what happens without",
    )
    parser.add_argument("--two-nodes", action="store_true")
    parser.add_argument("--two-nodes-stores", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=7200, help="per run, s")
    parser.add_argument("--db", default="bigcommerce_scale_bench")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def log(message):
    print(f"[scale] {message}", flush=True)


# ----------------------------------------------------------------------
# Setup through the ORM (this process), committed
# ----------------------------------------------------------------------


def environment(registry):
    import odoo  # noqa: PLC0415

    cr = registry.cursor()
    return cr, odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def setup_instances(registry, stores, webhook_url, capacity):
    """Confirmed instances of the stores and their products; (instance ids,
    the runner's channels line)."""
    cr, env = environment(registry)
    try:
        skus = set()
        for store in stores:
            for product in store.client().iter_products():
                for variant in product.get("variants") or []:
                    if variant.get("sku"):
                        skus.add(variant["sku"])
        Product = env["product.product"].with_context(active_test=False)
        known = set(
            Product.search([("default_code", "in", sorted(skus))]).mapped(
                "default_code"
            )
        )
        Product.create(
            [
                {
                    "name": sku,
                    "default_code": sku,
                    "type": "consu",
                    "invoice_policy": "order",
                }
                for sku in sorted(skus - known)
            ]
        )
        ids = []
        for store in stores:
            instance = env["bigcommerce.instance"].create(
                {
                    "name": f"Store {store.store_hash}",
                    # Sale orders of two stores never share a name.
                    "order_prefix": f"{store.store_hash.upper()}-",
                    "store_hash": store.store_hash,
                    "access_token": store.access_token,
                    "client_secret": store.client_secret,
                    "api_url": store.api_url,
                    "webhook_base_url": webhook_url,
                    "import_orders_cron": False,
                    "import_customers_cron": False,
                    "import_refunds_cron": False,
                    # The store's generated orders are its history, booked:
                    # a go-live date before them (Confirm proposes "now",
                    # which would keep them out).
                    "go_live_date": "2000-01-01 00:00:00",
                }
            )
            instance.action_confirm()
            ids.append(instance.id)
        # The runner's channels, as docs/deployment.md says: ``capacity``
        # jobs at once, one per store.
        channels = env["bigcommerce.instance"]._queue_job_channels_config(
            workers_for_jobs=capacity, per_store=1
        )
        cr.commit()
        return ids, channels
    finally:
        cr.close()


def queue_imports(registry, instance_ids, stores):
    cr, env = environment(registry)
    try:
        for instance_id, store in zip(instance_ids, stores, strict=True):
            since = datetime.strptime(store.orders_since, "%Y-%m-%dT%H:%M:%SZ")
            env["bigcommerce.instance"].browse(instance_id).import_orders(
                date_from=since
            )
        cr.commit()
    finally:
        cr.close()


def booked(registry, instance_ids):
    """{instance id: orders with a sale order}."""
    cr, _env = environment(registry)
    try:
        cr.execute(
            "SELECT instance_id, count(*) FROM bigcommerce_order "
            "WHERE instance_id = ANY(%s) AND sale_order_id IS NOT NULL "
            "GROUP BY instance_id",
            [instance_ids],
        )
        return dict(cr.fetchall())
    finally:
        cr.close()


def jobs_left(registry):
    cr, _env = environment(registry)
    try:
        cr.execute(
            "SELECT count(*) FROM queue_job WHERE channel LIKE 'root.bigcommerce%%' "
            "AND state IN ('pending', 'enqueued', 'started')"
        )
        return cr.fetchone()[0]
    finally:
        cr.close()


# ----------------------------------------------------------------------
# One run
# ----------------------------------------------------------------------


def run(registry, args, key, count, nodes_count, run_index, logdir):
    label = f"K={count}" + (f", {nodes_count} nodes" if nodes_count > 1 else "")
    log(f"{label}: starting {count} sandbox store(s) with {args.orders} orders each")
    stores = [Store(1000 + run_index * 10 + index, args) for index in range(count)]
    nodes, balancer, sampler, sender = [], None, None, None
    try:
        # The webhooks and the runner's dispatch go to the node, or to the
        # balancer in front of the nodes: its address is known first.
        ports = [free_port() for _node in range(nodes_count)]
        if nodes_count > 1:
            balancer = Balancer(ports)
            front = balancer.port
        else:
            front = ports[0]
        # Every node keeps one HTTP worker free for the webhooks.
        capacity = nodes_count * max(1, args.workers - args.free_http_workers)
        instance_ids, channels = setup_instances(
            registry, stores, f"http://127.0.0.1:{front}", capacity
        )
        nodes = [
            Node(args, key, channels, front, port, logdir, f"node{index + 1}")
            for index, port in enumerate(ports)
        ]
        log(f"{label}: Odoo up, {nodes_count} x {args.workers} workers; {channels}")
        wait_for_runner(registry)
        sampler = MemorySampler(nodes)
        sampler.start()
        sender = WebhookSender(stores, args.webhooks_per_second)
        before = {store.store_hash: store.stats() for store in stores}
        started = time.monotonic()
        started_at = datetime.now(UTC).replace(tzinfo=None)
        queue_imports(registry, instance_ids, stores)
        sender.start()
        done_at, requests_at_done = {}, {}
        last_print = 0
        while len(done_at) < count:
            time.sleep(1)
            now = time.monotonic() - started
            counts = booked(registry, instance_ids)
            for instance_id, store in zip(instance_ids, stores, strict=True):
                if (
                    instance_id not in done_at
                    and counts.get(instance_id, 0) >= args.orders
                ):
                    done_at[instance_id] = now
                    requests_at_done[instance_id] = store.stats()["request_count"]
            if now - last_print >= 15:
                last_print = now
                log(
                    f"  {now:6.0f} s: booked {[counts.get(i, 0) for i in instance_ids]}"
                )
            if now > args.timeout:
                log(f"{label}: timed out after {now:.0f} s")
                break
        wall = (
            max(done_at.values())
            if len(done_at) == count
            else time.monotonic() - started
        )
        sender.stop_event.set()
        sender.join(timeout=60)
        # The webhook jobs still queued run to the end: duplicates are
        # counted on a settled database.
        deadline = time.monotonic() + 300
        while jobs_left(registry) and time.monotonic() < deadline:
            time.sleep(2)
        sampler.stop_event.set()
        sampler.join(timeout=10)
        after = {store.store_hash: store.stats() for store in stores}
        figures = measure(
            registry,
            args,
            stores,
            instance_ids,
            before,
            after,
            started_at,
            done_at,
            requests_at_done,
            wall,
            sender,
            sampler,
        )
        figures["label"] = label
        figures["stores"] = count
        figures["nodes"] = nodes_count
        figures["channels"] = channels
        return figures
    finally:
        if sender is not None:
            sender.stop_event.set()
        for node in nodes:
            node.stop()
        if balancer is not None:
            balancer.stop()
        for store in stores:
            store.stop()


def measure(
    registry,
    args,
    stores,
    instance_ids,
    before,
    after,
    started_at,
    done_at,
    requests_at_done,
    wall,
    sender,
    sampler,
):
    window_s = args.window_ms / 1000.0
    quota_used = {}
    for instance_id, store in zip(instance_ids, stores, strict=True):
        seconds = done_at.get(instance_id)
        if not seconds:
            continue
        spent = (
            requests_at_done[instance_id] - before[store.store_hash]["request_count"]
        )
        quota_used[store.store_hash] = spent / (args.quota * seconds / window_s)
    cr, env = environment(registry)
    try:
        cr.execute(
            "SELECT count(*) FROM (SELECT bigcommerce_order_record_id FROM sale_order "
            "WHERE bigcommerce_order_record_id IS NOT NULL "
            "GROUP BY 1 HAVING count(*) > 1) AS twice"
        )
        duplicate_sale_orders = cr.fetchone()[0]
        # A BigCommerce order invoiced twice: its sale order's lines on the
        # lines of two customer invoices.
        cr.execute(
            "SELECT count(*) FROM (SELECT so.bigcommerce_order_record_id "
            "FROM sale_order so "
            "JOIN sale_order_line sol ON sol.order_id = so.id "
            "JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id "
            "JOIN account_move_line aml ON aml.id = rel.invoice_line_id "
            "JOIN account_move am ON am.id = aml.move_id "
            "WHERE am.move_type = 'out_invoice' "
            "AND so.bigcommerce_order_record_id IS NOT NULL "
            "GROUP BY 1 HAVING count(DISTINCT am.id) > 1) AS twice"
        )
        duplicate_invoices = cr.fetchone()[0]
        untied, not_done = tie_out(env, stores, instance_ids)
        # The jobs of this run, by the node whose process ran them (every
        # process the sampler saw, recycled workers included).
        node_of = {pid: node for pid, (node, _role, _mb) in sampler.peaks.items()}
        jobs_per_node = {}
        cr.execute(
            "SELECT worker_pid, count(*) FROM queue_job WHERE state = 'done' "
            "AND channel LIKE 'root.bigcommerce%%' AND date_created >= %s "
            "GROUP BY 1",
            [started_at],
        )
        for pid, jobs in cr.fetchall():
            node = node_of.get(pid, "unknown")
            jobs_per_node[node] = jobs_per_node.get(node, 0) + jobs
    finally:
        cr.close()
    orders = len(done_at) * args.orders
    return {
        "orders": orders,
        "wall": wall,
        "orders_per_s": orders / wall if wall else 0,
        "count_429": sum(
            after[s.store_hash]["count_429"] - before[s.store_hash]["count_429"]
            for s in stores
        ),
        "requests": sum(
            after[s.store_hash]["request_count"] - before[s.store_hash]["request_count"]
            for s in stores
        ),
        "quota_used": quota_used,
        "latencies": sender.latencies,
        "statuses": sender.statuses,
        "peaks": sampler.peaks,
        "duplicate_sale_orders": duplicate_sale_orders,
        "duplicate_invoices": duplicate_invoices,
        "untied": untied,
        "not_done": not_done,
        "jobs_per_node": jobs_per_node,
        "load": os.getloadavg(),
    }


def tie_out(env, stores, instance_ids):
    """Invoices that differ from BigCommerce's ``total_inc_tax``, and orders
    not in state Imported (read back from the stores after the run)."""
    from odoo.tools import float_compare  # noqa: PLC0415

    untied = not_done = 0
    for instance_id, store in zip(instance_ids, stores, strict=True):
        client = store.client()
        totals = {
            order["id"]: float(order["total_inc_tax"])
            for order in client.iter_v2(
                "orders",
                {"min_id": store.order_ids[0], "max_id": store.order_ids[-1]},
            )
        }
        records = env["bigcommerce.order"].search(
            [("instance_id", "=", instance_id), ("bigcommerce_id", "in", list(totals))]
        )
        for record in records:
            if record.state != "done":
                not_done += 1
            invoice = record.invoice_id
            if not invoice or float_compare(
                invoice.amount_total,
                totals[record.bigcommerce_id],
                precision_digits=invoice.currency_id.decimal_places,
            ):
                untied += 1
        not_done += len(totals) - len(records)
    return untied, not_done


# ----------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else float("nan")


def report(results, args):
    window_s = args.window_ms / 1000.0
    one_store = next(
        (r["orders_per_s"] for r in results if r["stores"] == 1 and r["nodes"] == 1),
        None,
    )
    print()
    print(
        f"Quota: {args.quota} requests per {window_s:g} s per store (each store its "
        f"own sandbox process); the quota's bound is {args.quota / window_s:.1f} "
        f"requests/s per store. {args.orders} orders per store, {args.workers} "
        f"workers per node ({args.free_http_workers} kept free of jobs), "
        f"webhooks {args.webhooks_per_second:g}/s per store."
    )
    for r in results:
        print()
        print(f"== {r['label']} (channels {r['channels']})")
        ratio = (
            f"{r['orders_per_s'] / (r['stores'] * one_store):.2f}x K x one store"
            if one_store
            else "no one-store figure"
        )
        print(
            f"orders booked:            {r['orders']} in {r['wall']:.0f} s -> "
            f"{r['orders_per_s']:.2f} orders/s ({ratio}; goal >= 0.9)"
        )
        print(
            f"API requests:             {r['requests']} "
            f"({r['requests'] / max(1, r['orders']):.3f} per order)"
        )
        print(f"429s answered:            {r['count_429']} (goal 0)")
        used = ", ".join(f"{share:.0%}" for share in r["quota_used"].values())
        print(f"quota used per store while backlogged: {used} (goal >= 90%)")
        if r["latencies"]:
            statuses = {
                s: r["statuses"].count(s) for s in sorted(set(r["statuses"]), key=str)
            }
            p50 = statistics.median(r["latencies"]) * 1000
            print(
                f"webhook acknowledgement:  p50 {p50:.0f} ms, "
                f"p99 {percentile(r['latencies'], 0.99) * 1000:.0f} ms, max "
                f"{max(r['latencies']) * 1000:.0f} ms over {len(r['latencies'])} "
                f"deliveries {statuses} (goal p99 < 200 ms)"
            )
        peaks = sorted(
            (mb for _node, kind, mb in r["peaks"].values() if kind == "worker"),
            reverse=True,
        )
        if peaks:
            listed = ", ".join(f"{mb:.0f}" for mb in peaks)
            print(
                f"peak memory per worker:   max {peaks[0]:.0f} MB (HTTP workers "
                f"and job runner, {len(peaks)} processes: {listed} MB)"
            )
        print(
            f"duplicates:               {r['duplicate_sale_orders']} sale orders, "
            f"{r['duplicate_invoices']} invoices (goal 0)"
        )
        print(
            f"invoices not tying out:   {r['untied']} ({r['not_done']} orders not "
            f"Imported) (goal 0)"
        )
        if r["nodes"] > 1:
            print(f"jobs executed per node:   {r['jobs_per_node']}")
        print(f"load average (1/5/15 min): {' '.join(f'{x:.1f}' for x in r['load'])}")


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    log(f"installing bigcommerce_connector into {args.db} ...")
    install_addon(args.db, key)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    logdir = tempfile.mkdtemp(prefix="bigcommerce-scale-")
    results = []
    try:
        plan = [(int(k), 1) for k in args.stores.split(",") if k.strip()]
        if args.two_nodes:
            plan.append((args.two_nodes_stores, 2))
        for index, (count, nodes) in enumerate(plan):
            results.append(run(registry, args, key, count, nodes, index, logdir))
            # After every run, all figures so far: a long benchmark stopped
            # before its last run keeps what it measured.
            report(results, args)
    finally:
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    log(f"Odoo logs: {logdir}")


if __name__ == "__main__":
    main()
