"""Run the addon's Odoo tests on a fresh, throwaway database.

Installs ``bigcommerce_connector`` with ``--test-enable`` into a new database
of the local PostgreSQL, runs its tests (at install and post-install), drops
the database and reports ``(passed, failed)``.  Usable alone:
``python3 tests/run_odoo_tests.py``.
"""

import os
import re
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from odoo_env import (  # noqa: E402
    ROOT,
    OdooMissing,
    addons_path,
    allow_sandbox_hosts,
    free_port,
    odoo_command,
)

RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LOG_PATH = os.path.join(ROOT, ".odoo-tests.log")


def _drop_database(name):
    subprocess.run(["dropdb", "--if-exists", name], check=False, capture_output=True)


def run_odoo_suite(test_tags="/bigcommerce_connector", keep_db=False):
    """Return (passed, failed); raise OdooMissing when Odoo is not importable."""
    db_name = f"bc_test_{uuid.uuid4().hex[:10]}"
    env = allow_sandbox_hosts(dict(os.environ))
    # Tests need an encryption key for the credentials; a throwaway one.
    if not env.get("BIGCOMMERCE_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet  # noqa: PLC0415

        env["BIGCOMMERCE_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    command = [
        *odoo_command(),
        "server",
        f"--database={db_name}",
        f"--addons-path={addons_path()}",
        "--init=bigcommerce_connector",
        "--test-enable",
        f"--test-tags={test_tags}",
        "--stop-after-init",
        "--log-level=test",
        f"--http-port={free_port()}",
        f"--gevent-port={free_port()}",
        "--http-interface=127.0.0.1",
        "--workers=0",
        "--max-cron-threads=0",
        "--no-database-list",
    ]
    print(f"Odoo suite: installing bigcommerce_connector into database {db_name} ...")
    sys.stdout.flush()
    failed_lines = []
    result = None
    try:
        with open(LOG_PATH, "w") as log_file:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for line in process.stdout:
                log_file.write(line)
                # Show test progress and every problem, not the install chatter.
                if (
                    " ERROR " in line
                    or " CRITICAL " in line
                    or "FAIL:" in line
                    or "odoo.tests.result" in line
                    or "odoo.tests.stats" in line
                ):
                    print(line, end="")
                if " ERROR " in line or " CRITICAL " in line:
                    failed_lines.append(line)
                match = RESULT_RE.search(line)
                if match:
                    result = tuple(int(x) for x in match.groups())
            returncode = process.wait()
    finally:
        if not keep_db:
            _drop_database(db_name)
    if result is None:
        print(
            f"Odoo suite: no test result line (exit code {returncode}); see {LOG_PATH}"
        )
        return 0, 1
    failures, errors, total = result
    failed = failures + errors
    passed = total - failed
    if total == 0:
        print("Odoo suite: ran no test, which counts as a failure.")
        failed += 1
    elif returncode != 0 and failed == 0:
        # The install itself failed (or logged errors) while tests passed.
        print(f"Odoo suite: Odoo exited with {returncode}; see {LOG_PATH}")
        failed += 1
    return passed, failed


def main():
    try:
        passed, failed = run_odoo_suite(*sys.argv[1:2])
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
