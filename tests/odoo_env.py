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
