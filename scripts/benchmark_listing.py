"""Benchmark the product export (listings) at BigCommerce's Standard quota.

    python3 scripts/benchmark_listing.py [--templates 1000] [--variants 3]

It installs the addon into a throwaway database (``bigcommerce_bench_listing``,
dropped at the end unless ``--keep``), starts the sandbox store with the
Standard quota (150 requests per 30 s, not raised) and creates ``--templates``
Odoo templates of ``--variants`` variants each (attribute "Size"), published
to the store. Then, as queued jobs run the way queue_job's runner runs them
(each job committed; a job stopped by the quota runs again at its ``eta``):

1. the first export creates every product (documented minimum: one
   ``POST /v3/catalog/products`` per new product; the answer carries no
   variants, whose ids are read 250 a request);
2. a second export with nothing changed (minimum: zero requests);
3. every template renamed (minimum: ceil(n / 10) ``PUT /v3/catalog/products``);
4. every variant given a barcode (minimum: ceil(variants / 50)
   ``PUT /v3/catalog/variants``).

It prints each phase's requests against its minimum, the 429s BigCommerce
answered (goal 0), the wall time against the quota's lower bound (requests
/ 5 per second) and the process's peak memory. Nothing is asserted.
"""

import argparse
import math
import os
import resource
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from odoo_env import ROOT, addons_path, allow_sandbox_hosts, install_addon  # noqa: E402

sys.path.insert(0, ROOT)

QUOTA = 150
WINDOW_MS = 30000
SIZES = ("S", "M", "L", "XL", "XXL")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=3, choices=range(1, 6))
    parser.add_argument("--db", default="bigcommerce_bench_listing")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    print(f"installing bigcommerce_connector into {args.db} ...", flush=True)
    install_addon(args.db, key)
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=QUOTA, window_ms=WINDOW_MS).start()

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
            phases = run(env, store, args)
    finally:
        store.stop()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    report(phases, args)


def setup(env, store, args):
    from odoo import Command  # noqa: PLC0415

    instance = env["bigcommerce.instance"].create(
        {
            "name": "Benchmark",
            "store_hash": store.store_hash,
            "access_token": store.access_token,
            "api_url": store.api_url,
            "sync_listing_images": False,
        }
    )
    instance.action_confirm()
    env.cr.commit()  # pylint: disable=invalid-commit
    run_all_jobs(env)  # the categories and brands Confirm queued
    size = env["product.attribute"].create(
        {
            "name": "Size",
            "value_ids": [Command.create({"name": n}) for n in SIZES[: args.variants]],
        }
    )
    started = time.perf_counter()
    lines = (
        [
            Command.create(
                {
                    "attribute_id": size.id,
                    "value_ids": [Command.set(size.value_ids.ids)],
                }
            )
        ]
        if args.variants > 1
        else []
    )
    templates = env["product.template"]
    for start in range(0, args.templates, 100):
        chunk = env["product.template"].create(
            [
                {
                    "name": f"Bench listing {index:05d}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10 + index % 90,
                    "standard_price": 4,
                    "attribute_line_ids": lines,
                    **(
                        {"default_code": f"BL-{index:05d}"}
                        if args.variants == 1
                        else {}
                    ),
                }
                for index in range(start, min(args.templates, start + 100))
            ]
        )
        for template in chunk:
            for product in template.product_variant_ids:
                if args.variants > 1:
                    label = product.product_template_attribute_value_ids.name
                    product.default_code = f"BL-{template.id:06d}-{label}"
                product.weight = 0.5
        templates |= chunk
        env.cr.commit()  # pylint: disable=invalid-commit
    print(
        f"set up {len(templates)} templates, "
        f"{len(templates.product_variant_ids)} variants in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return instance, templates


def run_all_jobs(env, progress=None):
    """Run the queued jobs as queue_job's runner (each committed) until none
    is left; (job runs, postponed, seconds waited)."""
    runs = postponed = 0
    idle = 0.0
    while True:
        done, later, wait = run_due_jobs(env)
        runs += done
        postponed += later
        if wait is None:
            return runs, postponed, idle
        if wait > 0:
            idle += wait
            time.sleep(wait)
        if progress and done:
            progress()


def run_due_jobs(env):
    import psycopg2  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415
    from odoo.addons.queue_job.exception import RetryableJobError  # noqa: PLC0415
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415

    pending = env["queue.job"].search(
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


def phase(env, store, name, start, minimum):
    """Queue with ``start()``, run every job; the phase's figures."""
    requests_before = store.request_count
    throttled_before = store.count_429
    started = time.monotonic()
    start()
    env.cr.commit()  # pylint: disable=invalid-commit

    def progress():
        print(
            f"  {name}: {time.monotonic() - started:5.0f} s, "
            f"{store.request_count - requests_before} requests",
            flush=True,
        )

    runs, postponed, idle = run_all_jobs(env, progress)
    log = store.request_log[requests_before:]
    return {
        "name": name,
        "requests": len(log),
        "by_kind": Counter(f"{method} {_kind(path)}" for method, path, _q in log),
        "minimum": minimum,
        "count_429": store.count_429 - throttled_before,
        "seconds": time.monotonic() - started,
        "idle": idle,
        "runs": runs,
        "postponed": postponed,
        "rss_mb": rss_mb(),
    }


def _kind(path):
    parts = ["{id}" if part.isdigit() else part for part in path.split("/")]
    return "/".join(parts)


def run(env, store, args):
    instance, templates = setup(env, store, args)
    variants = templates.product_variant_ids
    multi = args.variants > 1
    phases = [{"name": "setup", "rss_mb": rss_mb()}]
    first_minimum = len(templates) + (math.ceil(len(variants) / 250) if multi else 0)
    phases.append(
        phase(
            env,
            store,
            "create",
            lambda: instance.export_products(template_ids=templates.ids),
            (len(templates), first_minimum),
        )
    )
    rows = env["bigcommerce.listing.export"].search([("instance_id", "=", instance.id)])
    phases[-1]["states"] = Counter(rows.mapped("state"))
    phases.append(
        phase(env, store, "no change", lambda: instance.export_products(), (0, 0))
    )

    def rename():
        for template in templates:
            template.name = f"{template.name} (renamed)"
        instance.export_products()

    updates = math.ceil(len(templates) / 10)
    phases.append(phase(env, store, "rename all", rename, (updates, updates)))

    def barcodes():
        for index, product in enumerate(variants):
            body = f"{400000000000 + index:011d}"[-11:]
            product.barcode = body + str(_upc_check_digit(body))
        instance.export_products()

    if multi:
        batches = math.ceil(len(variants) / 50)
        phases.append(
            phase(env, store, "variant barcodes", barcodes, (batches, batches))
        )
    rows.invalidate_recordset()
    phases[-1]["states"] = Counter(rows.mapped("state"))
    return phases


def _upc_check_digit(body):
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return (10 - (odd * 3 + even) % 10) % 10


def report(phases, args):
    print()
    print(
        f"Standard quota: {QUOTA} requests per {WINDOW_MS // 1000} s (not raised), "
        f"queued jobs; {args.templates} templates x {args.variants} variants"
    )
    setup, *runs = phases
    print(f"peak memory after setup: {setup['rss_mb']:.0f} MB")
    for figures in runs:
        issue_minimum, spec_minimum = figures["minimum"]
        requests = figures["requests"]
        ratio = (
            f"{requests / issue_minimum:.3f}x the documented minimum {issue_minimum}"
            if issue_minimum
            else f"documented minimum {issue_minimum}"
        )
        if spec_minimum != issue_minimum:
            ratio += (
                f", {requests / spec_minimum:.3f}x {spec_minimum} with the variant "
                "reads the POST answer makes necessary"
            )
        bound = requests / (QUOTA / (WINDOW_MS / 1000))
        print(f"- {figures['name']}: {requests} requests ({ratio})")
        print(f"    by kind: {dict(figures['by_kind'])}")
        print(
            f"    429s answered: {figures['count_429']} (goal 0); "
            f"{figures['runs']} job runs, {figures['postponed']} postponed"
        )
        print(
            f"    wall time {figures['seconds']:.0f} s vs the quota's lower bound "
            f"{bound:.0f} s; peak memory {figures['rss_mb']:.0f} MB"
        )
        if figures.get("states"):
            print(f"    listing rows: {dict(figures['states'])}")


if __name__ == "__main__":
    main()
