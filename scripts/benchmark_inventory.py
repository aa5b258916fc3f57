"""Benchmark the stock export: requests per location and the Odoo-side time to
compute what changed, for a large bound catalog with real stock moves.

    python3 scripts/benchmark_inventory.py [--variants 30000] [--changed 0.01]
                                           [--moves 0.10] [--no-quota]

It installs the addon into a throwaway database (``bigcommerce_bench_inventory``,
dropped at the end unless ``--keep``), seeds the sandbox store with
``--variants`` extra variants stocked at its two locations (at BigCommerce's
Standard quota; ``--no-quota`` removes the rate limit and every figure then
says so), creates and binds as many storable Odoo products with stock in two
warehouses, and gives ``--moves`` of the variants an open delivery
(confirmed and reserved: their free quantity is lower) and as many others a
receipt (confirmed: their forecast is higher) in each warehouse. It exports
everything once (the initial export), again with nothing changed, changes
the stock of ``--changed`` of the variants at each location, times the
computation of the changed set for each Stock Based On, then exports the
changes. The exports run through their queued jobs, as queue_job's runner
runs them. It prints the requests per location against the request model
and the time to compute the changed set (goal: under 5 s for 30,000
variants). Nothing is asserted.
"""

import argparse
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from bench_jobs import (  # noqa: E402
    JobRunner,
    add_quota_arguments,
    print_request_model,
    quota_label,
    quota_of,
)
from odoo_env import ROOT, addons_path, allow_sandbox_hosts, install_addon  # noqa: E402

sys.path.insert(0, ROOT)

MAX_ITEMS = 2000  # inventory.v3.yml, PUT /inventory/adjustments/absolute
# Moves per picking made for the benchmark (setting up is not measured).
MOVES_PER_PICKING = 500
VARIANTS_PER_PRODUCT = 10


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=30000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument(
        "--moves",
        type=float,
        default=0.10,
        help="share of the variants with an open delivery, and as many others "
        "with a receipt, in each warehouse (default 10%%)",
    )
    add_quota_arguments(parser)
    parser.add_argument("--db", default="bigcommerce_bench_inventory")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def make_store(count, quota, window_ms):
    """The seeded sandbox plus ``count`` variants (10 per product) at both locations."""
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=quota, window_ms=window_ms)
    state = store.state
    rng = random.Random(7)
    product_id = max(state.products) + 1000
    variant_id = max(v["id"] for vs in state.variants.values() for v in vs) + 1000
    for index in range(count):
        if index % VARIANTS_PER_PRODUCT == 0:
            product_id += 1
            state.products[product_id] = {
                "id": product_id,
                "name": f"Bench product {product_id}",
                "type": "physical",
                "sku": f"BENCH-{product_id}",
                "inventory_tracking": "variant",
            }
        variant_id += 1
        state.variants[product_id].append(
            {
                "id": variant_id,
                "product_id": product_id,
                "sku": f"BENCH-{product_id}-{index % VARIANTS_PER_PRODUCT}",
                "sku_id": None,
                "option_values": [{"id": 1}],
            }
        )
        for location in state.locations:
            onhand = rng.randint(0, 50)
            state.inventory[(variant_id, location["id"])] = {
                "available_to_sell": onhand,
                "total_inventory_onhand": onhand,
                "settings": {
                    "safety_stock": 0,
                    "is_in_stock": onhand > 0,
                    "warning_level": 0,
                    "bin_picking_number": "",
                },
            }
    return store.start()


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    print(f"installing bigcommerce_connector into {args.db} ...", flush=True)
    install_addon(args.db, key)
    store = make_store(args.variants, *quota_of(args))

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    try:
        run(registry, store, args)
    finally:
        store.stop()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)


def environment(cr):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    return api.Environment(cr, odoo.SUPERUSER_ID, {})


def bench_variants(store):
    return [
        (product_id, variant)
        for product_id, variants in store.state.variants.items()
        if store.state.products[product_id]["sku"].startswith("BENCH-")
        for variant in variants
    ]


def setup(env, store):
    instance = env["bigcommerce.instance"].create(
        {
            "name": "Benchmark",
            "store_hash": store.store_hash,
            "access_token": store.access_token,
            "api_url": store.api_url,
            "stock_based_on": "on_hand",
            "export_inventory_on_stock_change": False,
        }
    )
    instance.action_confirm()
    warehouses = [
        instance.warehouse_id,
        env["stock.warehouse"].create({"name": "Store front", "code": "SFR"}),
    ]
    for location, warehouse in zip(
        instance.location_ids.sorted("bigcommerce_id"), warehouses, strict=True
    ):
        location.warehouse_id = warehouse
    rows = bench_variants(store)
    started = time.perf_counter()
    products = env["product.product"].create(
        [
            {
                "name": variant["sku"],
                "default_code": variant["sku"],
                "is_storable": True,
            }
            for _product_id, variant in rows
        ]
    )
    product_bindings = env["bigcommerce.product"].create(
        [
            {
                "instance_id": instance.id,
                "bigcommerce_id": product_id,
                "inventory_tracking": "variant",
            }
            for product_id in sorted({product_id for product_id, _v in rows})
        ]
    )
    binding_of = {binding.bigcommerce_id: binding.id for binding in product_bindings}
    env["bigcommerce.product.variant"].create(
        [
            {
                "instance_id": instance.id,
                "bigcommerce_id": variant["id"],
                "bigcommerce_product_id": product_id,
                "product_binding_id": binding_of[product_id],
                "product_id": product.id,
                "sku": variant["sku"],
            }
            for (product_id, variant), product in zip(rows, products, strict=True)
        ]
    )
    # Stock: inserted directly (setting it up is not what is measured; the
    # ORM creates quants one by one), then Odoo's caches are dropped.
    env.flush_all()
    values = []
    for (_product_id, variant), product in zip(rows, products, strict=True):
        for location, warehouse in zip((1, 2), warehouses, strict=True):
            quantity = store.state.inventory[(variant["id"], location)][
                "total_inventory_onhand"
            ]
            # + 1: differs from BigCommerce, the first export sends everything.
            values.append(
                (
                    product.id,
                    warehouse.lot_stock_id.id,
                    instance.company_id.id,
                    quantity + 1,
                )
            )
    env.cr.execute_values(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity,
                                 reserved_quantity, in_date, inventory_quantity_set,
                                 create_uid, write_uid, create_date, write_date)
        SELECT v.product_id, v.location_id, v.company_id, v.quantity, 0,
               now() at time zone 'utc', FALSE, 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM (VALUES %s) AS v(product_id, location_id, company_id, quantity)
        """,
        values,
    )
    env.invalidate_all()
    env.flush_all()
    print(
        f"set up {len(rows)} bound variants with stock at 2 locations in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    # Confirm's category and brand imports are not what is measured.
    env["queue.job"].search([]).unlink()
    return instance, warehouses, products


def add_open_moves(env, warehouses, products, share):
    """In each warehouse, ``share`` of the products with an open delivery
    (confirmed and reserved) and as many others with a receipt (confirmed):
    the free quantity and the forecast then differ from the on-hand one, as
    in a store that sells and buys."""
    started = time.perf_counter()
    rng = random.Random(5)
    count = int(len(products) * share)
    reserved = incoming = 0
    for warehouse in warehouses:
        sample = rng.sample(list(products), 2 * count)
        for picking_type, chosen in (
            (warehouse.out_type_id, sample[:count]),
            (warehouse.in_type_id, sample[count:]),
        ):
            for start in range(0, len(chosen), MOVES_PER_PICKING):
                picking = env["stock.picking"].create(
                    {
                        "picking_type_id": picking_type.id,
                        "location_id": picking_type.default_location_src_id.id,
                        "location_dest_id": picking_type.default_location_dest_id.id,
                        "move_ids": [
                            (
                                0,
                                0,
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1 + product.id % 3,
                                    "product_uom": product.uom_id.id,
                                    "location_id": (
                                        picking_type.default_location_src_id.id
                                    ),
                                    "location_dest_id": (
                                        picking_type.default_location_dest_id.id
                                    ),
                                },
                            )
                            for product in chosen[start : start + MOVES_PER_PICKING]
                        ],
                    }
                )
                picking.action_confirm()
                if picking_type == warehouse.out_type_id:
                    picking.action_assign()
                    reserved += len(picking.move_ids)
                else:
                    incoming += len(picking.move_ids)
    env.flush_all()
    print(
        f"open moves: {reserved} reserved delivery lines, {incoming} receipt "
        f"lines over 2 warehouses, in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def export_all(registry, instance_id, store):
    """Queue an export and run its jobs as the runner would; requests per
    location, items per location, job runs, seconds."""
    before = len(store.state.inventory_adjustments)
    runner = JobRunner(registry)
    started = time.perf_counter()
    with registry.cursor() as cr:
        environment(cr)["bigcommerce.instance"].browse(instance_id).export_inventory()
    runner.run_until_done()
    elapsed = time.perf_counter() - started
    if runner.failed:
        print(f"FAILED JOBS: {runner.failed}")
    bodies = store.state.inventory_adjustments[before:]
    per_location = Counter(body["items"][0]["location_id"] for body in bodies)
    items = Counter(item["location_id"] for body in bodies for item in body["items"])
    return per_location, items, runner.runs, elapsed


def time_changed_set(instance, basis):
    from odoo.addons.bigcommerce_connector.exporters.inventory import (  # noqa: PLC0415
        InventoryExporter,
    )
    from odoo.addons.bigcommerce_connector.models.bigcommerce_log import (  # noqa: PLC0415
        OperationRecorder,
    )

    instance.stock_based_on = basis
    instance.env.flush_all()
    instance.env.invalidate_all()
    exporter = InventoryExporter(instance, None, OperationRecorder("info"))
    started = time.perf_counter()
    changed = exporter.changed_items()
    elapsed = time.perf_counter() - started
    return elapsed, sum(len(items) for items in changed.values())


def run(registry, store, args):
    with registry.cursor() as cr:
        env = environment(cr)
        instance, warehouses, products = setup(env, store)
        add_open_moves(env, warehouses, products, args.moves)
        instance_id = instance.id
        warehouse_ids = [warehouse.id for warehouse in warehouses]
        product_ids = products.ids
    count = len(product_ids)
    print(f"\nStock export, {quota_label(args)}")
    per_location, items, jobs, elapsed = export_all(registry, instance_id, store)
    print(
        f"  initial export: {dict(items)} items, requests per location "
        f"{dict(per_location)} (model {math.ceil(count / MAX_ITEMS)} each), "
        f"{jobs} jobs, {elapsed:.1f} s",
        flush=True,
    )
    per_location, items, jobs, elapsed = export_all(registry, instance_id, store)
    print(f"  second export with no change: {sum(per_location.values())} requests")

    rng = random.Random(11)
    changed = max(1, int(count * args.changed))
    with registry.cursor() as cr:
        env = environment(cr)
        products = env["product.product"].browse(product_ids)
        for warehouse in env["stock.warehouse"].browse(warehouse_ids):
            for product in rng.sample(list(products), changed):
                env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, 1
                )
        env.flush_all()
    with registry.cursor() as cr:
        instance = environment(cr)["bigcommerce.instance"].browse(instance_id)
        figures = {
            basis: time_changed_set(instance, basis)
            for basis in ("on_hand", "free", "forecast")
        }
        cr.rollback()
    per_location, items, jobs, elapsed = export_all(registry, instance_id, store)
    print(
        f"\n  {count} bound variants x 2 locations, {changed} changed per "
        f"location ({args.changed:.1%}); {args.moves:.0%} of the variants with an "
        f"open delivery and {args.moves:.0%} with a receipt in each warehouse:"
    )
    for location_id in sorted(items):
        print(
            f"  location {location_id}: {items[location_id]} items sent in "
            f"{per_location[location_id]} requests"
        )
    sent = sum(items.values())
    print_request_model(
        [
            (
                sum(math.ceil(n / MAX_ITEMS) for n in items.values()),
                f"the connector's: one location per request, {MAX_ITEMS} items "
                "each, PUT /v3/inventory/adjustments/absolute",
                f"{MAX_ITEMS} items is the API's limit per request, and only "
                "changed quantities are sent",
            ),
            (
                math.ceil(sent / MAX_ITEMS),
                "the API's own minimum: all locations' items together",
                "each item names its location and the spec's own example mixes "
                "locations in one request: the connector's one location per "
                "request can cost one request more per location",
            ),
        ]
    )
    print(f"  export of the changes: {jobs} job(s), {elapsed:.2f} s in all")
    for basis, (seconds, changed_items) in figures.items():
        print(
            f"  compute the changed set ({basis}): {seconds:.2f} s "
            f"({changed_items} changed items; goal < 5 s)"
        )


if __name__ == "__main__":
    main()
