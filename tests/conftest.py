"""Shared fixtures of the pure-Python suite (no Odoo needed)."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bigcommerce_sandbox import SandboxStore  # noqa: E402

# The sandbox store serves on 127.0.0.1: allow that host to receive the
# access token (by default only api.bigcommerce.com, over https, may).
os.environ.setdefault("BIGCOMMERCE_ALLOWED_API_HOSTS", "127.0.0.1,localhost")


@pytest.fixture
def sandbox():
    """A fresh sandbox store (seed 42) served on a free loopback port."""
    store = SandboxStore(seed=42)
    store.start()
    try:
        yield store
    finally:
        store.stop()
