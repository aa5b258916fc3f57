from . import test_instance
from . import test_security
from . import test_jobs
from . import test_customer_import
from . import test_order_import
from . import test_order_workflow
from . import test_order_tax_modes
from . import test_webhooks
