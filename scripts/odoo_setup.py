"""A Python that imports Odoo 19.0 for ``make test`` and ``make demo``, set up
on request into the project's virtual environment.

``python3 scripts/odoo_setup.py run SCRIPT [ARGS...]`` runs SCRIPT with the
first of this Python and the project's ``.venv`` that imports Odoo 19.0 and
OCA queue_job. When neither does, it offers to set Odoo up into ``.venv``
(asked on a terminal; ``ODOO_SETUP=1`` says yes without asking, for CI);
declined or not asked, SCRIPT runs anyway and refuses with the fix.

``python3 scripts/odoo_setup.py setup`` (``make setup``) sets up without
asking:

1. ``python3 -m venv .venv`` (``VENV`` to put it elsewhere);
2. Odoo's sources: ``ODOO_SOURCE`` is a folder holding them (used in place)
   or a git repository (default: Odoo's official one), fetched at
   ``ODOO_REF`` into ``.venv/src/odoo``;
3. Odoo's requirements with the ``setuptools<70`` constraint (its pinned
   packages build against older setuptools), then Odoo itself (editable);
4. OCA queue_job from PyPI with ``--no-deps`` (its wheel pins an ``odoo``
   package no index has) plus openupgradelib, its one real dependency;
5. this project's ``requirements.txt``.

PostgreSQL stays a prerequisite (docs/development.md); ``run`` says how to
start it when it is down. Only the standard library is used here: this runs
before anything is installed. The machine's own Python is never changed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.abspath(os.environ.get("VENV") or os.path.join(ROOT, ".venv"))
OFFICIAL_SOURCE = "https://github.com/odoo/odoo.git"
# The branch to fetch from Odoo's official repository; set ODOO_REF to a
# commit to reproduce an exact set-up (the commit installed is recorded in
# .venv/odoo-source.txt and printed).
DEFAULT_REF = "19.0"
# Odoo 19.0's pinned requirements (e.g. reportlab, gevent) do not build with
# setuptools 70 or later.
CONSTRAINTS = "setuptools<70\n"
PROBE = (
    "import importlib.util, sys, odoo.release as r; "
    "sys.exit(0 if r.version_info[0] == 19 "
    "and importlib.util.find_spec('odoo.addons.queue_job') else 1)"
)
YES = ("1", "y", "yes", "true")


def say(message):
    print(f"[setup] {message}", file=sys.stderr, flush=True)


def venv_python(venv=None):
    return os.path.join(venv or VENV, "bin", "python")


def imports_odoo(python):
    """Whether ``python`` imports Odoo 19.0 and OCA queue_job."""
    if not python or not os.path.exists(python):
        return False
    probe = subprocess.run(
        [python, "-c", PROBE],
        capture_output=True,
        check=False,
        cwd=tempfile.gettempdir(),  # not this repository's folders
    )
    return probe.returncode == 0


def odoo_python():
    """This Python or the project's venv, whichever imports Odoo; else None."""
    for python in (sys.executable, venv_python()):
        if imports_odoo(python):
            return python
    return None


def _run(command, **kwargs):
    say("$ " + " ".join(command))
    subprocess.run(command, check=True, **kwargs)


def fetch_sources(source, ref, into):
    """Odoo's sources at ``ref`` of the git repository ``source`` (one commit,
    no history) in ``into``; returns the commit."""
    if not os.path.isdir(os.path.join(into, ".git")):
        os.makedirs(into, exist_ok=True)
        _run(["git", "init", "--quiet", into])
    _run(["git", "-C", into, "fetch", "--depth", "1", source, ref])
    _run(["git", "-C", into, "checkout", "--quiet", "--force", "FETCH_HEAD"])
    return subprocess.run(
        ["git", "-C", into, "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def odoo_sources(venv):
    """The folder of Odoo's sources, and a line saying where they came from."""
    source = os.environ.get("ODOO_SOURCE") or OFFICIAL_SOURCE
    ref = os.environ.get("ODOO_REF") or DEFAULT_REF
    if os.path.isfile(os.path.join(source, "odoo", "release.py")):
        folder = os.path.abspath(source)
        return folder, f"{folder} (used in place)"
    folder = os.path.join(venv, "src", "odoo")
    commit = fetch_sources(source, ref, folder)
    return folder, f"{source} {ref} at commit {commit}"


def setup(venv=None):
    """Odoo 19.0, queue_job and this project's requirements in ``venv``."""
    venv = venv or VENV
    started = time.monotonic()
    if not os.path.exists(venv_python(venv)):
        _run([sys.executable, "-m", "venv", venv])
    python = venv_python(venv)
    folder, origin = odoo_sources(venv)
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check"]
    with tempfile.NamedTemporaryFile(
        "w", prefix="odoo-constraints-", suffix=".txt", delete=False
    ) as constraints:
        constraints.write(CONSTRAINTS)
    try:
        # Odoo is installed without build isolation, with these.
        _run([*pip, "--constraint", constraints.name, "setuptools", "wheel"])
        _run(
            [
                *pip,
                "--constraint",
                constraints.name,
                "-r",
                os.path.join(folder, "requirements.txt"),
            ]
        )
    finally:
        os.unlink(constraints.name)
    _run([*pip, "--no-deps", "--no-build-isolation", "-e", folder])
    _run([*pip, "--no-deps", "odoo-addon-queue-job"])
    _run([*pip, "openupgradelib", "-r", os.path.join(ROOT, "requirements.txt")])
    with open(os.path.join(venv, "odoo-source.txt"), "w") as record:
        record.write(origin + "\n")
    if not imports_odoo(python):
        raise SystemExit(f"set-up finished but {python} does not import Odoo 19.0")
    say(
        f"Odoo 19.0 from {origin} set up in {venv} "
        f"in {time.monotonic() - started:.0f} s"
    )
    return python


def offer():
    """Ask on a terminal (or read ODOO_SETUP) whether to set Odoo up."""
    answer = os.environ.get("ODOO_SETUP", "").strip().lower()
    if answer:
        return answer in YES
    if not sys.stdin.isatty():
        return False
    source = os.environ.get("ODOO_SOURCE") or OFFICIAL_SOURCE
    reply = input(
        f"\nOdoo 19.0 cannot be imported by {sys.executable}.\n"
        f"Set it up now in {VENV} (sources: {source}; its requirements, OCA "
        "queue_job and this project's, from PyPI; a few minutes)? [y/N] "
    )
    return reply.strip().lower() in YES


def postgres_down():
    """The command that starts PostgreSQL when it is down, else None."""
    if not shutil.which("pg_isready"):
        return None  # client tools missing: Odoo's own error will say
    ready = subprocess.run(["pg_isready", "-q"], check=False)
    if ready.returncode == 0:
        return None
    return "sudo service postgresql start"


def run(args):
    python = odoo_python()
    if python is None and offer():
        python = setup()
    if python is None:
        # The script itself refuses, with the fix (make setup).
        python = sys.executable
    else:
        start = postgres_down()
        if start:
            say(f"PostgreSQL is not running; start it with: {start}")
            return 2
    os.execv(python, [python, *args])
    return 0  # not reached


def main(argv):
    if argv[:1] == ["setup"]:
        setup()
        return 0
    if argv[:1] == ["run"] and len(argv) > 1:
        return run(argv[1:])
    if argv[:1] == ["python"]:
        print(odoo_python() or sys.executable)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
