"""Screenshots of the operator's screens, taken with headless Chromium.

1. starts the sandbox store (seed 42) and makes a throwaway database with the
   addon (a copy of the test suite's template database when there is one),
   on free ports, so it never disturbs a running demo or test;
2. creates, tests and confirms the instance "Sandbox store" and imports the
   sandbox's customers, orders and refunds (as ``scripts/demo.py`` does);
3. serves Odoo, logs in as admin and drives Chromium through its DevTools
   protocol (``websocket-client``): the dashboard, the instance form and its
   Schedules and Notifications & Alerts pages, then the dashboard with no
   store (the instance archived for the picture): the first-store panel;
4. saves the PNGs into ``docs/screenshots/`` and drops the database.

Usage: ``python3 scripts/screenshots.py [--out DIR] [--keep-db] [--only NAME ...]``
(``--only first_store`` takes that picture alone).
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import requests
import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)

from odoo_env import (  # noqa: E402
    ROOT,
    SANDBOX_API_HOSTS,
    OdooMissing,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    odoo_command,
    require_odoo,
    which_chromium,
)

WIDTH, HEIGHT = 1440, 1000
# Seconds a screen may take to render on a loaded machine.
RENDER_TIMEOUT = 120


def log(message):
    print(f"[screenshots] {message}", flush=True)


def write_config(directory, args):
    from cryptography.fernet import Fernet  # noqa: PLC0415

    path = os.path.join(directory, "odoo.conf")
    with open(path, "w") as handle:
        handle.write(
            "[options]\n"
            f"addons_path = {addons_path()}\n"
            f"db_name = {args.db}\n"
            f"dbfilter = ^{args.db}$\n"
            "http_interface = 127.0.0.1\n"
            f"http_port = {args.http_port}\n"
            f"gevent_port = {free_port()}\n"
            "workers = 0\n"
            "max_cron_threads = 0\n"
            f"bigcommerce_encryption_key = {Fernet.generate_key().decode()}\n"
            f"bigcommerce_allowed_api_hosts = {SANDBOX_API_HOSTS}\n"
            f"admin_passwd = {secrets.token_urlsafe(16)}\n"
        )
    os.chmod(path, 0o600)
    return path


def make_database(config, args):
    """The throwaway database with the addon, from the tests' template if any."""
    import run_odoo_tests  # noqa: PLC0415

    env = allow_sandbox_hosts(dict(os.environ))
    template = run_odoo_tests._template_database(env)
    if template:
        log(f"copying the template database {template}")
        run_odoo_tests._copy_template(template, args.db)
    log(f"installing bigcommerce_connector into {args.db}")
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
        env=env,
    )


def drop_database(name):
    import run_odoo_tests  # noqa: PLC0415

    # --force: this process's own registry (the imports) still holds pooled
    # connections to the database.
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name], check=False, capture_output=True
    )
    run_odoo_tests._drop_filestore(name)


def wait_http(url, timeout=RENDER_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


def login(base_url, db):
    """The session id of admin (the database's default password)."""
    session = requests.Session()
    answer = session.post(
        f"{base_url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": db, "login": "admin", "password": "admin"},
        },
        timeout=60,
    )
    answer.raise_for_status()
    if answer.json().get("error"):
        raise RuntimeError(answer.json()["error"])
    return session.cookies["session_id"]


class Browser:
    """Headless Chromium driven through its DevTools protocol."""

    def __init__(self):
        chromium = which_chromium()
        if not chromium:
            raise RuntimeError("Chromium is missing (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="bc-screens-chromium-")
        port = free_port()
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{port}/json/version")
        pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(target for target in pages if target["type"] == "page")
        self.socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=RENDER_TIMEOUT
        )
        self.next_id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, **params):
        self.next_id += 1
        message_id = self.next_id
        self.socket.send(
            json.dumps({"id": message_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=RENDER_TIMEOUT):
        """Wait until ``selector`` is shown and the web client is idle."""
        check = (
            f"!!document.querySelector({json.dumps(selector)})"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI')"
            " && document.readyState === 'complete'"
            " && document.fonts.status === 'loaded'"
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(check):
                # One more animation frame: the last render is painted.
                self.send(
                    "Runtime.evaluate",
                    expression="new Promise(r => requestAnimationFrame(() => "
                    "requestAnimationFrame(r)))",
                    awaitPromise=True,
                )
                return
            time.sleep(0.5)
        raise TimeoutError(f"{selector} not shown in {timeout}s")

    def goto(self, url, selector):
        self.send("Page.navigate", url=url)
        self.wait_for(selector)

    def click(self, selector, then):
        found = self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (el) { el.click(); } return !!el; })()"
        )
        if not found:
            raise RuntimeError(f"nothing to click at {selector}")
        self.wait_for(then)

    def screenshot(self, path):
        # No focus ring or hover state from the last click in the picture.
        self.evaluate("document.activeElement && document.activeElement.blur()")
        self.send(
            "Input.dispatchMouseEvent", type="mouseMoved", x=WIDTH - 1, y=HEIGHT - 1
        )
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        log(f"saved {os.path.relpath(path, ROOT)}")

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)


SHOTS = (
    "dashboard",
    "instance_form",
    "instance_schedules",
    "instance_notifications",
    "first_store",
)


def set_active(base_url, session_id, instance_id, active):
    """Archive or restore the instance through the web client's RPC."""
    answer = requests.post(
        f"{base_url}/web/dataset/call_kw/bigcommerce.instance/write",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "bigcommerce.instance",
                "method": "write",
                "args": [[instance_id], {"active": active}],
                "kwargs": {},
            },
        },
        cookies={"session_id": session_id},
        timeout=60,
    )
    answer.raise_for_status()
    if answer.json().get("error"):
        raise RuntimeError(answer.json()["error"])


def take_first_store(browser, base_url, session_id, instance_id, out):
    """The dashboard with no store: the first-store panel."""
    set_active(base_url, session_id, instance_id, False)
    try:
        browser.goto(
            f"{base_url}/odoo/bigcommerce-dashboard",
            ".o_view_nocontent .o_bigcommerce_first_store ol",
        )
        browser.screenshot(os.path.join(out, "first_store.png"))
    finally:
        set_active(base_url, session_id, instance_id, True)


def take_screenshots(base_url, db, instance_id, out, only=SHOTS):
    browser = Browser()
    try:
        session_id = login(base_url, db)
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=session_id,
            url=base_url,
        )
        if "first_store" in only:
            take_first_store(browser, base_url, session_id, instance_id, out)
        if set(only) <= {"first_store"}:
            return
        browser.goto(
            f"{base_url}/odoo/bigcommerce-dashboard",
            ".o_bigcommerce_dashboard .o_kanban_record .o_dashboard_graph canvas",
        )
        browser.screenshot(os.path.join(out, "dashboard.png"))
        browser.goto(
            f"{base_url}/odoo/bigcommerce-dashboard/{instance_id}",
            ".o_form_view .o_form_sheet .o_notebook",
        )
        browser.screenshot(os.path.join(out, "instance_form.png"))
        browser.click(
            ".o_notebook .nav-link[name=schedules]",
            ".o_notebook .tab-pane.active [name=order_poll_interval_unit]",
        )
        browser.screenshot(os.path.join(out, "instance_schedules.png"))
        browser.click(
            ".o_notebook .nav-link[name=notifications]",
            ".o_notebook .tab-pane.active [name=notify_activity]",
        )
        browser.screenshot(os.path.join(out, "instance_notifications.png"))
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--only", nargs="+", choices=SHOTS, default=SHOTS)
    args = parser.parse_args()
    try:
        require_odoo()
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    import demo  # noqa: PLC0415  (its instance set-up and imports)

    sys.path.insert(0, ROOT)
    from bigcommerce_sandbox import SandboxStore  # noqa: PLC0415

    args.db = f"bc_screens_{uuid.uuid4().hex[:10]}"
    args.http_port = free_port()
    os.makedirs(args.out, exist_ok=True)
    sandbox = SandboxStore(seed=42).start(port=free_port())
    log(f"sandbox store serving {sandbox.api_url}")
    workdir = tempfile.mkdtemp(prefix="bc-screens-")
    server = None
    try:
        config = write_config(workdir, args)
        make_database(config, args)
        demo.connect_instance(config, args, sandbox)
        instance_id = instance_of(config, args.db)
        base_url = f"http://127.0.0.1:{args.http_port}"
        server = subprocess.Popen(
            [*odoo_command(), "server", "-c", config, "--log-level=warn"],
            cwd=ROOT,
            env=allow_sandbox_hosts(dict(os.environ)),
        )
        wait_http(f"{base_url}/web/login")
        take_screenshots(base_url, args.db, instance_id, args.out, args.only)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=60)
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep_db:
            drop_database(args.db)
    return 0


def instance_of(config, db):
    odoo = require_odoo()
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", config])
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
        return env["bigcommerce.instance"].search([("name", "=", "Sandbox store")]).id


if __name__ == "__main__":
    sys.exit(main())
