"""Backoff, Retry-After, circuit breaker and the retrying fetcher (fake clock, no real waits)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import arch.data.sp500
import pytest
from fake_provider_server import FakeProviders, serving
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.remote.http import (
    Attempt,
    BreakerState,
    CircuitBreaker,
    HttpFailure,
    HttpFetcher,
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    redact,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    bars = arch.data.sp500.load().iloc[:10].rename(columns=str.lower)
    with serving(bars) as server:
        yield server


def _fetcher(policy: RetryPolicy, sleeps: list[float]) -> HttpFetcher:
    return HttpFetcher(policy=policy, sleep=sleeps.append, rng=random.Random(0))


# -- backoff ---------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    attempt=st.integers(0, 40),
    base=st.floats(0.0, 5.0),
    cap=st.floats(0.0, 30.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_backoff_delay_any_attempt_within_full_jitter_bounds(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap, rng=random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2.0**attempt)


def test_backoff_delay_mean_grows_then_caps() -> None:
    # Arrange: average many draws per attempt (full jitter: mean = ceiling / 2)
    rng = random.Random(42)
    means = [
        sum(backoff_delay(a, base=0.1, cap=1.0, rng=rng) for _ in range(4000)) / 4000
        for a in range(6)
    ]
    ceilings = [min(1.0, 0.1 * 2**a) for a in range(6)]
    # Assert
    assert means[0] < means[1] < means[2] < means[3]
    for mean, ceiling in zip(means, ceilings, strict=True):
        assert mean == pytest.approx(ceiling / 2, rel=0.06)
    assert max(means[4:]) <= 1.0


def test_parse_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(
        30.0
    )
    assert parse_retry_after("garbage") is None


def test_redact_key_values_and_params_removed() -> None:
    text = "GET http://h/q?symbol=A&apikey=K1&x=1 and https://h/v2?apiKey=K2 token K1"
    out = redact(text, ["K1"])
    assert "K1" not in out and "K2" not in out
    assert "apikey=***" in out and "apiKey=***" in out


# -- circuit breaker -------------------------------------------------------------------------


def test_circuit_breaker_threshold_failures_opens_and_blocks() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("p", failure_threshold=3, cooldown=10.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_in() == pytest.approx(10.0)


def test_circuit_breaker_success_resets_consecutive_count() -> None:
    breaker = CircuitBreaker("p", failure_threshold=2, cooldown=10.0, clock=FakeClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_circuit_breaker_after_cooldown_one_trial_then_closes_on_success() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("p", failure_threshold=1, cooldown=5.0, clock=clock)
    breaker.record_failure()
    clock.now = 4.9
    assert not breaker.allow()
    clock.now = 5.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the single trial
    assert not breaker.allow()  # nobody else while the trial runs
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_circuit_breaker_failed_trial_reopens_for_new_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("p", failure_threshold=1, cooldown=5.0, clock=clock)
    breaker.record_failure()
    clock.now = 6.0
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now = 10.9
    assert not breaker.allow()
    clock.now = 11.0
    assert breaker.allow()


# -- fetcher against the loopback server ------------------------------------------------------


def test_fetcher_500_then_ok_retries_with_growing_capped_delays(fake: FakeProviders) -> None:
    # Arrange
    fake.script("stooq", "500", "500", "500")
    sleeps: list[float] = []
    log: list[Attempt] = []
    policy = RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_cap=0.8, timeout=2.0)
    # Act
    result = _fetcher(policy, sleeps).get(
        f"{fake.url}/q/d/l/",
        params={"s": "spx.us", "i": "d"},
        provider="stooq",
        symbol="SPX",
        log=log,
    )
    # Assert
    assert result.http_status == 200 and result.attempt == 4
    assert [a.status for a in log] == ["retry"] * 3 and [a.http_status for a in log] == [500] * 3
    ceilings = [min(0.8, 0.5 * 2**a) for a in range(3)]
    assert all(0 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))
    assert [a.delay for a in log] == sleeps


def test_fetcher_429_retry_after_honoured(fake: FakeProviders) -> None:
    fake.script("stooq", "429:3")
    sleeps: list[float] = []
    log: list[Attempt] = []
    policy = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_cap=0.01, timeout=2.0)
    _fetcher(policy, sleeps).get(
        f"{fake.url}/q/d/l/", params={"s": "spx.us"}, provider="stooq", symbol="SPX", log=log
    )
    assert sleeps == [3.0]
    assert log[0].http_status == 429 and "Retry-After: 3" in (log[0].error or "")


def test_fetcher_429_retry_after_too_long_fails_without_waiting(fake: FakeProviders) -> None:
    fake.script("stooq", "429:120")
    sleeps: list[float] = []
    log: list[Attempt] = []
    policy = RetryPolicy(max_attempts=3, timeout=2.0, max_retry_after=30.0)
    with pytest.raises(HttpFailure, match="exceeds max_retry_after"):
        _fetcher(policy, sleeps).get(
            f"{fake.url}/q/d/l/", params={}, provider="stooq", symbol="SPX", log=log
        )
    assert sleeps == [] and [a.status for a in log] == ["failed"]


def test_fetcher_stalled_server_times_out_then_retries(fake: FakeProviders) -> None:
    fake.script("stooq", "timeout")
    sleeps: list[float] = []
    log: list[Attempt] = []
    policy = RetryPolicy(max_attempts=2, backoff_base=0.0, timeout=0.2)
    result = _fetcher(policy, sleeps).get(
        f"{fake.url}/q/d/l/", params={}, provider="stooq", symbol="SPX", log=log
    )
    assert result.attempt == 2
    assert "timeout" in (log[0].error or "") and log[0].elapsed < 0.9


def test_fetcher_truncated_transfer_is_retryable_failure(fake: FakeProviders) -> None:
    fake.script("stooq", "truncated")
    log: list[Attempt] = []
    with pytest.raises(HttpFailure, match="truncated") as info:
        _fetcher(RetryPolicy(max_attempts=1, timeout=2.0), []).get(
            f"{fake.url}/q/d/l/", params={}, provider="stooq", symbol="SPX", log=log
        )
    assert info.value.retryable


def test_fetcher_401_not_retried_and_key_redacted(fake: FakeProviders) -> None:
    fake.script("stooq", "401")
    sleeps: list[float] = []
    log: list[Attempt] = []
    with pytest.raises(HttpFailure) as info:
        _fetcher(RetryPolicy(max_attempts=3, timeout=2.0), sleeps).get(
            f"{fake.url}/q/d/l/",
            params={"apikey": "SECRET9"},
            provider="stooq",
            symbol="SPX",
            log=log,
            secrets=["SECRET9"],
        )
    assert not info.value.retryable and sleeps == [] and len(log) == 1
    assert "API key" in str(info.value) and "SECRET9" not in str(info.value)
