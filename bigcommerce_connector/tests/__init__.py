# First: makes the sandbox store of this checkout importable.
from . import checkout_path
from . import test_instance
from . import test_security
from . import test_jobs
from . import test_customer_import
from . import test_order_import
from . import test_order_workflow
from . import test_order_tax_modes
from . import test_refund_import
from . import test_refund_payments
from . import test_webhooks
from . import test_refund_jobs
from . import test_settings
from . import test_scale
from . import test_catalog_import
from . import test_catalog_webhooks
