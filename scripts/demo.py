"""A populated demo: the sandbox store and an Odoo connected to it.

1. starts the sandbox store (seed 42) on 127.0.0.1:8765;
2. creates the database ``bigcommerce_demo`` with the addon installed;
3. creates the instance "Sandbox store" pointing at the sandbox, tests the
   connection and confirms it (currency, statuses, channels, locations...);
4. imports the sandbox's customers and orders (confirmed sale orders with
   posted invoices), then its refunds (posted credit notes);
5. serves Odoo on http://127.0.0.1:8069 (login admin / admin) with the
   queue_job runner, until Ctrl-C.

Options: ``--db NAME``, ``--http-port N``, ``--sandbox-port N``, ``--reuse``
(keep an existing demo database instead of re-creating it).
"""

import argparse
import os
import secrets
import subprocess
import sys

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from odoo_env import (  # noqa: E402
    ROOT,
    SANDBOX_API_HOSTS,
    OdooMissing,
    addons_path,
    odoo_command,
    require_odoo,
)

DEMO_DIR = os.path.join(ROOT, ".demo")


def log(message):
    print(f"[demo] {message}", flush=True)


def write_config(args):
    """odoo.conf of the demo; keeps its encryption key across runs."""
    os.makedirs(DEMO_DIR, exist_ok=True)
    key_file = os.path.join(DEMO_DIR, "encryption.key")
    if not os.path.exists(key_file):
        from cryptography.fernet import Fernet  # noqa: PLC0415

        with open(key_file, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        os.chmod(key_file, 0o600)
    with open(key_file) as handle:
        key = handle.read().strip()
    path = os.path.join(DEMO_DIR, "odoo.conf")
    with open(path, "w") as handle:
        handle.write(
            "[options]\n"
            f"addons_path = {addons_path()}\n"
            f"db_name = {args.db}\n"
            f"dbfilter = ^{args.db}$\n"
            "http_interface = 127.0.0.1\n"
            f"http_port = {args.http_port}\n"
            f"gevent_port = {args.http_port + 3}\n"
            "workers = 0\n"
            "max_cron_threads = 1\n"
            # queue_job's runner starts only as a server-wide module; rpc
            # keeps XML-RPC/JSON-RPC available next to it.
            "server_wide_modules = base,web,rpc,queue_job\n"
            f"bigcommerce_encryption_key = {key}\n"
            # The sandbox store is on the loopback; a real store needs nothing.
            f"bigcommerce_allowed_api_hosts = {SANDBOX_API_HOSTS}\n"
            f"admin_passwd = {secrets.token_urlsafe(16)}\n"
            "\n[queue_job]\n"
            "channels = root:2,root.bigcommerce:2\n"
        )
    os.chmod(path, 0o600)
    return path


def database_exists(name):
    out = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() == "1"


def install(config, args):
    if database_exists(args.db):
        if args.reuse:
            log(f"reusing database {args.db}")
            return
        log(f"dropping the previous demo database {args.db}")
        subprocess.run(["dropdb", args.db], check=True)
    log(f"creating database {args.db} with bigcommerce_connector (takes a few minutes)")
    subprocess.run(
        [
            *odoo_command(),
            "server",
            "-c",
            config,
            "--init=bigcommerce_connector",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
        cwd=ROOT,
    )


def connect_instance(config, args, sandbox):
    """Create, test and confirm the demo instance, committed."""
    odoo = require_odoo()
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", config])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
        instances = env["bigcommerce.instance"]
        instance = instances.search([("name", "=", "Sandbox store")], limit=1)
        values = {
            "store_hash": sandbox.store_hash,
            "access_token": sandbox.access_token,
            "api_url": sandbox.api_url,
            # The sandbox's orders are what the demo shows, not history to
            # keep out of the books: go live before the first of them
            # (Confirm would propose "now", and nothing would be booked).
            "go_live_date": "2000-01-01 00:00:00",
        }
        if instance:
            instance.write(values)
        else:
            instance = instances.create({"name": "Sandbox store", **values})
        action = instance.action_test_connection()
        log(f"Test Connection: {action['params']['message']}")
        instance.action_confirm()
        log(
            f"instance '{instance.name}' {instance.state}: "
            f"store {instance.store_name}, currency {instance.currency_id.name}, "
            f"weight unit {instance.weight_unit}, "
            f"{len(instance.order_status_ids)} order statuses, "
            f"{len(instance.channel_ids)} channels, "
            f"{len(instance.location_ids)} locations, "
            f"{len(instance.tax_class_ids)} tax classes"
        )
        cr.commit()
        # The demo store's catalogue is not in Odoo yet: let orders create it.
        instance.create_products = True
        inline = instance.with_context(queue_job__no_delay=True)
        inline.import_customers()
        inline.import_orders()
        cr.commit()
        orders = env["bigcommerce.order"].search([("instance_id", "=", instance.id)])
        customers = env["bigcommerce.customer"].search_count(
            [("instance_id", "=", instance.id)]
        )
        posted = orders.invoice_id.filtered(lambda move: move.state == "posted")
        log(
            f"imported {customers} customers and {len(orders)} orders: "
            f"{len(orders.sale_order_id)} confirmed sale orders, "
            f"{len(posted)} posted invoices, "
            f"{len(orders.filtered(lambda o: o.state in ('failed', 'review')))} "
            "needing attention"
        )
        inline.import_refunds()
        cr.commit()
        refunds = env["bigcommerce.refund"].search([("instance_id", "=", instance.id)])
        credit_notes = refunds.credit_note_id.filtered(
            lambda move: move.state == "posted"
        )
        log(
            f"imported {len(refunds)} refunds: {len(credit_notes)} posted credit "
            f"notes, {len(refunds.filtered(lambda r: r.state != 'synced'))} "
            "needing attention"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bigcommerce_demo")
    parser.add_argument("--http-port", type=int, default=8069)
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    try:
        require_odoo()
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    sys.path.insert(0, ROOT)
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    sandbox = SandboxStore(seed=42).start(port=args.sandbox_port)
    log(f"sandbox store serving {sandbox.api_url}")
    config = write_config(args)
    try:
        install(config, args)
        connect_instance(config, args, sandbox)
        url = f"http://127.0.0.1:{args.http_port}"
        log(f"Odoo on {url} (login admin / admin); Ctrl-C stops")
        server = subprocess.Popen([*odoo_command(), "server", "-c", config], cwd=ROOT)
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait(timeout=30)
            return 0
    finally:
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
