"""The REST client against the sandbox store: paging, rate limits, errors, secrecy."""

import logging
import threading

import pytest
import requests

from bigcommerce_connector.client import (
    AccessDeniedError,
    AuthenticationError,
    BigCommerceClient,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    RateLimitGovernor,
    RequestTimeoutError,
    ServerError,
    TransportError,
)


def make_client(sandbox, **options):
    options.setdefault("api_url", sandbox.api_url)
    return BigCommerceClient(sandbox.store_hash, sandbox.access_token, **options)


@pytest.fixture
def client(sandbox):
    sandbox.set_rate_limit(quota=150, window_ms=3000)
    return make_client(sandbox, max_wait=0)


def listed_orders(sandbox):
    return [
        o
        for o in sandbox.state.orders.values()
        if o["status_id"] and not o["is_deleted"]
    ]


def test_v2_paging_stops_on_204(client, sandbox):
    ids = sorted(o["id"] for o in listed_orders(sandbox))
    assert len(ids) > 15
    # Exactly 15 orders in pages of 5: three full pages, then a 204 ends the loop.
    seen = [o["id"] for o in client.iter_v2("orders", {"max_id": ids[14]}, limit=5)]
    assert seen == ids[:15]
    pages = [q["page"] for m, p, q in sandbox.request_log if p == "/v2/orders"]
    assert pages == ["1", "2", "3", "4"]


def test_v2_paging_stops_on_short_page(client, sandbox):
    ids = sorted(o["id"] for o in listed_orders(sandbox))
    seen = [o["id"] for o in client.iter_v2("orders", {"max_id": ids[11]}, limit=5)]
    assert seen == ids[:12]
    pages = [q["page"] for m, p, q in sandbox.request_log if p == "/v2/orders"]
    assert pages == ["1", "2", "3"]


def test_v2_empty_page_is_204_and_none(client, sandbox):
    response = requests.get(
        f"{sandbox.api_url}/v2/orders",
        params={"page": 999, "limit": 250},
        headers={"X-Auth-Token": sandbox.access_token, "Accept": "application/json"},
        timeout=5,
    )
    assert response.status_code == 204
    assert response.content == b""
    assert client.get_v2("orders", {"page": 999}) is None
    assert list(client.iter_v2("orders", {"min_id": 10**9})) == []


def test_v2_filter_and_sort(client, sandbox):
    orders = listed_orders(sandbox)
    middle = sorted(o["id"] for o in orders)[len(orders) // 2]
    rows = list(client.iter_orders(min_id=middle, sort="id:desc"))
    assert [r["id"] for r in rows] == sorted(
        (o["id"] for o in orders if o["id"] >= middle), reverse=True
    )
    # include=consignments.line_items,fees&consignment_structure=object embeds lines
    assert all(isinstance(r["consignments"], dict) for r in rows)
    assert all(isinstance(r["fees"], list) for r in rows)


def test_v3_meta_paging_across_many_pages(client, sandbox):
    total = len(sandbox.state.customers)
    assert total >= 10
    rows = list(client.iter_v3("customers", limit=3))
    assert sorted(r["id"] for r in rows) == sorted(sandbox.state.customers)
    pages = [q["page"] for m, p, q in sandbox.request_log if p == "/v3/customers"]
    assert pages == [str(n) for n in range(1, -(-total // 3) + 1)]


def test_v3_list_without_pagination_meta_stops_on_short_page(client, sandbox):
    refunds = sorted(sandbox.state.refunds)
    assert len(refunds) >= 3
    rows = list(client.iter_v3("orders/payment_actions/refunds", limit=2))
    assert [r["id"] for r in rows] == refunds


def test_governor_keeps_a_burst_under_the_quota(sandbox):
    # The Standard plan quota (150) with the window shortened for the test.
    sandbox.set_rate_limit(quota=150, window_ms=1500)
    client = make_client(sandbox, max_wait=10)
    for _ in range(400):
        assert client.get_time()["time"] > 0
    assert sandbox.request_count == 400
    assert sandbox.count_429 == 0
    assert client._governor.waited_s > 0


def test_governor_shared_by_threads_avoids_429(sandbox):
    sandbox.set_rate_limit(quota=150, window_ms=1500)
    clients = [make_client(sandbox, max_wait=10) for _ in range(4)]
    assert len({id(c._governor) for c in clients}) == 1  # one governor per store
    failures = []

    def burst(client):
        try:
            for _ in range(100):
                client.get_time()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    threads = [threading.Thread(target=burst, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sandbox.request_count == 400
    assert sandbox.count_429 == 0


def test_429_is_retryable_with_the_reset_time(sandbox):
    sandbox.set_rate_limit(quota=5, window_ms=20000)
    for _ in range(5):  # another app spends the store's quota
        requests.get(
            f"{sandbox.api_url}/v2/time",
            headers={"X-Auth-Token": sandbox.access_token},
            timeout=5,
        )
    # A client that has not seen those answers (its own governor) gets a 429.
    client = make_client(sandbox, max_wait=0, governor=RateLimitGovernor())
    with pytest.raises(RateLimitError) as caught:
        client.get_time()
    error = caught.value
    assert error.retryable and error.status == 429 and not error.platform_load
    assert 0 < error.retry_after <= 20
    assert sandbox.count_429 == 1
    # Its governor now knows the window is spent: no second request is sent.
    with pytest.raises(RateLimitError):
        client.get_time()
    assert sandbox.count_429 == 1


def test_429_without_headers_means_platform_load(client, sandbox):
    sandbox.queue_faults("429-platform")
    with pytest.raises(RateLimitError) as caught:
        client.get_time()
    assert caught.value.platform_load
    assert caught.value.retry_after >= 60


@pytest.mark.parametrize("status", ["500", "502", "503", "504"])
def test_5xx_is_a_retryable_server_error(client, sandbox, status):
    sandbox.queue_faults(status)
    with pytest.raises(ServerError) as caught:
        client.get_store()
    assert caught.value.retryable
    assert caught.value.status == int(status)


def test_interactive_call_retries_a_5xx_then_succeeds(sandbox):
    sandbox.queue_faults("503")
    slept = []
    client = make_client(sandbox, max_wait=30, sleep=slept.append)
    assert client.get_store()["name"]
    assert slept == [1.0]


def test_timeout_is_retryable(sandbox):
    sandbox.set_faults(slow_rate=1.0, slow_seconds=1.0)
    client = make_client(sandbox, max_wait=0, timeout=0.2)
    with pytest.raises(RequestTimeoutError) as caught:
        client.get_time()
    assert caught.value.retryable
    sandbox.clear_faults()


def test_dropped_connection_is_a_transport_error(client, sandbox):
    sandbox.queue_faults("drop")
    with pytest.raises(TransportError) as caught:
        client.get_time()
    assert caught.value.retryable


def test_unreachable_host_is_a_transport_error(sandbox):
    client = BigCommerceClient(
        "abc", "token", api_url="http://127.0.0.1:9/stores/abc", max_wait=0
    )
    with pytest.raises(TransportError):
        client.get_time()


def test_401_bad_token(sandbox):
    client = BigCommerceClient(
        sandbox.store_hash, "not-the-token", api_url=sandbox.api_url, max_wait=0
    )
    with pytest.raises(AuthenticationError) as caught:
        client.get_store()
    assert not caught.value.retryable and caught.value.status == 401


def test_403_missing_scope(sandbox):
    sandbox.add_token("orders-only", scopes={"store_v2_orders_read_only"})
    client = BigCommerceClient(
        sandbox.store_hash, "orders-only", api_url=sandbox.api_url, max_wait=0
    )
    assert list(client.iter_order_statuses())
    with pytest.raises(AccessDeniedError) as caught:
        list(client.iter_customers())
    assert "scope" in caught.value.message


def test_404_missing_order(client):
    with pytest.raises(NotFoundError) as caught:
        client.get_order(987654321)
    assert caught.value.status == 404
    assert "not found" in caught.value.message


def test_422_carries_bigcommerce_message(client):
    with pytest.raises(InvalidRequestError) as caught:
        client.request("POST", "v3", "hooks", json={"is_active": True})
    assert caught.value.status == 422
    assert caught.value.details == {
        "scope": "scope is required",
        "destination": "destination is required",
    }
    assert "scope is required" in str(caught.value)


def test_the_token_never_leaks(sandbox, caplog):
    secret = "tok-" + "7f3a9c" * 6
    sandbox.add_token(secret)
    caplog.set_level(logging.DEBUG)
    texts = []
    client = BigCommerceClient(
        sandbox.store_hash,
        secret,
        api_url=sandbox.api_url,
        max_wait=30,
        sleep=lambda seconds: None,
    )
    texts.append(repr(client))
    texts.append(str(vars(client)))
    client.get_store()
    sandbox.queue_faults("500", "drop", "503", "429-platform", "500", "500", "500")
    for call in (
        client.get_time,
        client.get_time,
        lambda: client.get_order(987654321),
        lambda: client.request("POST", "v3", "hooks", json={}),
    ):
        try:
            call()
        except Exception as error:  # noqa: BLE001 - every error text is checked
            texts.extend([str(error), repr(error), str(error.args), str(vars(error))])
    wrong = BigCommerceClient(sandbox.store_hash, secret + "x", api_url=sandbox.api_url)
    with pytest.raises(AuthenticationError) as caught:
        wrong.get_store()
    texts.extend([str(caught.value), repr(wrong)])
    texts.extend(record.getMessage() for record in caplog.records)
    assert caplog.records, "the client is expected to log its retries"
    for text in texts:
        assert secret not in text
        assert secret + "x" not in text
