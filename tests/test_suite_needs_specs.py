"""The suite fails, never skips, when the OpenAPI specs are missing.

A green run must mean that the sandbox was checked against BigCommerce's
specs: a checkout without them (or without PyYAML) has to say so loudly.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_seed_conformance_fails_without_the_specs(tmp_path):
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
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "skipped" not in output, output
    assert "specs unavailable" in output or "spec directory" in output, output
