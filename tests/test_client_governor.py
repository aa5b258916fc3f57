"""The rate-limit governor on a fake clock: no real waiting."""

import threading

import pytest

from bigcommerce_connector.client import RateLimitError, RateLimitGovernor


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def headers(left, reset_ms, quota=150, window_ms=30000, lower=False):
    values = {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Window-Ms": str(window_ms),
    }
    if lower:
        return {k.lower(): v for k, v in values.items()}
    return values


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def governor(fake_time):
    return RateLimitGovernor(clock=fake_time.clock, sleep=fake_time.sleep)


def test_no_reading_no_wait(governor, fake_time):
    governor.acquire(max_wait=0)
    assert fake_time.slept == []


def test_reads_lower_case_headers(governor):
    governor.update(headers(40, 12000, lower=True))
    assert (governor.left, governor.quota, governor.window_s) == (40, 150, 30.0)


def test_plenty_left_does_not_wait(governor, fake_time):
    governor.update(headers(100, 20000))
    for _ in range(50):
        governor.acquire(max_wait=0)
    assert fake_time.slept == []
    assert governor.left == 50


def test_waits_for_reset_when_only_reserve_left(governor, fake_time):
    governor.update(headers(governor_reserve := 7, 15000))
    assert governor.reserve == governor_reserve  # 5 % of 150
    governor.acquire(max_wait=30)
    assert fake_time.slept == [pytest.approx(15.05)]
    # A new window: the full quota is assumed until the next reading.
    assert governor.left == 149


def test_max_wait_zero_raises_with_the_wait(governor, fake_time):
    governor.update(headers(3, 9000))
    with pytest.raises(RateLimitError) as caught:
        governor.acquire(max_wait=0)
    assert caught.value.retryable
    assert caught.value.retry_after == pytest.approx(9.05)
    assert fake_time.slept == []


def test_429_empties_the_window(governor, fake_time):
    governor.update(headers(100, 20000))
    governor.throttled(4000)
    with pytest.raises(RateLimitError) as caught:
        governor.acquire(max_wait=1)
    assert caught.value.retry_after == pytest.approx(4.05)


def test_out_of_order_readings_keep_the_lowest(governor, fake_time):
    governor.update(headers(50, 20000))
    fake_time.now += 0.01
    governor.update(headers(60, 19990))  # an older response arriving late
    assert governor.left == 50


def test_threads_share_the_countdown(governor):
    governor.update(headers(100, 20000))
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        for _ in range(10):
            governor.acquire(max_wait=0)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert governor.left == 20
