"""An ordered chain of providers with retries, a circuit breaker per provider and fallback."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from types import TracebackType
from typing import Self

import httpx
import pandas as pd

from trading_signals.config._base import validate_mapping
from trading_signals.config.remote import RemoteConfig
from trading_signals.data.raw import RawInput
from trading_signals.data.remote.base import Provider, ProviderError
from trading_signals.data.remote.http import (
    Attempt,
    BreakerState,
    CircuitBreaker,
    FetchResult,
    HttpFetcher,
    RetryPolicy,
    redact,
)
from trading_signals.data.remote.providers import build_providers
from trading_signals.data.schema import check_symbol, check_timeframe
from trading_signals.errors import DataError, SourceError
from trading_signals.observability.metrics import counter, histogram
from trading_signals.observability.tracing import span

fetch_seconds = histogram("tsig_data_fetch_seconds")
provider_errors = counter("tsig_provider_errors")

MAX_PAGES = 100


class RemoteFetchError(SourceError):
    """Every provider failed for at least one symbol; ``attempts`` holds the full log."""

    def __init__(self, message: str, *, attempts: list[Attempt], fetched: list[RawInput]) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.fetched = fetched


def policy_from_config(config: RemoteConfig) -> RetryPolicy:
    """Return the :class:`RetryPolicy` that ``config`` describes."""
    return RetryPolicy(
        max_attempts=config.max_attempts,
        backoff_base=config.backoff_base,
        backoff_cap=config.backoff_cap,
        timeout=config.timeout,
        max_retry_after=config.max_retry_after,
    )


class ProviderChain:
    """Try providers in order for each symbol; fall back on any failure; log every attempt.

    Parameters
    ----------
    providers
        Providers in priority order.
    policy
        Retry/timeout policy shared by all providers.
    breaker_failures, breaker_cooldown
        Consecutive failed fetches that open a provider's breaker, and seconds it stays open.
    clock, sleep, rng, transport
        Injectables for tests (breaker clock, backoff sleep, jitter RNG, httpx transport).

    Notes
    -----
    A breaker counts failed *fetches* (one symbol after its retries), not single HTTP attempts.
    While open, the provider is skipped; after the cool-down one trial fetch with a single HTTP
    attempt decides between closed and open. Not look-ahead relevant: it only delivers raw rows.
    """

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        policy: RetryPolicy | None = None,
        breaker_failures: int = 3,
        breaker_cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not providers:
            raise DataError("ProviderChain needs at least one provider")
        self.providers = list(providers)
        self.policy = policy or RetryPolicy()
        self.breakers = {
            p.name: CircuitBreaker(
                p.name, failure_threshold=breaker_failures, cooldown=breaker_cooldown, clock=clock
            )
            for p in self.providers
        }
        self.attempts: list[Attempt] = []
        self._fetcher = HttpFetcher(policy=self.policy, transport=transport, sleep=sleep, rng=rng)

    @classmethod
    def from_config(
        cls,
        config: RemoteConfig,
        *,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ProviderChain:
        """Build a chain from a :class:`RemoteConfig` (keys still come from ``env``)."""
        urls = {str(name): url for name, url in config.base_urls.items()}
        providers = build_providers(
            config.providers, base_urls=urls, env=env, stooq_suffix=config.stooq_suffix
        )
        return cls(
            providers,
            policy=policy_from_config(config),
            breaker_failures=config.breaker_failures,
            breaker_cooldown=config.breaker_cooldown,
            clock=clock,
            sleep=sleep,
            rng=rng,
            transport=transport,
        )

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._fetcher.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def report(self) -> list[dict[str, object]]:
        """Return every attempt so far as JSON-ready dicts (keys redacted)."""
        return [a.to_dict() for a in self.attempts]

    def fetch(
        self,
        symbol: str,
        *,
        start: str | date | pd.Timestamp | None = None,
        end: str | date | pd.Timestamp | None = None,
        timeframe: str = "1d",
    ) -> RawInput:
        """Fetch one symbol from the first provider that delivers a usable body.

        Returns
        -------
        RawInput
            ``source="remote:<provider>"``; ``frame.attrs["remote_attempts"]`` lists this
            symbol's attempts.

        Raises
        ------
        RemoteFetchError
            Listing each provider's failure when none delivered.
        """
        check_symbol(symbol)
        check_timeframe(timeframe)
        first, last = _as_date(start, "start"), _as_date(end, "end")
        if first and last and first > last:
            raise DataError(f"start {first} is after end {last}; swap them")
        mark = len(self.attempts)
        failures: list[str] = []
        for provider in self.providers:
            frame = self._try_provider(provider, symbol, first, last, timeframe, failures)
            if frame is not None:
                frame.attrs["remote_attempts"] = self.report()[mark:]
                return RawInput(f"remote:{provider.name}", symbol, frame, timeframe)
        lines = "\n".join(f"  - {f}" for f in failures)
        raise RemoteFetchError(
            f"all {len(self.providers)} remote providers failed for {symbol} ({timeframe}):\n"
            f"{lines}\nfix: set the API key variables, check the symbol, or retry later",
            attempts=self.attempts[mark:],
            fetched=[],
        )

    def fetch_many(
        self,
        symbols: Sequence[str],
        *,
        start: str | date | pd.Timestamp | None = None,
        end: str | date | pd.Timestamp | None = None,
        timeframe: str = "1d",
    ) -> list[RawInput]:
        """Fetch every symbol; raise one :class:`RemoteFetchError` naming all that failed.

        The error's ``fetched`` keeps the symbols that did arrive, so nothing fetched is lost.
        """
        fetched: list[RawInput] = []
        errors: list[str] = []
        for symbol in symbols:
            try:
                fetched.append(self.fetch(symbol, start=start, end=end, timeframe=timeframe))
            except RemoteFetchError as exc:
                errors.append(str(exc))
        if errors:
            ok = [r.symbol for r in fetched]
            raise RemoteFetchError(
                "\n".join(errors) + f"\nfetched successfully: {ok or 'none'}",
                attempts=list(self.attempts),
                fetched=fetched,
            )
        return fetched

    def _try_provider(
        self,
        provider: Provider,
        symbol: str,
        start: date | None,
        end: date | None,
        timeframe: str,
        failures: list[str],
    ) -> pd.DataFrame | None:
        reason = provider.unavailable_reason(timeframe)
        breaker = self.breakers[provider.name]
        if reason is None and not breaker.allow():
            reason = f"circuit breaker open (retry in {breaker.retry_in():.1f}s)"
        if reason is not None:
            self.attempts.append(Attempt(provider.name, symbol, 0, "skipped", error=reason))
            failures.append(f"{provider.name}: skipped: {reason}")
            return None
        trial = breaker.state is BreakerState.HALF_OPEN
        started = time.perf_counter()
        try:
            with span("fetch", provider=provider.name, symbol=symbol, timeframe=timeframe):
                frame = self._download(provider, symbol, start, end, timeframe, single=trial)
        except SourceError as exc:
            fetch_seconds.observe(time.perf_counter() - started, {"source": provider.name})
            provider_errors.inc(1, {"provider": provider.name, "type": type(exc).__name__})
            breaker.record_failure()
            failures.append(
                redact(
                    str(exc) if str(exc).startswith(provider.name) else f"{provider.name}: {exc}",
                    provider.secrets(),
                )
            )
            return None
        fetch_seconds.observe(time.perf_counter() - started, {"source": provider.name})
        breaker.record_success()
        return frame

    def _download(
        self,
        provider: Provider,
        symbol: str,
        start: date | None,
        end: date | None,
        timeframe: str,
        *,
        single: bool,
    ) -> pd.DataFrame:
        request = provider.request(symbol, start=start, end=end, timeframe=timeframe)
        pages: list[pd.DataFrame] = []
        for _ in range(MAX_PAGES):
            result = self._fetcher.get(
                request.url,
                params=request.params,
                provider=provider.name,
                symbol=symbol,
                log=self.attempts,
                secrets=provider.secrets(),
                max_attempts=1 if single else None,
            )
            try:
                page = provider.parse(result.body, symbol=symbol, timeframe=timeframe)
            except ProviderError as exc:
                self._log(
                    provider, symbol, result, "invalid", redact(exc.reason, provider.secrets())
                )
                raise
            self._log(provider, symbol, result, "ok", None)
            pages.append(page.frame)
            if page.next_url is None:
                return _within(_concat(pages), start, end, provider.name, symbol)
            request = provider.next_request(page.next_url)
        raise ProviderError(
            provider.name, f"more than {MAX_PAGES} pages for {symbol}; narrow the range"
        )

    def _log(
        self, provider: Provider, symbol: str, result: FetchResult, status: str, error: str | None
    ) -> None:
        self.attempts.append(
            Attempt(
                provider.name,
                symbol,
                result.attempt,
                status,
                result.http_status,
                error,
                round(result.elapsed, 6),
            )
        )


def fetch_remote(
    symbols: Sequence[str],
    *,
    start: str | date | pd.Timestamp | None = None,
    end: str | date | pd.Timestamp | None = None,
    timeframe: str = "1d",
    providers: Sequence[str] | None = None,
    base_urls: Mapping[str, str] | None = None,
    config: RemoteConfig | None = None,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[RawInput]:
    """Fetch raw daily (or other timeframe) bars for ``symbols`` through the provider chain.

    Parameters
    ----------
    symbols
        Symbols as the user names them (``AAPL``); each provider maps them to its own ticker.
    start, end
        Inclusive date range (UTC dates); None means the provider's earliest / latest.
    providers
        Provider names in order (default ``config.providers``: alphavantage, polygon, stooq).
    base_urls
        Per-provider base URL overrides (else ``TSIG_<PROVIDER>_BASE_URL``, else public).
    config
        Timeouts, retries, backoff and breaker settings (default :class:`RemoteConfig()`).
    env
        Where API keys are read (default ``os.environ``); keys never appear in messages.

    Returns
    -------
    list[RawInput]
        One raw input per symbol, in order, to be passed through the quality gate.

    Raises
    ------
    RemoteFetchError
        When every provider failed for some symbol; the message lists each provider's reason.

    Notes
    -----
    Daily bars are stamped 00:00 UTC of the exchange date; see
    :mod:`trading_signals.data.remote.providers` for each provider's timestamp mapping.
    """
    cfg = config or RemoteConfig.model_validate({})
    updates: dict[str, object] = {}
    if providers is not None:
        updates["providers"] = tuple(providers)
    if base_urls is not None:
        merged: dict[str, str] = {str(k): v for k, v in cfg.base_urls.items()}
        updates["base_urls"] = merged | dict(base_urls)
    if updates:
        cfg = validate_mapping(
            RemoteConfig, {**cfg.model_dump(), **updates}, source="fetch_remote arguments"
        )
    with ProviderChain.from_config(
        cfg, env=env, sleep=sleep, rng=rng, transport=transport
    ) as chain:
        return chain.fetch_many(symbols, start=start, end=end, timeframe=timeframe)


def _as_date(value: str | date | pd.Timestamp | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        day: date = pd.Timestamp(value).date()
    except (ValueError, TypeError) as exc:
        raise DataError(f"{name}={value!r} is not a date; use YYYY-MM-DD") from exc
    return day


def _concat(pages: list[pd.DataFrame]) -> pd.DataFrame:
    if len(pages) == 1:
        return pages[0]
    frame = pd.concat(pages, ignore_index=True)
    frame.attrs = dict(pages[0].attrs)
    return frame


def _within(
    frame: pd.DataFrame, start: date | None, end: date | None, provider: str, symbol: str
) -> pd.DataFrame:
    # Providers without server-side ranges (Alpha Vantage) return more than asked for.
    days = frame["timestamp"].dt.tz_convert("UTC").dt.date
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= days >= start
    if end is not None:
        keep &= days <= end
    if not keep.any():
        raise ProviderError(provider, f"no bars for {symbol} between {start} and {end}")
    out = frame.loc[keep].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out
