from . import bigcommerce_log
from . import bigcommerce_store_record
from . import bigcommerce_order_status
from . import bigcommerce_channel
from . import bigcommerce_location
from . import bigcommerce_tax_class
from . import bigcommerce_instance
