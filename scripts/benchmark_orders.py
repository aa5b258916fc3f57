"""Benchmark the order import: API requests per order against its request
model, wall time at the quota, and the Odoo-side cost against plain ORM code
that creates the same documents with the same advantages; then the refund
import.

    python3 scripts/benchmark_orders.py [--orders 1000] [--refunds 300]
                                        [--tax-mode bigcommerce] [--no-quota]

It installs the addon into a throwaway database (``bigcommerce_bench``, dropped
at the end unless ``--keep``) and starts the sandbox store with ``--orders``
extra orders, at BigCommerce's Standard quota (150 requests per 30 s, not
raised) unless ``--no-quota`` removes the rate limit (every figure then says
so: its wall times are not a store's).

The connector is measured through its job path: ``import_orders`` queues the
first batch step and the jobs run the way queue_job's runner runs them (each
in its own committed transaction; a step stopped by the quota runs again at
its ``eta``). Its Odoo-side time is the jobs' time (state changes, the
step, its log, the next step, the commits) less the time spent waiting for
HTTP answers. The baselines then create the same sale orders and invoices
with plain ORM calls and the connector's advantages: the same contexts
(``mail_create_nolog`` and ``tracking_disable`` on the sale orders,
``tracking_disable`` on the invoices) and one commit per page of 250, as the
steps commit: one order at a time, and as one batch per page. The refund
import runs through its jobs as well. Nothing is asserted: figures only.
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

from bench_jobs import (  # noqa: E402
    HttpClock,
    JobRunner,
    add_quota_arguments,
    print_request_model,
    quota_label,
    quota_of,
)
from odoo_env import ROOT, addons_path, allow_sandbox_hosts, install_addon  # noqa: E402

sys.path.insert(0, ROOT)

PAGE = 250


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
    add_quota_arguments(parser)
    parser.add_argument("--db", default="bigcommerce_bench")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def make_store(count, quota, window_ms):
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=quota, window_ms=window_ms)
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
    store = make_store(args.orders, *quota_of(args))
    new_ids = sorted(store.state.orders)[-args.orders :]

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    try:
        figures = run(registry, store, new_ids, args)
    finally:
        store.stop()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    report(figures, args)


def environment(cr):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    return api.Environment(cr, odoo.SUPERUSER_ID, {})


def setup_instance(env, store, args):
    instance = env["bigcommerce.instance"].create(
        {
            "name": "Benchmark",
            "store_hash": store.store_hash,
            "access_token": store.access_token,
            "api_url": store.api_url,
            "tax_mode": args.tax_mode,
            # The store's generated orders are its history, booked: a go-live
            # date before them (Confirm proposes "now", which would keep them out).
            "go_live_date": "2000-01-01 00:00:00",
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
    # Confirm's category and brand imports are not what is measured.
    env["queue.job"].search([]).unlink()
    return instance


def run(registry, store, new_ids, args):
    from bigcommerce_connector.client.parsing import (  # noqa: PLC0415
        parse_datetime,
    )

    with registry.cursor() as cr:
        env = environment(cr)
        instance_id = setup_instance(env, store, args).id
    since = parse_datetime(store.state.orders[new_ids[0]]["date_modified"]).replace(
        tzinfo=None
    )
    requests_before = store.request_count
    throttled_before = store.count_429
    http = HttpClock()
    runner = JobRunner(registry)

    def progress(runner, elapsed):
        with registry.cursor() as cr:
            done = environment(cr)["bigcommerce.order"].search_count(
                [("instance_id", "=", instance_id), ("sale_order_id", "!=", False)]
            )
        print(
            f"  {elapsed:6.0f} s: {done} orders, "
            f"{store.request_count - requests_before} requests, "
            f"{store.count_429 - throttled_before} 429s",
            flush=True,
        )

    with http.watching():
        started = time.perf_counter()
        with registry.cursor() as cr:
            environment(cr)["bigcommerce.instance"].browse(instance_id).import_orders(
                date_from=since
            )
        wall = time.perf_counter() - started + runner.run_until_done(progress)
    log = store.request_log[requests_before:]
    with registry.cursor() as cr:
        env = environment(cr)
        records = env["bigcommerce.order"].search([("instance_id", "=", instance_id)])
        figures = {
            "orders": len(new_ids),
            "imported": Counter(records.mapped("state")),
            "requests": len(log),
            "requests_by_path": Counter(_kind(path) for _m, path, _q in log),
            "taxed": sum(
                1
                for order_id in new_ids
                if store.state.orders[order_id]["total_tax"] not in ("0.0000", "0")
            ),
            "discounted_taxed": sum(
                1
                for order_id in new_ids
                if store.state.orders[order_id]["total_tax"] not in ("0.0000", "0")
                and (
                    float(store.state.orders[order_id]["discount_amount"])
                    or float(store.state.orders[order_id]["coupon_discount"])
                )
            ),
            "shipped": sum(
                1
                for order_id in new_ids
                if store.state.orders[order_id]["items_shipped"]
            ),
            "customers": _customers_by_page(store, new_ids),
            "count_429": store.count_429 - throttled_before,
            "wall": wall,
            "job_seconds": runner.job_seconds,
            "http_seconds": http.seconds,
            "idle_seconds": runner.idle_seconds,
            "job_runs": runner.runs,
            "postponed": runner.postponed,
            "failed_jobs": runner.failed,
        }
        plans = _plans(records.sale_order_id)
    figures["baseline_seconds"] = _one_at_a_time(registry, plans)
    figures["batched_seconds"] = _batched(registry, plans)
    with registry.cursor() as cr:
        records = environment(cr)["bigcommerce.order"].search(
            [("instance_id", "=", instance_id)]
        )
        made = make_refunds(store, records, args)
    figures.update(run_refunds(registry, store, instance_id, made))
    return figures


def _customers_by_page(store, new_ids):
    """Distinct registered customers of each page of 250 orders."""
    pages = []
    for start in range(0, len(new_ids), PAGE):
        pages.append(
            {
                store.state.orders[order_id]["customer_id"]
                for order_id in new_ids[start : start + PAGE]
                if store.state.orders[order_id]["customer_id"]
            }
        )
    return pages


def _kind(path):
    """The request's kind: /v2/orders, /v2/orders/{id}/taxes, ..."""
    parts = path.strip("/").split("/")
    return "/".join("{id}" if part.isdigit() else part for part in parts)


def _plans(sale_orders):
    """The values that create the same sale orders (partners, pricelist,
    lines with the same taxes and BigCommerce's tax amounts)."""
    from odoo import Command  # noqa: PLC0415

    return [
        {
            "partner_id": so.partner_id.id,
            "partner_invoice_id": so.partner_invoice_id.id,
            "partner_shipping_id": so.partner_shipping_id.id,
            "pricelist_id": so.pricelist_id.id,
            "company_id": so.company_id.id,
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


# The connector's contexts (importers/order.py): sale orders are created and
# confirmed without chatter log or tracking, invoices created without tracking.
SALE_CONTEXT = {"mail_create_nolog": True, "tracking_disable": True}
INVOICE_CONTEXT = {"default_move_type": "out_invoice", "tracking_disable": True}


def _invoice_values(so):
    from odoo import Command  # noqa: PLC0415

    values = so._prepare_invoice()
    values["invoice_line_ids"] = [
        Command.create(line._prepare_invoice_line(quantity=line.product_uom_qty))
        for line in so.order_line
        if not line.display_type
    ]
    return values


def _one_at_a_time(registry, plans):
    """Plain ORM, one order at a time: create, confirm, invoice, post; one
    commit per page of 250 (a step's transaction)."""
    started = time.perf_counter()
    for start in range(0, len(plans), PAGE):
        with registry.cursor() as cr:
            env = environment(cr)
            for plan in plans[start : start + PAGE]:
                so = env["sale.order"].with_context(**SALE_CONTEXT).create(plan)
                so.action_confirm()
                env["account.move"].with_context(**INVOICE_CONTEXT).create(
                    _invoice_values(so)
                ).action_post()
            env.flush_all()
    return time.perf_counter() - started


def _batched(registry, plans):
    """Plain ORM, a page at a time as the connector's batch: one create of
    the sale orders, one action_confirm, one create of the invoices, one
    action_post; one commit per page."""
    started = time.perf_counter()
    for start in range(0, len(plans), PAGE):
        with registry.cursor() as cr:
            env = environment(cr)
            batch = (
                env["sale.order"]
                .with_context(**SALE_CONTEXT)
                .create(plans[start : start + PAGE])
            )
            batch.action_confirm()
            env["account.move"].with_context(**INVOICE_CONTEXT).create(
                [_invoice_values(so) for so in batch]
            ).action_post()
            env.flush_all()
    return time.perf_counter() - started


REFUND_KINDS = ("partial", "shipping", "order", "full")


def make_refunds(store, records, args):
    """Refund some of the imported orders in the sandbox; returns (since, kinds)."""
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
    return since, made


def run_refunds(registry, store, instance_id, made):
    """Import the refunds through their jobs (queued, run as the runner)."""
    since, kinds = made
    if not sum(kinds.values()):
        return {"refunds": 0}
    requests_before = store.request_count
    http = HttpClock()
    runner = JobRunner(registry)
    with http.watching():
        started = time.perf_counter()
        with registry.cursor() as cr:
            environment(cr)["bigcommerce.instance"].browse(instance_id).import_refunds(
                since=since
            )
        seconds = time.perf_counter() - started + runner.run_until_done()
    with registry.cursor() as cr:
        refunds = environment(cr)["bigcommerce.refund"].search(
            [("instance_id", "=", instance_id)]
        )
        states = Counter(refunds.mapped("state"))
    return {
        "refunds": sum(kinds.values()),
        "refund_kinds": kinds,
        "refund_states": states,
        "refund_requests": store.request_count - requests_before,
        "refund_seconds": seconds,
        "refund_odoo_seconds": runner.job_seconds - http.seconds,
        "refund_failed_jobs": runner.failed,
    }


def report(figures, args):
    orders = figures["orders"]
    pages = -(-orders // PAGE)
    if args.tax_mode == "odoo":
        tax_reads, tax_why = (
            figures["discounted_taxed"],
            '1 per taxed order with a discount ("odoo" tax mode: what the '
            "discount took off the tax)",
        )
    else:
        tax_reads, tax_why = figures["taxed"], "1 per taxed order"
    customer_pages = figures["customers"]
    customers = len(set().union(*customer_pages)) if customer_pages else 0
    customers_api = sum(1 for page in customer_pages if page)
    minimum = pages + tax_reads + figures["shipped"] + customers
    odoo_seconds = figures["job_seconds"] - figures["http_seconds"]
    requests, wall = figures["requests"], figures["wall"]
    print()
    print(f"Order import, {quota_label(args)}")
    print(f"  orders imported          {orders} ({dict(figures['imported'])})")
    if figures["failed_jobs"]:
        print(f"  FAILED JOBS              {figures['failed_jobs']}")
    print(f"  tax mode                 {args.tax_mode}")
    print(
        f"  API requests             {requests} ({requests / orders:.3f} per order; "
        f"{dict(figures['requests_by_path'])})"
    )
    print_request_model(
        [
            (
                pages,
                f"order pages: ceil({orders} / {PAGE}), GET /v2/orders?include="
                "consignments.line_items,fees",
                f"{PAGE} is the largest page; lines, shipping addresses and fees "
                "come embedded, so no order is read again",
            ),
            (
                tax_reads,
                f"tax reads, GET /v2/orders/{{id}}/taxes: {tax_why}",
                "the rows per rate (name, rate, amount per line) are in no list "
                "and no include; there is no store-wide tax list",
            ),
            (
                figures["shipped"],
                "shipment reads, GET /v2/orders/{id}/shipments: 1 per order with "
                "shipped items",
                "tracking numbers and carriers are in no list and no include "
                "(consignments give addresses and lines, not shipments)",
            ),
            (
                customers,
                "customer reads, GET /v3/customers?id:in=<id>&include=addresses: 1 "
                "per registered customer not yet in Odoo",
                "an order carries only the customer's id; NOT the API's minimum: "
                f"id:in takes a page's new customers in one call ({customers_api} "
                "for these orders)",
            ),
        ]
    )
    print(
        f"  requests / model         {requests} / {minimum} = "
        f"{requests / minimum:.3f}x (the rest: Confirm's reads); the API's "
        f"minimum {minimum - customers + customers_api}"
    )
    print(f"  429s answered            {figures['count_429']}")
    print(
        f"  wall time                {wall:.1f} s ({orders / wall:.1f} orders/s); "
        f"waiting for the quota {figures['idle_seconds']:.1f} s; "
        f"{figures['job_runs']} job runs, {figures['postponed']} postponed"
    )
    if not args.no_quota:
        bound = requests / (150 / 30)
        print(
            f"  quota's lower bound      {bound:.0f} s (requests / 5 per second) -> "
            f"wall time {wall / max(bound, 1e-9):.2f}x"
        )
    print(
        f"  Odoo-side time           {odoo_seconds:.1f} s "
        f"({odoo_seconds / orders * 1000:.0f} ms per order): the jobs' "
        f"{figures['job_seconds']:.1f} s less {figures['http_seconds']:.1f} s "
        "waiting for HTTP answers"
    )
    for label, key in (
        ("vs one-at-a-time ORM", "baseline_seconds"),
        ("vs batched ORM", "batched_seconds"),
    ):
        print(
            f"  {label:<24} {figures[key]:.1f} s "
            f"({figures[key] / orders * 1000:.0f} ms per order; same contexts, "
            f"a commit per {PAGE}) -> ratio {odoo_seconds / figures[key]:.2f}x"
        )
    refunds = figures["refunds"]
    if not refunds:
        return
    # Refund lists document an empty meta (no total): only a short page
    # tells the last one, so n refunds need n // 250 + 1 page reads.
    refund_pages = refunds // PAGE + 1
    print()
    print(f"Refund import, {quota_label(args)}")
    print(
        f"  refunds imported         {refunds} ({dict(figures['refund_kinds'])}; "
        f"{dict(figures['refund_states'])})"
    )
    if figures["refund_failed_jobs"]:
        print(f"  FAILED JOBS              {figures['refund_failed_jobs']}")
    print(
        f"  API requests             {figures['refund_requests']} "
        f"({figures['refund_requests'] / refunds:.3f} per refund)"
    )
    print_request_model(
        [
            (
                refund_pages,
                f"refund list pages: {refunds} // {PAGE} + 1, GET "
                "/v3/orders/payment_actions/refunds?created:min=...",
                "one list for every order's refunds, 250 a page; its meta has no "
                "total, so only a short page says it is the last; the orders "
                "and invoices are Odoo's already (no order read)",
            )
        ]
    )
    print(
        f"  requests / model         {figures['refund_requests']} / {refund_pages} "
        f"= {figures['refund_requests'] / refund_pages:.3f}x"
    )
    print(
        f"  wall time                {figures['refund_seconds']:.1f} s "
        f"({refunds / figures['refund_seconds']:.1f} refunds/s); Odoo-side "
        f"{figures['refund_odoo_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
