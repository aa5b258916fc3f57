"""A page of orders at once: new orders are created as one batch.

Odoo's own cost per order is about halved when a page's sale orders are
created in one ``create``, confirmed in one ``action_confirm``, invoiced in
one ``account.move`` ``create`` and posted in one ``action_post``
(``scripts/benchmark_orders.py`` measures both). The isolation users rely on
is kept: if anything in the batch fails, the batch is rolled back and its
orders are created one at a time, each in its own savepoint, so the bad one
becomes a failed record with its reason and the others are booked.

Known orders (refreshes, status changes) and orders in statuses that are not
imported go through ``OrderImporter.import_order`` one by one, as before.
"""

import logging

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError

from ..client import BigCommerceError, RetryableError
from ..client.answers import about
from . import order_history
from .order import OrderImportError

_logger = logging.getLogger(__name__)


def import_page(importer, orders, offset=0):
    """Book ``orders[offset:]``; returns ``(handled, error)``.

    ``handled`` counts the orders of the page that are done (``offset``
    included); ``error`` is the transient BigCommerce error (a rate limit)
    that stopped the page before the others were read, or None. What was
    read before the stop is booked: the next step starts at ``handled``.
    """
    env = importer.env
    records = env["bigcommerce.order"]
    batch = []
    handled = offset
    error = None
    for order in orders[offset:]:
        try:
            # Its reads are tagged with the order: a step stopped in the
            # middle keeps them for the next one (tools/staging.py).
            with env.cr.savepoint(), about(importer.client, order["id"]):
                prepared = _prepare(importer, records, order)
        except RetryableError as stop:
            importer._forget_rolled_back()
            error = stop
            break
        except (psycopg2.Error, RetryableJobError):
            raise  # another job is creating the same record: queue_job retries
        except Exception as unexpected:  # noqa: BLE001 - kept on the record
            importer._forget_rolled_back()
            _logger.exception("Import of BigCommerce order %s failed", order["id"])
            importer.give_up(order, env._("Unexpected error: %s", unexpected))
        else:
            if prepared:
                batch.append(prepared)
        handled += 1
    if batch:
        _create(importer, batch)
    return handled, error


def _prepare(importer, records, order):
    """A new order's PreparedOrder, or None once it is otherwise handled."""
    instance = importer.instance
    action = importer.actions.get(order.get("status_id"), "ignore")
    if (
        order.get("_missing")
        or action != "import"
        or order_history.is_history(importer, order)
    ):
        importer.import_order(order)
        return None
    record = records._claim(instance, int(order["id"]))
    if importer._not_newer(record, order):
        return None
    if record.sale_order_id:
        importer._refresh_or_keep(record, order)
        return None
    try:
        return importer._prepare_sale_order(record, order)
    except BigCommerceError as error:
        if error.retryable:
            raise
        importer._fail(record, order, error.message)
    except (OrderImportError, UserError, ValidationError) as error:
        importer._fail(record, order, str(error.args[0] if error.args else error))
    return None


def _create(importer, batch):
    """The batch at once; on any failure, one order at a time."""
    env = importer.env
    try:
        with env.cr.savepoint():
            importer._create_prepared(batch)
        return
    except (psycopg2.errors.SerializationFailure, RetryableJobError):
        raise
    except Exception:  # noqa: BLE001 - each order is tried alone below
        _logger.info(
            "Batch of %s orders failed; creating them one at a time", len(batch)
        )
        env.invalidate_all()
        importer._forget_rolled_back()
    for prepared in batch:
        record, order = prepared.record, prepared.order
        try:
            with env.cr.savepoint():
                importer._create_prepared([prepared])
        except (RetryableError, RetryableJobError, psycopg2.Error):
            raise
        except (OrderImportError, UserError, ValidationError) as error:
            importer._forget_rolled_back()
            importer._fail(record, order, str(error.args[0] if error.args else error))
        except Exception as error:  # noqa: BLE001 - kept on the record
            importer._forget_rolled_back()
            _logger.exception("Import of BigCommerce order %s failed", order["id"])
            # Only the reason: the payload itself may be what failed.
            importer.give_up(order, env._("Unexpected error: %s", error))
