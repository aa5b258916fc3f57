from odoo.tests import TransactionCase

from ..sandbox import SandboxStore


class BigcommerceSandboxCase(TransactionCase):
    """Odoo tests driven against the sandbox store, served on a loopback port."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxStore(seed=42).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.instance = cls.env["bigcommerce.instance"].create(
            {
                "name": "Sandbox store",
                "store_hash": cls.sandbox.store_hash,
                "access_token": cls.sandbox.access_token,
                "api_url": cls.sandbox.api_url,
            }
        )
