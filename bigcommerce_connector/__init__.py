# The REST client (``client``) and the sandbox store (``sandbox``) are plain
# Python packages: the pytest suite and the ``python -m`` sandbox import them
# without an Odoo server.  The Odoo side is only loaded when Odoo imports this
# package as an addon (``odoo.addons.bigcommerce_connector``).
if __name__.startswith("odoo.addons."):
    from . import controllers, models, wizard
