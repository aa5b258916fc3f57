"""Answers a run already paid for are not asked again (issue 20)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bigcommerce_connector.client import BigCommerceClient
from bigcommerce_connector.client.answers import (
    PAGE,
    AnswerCache,
    about,
    request_key,
)


def make_client(sandbox):
    sandbox.set_rate_limit(quota=150, window_ms=3000)
    return BigCommerceClient(
        sandbox.store_hash, sandbox.access_token, api_url=sandbox.api_url, max_wait=0
    )


def test_a_cached_get_is_not_sent_again(sandbox):
    client = make_client(sandbox)
    client.answers = AnswerCache()
    order_id = next(iter(sandbox.state.orders))
    first = client.get_order(order_id)
    before = sandbox.request_count
    second = client.get_order(order_id)
    assert second == first
    assert sandbox.request_count == before
    assert client.answers.hits == 1


def test_another_query_is_another_answer(sandbox):
    client = make_client(sandbox)
    client.answers = AnswerCache()
    before = sandbox.request_count
    client.get_v2("orders", {"page": 1, "limit": 5})
    client.get_v2("orders", {"page": 2, "limit": 5})
    assert sandbox.request_count == before + 2


def test_writes_are_never_served_from_the_cache(sandbox):
    client = make_client(sandbox)
    client.answers = AnswerCache()
    order_id = next(iter(sandbox.state.orders))
    before = sandbox.request_count
    client.update_order_status(order_id, 11)
    client.update_order_status(order_id, 11)
    assert sandbox.request_count == before + 2
    assert client.answers.new_answers() == []


def test_no_cache_no_change(sandbox):
    client = make_client(sandbox)
    order_id = next(iter(sandbox.state.orders))
    before = sandbox.request_count
    client.get_order(order_id)
    client.get_order(order_id)
    assert sandbox.request_count == before + 2


def test_a_caller_changing_its_payload_does_not_change_the_answer(sandbox):
    client = make_client(sandbox)
    client.answers = AnswerCache()
    order_id = next(iter(sandbox.state.orders))
    client.get_order(order_id)["status_id"] = -1
    assert client.get_order(order_id)["status_id"] != -1


def test_answers_are_tagged_with_their_subject(sandbox):
    client = make_client(sandbox)
    client.answers = AnswerCache()
    first, second = list(sandbox.state.orders)[:2]
    client.get_v2("orders", {"page": 1, "limit": 2})
    with about(client, first):
        client.iter_order_shipments(first)  # a generator: nothing read yet
        list(client.iter_order_shipments(first))
    with about(client, second):
        list(client.iter_order_shipments(second))
    subjects = [subject for _key, subject, _text in client.answers.new_answers()]
    assert subjects == [PAGE, str(first), str(second)]
    kept = client.answers.new_answers(dropped_subjects=[str(first)])
    assert [subject for _key, subject, _text in kept] == [PAGE, str(second)]


def test_staged_answers_serve_a_new_step(sandbox):
    """What one step staged (key, subject, text) serves the next one."""
    client = make_client(sandbox)
    client.answers = AnswerCache()
    taxes = list(client.iter_order_taxes(next(iter(sandbox.state.orders))))
    staged = {
        key: (subject, text) for key, subject, text in client.answers.new_answers()
    }
    next_step = make_client(sandbox)
    next_step.answers = AnswerCache(staged)
    before = sandbox.request_count
    order_id = next(iter(sandbox.state.orders))
    assert list(next_step.iter_order_taxes(order_id)) == taxes
    assert sandbox.request_count == before


def test_about_without_a_cache_does_nothing(sandbox):
    client = make_client(sandbox)
    with about(client, 7):
        pass
    assert client.answers is None


# No deadline: the machine running the suite may be busy.
@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["page", "limit", "min_id", "id:in", "sort"]),
        st.one_of(st.integers(0, 10**6), st.text(max_size=8)),
    )
)
def test_the_key_does_not_depend_on_the_parameters_order(params):
    shuffled = dict(reversed(list(params.items())))
    assert request_key("v2", "orders", params) == request_key("v2", "/orders", shuffled)
