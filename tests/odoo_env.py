"""Where Odoo is, and how to start it, for the test runner and the demo.

Odoo 19.0 is installed from Odoo's own sources into this Python or the
project's .venv (``make setup``, scripts/odoo_setup.py; docs/development.md);
nothing here installs it.
"""

import os
import shutil
import socket
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MISSING_ODOO = """
==============================================================================
 Odoo 19.0 cannot be imported by {python}:
   {error}
 The Odoo test suite needs a real Odoo 19.0; it is never skipped.
 Fix: `make setup` sets Odoo 19.0, OCA queue_job and this project's
 requirements up in the project's .venv (ODOO_SOURCE=/path/to/odoo to use
 sources you have); `make test` then uses it. Other ways, and the
 PostgreSQL prerequisite: docs/development.md, "Installing Odoo 19.0"
 (or point ODOO_ADDONS_PATH at Odoo's addons folder if it is elsewhere).
==============================================================================
"""


# The sandbox store serves on the loopback: the only extra hosts the access
# token may go to in tests, the demo and the benchmarks (a production server
# allows none; see docs/security.md).
SANDBOX_API_HOSTS = "127.0.0.1,localhost"


def allow_sandbox_hosts(env=None):
    """``env`` (default: this process's environment) with the sandbox's
    hosts allowed to receive the access token."""
    env = os.environ if env is None else env
    env["BIGCOMMERCE_ALLOWED_API_HOSTS"] = SANDBOX_API_HOSTS
    return env


class OdooMissing(RuntimeError):
    pass


def require_odoo():
    """Import Odoo 19 or raise :class:`OdooMissing` with the fix."""
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError as exc:
        raise OdooMissing(
            MISSING_ODOO.format(python=sys.executable, error=exc)
        ) from exc
    if odoo.release.version_info[0] != 19:
        raise OdooMissing(
            MISSING_ODOO.format(
                python=sys.executable,
                error=f"found Odoo {odoo.release.version}, need 19.0",
            )
        )
    return odoo


def addons_path():
    """Odoo's addons folder(s) plus this repository (home of the addon)."""
    odoo = require_odoo()
    paths = [p for p in os.environ.get("ODOO_ADDONS_PATH", "").split(",") if p]
    if not paths:
        # A source install keeps the standard addons in <source>/addons, next
        # to the odoo package (odoo/addons only holds base).
        for package_dir in odoo.__path__:
            candidate = os.path.join(os.path.dirname(package_dir), "addons")
            if os.path.isdir(os.path.join(candidate, "sale_management")):
                paths.append(candidate)
    if not paths:
        raise OdooMissing(
            MISSING_ODOO.format(
                python=sys.executable,
                error="Odoo is importable but its addons folder (with "
                "sale_management) was not found next to it; set ODOO_ADDONS_PATH",
            )
        )
    return ",".join([*paths, ROOT])


def odoo_command():
    """The command that runs the Odoo server with this Python."""
    require_odoo()
    return [sys.executable, "-m", "odoo"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def which_chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


# The names Odoo's HttpCase looks for, in its order (odoo/tests/common.py,
# _find_executable on Linux): the first one found is the browser of the tours.
ODOO_BROWSER_NAMES = (
    "google-chrome",
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
)

MISSING_BROWSER = """
==============================================================================
 The Odoo suite's browser tours cannot run with {python}:
   {error}
 Odoo skips a tour whose browser is missing or does not start, and a skipped
 test is not a passed one: this is an installation error.
 Fix (Debian/Ubuntu):
   sudo apt-get install -y chromium
   {python} -m pip install websocket-client
 then check with: chromium --headless --no-sandbox --dump-dom about:blank
==============================================================================
"""


class BrowserMissing(OdooMissing):
    """Chromium or websocket-client is missing or broken."""


def require_browser():
    """Check what Odoo's browser tours need, or raise :class:`BrowserMissing`.

    websocket-client must be importable (HttpCase drives Chromium through
    it) and the browser HttpCase would pick must start headless.
    """
    import subprocess  # noqa: PLC0415

    def missing(error):
        return BrowserMissing(
            MISSING_BROWSER.format(python=sys.executable, error=error)
        )

    try:
        import websocket  # noqa: F401, PLC0415
    except ImportError as exc:
        raise missing(f"websocket-client is not installed ({exc})") from exc
    browser = next(filter(None, map(shutil.which, ODOO_BROWSER_NAMES)), None)
    if not browser:
        raise missing(
            f"no browser on PATH (looked for {', '.join(ODOO_BROWSER_NAMES)})"
        )
    try:
        started = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--dump-dom",
                "about:blank",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise missing(f"{browser} does not start: {exc}") from exc
    if started.returncode != 0 or "<html" not in started.stdout:
        detail = (started.stderr or started.stdout).strip().splitlines()[-1:]
        raise missing(
            f"{browser} does not start headless (exit {started.returncode}"
            f"{': ' + detail[0] if detail else ''})"
        )
    return browser


def install_addon(database, encryption_key):
    """A fresh ``database`` with the addon installed (for the benchmarks)."""
    import subprocess  # noqa: PLC0415

    subprocess.run(["dropdb", "--if-exists", database], check=True)
    command = [
        *odoo_command(),
        f"--addons-path={addons_path()}",
        "-d",
        database,
        "-i",
        "bigcommerce_connector",
        "--stop-after-init",
        "--without-demo=True",
        "--http-interface=127.0.0.1",
        "--log-level=warn",
    ]
    env = allow_sandbox_hosts(
        dict(os.environ, BIGCOMMERCE_ENCRYPTION_KEY=encryption_key)
    )
    subprocess.run(command, check=True, env=env)
