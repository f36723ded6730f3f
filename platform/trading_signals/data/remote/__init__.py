"""Remote market data: an ordered chain of HTTP providers with retries, breakers and fallback.

Keys come only from the environment (``ALPHAVANTAGE_API_KEY``, ``POLYGON_API_KEY``); base URLs
can be overridden per provider (``TSIG_<PROVIDER>_BASE_URL``), e.g. to a proxy or a test server.
"""

from __future__ import annotations

from trading_signals.data.remote.base import Page, Provider, ProviderError, Request
from trading_signals.data.remote.chain import (
    ProviderChain,
    RemoteFetchError,
    fetch_remote,
    policy_from_config,
)
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
from trading_signals.data.remote.providers import (
    PROVIDERS,
    AlphaVantage,
    Polygon,
    Stooq,
    build_providers,
)

__all__ = [
    "PROVIDERS",
    "AlphaVantage",
    "Attempt",
    "BreakerState",
    "CircuitBreaker",
    "HttpFailure",
    "HttpFetcher",
    "Page",
    "Polygon",
    "Provider",
    "ProviderChain",
    "ProviderError",
    "RemoteFetchError",
    "Request",
    "RetryPolicy",
    "Stooq",
    "backoff_delay",
    "build_providers",
    "fetch_remote",
    "parse_retry_after",
    "policy_from_config",
    "redact",
]
