"""The processes of ``benchmark_scale_out.py``: sandbox stores, Odoo nodes,
the balancer in front of them, the memory sampler and the webhook sender."""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle

import requests

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
)

from odoo_env import (  # noqa: E402
    ROOT,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    odoo_command,
)

# ----------------------------------------------------------------------
# Sandbox stores (one process each)
# ----------------------------------------------------------------------


class Store:
    def __init__(self, seed, args):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bigcommerce_sandbox",
                "--port",
                "0",
                "--seed",
                str(seed),
                "--quota",
                str(args.quota),
                "--window-ms",
                str(args.window_ms),
                "--orders",
                str(args.orders),
                "--json",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"sandbox store of seed {seed} did not start")
        self.info = json.loads(line)
        first, last = self.info["order_ids"]
        self.order_ids = list(range(first, last + 1))

    def __getattr__(self, name):
        try:
            return self.__dict__["info"][name]
        except KeyError:
            raise AttributeError(name) from None

    def stats(self):
        return requests.get(f"{self.url}/_sandbox/stats", timeout=10).json()

    def client(self):
        from bigcommerce_connector.client import BigCommerceClient  # noqa: PLC0415

        return BigCommerceClient(
            self.store_hash, self.access_token, api_url=self.api_url, max_wait=120
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ----------------------------------------------------------------------
# Odoo nodes and the balancer in front of them
# ----------------------------------------------------------------------


def server_command():
    # Prefork re-runs its own script for the gevent worker: odoo-bin when
    # there is one (``python -m odoo`` cannot be re-run).
    import odoo  # noqa: PLC0415

    for package_dir in odoo.__path__:
        script = os.path.join(os.path.dirname(package_dir), "odoo-bin")
        if os.path.exists(script):
            return [sys.executable, script]
    return odoo_command()


class Node:
    """One Odoo server: prefork workers, queue_job's runner process."""

    def __init__(self, args, key, channels, dispatch_port, port, logdir, name):
        self.port = port
        self.name = name
        command = [
            *server_command(),
            "server",
            f"--addons-path={addons_path()}",
            "-d",
            args.db,
            f"--db-filter=^{args.db}$",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            "--http-interface=127.0.0.1",
            f"--workers={args.workers}",
            "--max-cron-threads=0",
            "--load=base,web,rpc,queue_job",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--log-level=warn",
            f"--logfile={os.path.join(logdir, name + '.log')}",
            "--no-database-list",
        ]
        env = allow_sandbox_hosts(
            dict(
                os.environ,
                BIGCOMMERCE_ENCRYPTION_KEY=key,
                ODOO_QUEUE_JOB_CHANNELS=channels,
                ODOO_QUEUE_JOB_HOST="127.0.0.1",
                ODOO_QUEUE_JOB_PORT=str(dispatch_port),
            )
        )
        # Its output (and the gevent worker's, which cannot start where
        # gevent lacks a dependency: only the UI's bus needs it) to its log.
        self.output = open(os.path.join(logdir, name + ".out"), "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                url = f"http://127.0.0.1:{self.port}/web/health"
                if requests.get(url, timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo node {name} did not start within 180 s")

    def pids(self):
        return descendants(self.process.pid)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.output.close()


def wait_for_runner(registry, timeout=120):
    """Until queue_job's runner holds its election lock on the database (it
    starts a few seconds after the server): jobs queued before would wait."""
    from odoo.addons.queue_job.jobrunner.runner import (  # noqa: PLC0415
        PG_ADVISORY_LOCK_ID,
    )

    deadline = time.time() + timeout
    while time.time() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND granted AND ((classid::bigint << 32) | objid::bigint) = %s",
                [PG_ADVISORY_LOCK_ID],
            )
            if cr.fetchone()[0]:
                return
        time.sleep(1)
    raise RuntimeError("queue_job's runner did not start")


def role(pid):
    """ "gevent" for Odoo's gevent worker (started as ``odoo gevent``), else
    "worker": HTTP workers and the job runner are forks of the server."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            arguments = handle.read().split(b"\0")
    except OSError:
        return "worker"
    return "gevent" if b"gevent" in arguments else "worker"


def descendants(pid):
    """``pid`` and every process below it (Linux /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def peak_rss_mb(pid):
    """The process's peak resident memory (VmHWM), MB, or None once gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            match = re.search(r"VmHWM:\s+(\d+) kB", handle.read())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


class MemorySampler(threading.Thread):
    """The peak memory of every Odoo process, sampled every half second
    (a worker recycled at its memory limit keeps its figure)."""

    def __init__(self, nodes):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.peaks = {}  # pid -> (node, role, MB)
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            for node in self.nodes:
                for pid in node.pids():
                    if pid == node.process.pid:
                        continue  # the prefork master does no work
                    peak = peak_rss_mb(pid)
                    if peak:
                        known = self.peaks.get(pid, (None, None, 0))
                        self.peaks[pid] = (node.name, role(pid), max(peak, known[2]))
            self.stop_event.wait(0.5)


class Balancer:
    """A round-robin HTTP balancer in front of the nodes (the load balancer
    of a multi-node deployment): queue_job's dispatch and the webhooks."""

    def __init__(self, ports):
        backends = cycle(ports)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                with lock:
                    port = next(backends)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                try:
                    response = requests.request(
                        self.command,
                        f"http://127.0.0.1:{port}{self.path}",
                        data=body,
                        headers=headers,
                        timeout=900,
                    )
                except requests.RequestException:
                    self.send_error(502)
                    return
                try:
                    self.send_response(response.status_code)
                    self.send_header("Content-Length", str(len(response.content)))
                    self.end_headers()
                    self.wfile.write(response.content)
                except OSError:
                    pass  # the runner does not wait for the job's answer

            do_GET = do_POST = _forward

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ----------------------------------------------------------------------
# Webhooks during the run
# ----------------------------------------------------------------------


class WebhookSender(threading.Thread):
    """Signed ``store/order/updated`` callbacks of the stores' orders, at
    ``rate`` per store and second, each acknowledgement timed."""

    def __init__(self, stores, rate):
        super().__init__(daemon=True)
        from bigcommerce_sandbox.webhooks import sign  # noqa: PLC0415

        self.sign = sign
        self.stores = stores
        self.rate = rate
        self.latencies = []
        self.statuses = []
        self.stop_event = threading.Event()
        self.hooks = {}
        for store in stores:
            hooks = list(store.client().iter_hooks())
            self.hooks[store.store_hash] = next(
                hook
                for hook in hooks
                if hook["scope"] in ("store/order/*", "store/order/updated")
            )

    def run(self):
        if self.rate <= 0:
            return
        session = requests.Session()
        orders = {
            store.store_hash: cycle(store.order_ids[::7]) for store in self.stores
        }
        interval = 1.0 / (self.rate * len(self.stores))
        targets = cycle(self.stores)
        while not self.stop_event.wait(interval):
            store = next(targets)
            hook = self.hooks[store.store_hash]
            data = {"type": "order", "id": next(orders[store.store_hash])}
            data_json = json.dumps(data, sort_keys=True, separators=(",", ":"))
            payload = {
                "scope": "store/order/updated",
                "store_id": str(store.store_id),
                "producer": f"stores/{store.store_hash}",
                "hash": hashlib.sha1(data_json.encode()).hexdigest(),  # noqa: S324
                "created_at": int(time.time()),
                "data": data,
            }
            body = json.dumps(payload).encode()
            webhook_id = f"msg_{uuid.uuid4().hex}"
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": self.sign(
                    store.client_secret, webhook_id, timestamp, body
                ),
                **(hook.get("headers") or {}),
            }
            started = time.perf_counter()
            try:
                response = session.post(
                    hook["destination"], data=body, headers=headers, timeout=30
                )
                status = response.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            self.latencies.append(time.perf_counter() - started)
            self.statuses.append(status)
