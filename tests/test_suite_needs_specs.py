"""The suite fails, never skips, when the OpenAPI specs are missing.

A green run must mean that the sandbox was checked against BigCommerce's
specs: a checkout without them (or without PyYAML) has to say so loudly.
"""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _checkout_without_specs(tmp_path):
    """A copy of the repository's code without the fetched specs, in a
    folder with no ../shared beside it."""
    copy = tmp_path / "checkout"
    for package in ("bigcommerce_connector", "bigcommerce_sandbox", "tests"):
        shutil.copytree(
            os.path.join(ROOT, package),
            copy / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.yml", "*.yaml"),
        )
    return copy


def test_seed_conformance_fails_without_the_specs(tmp_path):
    checkout = _checkout_without_specs(tmp_path)
    env = dict(os.environ, BIGCOMMERCE_OPENAPI_DIR=str(tmp_path / "no-specs"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_sandbox_seed.py",
            "-k",
            "conform or spec or schema",
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "skipped" not in output, output
    assert "specs unavailable" in output or "spec directory" in output, output
