from . import bigcommerce_import_wizard
from . import bigcommerce_import_wizard_inventory
from . import bigcommerce_listing_wizard
