"""The Odoo suite's closing line (tests/run_odoo_tests.py): a skipped test is
counted as skipped, never as passed, and fails ``make test``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run_odoo_tests import SKIP_RE, tally  # noqa: E402

# As odoo.tests.result.OdooTestResult.addSkip logs them (Odoo 19.0).
TOUR_SKIP = (
    "2026-12-07 11:46:02,449 17033 INFO bc_test_b4 "
    "odoo.addons.bigcommerce_connector.tests.test_tours: skipped "
    "TestTours.test_admin_tour : Chromium not found"
)
CLASS_SKIP = (
    "2026-12-07 11:46:02,449 17033 INFO bc_test_b4 "
    "odoo.addons.bigcommerce_connector.tests.test_tours: skipped "
    "setUpClass (odoo.addons.bigcommerce_connector.tests.test_tours.TestTours) "
    ": no browser"
)


def _skips(*lines):
    return [
        (match["test"], match["reason"].strip())
        for match in (SKIP_RE.search(line) for line in lines)
        if match
    ]


def test_odoo_skip_lines_are_read():
    assert _skips(TOUR_SKIP, "... INFO db odoo.modules.loading: loading 1 modules") == [
        ("TestTours.test_admin_tour", "Chromium not found")
    ]


def test_a_skipped_test_is_not_a_passed_one():
    # Odoo: "0 failed, 0 error(s) of 10 tests" where one of the 10 skipped.
    passed, failed, skipped = tally((0, 0, 10), _skips(TOUR_SKIP), 0)
    assert (passed, failed, skipped) == (9, 0, 1)


def test_a_skipped_class_is_counted_and_its_tests_never_ran():
    # Its tests never started: they are not in Odoo's total.
    passed, failed, skipped = tally((0, 0, 8), _skips(CLASS_SKIP), 0)
    assert (passed, failed, skipped) == (8, 0, 1)


def test_no_result_line_or_no_test_is_a_failure():
    assert tally(None, [], 1) == (0, 1, 0)
    assert tally((0, 0, 0), [], 0) == (0, 1, 0)


def test_odoo_exiting_in_error_with_green_tests_is_a_failure():
    assert tally((0, 0, 5), [], 1) == (5, 1, 0)


def test_a_skip_fails_the_run():
    import run_odoo_tests  # noqa: PLC0415

    calls = []
    original = run_odoo_tests.run_odoo_suite
    run_odoo_tests.run_odoo_suite = lambda *args: calls.append(args) or (9, 0, 1)
    try:
        assert run_odoo_tests.main() != 0
    finally:
        run_odoo_tests.run_odoo_suite = original
    assert calls


def test_a_template_filestore_left_by_a_dropped_template_is_replaced(tmp_path):
    # CI, stop 32: the template database had been dropped but its filestore
    # stayed, and the rename of the new one onto it failed with
    # "[Errno 39] Directory not empty".
    from run_odoo_tests import move_filestore  # noqa: PLC0415

    building = tmp_path / "bc_template_x_building"
    (building / "ab").mkdir(parents=True)
    (building / "ab" / "new").write_text("new")
    stale = tmp_path / "bc_template_x"
    (stale / "cd").mkdir(parents=True)
    (stale / "cd" / "old").write_text("old")

    move_filestore(str(building), str(stale))

    assert not building.exists()
    assert sorted(p.name for p in stale.rglob("*") if p.is_file()) == ["new"]


def test_no_filestore_to_move_leaves_the_target_alone(tmp_path):
    from run_odoo_tests import move_filestore  # noqa: PLC0415

    move_filestore(str(tmp_path / "absent"), str(tmp_path / "target"))
    assert not (tmp_path / "target").exists()
