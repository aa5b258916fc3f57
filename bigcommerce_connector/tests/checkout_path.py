# The sandbox store (``bigcommerce_sandbox``) is a development package of this
# repository, not part of the addon: the tests import it from the checkout the
# addon is loaded from (the test runner also puts it on PYTHONPATH).
import os
import sys

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if (
    os.path.isdir(os.path.join(_CHECKOUT, "bigcommerce_sandbox"))
    and _CHECKOUT not in sys.path
):
    sys.path.append(_CHECKOUT)
