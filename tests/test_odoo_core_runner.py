"""The comparison of Odoo's own suites with and without the addon
(tests/run_odoo_core_tests.py): which failures are ours."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run_odoo_core_tests import compare, failed_test_name, tags_of  # noqa: E402

FAIL_LINE = (
    "2026-12-07 03:03:10,149 27784 ERROR db "
    "odoo.addons.sale_stock.tests.test_sale_stock: FAIL: "
    "TestSaleStock.test_double_return_on_so\n"
)
ERROR_LINE = (
    "2026-12-07 03:03:10,149 27784 ERROR db odoo.addons.sale_stock.tests."
    "test_sale_stock_access_rights: ERROR: "
    "TestControllersAccessRights.test_SO_and_DO_portal_acess\n"
)
SETUP_LINE = (
    "2026-12-07 03:03:10,149 27784 ERROR db odoo.addons.stock.tests.test_x: "
    "ERROR: setUpClass (odoo.addons.stock.tests.test_x.TestX)\n"
)


def test_fail_and_error_lines_name_the_test():
    assert failed_test_name(FAIL_LINE) == (
        "odoo.addons.sale_stock.tests.test_sale_stock: "
        "TestSaleStock.test_double_return_on_so"
    )
    assert failed_test_name(ERROR_LINE).endswith(
        "TestControllersAccessRights.test_SO_and_DO_portal_acess"
    )
    assert failed_test_name(SETUP_LINE) == (
        "odoo.addons.stock.tests.test_x: "
        "setUpClass (odoo.addons.stock.tests.test_x.TestX)"
    )


def test_a_class_that_failed_to_set_up_is_named_after_its_module():
    line = (
        "2026-12-07 03:43:05,198 3784 ERROR db odoo.tests.suite: ERROR: "
        "setUpClass (odoo.addons.product.tests.test_product_combo."
        "TestProductCombo)\n"
    )
    name = failed_test_name(line)
    assert name == (
        "odoo.addons.product.tests.test_product_combo: setUpClass "
        "(odoo.addons.product.tests.test_product_combo.TestProductCombo)"
    )
    assert tags_of([name]) == "/product:TestProductCombo"


def test_other_lines_name_nothing():
    for line in (
        "2026-12-07 03:03:10,149 27784 INFO db odoo.addons.sale_stock.tests."
        "test_sale_stock: Starting TestSaleStock.test_double_return_on_so ...\n",
        "2026-12-07 03:03:10,149 27784 ERROR db odoo.tests.result: 0 failed, "
        "8 error(s) of 144 tests when loading database 'db'\n",
        "AssertionError: 1 != 2\n",
    ):
        assert failed_test_name(line) is None


def test_only_failures_with_the_addon_alone_are_ours():
    ours, not_ours = compare(
        with_addon=["a: T.test_1", "a: T.test_2"],
        without_addon=["a: T.test_2", "a: T.test_3"],
    )
    assert ours == ["a: T.test_1"]
    assert not_ours == ["a: T.test_2"]


def test_the_baseline_runs_just_the_failed_tests():
    names = [failed_test_name(line) for line in (FAIL_LINE, ERROR_LINE, SETUP_LINE)]
    assert tags_of(names) == ",".join(
        [
            "/sale_stock:TestControllersAccessRights.test_SO_and_DO_portal_acess",
            "/sale_stock:TestSaleStock.test_double_return_on_so",
            "/stock:TestX",
        ]
    )
    assert tags_of(["(no test result line, exit code 1)"]) is None
