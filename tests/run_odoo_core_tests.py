"""Odoo's own test suites of the modules the addon extends, with and without it.

Installing the addon must not change Odoo for anyone else: a salesperson, a
warehouse user or a portal customer meets no error the addon brings. This
runs Odoo's own tests of the extended modules twice, on two copies of the
template database (``run_odoo_tests._template_database``: the addon's
dependencies installed, nothing else):

- *without* the addon: the copy as it is;
- *with* the addon: the copy after ``-i bigcommerce_connector`` (no tests);

with ``--test-enable --test-tags <tags> --stop-after-init`` (at-install and
post-install tests of those modules), and compares the failed tests. A test
that fails with the addon only is ours: the run exits 1 and names it. A test
that also fails without the addon is Odoo's (or this machine's), not ours:
it is listed, and does not fail the run. The run without the addon is only
made of the tests that failed with it (``--full-baseline``: all of them).

Usage::

    python3 tests/run_odoo_core_tests.py            # every extended module
    python3 tests/run_odoo_core_tests.py --fast     # sale_stock, stock_delivery
    python3 tests/run_odoo_core_tests.py --tags /sale_stock:TestSaleStock

Logs: ``.odoo-core-tests-with.log`` and ``.odoo-core-tests-without.log``.
"""

import argparse
import os
import re
import subprocess
import sys
import time
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
from run_odoo_tests import (  # noqa: E402
    RESULT_RE,
    _copy_template,
    _drop_database,
    _drop_filestore,
    _template_database,
)

# sale_stock and stock_delivery: 144 tests, a few minutes; run by .ci/run.
FAST_TAGS = "/sale_stock,/stock_delivery"
# Every module whose models or views the addon extends; of account (thousands
# of tests), the invoice and payment ones.
ACCOUNT_CLASSES = (
    "TestAccountMoveOutInvoiceOnchanges",
    "TestAccountMoveInInvoiceOnchanges",
    "TestAccountMoveOutRefundOnchanges",
    "TestAccountMoveInRefundOnchanges",
    "TestAccountMovePaymentsWidget",
    "TestAccountPayment",
    "TestAccountPaymentRegister",
    "TestAccountPaymentItems",
    "TestInvoiceTaxes",
    "TestPortalInvoice",
)
FULL_TAGS = ",".join(
    [
        FAST_TAGS,
        "/sale",
        "/sale_management",
        "/stock",
        "/product",
        *(f"/account:{name}" for name in ACCOUNT_CLASSES),
    ]
)

# "... ERROR db odoo.addons.sale_stock.tests.test_x: FAIL: TestX.test_y"
FAILED_TEST_RE = re.compile(r" (odoo\.addons\.[\w.]+): (?:FAIL|ERROR): (.+?)\s*$")
# "... ERROR db odoo.tests.suite: ERROR: setUpClass (odoo.addons.m.tests.t.TestX)"
FAILED_CLASS_RE = re.compile(
    r" odoo\.tests\.suite: (?:FAIL|ERROR): ((?:setUpClass|tearDownClass) "
    r"\(((odoo\.addons\.[\w.]+)\.\w+)\))\s*$"
)

ADDON = "bigcommerce_connector"


def failed_test_name(line):
    """``"<test module>: <Class.method>"`` of a FAIL/ERROR log line, or None."""
    match = FAILED_TEST_RE.search(line)
    if match:
        return f"{match.group(1)}: {match.group(2)}"
    match = FAILED_CLASS_RE.search(line)
    if match:
        # Named after its test module, as the other failures of that module.
        return f"{match.group(3)}: {match.group(1)}"
    return None


def _odoo(database, *arguments):
    return [
        *odoo_command(),
        "server",
        f"--database={database}",
        f"--addons-path={addons_path()}",
        "--stop-after-init",
        "--workers=0",
        "--max-cron-threads=0",
        f"--http-port={free_port()}",
        f"--gevent-port={free_port()}",
        "--http-interface=127.0.0.1",
        "--no-database-list",
        *arguments,
    ]


def _install_addon(database, env):
    done = subprocess.run(
        _odoo(database, f"--init={ADDON}", "--log-level=warn"),
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"installing {ADDON} failed (exit {done.returncode}):\n"
            + done.stdout[-3000:]
            + done.stderr[-3000:]
        )


def run_suites(database, tags, env, log_path):
    """Run Odoo's tests ``tags`` on ``database``; return (total, failed names)."""
    failed = []
    total = None
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            _odoo(database, "--test-enable", f"--test-tags={tags}", "--log-level=test"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in process.stdout:
            log_file.write(line)
            name = failed_test_name(line)
            if name:
                failed.append(name)
            result = RESULT_RE.search(line)
            if result:
                total = int(result.group(3))
        process.wait()
    if total is None:
        # No closing line: the run itself broke (see the log).
        failed.append(f"(no test result line, exit code {process.returncode})")
        total = 0
    return total, failed


def run_variant(template, with_addon, tags, env):
    """(total tests, failed test names, seconds) of one variant."""
    label = "with" if with_addon else "without"
    database = f"bc_core_{label}_{uuid.uuid4().hex[:8]}"
    log_path = os.path.join(ROOT, f".odoo-core-tests-{label}.log")
    started = time.monotonic()
    _copy_template(template, database)
    try:
        if with_addon:
            print(f"Odoo core suites: installing {ADDON} into {database} ...")
            sys.stdout.flush()
            _install_addon(database, env)
        print(f"Odoo core suites {label} the addon: {tags} on {database} ...")
        sys.stdout.flush()
        total, failed = run_suites(database, tags, env, log_path)
    finally:
        _drop_database(database)
        _drop_filestore(database)
    return total, failed, time.monotonic() - started


def tags_of(failed_names):
    """Odoo test tags that run just these failed tests, or None if one of
    them cannot be named that way (then the whole baseline is run)."""
    tags = []
    for name in failed_names:
        logger, _sep, test = name.partition(": ")
        parts = logger.split(".")
        if parts[:2] != ["odoo", "addons"] or len(parts) < 3:
            return None
        module = parts[2]
        setup = re.fullmatch(r"setUpClass \(.*\.(\w+)\)", test)
        subtest = re.fullmatch(r"Subtest (\w+\.\w+) .*", test)
        if setup:
            tags.append(f"/{module}:{setup.group(1)}")
        elif subtest:
            tags.append(f"/{module}:{subtest.group(1)}")
        elif re.fullmatch(r"\w+\.\w+", test):
            tags.append(f"/{module}:{test}")
        else:
            return None
    return ",".join(sorted(set(tags)))


def compare(with_addon, without_addon):
    """(ours, not ours): failures only with the addon, failures in both."""
    baseline = set(without_addon)
    ours = sorted(set(with_addon) - baseline)
    not_ours = sorted(set(with_addon) & baseline)
    return ours, not_ours


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--fast", action="store_true", help=f"only {FAST_TAGS} (what CI runs)"
    )
    group.add_argument("--tags", help="Odoo --test-tags of Odoo's own modules")
    parser.add_argument(
        "--full-baseline",
        action="store_true",
        help="run every test without the addon too (default: only those that "
        "failed with it, which is all the comparison needs)",
    )
    arguments = parser.parse_args(argv)
    tags = arguments.tags or (FAST_TAGS if arguments.fast else FULL_TAGS)
    env = allow_sandbox_hosts(dict(os.environ))
    if not env.get("BIGCOMMERCE_ENCRYPTION_KEY"):
        from cryptography.fernet import Fernet  # noqa: PLC0415

        env["BIGCOMMERCE_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    try:
        template = _template_database(env)
    except OdooMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    if not template:
        print("Odoo core suites: the template database could not be made.")
        return 2
    results = {}
    for with_addon in (True, False):
        run_tags = tags
        if not with_addon and not arguments.full_baseline:
            # Only what failed with the addon needs a baseline.
            if not results[True]:
                results[False] = []
                break
            run_tags = tags_of(results[True]) or tags
        total, failed, seconds = run_variant(template, with_addon, run_tags, env)
        results[with_addon] = failed
        label = "with" if with_addon else "without"
        print(
            f"Odoo core suites {label} the addon: {len(failed)} failed of "
            f"{total} tests ({seconds:.0f} s)"
        )
    ours, not_ours = compare(results[True], results[False])
    without_only = sorted(set(results[False]) - set(results[True]))
    for title, names in (
        ("Failing without the addon too (not ours)", not_ours),
        ("Failing without the addon only (flaky?)", without_only),
        ("Failing only WITH the addon (ours)", ours),
    ):
        if names:
            print(f"{title}:")
            for name in names:
                print(f"  {name}")
    print(f"Odoo core suites: {len(ours)} failures caused by the addon")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
