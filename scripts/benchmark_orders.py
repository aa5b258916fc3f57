"""Benchmark the order import: API requests per order, orders per second, and
the Odoo-side cost against plain ORM code that creates the same documents;
then the refund import: API requests per refund against the list pages.

    python3 scripts/benchmark_orders.py [--orders 1000] [--refunds 300]
                                        [--tax-mode bigcommerce]
    python3 scripts/benchmark_orders.py --standard-quota [--orders 10000]

It installs the addon into a throwaway database (``bigcommerce_bench``, dropped
at the end unless ``--keep``) and starts the sandbox store with ``--orders``
extra orders.

Default mode (quota out of the way): imports them page by page as the batch
step does (``importers/order_batch.py``: a page's new orders in one batch),
then replays the same sale orders and invoices with plain ORM calls twice:
one order at a time (create, confirm, invoice, post each), and as one batch
(one ``create`` of the sale orders, ``action_confirm`` on the recordset, one
``account.move`` ``create`` of the invoices, one ``action_post``). Prints the
connector's Odoo-side time against both.

``--standard-quota``: the store has BigCommerce's Standard quota (150
requests per 30 s, not raised) and the import runs as queued jobs, the way
queue_job's runner runs them (each job committed; a job postponed by a rate
limit runs again at its ``eta``). Prints requests per order against the
documented minimum, the 429s BigCommerce answered, the share of the quota
used while orders were waiting, and the wall time against the quota's own
lower bound (requests / 5 per second). Nothing is asserted: figures only.
"""

import argparse
import os
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from odoo_env import ROOT, addons_path, allow_sandbox_hosts, install_addon  # noqa: E402

sys.path.insert(0, ROOT)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--refunds",
        type=int,
        default=300,
        help="refunds made in the sandbox on the imported orders, then imported",
    )
    parser.add_argument(
        "--tax-mode", default="bigcommerce", choices=["odoo", "bigcommerce"]
    )
    parser.add_argument(
        "--standard-quota",
        action="store_true",
        help="150 requests per 30 s, queued jobs run as queue_job would",
    )
    parser.add_argument("--db", default="bigcommerce_bench")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def make_store(count, quota=10**9):
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=quota, window_ms=30000)
    statuses = [11, 11, 11, 2, 10, 9]
    for index in range(count):
        options = {"status_id": statuses[index % len(statuses)]}
        if index % 7 == 0:
            options["currency_code"] = "EUR"
        if index % 11 == 0:
            options["guest"] = True
        store.create_order(**options)
    return store.start()


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    print(f"installing bigcommerce_connector into {args.db} ...", flush=True)
    install_addon(args.db, key)
    store = make_store(args.orders, quota=150 if args.standard_quota else 10**9)
    new_ids = sorted(store.state.orders)[-args.orders :]

    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            if args.standard_quota:
                figures = run_at_standard_quota(env, store, new_ids, args)
            else:
                figures = run(env, store, new_ids, args)
            cr.rollback()
    finally:
        store.stop()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    if args.standard_quota:
        report_standard_quota(figures, args)
    else:
        report(figures, args)


def setup_instance(env, store, args):
    instance = env["bigcommerce.instance"].create(
        {
            "name": "Benchmark",
            "store_hash": store.store_hash,
            "access_token": store.access_token,
            "api_url": store.api_url,
            "tax_mode": args.tax_mode,
        }
    )
    instance.action_confirm()
    skus = {v["sku"] for vs in store.state.variants.values() for v in vs if v["sku"]}
    env["product.product"].create(
        [
            {
                "name": sku,
                "default_code": sku,
                "type": "consu",
                "invoice_policy": "order",
            }
            for sku in sorted(skus)
        ]
    )
    env.flush_all()
    return instance


def run(env, store, new_ids, args):
    from odoo import Command  # noqa: PLC0415

    instance = setup_instance(env, store, args)

    # Count and time the HTTP part of the import separately.
    client = instance._get_client(max_wait=0)
    session = client._session
    http_seconds = [0.0]
    original = session.request

    def timed_request(*a, **kw):
        started = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            http_seconds[0] += time.perf_counter() - started

    session.request = timed_request
    requests_before = store.request_count
    first, last = new_ids[0], new_ids[-1]
    started = time.perf_counter()
    from bigcommerce_connector.importers.order import OrderImporter  # noqa: PLC0415
    from bigcommerce_connector.importers.order_batch import (  # noqa: PLC0415
        import_page,
    )

    importer = OrderImporter(instance.with_context(queue_job__no_delay=True), client)
    # What each batch step does: one page, its new orders as one batch.
    page = []
    for order in client.iter_orders(min_id=first, max_id=last):
        page.append(order)
        if len(page) == 250:
            import_page(importer, page)
            page = []
    if page:
        import_page(importer, page)
    env.flush_all()
    import_seconds = time.perf_counter() - started
    log = store.request_log[requests_before:]
    records = env["bigcommerce.order"].search([("instance_id", "=", instance.id)])
    taxed = sum(
        1
        for order_id in new_ids
        if store.state.orders[order_id]["total_tax"] not in ("0.0000", "0")
    )

    # Shipped orders need their /shipments read (carrier and tracking).
    shipped = sum(
        1 for order_id in new_ids if store.state.orders[order_id]["items_shipped"]
    )

    # Baseline: the same sale orders and invoices with plain ORM code.
    sale_orders = records.sale_order_id
    plans = [
        {
            "partner_id": so.partner_id.id,
            "partner_invoice_id": so.partner_invoice_id.id,
            "partner_shipping_id": so.partner_shipping_id.id,
            "pricelist_id": so.pricelist_id.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "product_uom_qty": line.product_uom_qty,
                        "price_unit": line.price_unit,
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "extra_tax_data": line.extra_tax_data,
                    }
                )
                for line in so.order_line
            ],
        }
        for so in sale_orders
    ]
    started = time.perf_counter()
    for plan in plans:
        so = env["sale.order"].create(plan)
        so.action_confirm()
        values = so._prepare_invoice()
        values["invoice_line_ids"] = [
            Command.create(line._prepare_invoice_line(quantity=line.product_uom_qty))
            for line in so.order_line
        ]
        env["account.move"].create(values).action_post()
    env.flush_all()
    baseline_seconds = time.perf_counter() - started

    # Batched baseline: the same documents, a page (250) at a time, each
    # step one call on the whole page.
    started = time.perf_counter()
    for start in range(0, len(plans), 250):
        batch = env["sale.order"].create(plans[start : start + 250])
        batch.action_confirm()
        invoices = []
        for so in batch:
            values = so._prepare_invoice()
            values["invoice_line_ids"] = [
                Command.create(
                    line._prepare_invoice_line(quantity=line.product_uom_qty)
                )
                for line in so.order_line
            ]
            invoices.append(values)
        env["account.move"].create(invoices).action_post()
    env.flush_all()
    batched_seconds = time.perf_counter() - started
    refund_figures = run_refunds(env, store, instance, client, records, args)
    return {
        **refund_figures,
        "orders": len(new_ids),
        "imported": Counter(records.mapped("state")),
        "requests": len(log),
        "requests_by_path": Counter(path.split("/")[2] for _m, path, _q in log),
        "taxed": taxed,
        "shipped": shipped,
        "import_seconds": import_seconds,
        "http_seconds": http_seconds[0],
        "baseline_seconds": baseline_seconds,
        "batched_seconds": batched_seconds,
    }


REFUND_KINDS = ("partial", "shipping", "order", "full")


def run_refunds(env, store, instance, client, records, args):
    """Refund some of the imported orders in the sandbox, then import them."""
    store.advance_clock(3600)
    since = store.state.clock.now().replace(tzinfo=None)
    made = Counter()
    done = records.filtered(lambda record: record.state == "done")
    for index, record in enumerate(done[: args.refunds]):
        kind = REFUND_KINDS[index % len(REFUND_KINDS)]
        try:
            if kind == "order":
                store.add_refund(
                    record.bigcommerce_id, items=[{"item_type": "ORDER", "amount": 1}]
                )
            else:
                store.add_refund(record.bigcommerce_id, kind=kind)
        except ValueError:  # e.g. an order without shipping cost
            store.add_refund(record.bigcommerce_id, kind="partial")
            kind = "partial"
        made[kind] += 1
    requests_before = store.request_count
    started = time.perf_counter()
    instance.with_context(queue_job__no_delay=True)._import_refunds_now(
        since=since, client=client
    )
    env.flush_all()
    seconds = time.perf_counter() - started
    refunds = env["bigcommerce.refund"].search([("instance_id", "=", instance.id)])
    return {
        "refunds": sum(made.values()),
        "refund_kinds": made,
        "refund_states": Counter(refunds.mapped("state")),
        "refund_requests": store.request_count - requests_before,
        "refund_seconds": seconds,
    }


def report(figures, args):
    orders = figures["orders"]
    pages = -(-orders // 250)
    tax_reads = figures["taxed"] if args.tax_mode != "odoo" else 0
    minimum = pages + tax_reads + figures["shipped"]
    odoo_seconds = figures["import_seconds"] - figures["http_seconds"]
    print()
    print(f"orders imported:          {orders} ({dict(figures['imported'])})")
    print(f"tax mode:                 {args.tax_mode}")
    print(
        f"API requests:             {figures['requests']} "
        f"({figures['requests'] / orders:.3f} per order)"
    )
    print(
        f"documented minimum:       {minimum} ({minimum / orders:.3f} per order: "
        f"{pages} order pages + {tax_reads} tax reads + {figures['shipped']} "
        f"shipment reads) -> "
        f"ratio {figures['requests'] / minimum:.3f}x (goal <= 1.05x)"
    )
    print(
        f"import wall time:         {figures['import_seconds']:.1f} s "
        f"({orders / figures['import_seconds']:.1f} orders/s; "
        f"HTTP {figures['http_seconds']:.1f} s)"
    )
    print(
        f"Odoo-side time:           {odoo_seconds:.1f} s "
        f"({odoo_seconds / orders * 1000:.0f} ms per order)"
    )
    print(
        f"  vs one-at-a-time ORM:   {figures['baseline_seconds']:.1f} s "
        f"({figures['baseline_seconds'] / orders * 1000:.0f} ms per order) -> "
        f"ratio {odoo_seconds / figures['baseline_seconds']:.2f}x"
    )
    print(
        f"  vs batched ORM:         {figures['batched_seconds']:.1f} s "
        f"({figures['batched_seconds'] / orders * 1000:.0f} ms per order) -> "
        f"ratio {odoo_seconds / figures['batched_seconds']:.2f}x (goal <= 1.2x)"
    )
    refunds = figures["refunds"]
    if not refunds:
        return
    # Refund lists document an empty meta (no total): only a short page
    # tells the last one, so n refunds need n // 250 + 1 page reads.
    refund_pages = refunds // 250 + 1
    print()
    print(
        f"refunds imported:         {refunds} ({dict(figures['refund_kinds'])}; "
        f"{dict(figures['refund_states'])})"
    )
    print(
        f"API requests:             {figures['refund_requests']} "
        f"({figures['refund_requests'] / refunds:.3f} per refund)"
    )
    print(
        f"documented minimum:       {refund_pages} refund list pages "
        f"({refund_pages / refunds:.3f} per refund) -> ratio "
        f"{figures['refund_requests'] / refund_pages:.3f}x (goal <= 1.05x)"
    )
    print(
        f"refund import wall time:  {figures['refund_seconds']:.1f} s "
        f"({refunds / figures['refund_seconds']:.1f} refunds/s)"
    )


def run_at_standard_quota(env, store, new_ids, args):
    """Import every order as queued jobs at 150 requests / 30 s."""
    instance = setup_instance(env, store, args)
    env.cr.commit()  # pylint: disable=invalid-commit
    first = store.state.orders[new_ids[0]]["date_modified"]
    from odoo import fields  # noqa: PLC0415

    from bigcommerce_connector.client.parsing import (  # noqa: PLC0415
        parse_datetime,
    )

    since = parse_datetime(first).replace(tzinfo=None)
    requests_before = store.request_count
    throttled_before = store.count_429
    started = time.monotonic()
    instance.import_orders(date_from=since)
    env.cr.commit()  # pylint: disable=invalid-commit
    runs = postponed = 0
    idle = 0.0
    while True:
        runs_now, postponed_now, wait = run_due_jobs(env)
        runs += runs_now
        postponed += postponed_now
        if wait is None:
            break
        if wait > 0:
            idle += wait
            time.sleep(wait)
        if runs and runs % 10 == 0:
            done = env["bigcommerce.order"].search_count(
                [("instance_id", "=", instance.id), ("sale_order_id", "!=", False)]
            )
            print(
                f"  {time.monotonic() - started:6.0f} s: {done} orders, "
                f"{store.request_count - requests_before} requests, "
                f"{store.count_429 - throttled_before} 429s",
                flush=True,
            )
    seconds = time.monotonic() - started
    records = env["bigcommerce.order"].search([("instance_id", "=", instance.id)])
    log = store.request_log[requests_before:]
    _ = fields
    return {
        "orders": len(new_ids),
        "imported": Counter(records.mapped("state")),
        "requests": len(log),
        "requests_by_path": Counter(path.split("/")[2] for _m, path, _q in log),
        "taxed": sum(
            1
            for order_id in new_ids
            if store.state.orders[order_id]["total_tax"] not in ("0.0000", "0")
        ),
        "shipped": sum(
            1 for order_id in new_ids if store.state.orders[order_id]["items_shipped"]
        ),
        "count_429": store.count_429 - throttled_before,
        "seconds": seconds,
        "idle_seconds": idle,
        "job_runs": runs,
        "postponed": postponed,
        "quota": 150,
        "window_s": 30.0,
    }


def run_due_jobs(env):
    """Run the due jobs once, as queue_job's runner: each job committed.

    Returns (jobs run, jobs postponed, seconds until the next job is due, or
    None when no job is left).
    """
    import psycopg2  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415
    from odoo.addons.queue_job.exception import RetryableJobError  # noqa: PLC0415
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415

    queue = env["queue.job"]
    pending = queue.search(
        [("state", "in", ("pending", "enqueued"))], order="eta, date_created, id"
    )
    if not pending:
        return 0, 0, None
    now = fields.Datetime.now()
    due = pending.filtered(lambda job: not job.eta or job.eta <= now)
    if not due:
        return 0, 0, max(0.2, min((j.eta - now).total_seconds() for j in pending))
    runs = postponed = 0
    for record in due:
        job = Job.load(env, record.uuid)
        job.set_started()
        job.store()
        env.cr.commit()  # pylint: disable=invalid-commit
        runs += 1
        try:
            result = job.perform()
        except (RetryableJobError, psycopg2.OperationalError) as error:
            env.cr.rollback()
            env.invalidate_all()
            job = Job.load(env, record.uuid)
            job.postpone(result=str(error), seconds=getattr(error, "seconds", 1))
            job.set_pending(reset_retry=False)
            job.store()
            postponed += 1
        else:
            job.set_done(result=result)
            job.store()
        env.cr.commit()  # pylint: disable=invalid-commit
    return runs, postponed, 0


def report_standard_quota(figures, args):
    orders = figures["orders"]
    pages = -(-orders // 250)
    tax_reads = figures["taxed"] if args.tax_mode != "odoo" else 0
    minimum = pages + tax_reads + figures["shipped"]
    requests, seconds = figures["requests"], figures["seconds"]
    windows = seconds / figures["window_s"]
    bound = requests / (figures["quota"] / figures["window_s"])
    print()
    print("Standard quota: 150 requests per 30 s (not raised), queued jobs")
    print(f"orders imported:          {orders} ({dict(figures['imported'])})")
    print(
        f"API requests:             {requests} ({requests / orders:.3f} per order; "
        f"{dict(figures['requests_by_path'])})"
    )
    print(
        f"documented minimum:       {minimum} ({minimum / orders:.3f} per order) "
        f"-> ratio {requests / minimum:.3f}x"
    )
    print(f"429s answered:            {figures['count_429']} (goal 0)")
    print(
        f"quota used while backlogged: {requests / (windows * figures['quota']):.0%} "
        f"of {figures['quota']} per {figures['window_s']:.0f} s over "
        f"{seconds:.0f} s (goal >= 90%)"
    )
    print(
        f"wall time:                {seconds:.0f} s vs the quota's lower bound "
        f"{bound:.0f} s (requests / 5 per second) -> {seconds / bound:.2f}x; "
        f"{figures['job_runs']} job runs, {figures['postponed']} postponed"
    )


if __name__ == "__main__":
    main()
