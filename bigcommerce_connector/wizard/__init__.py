from . import bigcommerce_import_wizard
from . import bigcommerce_import_wizard_inventory
