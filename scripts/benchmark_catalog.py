"""Benchmark the catalog import at the Standard quota (150 requests / 30 s).

    python3 scripts/benchmark_catalog.py [--products 10000] [--no-quota]

It installs the addon into a throwaway database (``bigcommerce_bench_catalog``,
dropped at the end unless ``--keep``), starts the sandbox store in a process
of its own with ``--products`` generated products (3 variants and 2 images
each) at BigCommerce's Standard quota (``--no-quota`` removes the rate limit;
every figure then says so), then runs the queued jobs of a full product
import the way queue_job's runner does: each job in its own transaction,
committed, a rate limit postponing the job to its ``eta`` (never sleeping in
it). It prints the products and variants imported, the API requests per
product against the request model (one page of 250 products), the images
downloaded, the peak memory of this worker process, the wall time, and the
Odoo-side time of the page jobs (the job path: job states, the page, its
bindings, its log and next step, the commits; less the time waiting for HTTP
answers) against plain ORM code creating the same templates and variants
with the importer's advantages: its context (``tracking_disable``,
``mail_create_nosubscribe``, ``active_test=False``) and a commit per page of
250. Nothing is asserted.
"""

import argparse
import math
import multiprocessing
import os
import resource
import socket
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
from odoo_env import (  # noqa: E402
    ROOT,
    addons_path,
    allow_sandbox_hosts,
    install_addon,
)

sys.path.insert(0, ROOT)

PAGE = 250


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10000)
    add_quota_arguments(parser)
    parser.add_argument("--db", default="bigcommerce_bench_catalog")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_store(port, products, quota, ready, stats):
    """The sandbox in its own process: its memory is not the worker's."""
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415
    from bigcommerce_sandbox.seed import add_generated_catalog  # noqa: PLC0415

    store = SandboxStore(seed=42, quota=quota[0], window_ms=quota[1])
    add_generated_catalog(store.state, products=products)
    store.start(port=port)
    ready.set()
    while True:
        time.sleep(0.5)
        stats["requests"] = [
            path for _method, path, _query in store.request_log if "catalog" in path
        ]
        stats["count_429"] = store.count_429


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    args = parse_args()
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    os.environ["BIGCOMMERCE_ENCRYPTION_KEY"] = key
    allow_sandbox_hosts()
    print(f"installing bigcommerce_connector into {args.db} ...", flush=True)
    install_addon(args.db, key)

    port = free_port()
    manager = multiprocessing.Manager()
    stats = manager.dict()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve_store,
        args=(port, args.products, quota_of(args), ready, stats),
        daemon=True,
    )
    server.start()
    ready.wait(600)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", "-d", args.db, "--log-level=warn"]
    )
    registry = Registry(args.db)
    try:
        figures = run(registry, port, args)
        time.sleep(1)
        requests = list(stats.get("requests", []))
        figures["request_paths"] = requests
        figures["count_429"] = stats.get("count_429", 0)
    finally:
        server.terminate()
        if not args.keep:
            registry.delete(args.db)
            odoo.sql_db.close_db(args.db)
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)
    report(figures, args)


def run(registry, port, args):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        instance = env["bigcommerce.instance"].create(
            {
                "name": "Benchmark",
                "store_hash": "sandbox42",
                "access_token": "sandbox-token",
                "api_url": f"http://127.0.0.1:{port}/stores/sandbox42",
                "create_products": True,
                "update_product_category": True,
            }
        )
        instance.action_confirm()
        instance_id = instance.id
        env["queue.job"].search([]).unlink()  # Confirm's category/brand jobs
        instance.import_products()
    rss = {"start": rss_mb(), "first_page": None}

    def after_job(method):
        if method == "_job_import_products" and rss["first_page"] is None:
            rss["first_page"] = rss_mb()

    http = HttpClock()
    runner = JobRunner(registry, http=http, after_job=after_job)
    with http.watching():
        wall = runner.run_until_done()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        bindings = env["bigcommerce.product"].search(
            [("instance_id", "=", instance_id)]
        )
        variants = env["bigcommerce.product.variant"].search_count(
            [("instance_id", "=", instance_id), ("product_id", "!=", False)]
        )
        images = env["bigcommerce.product.image"].search_count(
            [("instance_id", "=", instance_id), ("state", "=", "done")]
        )
        bound = bindings.filtered("product_tmpl_id")
        sample = bound[: min(len(bound), 1000)]
        plans = baseline_plans(sample)
    baseline = baseline_seconds(registry, plans)
    return {
        "products": len(bound),
        "variants": variants,
        "images": images,
        "pages": runner.runs_by_method.get("_job_import_products", 0),
        "postponed": runner.postponed,
        "failed_jobs": runner.failed,
        "wall": wall,
        "idle": runner.idle_seconds,
        "page_seconds": runner.seconds_by_method.get("_job_import_products", 0.0),
        "page_http": runner.http_by_method.get("_job_import_products", 0.0),
        "page_odoo": runner.odoo_seconds("_job_import_products"),
        "image_odoo": runner.odoo_seconds("_job_download_images"),
        "image_http": runner.http_by_method.get("_job_download_images", 0.0),
        "baseline_sample": len(plans),
        "baseline_seconds": baseline,
        "peak_mb": peak,
        "rss_start": rss["start"],
        "rss_first_page": rss["first_page"],
        "rss_end": rss_mb(),
    }


def attribute_values(product):
    return product.product_template_attribute_value_ids.product_attribute_value_id


def baseline_plans(bindings):
    """What plain ORM code needs to create the same templates anew."""
    from odoo import Command  # noqa: PLC0415

    plans = []
    for binding in bindings:
        template = binding.product_tmpl_id
        plans.append(
            (
                {
                    "name": template.name + " (baseline)",
                    "type": template.type,
                    "is_storable": template.is_storable,
                    "list_price": template.list_price,
                    "categ_id": template.categ_id.id,
                    "attribute_line_ids": [
                        Command.create(
                            {
                                "attribute_id": line.attribute_id.id,
                                "value_ids": [Command.set(line.value_ids.ids)],
                            }
                        )
                        for line in template.attribute_line_ids
                    ],
                },
                [
                    (
                        attribute_values(product).ids,
                        product.default_code,
                        product.standard_price,
                        product.weight,
                    )
                    for product in template.product_variant_ids
                ],
            )
        )
    return plans


# The importer's context for templates (importers/product.py).
TEMPLATE_CONTEXT = {
    "active_test": False,
    "tracking_disable": True,
    "mail_create_nosubscribe": True,
}


def baseline_seconds(registry, plans):
    """Plain ORM: the same templates (attribute line, SKUs, cost, weight)
    created anew with the importer's context, a commit per page of 250."""
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    started = time.perf_counter()
    for start in range(0, len(plans), PAGE):
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            templates = env["product.template"].with_context(**TEMPLATE_CONTEXT)
            for values, variants in plans[start : start + PAGE]:
                template = templates.create(values)
                by_values = {
                    frozenset(attribute_values(p).ids): p
                    for p in template.product_variant_ids
                }
                for value_ids, code, cost, weight in variants:
                    by_values[frozenset(value_ids)].write(
                        {
                            "default_code": code + "-B",
                            "standard_price": cost,
                            "weight": weight,
                        }
                    )
            env.flush_all()
    return time.perf_counter() - started


def report(figures, args):
    products = figures["products"]
    # The generated products plus the seeded store's own: one page per 250.
    minimum = math.ceil(products / PAGE)
    by_path = Counter(figures["request_paths"])
    requests = by_path["/v3/catalog/products"]
    others = {path: n for path, n in by_path.items() if path != "/v3/catalog/products"}
    odoo_per = figures["page_odoo"] / max(products, 1)
    image_per = figures["image_odoo"] / max(figures["images"], 1)
    base_per = figures["baseline_seconds"] / max(figures["baseline_sample"], 1)
    print()
    print(f"Catalog import of {args.products} generated products, {quota_label(args)}")
    print(f"  products imported        {products}")
    if figures["failed_jobs"]:
        print(f"  FAILED JOBS              {figures['failed_jobs']}")
    print(f"  variants bound           {figures['variants']}")
    print(f"  images downloaded        {figures['images']}")
    print(
        f"  product page requests    {requests} "
        f"({requests / max(products, 1):.4f} per product)"
    )
    print_request_model(
        [
            (
                minimum,
                f"product pages: ceil({products} / {PAGE}), GET /v3/catalog/"
                "products?include=variants,images&id:greater=...",
                f"{PAGE} is the largest page; variants and images come embedded "
                "(no read per product); image files come from the CDN, not the API",
            )
        ]
    )
    print(
        f"  requests / model         {requests} / {minimum} = "
        f"{requests / max(minimum, 1):.3f}x"
    )
    print(f"  other catalog requests   {sum(others.values())} {others} (Confirm's)")
    print(
        f"  product pages (jobs)     {figures['pages']}, 429s {figures['count_429']}, "
        f"postponed jobs {figures['postponed']}"
    )
    print(
        f"  wall time                {figures['wall']:.1f} s "
        f"({products / max(figures['wall'], 1e-9):.1f} products/s, images "
        f"included; waiting for the quota {figures['idle']:.1f} s)"
    )
    print(
        f"  Odoo-side time           {odoo_per * 1000:.1f} ms per product (page "
        f"jobs {figures['page_seconds']:.1f} s less {figures['page_http']:.1f} s "
        f"of HTTP: templates, variants, bindings, log, job); image jobs "
        f"{image_per * 1000:.1f} ms per image less HTTP"
    )
    print(
        f"  plain-ORM baseline       {base_per * 1000:.1f} ms per product "
        f"(sample of {figures['baseline_sample']}; the importer's context, a "
        f"commit per {PAGE}); ratio {odoo_per / max(base_per, 1e-9):.2f}x"
    )
    print(
        f"  worker memory            peak {figures['peak_mb']:.0f} MB; RSS before "
        f"{figures['rss_start']:.0f} MB, "
        f"after page 1 {figures['rss_first_page'] or 0:.0f} MB, "
        f"at the end {figures['rss_end']:.0f} MB"
    )


if __name__ == "__main__":
    main()
