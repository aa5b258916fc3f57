"""Refresh the translation template of the addon (``make pot``).

Writes ``bigcommerce_connector/i18n/bigcommerce_connector.pot``: installs
the addon on a throwaway database (a copy of the test suite's template
database when there is one), exports its terms with Odoo's own
``odoo i18n export`` (into the module's ``i18n/`` folder), then drops the
database. Run it after changing strings, views or data.
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from odoo_env import (  # noqa: E402
    ROOT,
    OdooMissing,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    odoo_command,
    require_odoo,
)

MODULE = "bigcommerce_connector"
POT = os.path.join(ROOT, MODULE, "i18n", f"{MODULE}.pot")


def log(message):
    print(f"[pot] {message}", flush=True)


def write_config(directory, database):
    path = os.path.join(directory, "odoo.conf")
    with open(path, "w") as handle:
        handle.write(
            "[options]\n"
            f"addons_path = {addons_path()}\n"
            f"db_name = {database}\n"
            "http_interface = 127.0.0.1\n"
            f"http_port = {free_port()}\n"
            f"gevent_port = {free_port()}\n"
            "workers = 0\n"
            "max_cron_threads = 0\n"
            f"admin_passwd = {secrets.token_urlsafe(16)}\n"
        )
    os.chmod(path, 0o600)
    return path


def main():
    try:
        require_odoo()
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    import run_odoo_tests  # noqa: PLC0415

    database = f"bc_pot_{uuid.uuid4().hex[:10]}"
    workdir = tempfile.mkdtemp(prefix="bc-pot-")
    env = allow_sandbox_hosts(dict(os.environ))
    try:
        config = write_config(workdir, database)
        template = run_odoo_tests._template_database(env)
        if template:
            log(f"copying the template database {template}")
            run_odoo_tests._copy_template(template, database)
        log(f"installing {MODULE} into {database}")
        odoo = odoo_command()
        subprocess.run(
            [
                *odoo,
                "server",
                "-c",
                config,
                f"--init={MODULE}",
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
            cwd=ROOT,
            env=env,
        )
        os.makedirs(os.path.dirname(POT), exist_ok=True)
        subprocess.run(
            [*odoo, "i18n", "export", "-c", config, "-d", database, MODULE],
            check=True,
            cwd=ROOT,
            env=env,
        )
        if not os.path.exists(POT):
            raise SystemExit(f"odoo i18n export wrote no {POT}")
        log(f"wrote {os.path.relpath(POT, ROOT)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        subprocess.run(
            ["dropdb", "--if-exists", "--force", database],
            check=False,
            capture_output=True,
        )
        run_odoo_tests._drop_filestore(database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
