"""The provider chain against a loopback server: fallback, fault injection, breaker, redaction."""

from __future__ import annotations

import random
from collections.abc import Iterator

import arch.data.sp500
import numpy as np
import pandas as pd
import pytest
from fake_provider_server import FakeProviders, serving
from trading_signals.config._base import validate_mapping
from trading_signals.config.remote import RemoteConfig
from trading_signals.data.remote import (
    ProviderChain,
    RemoteFetchError,
    build_providers,
    fetch_remote,
    policy_from_config,
)
from trading_signals.errors import ConfigError, DataError

KEYS = {"ALPHAVANTAGE_API_KEY": "AV-SECRET-1", "POLYGON_API_KEY": "PG-SECRET-2"}
ALL = ("alphavantage", "polygon", "stooq")
# Client timeouts 1 s (a loaded CI box answers well within it; the stall is 4 s); backoff tiny
# and the sleep injected, so nothing really waits.
FAST = RemoteConfig(
    timeout=1.0,
    max_attempts=2,
    backoff_base=0.01,
    backoff_cap=0.02,
    breaker_failures=2,
    breaker_cooldown=30.0,
)


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    return arch.data.sp500.load().iloc[:15].rename(columns=str.lower)


@pytest.fixture(scope="module")
def server(bars: pd.DataFrame) -> Iterator[FakeProviders]:
    with serving(bars) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeProviders) -> Iterator[FakeProviders]:
    server.scripts.clear()
    server.requests.clear()
    yield server


def _chain(
    fake: FakeProviders,
    *,
    names: tuple[str, ...] = ALL,
    config: RemoteConfig = FAST,
    clock: object = None,
    sleeps: list[float] | None = None,
) -> ProviderChain:
    providers = build_providers(names, base_urls=dict.fromkeys(names, fake.url), env=KEYS)
    kwargs: dict[str, object] = {
        "rng": random.Random(1),
        "sleep": (sleeps if sleeps is not None else []).append,
    }
    if clock is not None:
        kwargs["clock"] = clock
    return ProviderChain(
        providers,
        policy=policy_from_config(config),
        breaker_failures=config.breaker_failures,
        breaker_cooldown=config.breaker_cooldown,
        **kwargs,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("provider", ALL)
def test_fetch_each_provider_real_format_matches_served_bars(
    fake: FakeProviders, bars: pd.DataFrame, provider: str
) -> None:
    (raw,) = fetch_remote(
        ["SPX"], providers=[provider], env=KEYS, config=FAST, base_urls={provider: fake.url}
    )
    assert raw.source == f"remote:{provider}" and raw.symbol == "SPX" and raw.timeframe == "1d"
    assert list(raw.frame["timestamp"]) == list(bars.index.tz_localize("UTC"))
    # Alpha Vantage and Stooq send 4 decimals, Polygon full floats.
    np.testing.assert_allclose(raw.frame["close"], bars["close"], atol=5e-5)
    np.testing.assert_array_equal(raw.frame["volume"], bars["volume"].astype(float))


def test_fetch_date_range_inclusive_for_every_provider(
    fake: FakeProviders, bars: pd.DataFrame
) -> None:
    start, end = bars.index[3], bars.index[9]
    for provider in ALL:
        (raw,) = fetch_remote(
            ["SPX"],
            providers=[provider],
            env=KEYS,
            config=FAST,
            base_urls={provider: fake.url},
            start=start,
            end=end,
        )
        stamps = raw.frame["timestamp"].dt.tz_localize(None)
        assert stamps.iloc[0] == start and stamps.iloc[-1] == end and len(raw.frame) == 7


@pytest.mark.parametrize("fault", ["malformed", "empty", "cut", "nodata", "notice", "401"])
def test_fetch_first_provider_bad_answer_falls_back_to_next(
    fake: FakeProviders, fault: str
) -> None:
    fake.script("alphavantage", fault)
    with _chain(fake) as chain:
        raw = chain.fetch("SPX")
    assert raw.source == "remote:polygon"
    av = [a for a in chain.attempts if a.provider == "alphavantage"]
    assert len(av) == 1 and av[0].status in ("invalid", "failed") and av[0].error
    assert [a["status"] for a in raw.frame.attrs["remote_attempts"]][-1] == "ok"


@pytest.mark.parametrize("fault", ["500", "429:0", "timeout", "truncated"])
def test_fetch_transient_fault_retried_on_same_provider(fake: FakeProviders, fault: str) -> None:
    fake.script("alphavantage", fault)
    sleeps: list[float] = []
    with _chain(fake, sleeps=sleeps) as chain:
        raw = chain.fetch("SPX")
    assert raw.source == "remote:alphavantage"
    assert [(a.attempt, a.status) for a in chain.attempts] == [(1, "retry"), (2, "ok")]
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= FAST.backoff_cap


def test_fetch_all_providers_fail_error_lists_each_reason_without_keys(fake: FakeProviders) -> None:
    # Arrange: every provider misbehaves differently
    fake.script("alphavantage", "notice")
    fake.script("polygon", "500", "500")
    fake.script("stooq", "nodata")
    # Act
    with _chain(fake) as chain, pytest.raises(RemoteFetchError) as info:
        chain.fetch("SPX")
    # Assert
    message = str(info.value)
    assert "alphavantage: rate limit or plan notice" in message
    assert "polygon: HTTP 500" in message and "stooq: no data for SPX" in message
    assert [a.provider for a in info.value.attempts] == [
        "alphavantage",
        "polygon",
        "polygon",
        "stooq",
    ]
    dumped = repr(chain.report()) + message
    assert "AV-SECRET-1" not in dumped and "PG-SECRET-2" not in dumped
    # ...while the keys really were sent to the providers.
    sent = {q.get("apikey") or q.get("apiKey") for p, _, q in fake.requests if p != "stooq"}
    assert sent == {"AV-SECRET-1", "PG-SECRET-2"}


def test_fetch_missing_key_provider_skipped_without_request(fake: FakeProviders) -> None:
    providers = build_providers(ALL, base_urls=dict.fromkeys(ALL, fake.url), env={})
    with ProviderChain(providers, sleep=lambda s: None) as chain:
        raw = chain.fetch("SPX")
    assert raw.source == "remote:stooq"
    assert [(a.provider, a.status) for a in chain.attempts][:2] == [
        ("alphavantage", "skipped"),
        ("polygon", "skipped"),
    ]
    assert fake.hits("alphavantage") == 0 and fake.hits("polygon") == 0


def test_fetch_breaker_opens_skips_provider_then_half_open_trial(fake: FakeProviders) -> None:
    # Arrange: alphavantage fails two fetches in a row (breaker_failures=2)
    now = [0.0]
    fake.script("alphavantage", "malformed", "malformed")
    with _chain(fake, clock=lambda: now[0]) as chain:
        chain.fetch("SPX")
        chain.fetch("SPX")
        hits = fake.hits("alphavantage")
        # Act 1: open -> skipped without a request
        chain.fetch("SPX")
        assert fake.hits("alphavantage") == hits
        assert chain.attempts[-2].status == "skipped" and "circuit breaker open" in (
            chain.attempts[-2].error or ""
        )
        # Act 2: after the cool-down one trial, which succeeds and closes the breaker
        now[0] = FAST.breaker_cooldown + 1
        raw = chain.fetch("SPX")
    assert raw.source == "remote:alphavantage" and fake.hits("alphavantage") == hits + 1
    assert chain.breakers["alphavantage"].state == "closed"


def test_fetch_half_open_trial_single_attempt_failure_reopens(fake: FakeProviders) -> None:
    now = [0.0]
    fake.script("alphavantage", "malformed", "malformed", "500", "500")
    with _chain(fake, clock=lambda: now[0]) as chain:
        chain.fetch("SPX")
        chain.fetch("SPX")
        now[0] = FAST.breaker_cooldown + 1
        raw = chain.fetch("SPX")
        trial = [a for a in chain.attempts if a.provider == "alphavantage"][-1]
        assert trial.status == "failed" and trial.http_status == 500  # no retry while half-open
        assert raw.source == "remote:polygon"
        assert chain.breakers["alphavantage"].state == "open"


def test_fetch_polygon_pagination_follows_next_url(fake: FakeProviders, bars: pd.DataFrame) -> None:
    fake.script("polygon", "paginate")
    (raw,) = fetch_remote(
        ["SPX"], providers=["polygon"], env=KEYS, config=FAST, base_urls={"polygon": fake.url}
    )
    assert fake.hits("polygon") == 2
    assert list(raw.frame["timestamp"]) == list(bars.index.tz_localize("UTC"))
    assert all(q.get("apiKey") == "PG-SECRET-2" for p, _, q in fake.requests if p == "polygon")


def test_fetch_remote_some_symbols_fail_error_keeps_fetched(fake: FakeProviders) -> None:
    fake.script("stooq", "ok", "nodata")
    with pytest.raises(RemoteFetchError, match="fetched successfully: \\['AAA'\\]") as info:
        fetch_remote(
            ["AAA", "BBB"], providers=["stooq"], config=FAST, base_urls={"stooq": fake.url}
        )
    assert [r.symbol for r in info.value.fetched] == ["AAA"]


def test_fetch_remote_env_base_url_override_used(fake: FakeProviders) -> None:
    env = {"TSIG_STOOQ_BASE_URL": fake.url}
    (raw,) = fetch_remote(["SPX"], providers=["stooq"], env=env, config=FAST)
    assert raw.source == "remote:stooq" and fake.hits("stooq") == 1


def test_fetch_bad_value_reaches_gate_quarantined_not_dropped(
    fake: FakeProviders, bars: pd.DataFrame
) -> None:
    # Arrange: one Alpha Vantage close is "n/a"; the provider keeps it for the gate
    gate = pytest.importorskip("trading_signals.data.gate")
    fake.script("alphavantage", "badvalue")
    (raw,) = fetch_remote(
        ["SPX"],
        providers=["alphavantage"],
        env=KEYS,
        config=FAST,
        base_urls={"alphavantage": fake.url},
    )
    assert raw.frame["close"].tolist()[4] == "n/a"
    # Act
    result = gate.run_gate(raw.frame, source=raw.source, symbol=raw.symbol, timeframe=raw.timeframe)
    # Assert: every row accounted for, the bad one quarantined, the rest clean
    assert result.report.rows_in == len(bars)
    assert result.report.rows_clean == len(bars) - 1
    assert result.report.rows_quarantined == 1
    assert result.quarantined["row"].tolist() == [5]


def test_remote_config_defaults_valid_and_bad_values_named() -> None:
    assert validate_mapping(RemoteConfig, {}, source="cfg").providers == ALL
    with pytest.raises(ConfigError, match="providers"):
        validate_mapping(RemoteConfig, {"providers": ["stooq", "stooq"]}, source="cfg")
    with pytest.raises(ConfigError, match="providers"):
        validate_mapping(RemoteConfig, {"providers": ["yahoo"]}, source="cfg")
    with pytest.raises(ConfigError, match="timeout"):
        validate_mapping(RemoteConfig, {"timeout": 0}, source="cfg")


@pytest.mark.parametrize(
    ("symbol", "start", "end", "match"),
    [
        ("../etc", None, None, "safe identifier"),
        ("SPX", "2024-02-01", "2024-01-01", "after end"),
        ("SPX", "not-a-date", None, "YYYY-MM-DD"),
    ],
)
def test_fetch_bad_request_raises_before_any_http(
    fake: FakeProviders, symbol: str, start: str | None, end: str | None, match: str
) -> None:
    with _chain(fake) as chain, pytest.raises(DataError, match=match):
        chain.fetch(symbol, start=start, end=end)
    assert fake.requests == []
