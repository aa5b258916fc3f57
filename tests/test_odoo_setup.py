"""scripts/odoo_setup.py: which Python runs make test, and when it asks."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import odoo_setup  # noqa: E402


def test_a_python_without_odoo_is_not_chosen(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    assert not odoo_setup.imports_odoo(str(fake))
    assert not odoo_setup.imports_odoo(str(tmp_path / "missing"))


def test_the_venv_is_used_when_this_python_lacks_odoo(monkeypatch, tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text("#!/bin/sh\nexit 0\n")  # "imports Odoo"
    python.chmod(0o755)
    monkeypatch.setattr(odoo_setup, "VENV", str(venv))
    monkeypatch.setattr(odoo_setup, "imports_odoo", lambda exe: exe == str(python))
    assert odoo_setup.odoo_python() == str(python)


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("no", False)]
)
def test_odoo_setup_answers_without_asking(monkeypatch, value, expected):
    monkeypatch.setenv("ODOO_SETUP", value)
    monkeypatch.setattr("builtins.input", lambda _prompt: pytest.fail("asked"))
    assert odoo_setup.offer() is expected


def test_no_terminal_and_no_answer_means_no_setup(monkeypatch):
    monkeypatch.delenv("ODOO_SETUP", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert odoo_setup.offer() is False


def test_declined_setup_runs_the_script_which_refuses(tmp_path):
    """Without Odoo and without a yes, ``run`` hands over to the script with
    this Python: run_all.py's refusal (exit 2, the fix) is what the user sees."""
    script = tmp_path / "script.py"
    script.write_text("import sys; print('ran with', sys.executable); sys.exit(2)\n")
    env = dict(os.environ, ODOO_SETUP="no", VENV=str(tmp_path / "no-venv"))
    probe = (
        "import odoo_setup, sys; odoo_setup.imports_odoo = lambda exe: False; "
        f"sys.exit(odoo_setup.main(['run', {str(script)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=os.path.join(ROOT, "scripts"),
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert f"ran with {sys.executable}" in result.stdout
