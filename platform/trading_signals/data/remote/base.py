"""Provider base class and parsing helpers shared by every market-data API.

Each provider turns its body into a *raw* frame (``timestamp`` column plus ``open high low close
volume``) for the data-quality gate, or raises :class:`ProviderError` (a ``SourceError``) naming
the provider and the reason when the body is empty, truncated, malformed or an API error notice.
Values that do not parse as numbers are left as the provider's strings so the gate can report
those rows instead of them being silently dropped.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS, TIMESTAMP
from trading_signals.errors import SourceError
from trading_signals.timeframes import daily_or_slower

DAILY_OR_SLOWER = daily_or_slower()  # the one timeframe table


class ProviderError(SourceError):
    """A provider answered but the answer is unusable (error notice, no data, malformed body)."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


@dataclass(frozen=True)
class Request:
    """One GET: absolute URL and query parameters (may hold the API key: never log raw)."""

    url: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """A parsed body: the raw frame and, for paginated APIs, the next page's URL."""

    frame: pd.DataFrame
    next_url: str | None = None


class Provider(ABC):
    """Base class: base-URL resolution, API key from the environment, date handling.

    Parameters
    ----------
    base_url
        Overrides ``TSIG_<NAME>_BASE_URL`` and the public default (tests point it at a local
        server).
    env
        Mapping to read keys and overrides from (default ``os.environ``).
    """

    name: ClassVar[str]
    default_base_url: ClassVar[str]
    key_env: ClassVar[str | None] = None
    timeframes: ClassVar[frozenset[str]] = frozenset({"1d"})

    def __init__(
        self, *, base_url: str | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        environ = os.environ if env is None else env
        override = environ.get(f"TSIG_{self.name.upper()}_BASE_URL")
        self.base_url = (base_url or override or self.default_base_url).rstrip("/")
        self.api_key = environ.get(self.key_env, "").strip() if self.key_env else ""

    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never appear in logs or messages."""
        return (self.api_key,) if self.api_key else ()

    def unavailable_reason(self, timeframe: str) -> str | None:
        """Return why this provider cannot serve ``timeframe`` now (None when it can)."""
        if self.key_env and not self.api_key:
            return f"{self.key_env} is not set; export it to use {self.name}"
        if timeframe not in self.timeframes:
            return f"timeframe {timeframe!r} unsupported (has {sorted(self.timeframes)})"
        return None

    @abstractmethod
    def request(
        self, symbol: str, *, start: date | None, end: date | None, timeframe: str
    ) -> Request:
        """Return the first request for ``symbol`` between ``start`` and ``end`` (inclusive)."""

    def next_request(self, next_url: str) -> Request:
        """Return the request for a pagination URL (same host as ``base_url`` only)."""
        parts = urlsplit(next_url)
        if parts.netloc != urlsplit(self.base_url).netloc:
            raise ProviderError(self.name, f"refusing pagination to another host: {parts.netloc}")
        # httpx replaces a URL's query when params are given: carry the cursor over explicitly.
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        return Request(urlunsplit(parts._replace(query="")), {**params, **self._key_params()})

    @abstractmethod
    def parse(self, body: bytes, *, symbol: str, timeframe: str) -> Page:
        """Parse one response body into a raw frame (plus the next page, if any)."""

    def _key_params(self) -> dict[str, str]:
        return {}

    def _text(self, body: bytes) -> str:
        if not body or not body.strip():
            raise ProviderError(self.name, "empty response body")
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProviderError(self.name, f"body is not UTF-8 ({exc.reason} at byte {exc.start})")

    def _json(self, body: bytes) -> dict[str, Any]:
        text = self._text(body)
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProviderError(
                self.name,
                f"malformed or truncated JSON ({exc.msg} at char {exc.pos} of {len(text)}): "
                f"{snippet(text)}",
            ) from None
        if not isinstance(payload, dict):
            raise ProviderError(self.name, f"expected a JSON object, got {type(payload).__name__}")
        return payload


def raw_frame(
    timestamps: pd.DatetimeIndex, columns: Mapping[str, list[Any]], *, source: str
) -> pd.DataFrame:
    """Build a raw frame: ``timestamp`` + OHLCV, numeric where every value parses.

    A column with any unparseable value keeps the provider's original values (object dtype) so
    the quality gate reports exactly those rows.
    """
    data: dict[str, Any] = {TIMESTAMP: timestamps}
    for col in OHLCV_COLUMNS:
        values = list(columns[col])
        exact = _exact_floats(values)
        data[col] = (
            np.asarray(exact, dtype=np.float64) if exact is not None else pd.array(values, "object")
        )
    frame = pd.DataFrame(data)
    frame.attrs["source"] = source
    return frame.sort_values(TIMESTAMP, kind="stable").reset_index(drop=True)


def _exact_floats(values: list[Any]) -> list[float] | None:
    # Python's float() is correctly rounded; pandas' fast parser can be 1 ulp off.
    out: list[float] = []
    for value in values:
        if value is None:
            out.append(float("nan"))
        elif isinstance(value, bool):
            return None
        elif isinstance(value, int | float):
            out.append(float(value))
        elif isinstance(value, str) and "_" not in value:
            try:
                out.append(float(value))
            except ValueError:
                return None
        else:
            return None
    return out


def date_stamps(dates: list[str], *, provider: str) -> pd.DatetimeIndex:
    """Parse ``YYYY-MM-DD`` dates to 00:00 UTC of that date, raising on any bad date."""
    parsed = pd.to_datetime(pd.Series(dates, dtype=object), format="%Y-%m-%d", errors="coerce")
    bad = [d for d, p in zip(dates, parsed, strict=True) if pd.isna(p)]
    if bad:
        raise ProviderError(provider, f"unparseable date(s) {bad[:3]} in {len(dates)} rows")
    return pd.DatetimeIndex(parsed).tz_localize("UTC")


def snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat[:limit] + ("..." if len(flat) > limit else ""))
