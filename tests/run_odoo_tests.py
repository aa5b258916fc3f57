"""Run the addon's Odoo tests on a fresh, throwaway database.

Installs ``bigcommerce_connector`` with ``--test-enable`` into a new database
of the local PostgreSQL, runs its tests (at install and post-install), drops
the database and reports ``(passed, failed, skipped)``.  Usable alone:
``python3 tests/run_odoo_tests.py [test tags]``; its closing line is
``N passed, N failed, N skipped`` and any failed or skipped test makes it exit
non-zero.

Odoo's own result line (``N failed, N error(s) of N tests``) counts a skipped
test as run: the skips are counted from the lines Odoo logs for each
(``skipped <test> : <reason>``). A browser tour skips itself when Chromium or
websocket-client is missing or the browser does not start, so both are
checked first: a missing one is an installation error (exit 2, with the fix),
as a missing Odoo is.
"""

import ast
import fcntl
import hashlib
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
    require_browser,
)

RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
# OdooTestResult.addSkip: "skipped <description> : <reason>", logged at INFO
# by the test's module logger. A class or module whose setUp raised SkipTest
# is reported once, as "setUpClass (<class>)" / "setUpModule (<module>)", and
# its tests never start (they are not in the "of N tests" count).
SKIP_RE = re.compile(r" INFO \S+ [\w.]+: skipped (?P<test>.+?) : (?P<reason>.*)$")
FIXTURE_SKIP_RE = re.compile(r"^(setUpClass|setUpModule|tearDownClass|tearDownModule) ")
LOG_PATH = os.path.join(ROOT, ".odoo-tests.log")


def _drop_database(name):
    subprocess.run(["dropdb", "--if-exists", name], check=False, capture_output=True)


def _drop_filestore(database):
    import shutil  # noqa: PLC0415

    shutil.rmtree(_filestore(database), ignore_errors=True)


def _database_exists(name):
    listed = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    return listed.stdout.strip() == "1"


def _template_database(env):
    """A database with the addon's dependencies installed, made once per machine.

    Installing sale, stock and account takes most of a run's time; every run
    copies this template (``createdb -T``) and installs only the addon, with
    its tests. The name changes with the dependencies and the Odoo sources,
    so a stale template is never used. Returns None when it cannot be made
    (the run then installs everything itself).
    """
    import odoo  # noqa: PLC0415

    with open(os.path.join(ROOT, "bigcommerce_connector", "__manifest__.py")) as handle:
        depends = sorted(ast.literal_eval(handle.read())["depends"])
    sources = [os.path.join(path, "release.py") for path in odoo.__path__]
    stamps = [str(os.path.getmtime(path)) for path in sources if os.path.exists(path)]
    key = hashlib.sha1(repr((depends, stamps)).encode()).hexdigest()[:12]
    name = f"bc_template_{key}"
    # One builder at a time; the others wait for it and then copy.
    with open(f"/tmp/{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _database_exists(name):
            return name
        building = f"{name}_building"
        _drop_database(building)
        _drop_filestore(building)
        print(f"Odoo suite: making the template database {name} (once) ...")
        sys.stdout.flush()
        made = subprocess.run(
            [
                *odoo_command(),
                "server",
                f"--database={building}",
                f"--addons-path={addons_path()}",
                f"--init={','.join(depends)}",
                "--stop-after-init",
                "--log-level=warn",
                "--workers=0",
                "--max-cron-threads=0",
                f"--http-port={free_port()}",
                f"--gevent-port={free_port()}",
                "--http-interface=127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
        if made.returncode != 0:
            _drop_database(building)
            return None
        subprocess.run(
            [
                "psql",
                "-d",
                "postgres",
                "-c",
                f'ALTER DATABASE "{building}" RENAME TO "{name}"',
            ],
            check=True,
            capture_output=True,
        )
        move_filestore(_filestore(building), _filestore(name))
        return name


def move_filestore(source, target):
    """Give the attachments' files of ``source`` to the renamed database.

    A directory already at ``target`` belongs to no database: the template
    database did not exist (we hold the lock and just checked), so it is what
    an earlier template left when its database was dropped without its files.
    It is replaced; a rename onto it would fail ("Directory not empty").
    """
    import shutil  # noqa: PLC0415

    if not os.path.isdir(source):
        return
    shutil.rmtree(target, ignore_errors=True)
    os.rename(source, target)


def _filestore(database):
    """Where Odoo keeps the attachments of ``database`` (its default data dir)."""
    from odoo.tools import config  # noqa: PLC0415

    return config.filestore(database)


def _copy_template(template, database):
    """``database`` as a copy of ``template``, attachments' files included."""
    import shutil  # noqa: PLC0415

    subprocess.run(["createdb", "-T", template, database], check=True)
    if os.path.isdir(_filestore(template)):
        shutil.copytree(_filestore(template), _filestore(database))


def run_odoo_suite(test_tags="/bigcommerce_connector", keep_db=False):
    """Return (passed, failed, skipped).

    Raises OdooMissing when Odoo is not importable, BrowserMissing (one of
    them) when the browser tours could not run.
    """
    require_browser()
    db_name = f"bc_test_{uuid.uuid4().hex[:10]}"
    env = allow_sandbox_hosts(dict(os.environ))
    # Tests need an encryption key for the credentials; a throwaway one.
    if not env.get("BIGCOMMERCE_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet  # noqa: PLC0415

        env["BIGCOMMERCE_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    template = (
        None
        if os.environ.get("BIGCOMMERCE_TEST_NO_TEMPLATE")
        else _template_database(env)
    )
    if template:
        _copy_template(template, db_name)
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
    skips = []
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
                log_file.flush()  # readable while the suite runs
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
                skip = SKIP_RE.search(line.rstrip("\n"))
                if skip:
                    print(line, end="")
                    skips.append((skip["test"], skip["reason"].strip()))
                match = RESULT_RE.search(line)
                if match:
                    result = tuple(int(x) for x in match.groups())
            returncode = process.wait()
    finally:
        if not keep_db:
            _drop_database(db_name)
            _drop_filestore(db_name)
    return tally(result, skips, returncode)


def tally(result, skips, returncode):
    """(passed, failed, skipped) from Odoo's result line ``(failures, errors,
    total)`` (None when it printed none), the ``(test, reason)`` skips read
    from its log and its exit code; a skip is never a pass."""
    if result is None:
        print(
            f"Odoo suite: no test result line (exit code {returncode}); see {LOG_PATH}"
        )
        return 0, 1, len(skips)
    failures, errors, total = result
    failed = failures + errors
    # A skipped test started (it is in ``total``), a skipped class did not.
    skipped_tests = [test for test, _reason in skips if not FIXTURE_SKIP_RE.match(test)]
    passed = total - failed - len(skipped_tests)
    skipped = len(skips)
    for test, reason in skips:
        print(f"Odoo suite: SKIPPED {test}: {reason}")
    if total == 0:
        print("Odoo suite: ran no test, which counts as a failure.")
        failed += 1
    elif returncode != 0 and failed == 0:
        # The install itself failed (or logged errors) while tests passed.
        print(f"Odoo suite: Odoo exited with {returncode}; see {LOG_PATH}")
        failed += 1
    return passed, failed, skipped


def main():
    try:
        passed, failed, skipped = run_odoo_suite(*sys.argv[1:2])
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        print("0 passed, 1 failed, 0 skipped")
        return 2
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if skipped:
        print("A skipped test is not a passed one: the run fails.")
    return 1 if failed or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
