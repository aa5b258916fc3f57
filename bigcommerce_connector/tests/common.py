from odoo.tests import TransactionCase

from ..sandbox import SandboxStore


class BigcommerceSandboxCase(TransactionCase):
    """Odoo tests driven against the sandbox store, served on a loopback port."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxStore(seed=42).start()
        cls.addClassCleanup(cls.sandbox.stop)
        # Jobs never wait for the quota (they are retried later by queue_job),
        # so a bulk import in a test would fail or pass with the machine's
        # speed; rate limiting has tests of its own (test_jobs, client tests).
        cls.sandbox.set_rate_limit(quota=100000, window_ms=30000)
        cls.instance = cls.env["bigcommerce.instance"].create(
            {
                "name": "Sandbox store",
                "store_hash": cls.sandbox.store_hash,
                "access_token": cls.sandbox.access_token,
                "api_url": cls.sandbox.api_url,
            }
        )
