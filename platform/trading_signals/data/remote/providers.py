"""The three concrete providers: Alpha Vantage, Stooq and Polygon.

Timestamp convention (all providers): daily, weekly and monthly bars are stamped at 00:00 UTC of
the exchange date the provider gives (the same convention as the packaged sample); intraday
Polygon bars are stamped at their window *start* in UTC. A bar is complete only at the end of its
window, so consumers act no earlier than the next bar.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar

import pandas as pd

from trading_signals.data.remote.base import (
    DAILY_OR_SLOWER,
    Page,
    Provider,
    ProviderError,
    Request,
    date_stamps,
    raw_frame,
    snippet,
)
from trading_signals.errors import DataError

_AV_SERIES = "Time Series (Daily)"
_AV_FIELDS = {
    "open": "1. open",
    "high": "2. high",
    "low": "3. low",
    "close": "4. close",
    "volume": "5. volume",
}
# Alpha Vantage "compact" = the latest 100 bars; ask for "full" only when the range needs it
# ("full" is a premium feature on some plans and then answers with an "Information" notice).
_AV_COMPACT_DAYS = 130


class AlphaVantage(Provider):
    """Alpha Vantage ``TIME_SERIES_DAILY`` JSON (key: ``ALPHAVANTAGE_API_KEY``).

    Notes
    -----
    The API returns the whole (compact or full) history; rows outside ``[start, end]`` are
    filtered client-side. ``Error Message``, ``Note`` and ``Information`` bodies (invalid call,
    rate limit, premium notices; all sent with HTTP 200) are failures, so the chain falls back.
    """

    name = "alphavantage"
    default_base_url = "https://www.alphavantage.co"
    key_env = "ALPHAVANTAGE_API_KEY"
    timeframes: ClassVar[frozenset[str]] = frozenset({"1d"})

    def request(
        self, symbol: str, *, start: date | None, end: date | None, timeframe: str
    ) -> Request:
        recent = start is not None and start >= date.today() - timedelta(days=_AV_COMPACT_DAYS)
        params = {
            "function": "TIME_SERIES_DAILY",
            "symbol": symbol,
            "outputsize": "compact" if recent else "full",
            "datatype": "json",
        }
        return Request(f"{self.base_url}/query", {**params, **self._key_params()})

    def _key_params(self) -> dict[str, str]:
        return {"apikey": self.api_key}

    def parse(self, body: bytes, *, symbol: str, timeframe: str) -> Page:
        payload = self._json(body)
        for notice in ("Error Message", "Note", "Information"):
            if notice in payload:
                kind = "API error" if notice == "Error Message" else "rate limit or plan notice"
                raise ProviderError(self.name, f"{kind}: {snippet(str(payload[notice]), 200)}")
        series = payload.get(_AV_SERIES)
        if not isinstance(series, dict):
            raise ProviderError(
                self.name, f"no {_AV_SERIES!r} object in response (keys: {sorted(payload)[:5]})"
            )
        if not series:
            raise ProviderError(self.name, f"no data for {symbol}")
        columns: dict[str, list[Any]] = {c: [] for c in _AV_FIELDS}
        for day, bar in series.items():
            if not isinstance(bar, dict) or any(f not in bar for f in _AV_FIELDS.values()):
                raise ProviderError(
                    self.name, f"bar {day!r} lacks fields {list(_AV_FIELDS.values())}"
                )
            for col, key in _AV_FIELDS.items():
                columns[col].append(bar[key])
        stamps = date_stamps(list(series), provider=self.name)
        return Page(raw_frame(stamps, columns, source=f"remote:{self.name}"))


_STOOQ_INTERVAL = {"1d": "d", "1w": "w", "1mo": "m"}
_STOOQ_HEADER = ["Date", "Open", "High", "Low", "Close", "Volume"]


class Stooq(Provider):
    """Stooq daily/weekly/monthly CSV (``/q/d/l/?s=aapl.us&i=d``; no key).

    Notes
    -----
    Bare symbols get ``suffix`` (default ``.us``); symbols with a dot or a leading ``^`` are
    sent as given (lower-cased). A ``No data`` body means an unknown symbol or empty range.
    """

    name = "stooq"
    default_base_url = "https://stooq.com"
    timeframes: ClassVar[frozenset[str]] = frozenset(_STOOQ_INTERVAL)

    def __init__(self, *, suffix: str = ".us", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suffix = suffix

    def stooq_symbol(self, symbol: str) -> str:
        """Return Stooq's ticker for ``symbol`` (``AAPL`` -> ``aapl.us``, ``^SPX`` -> ``^spx``)."""
        lowered = symbol.lower()
        return lowered if "." in lowered or lowered.startswith("^") else lowered + self.suffix

    def request(
        self, symbol: str, *, start: date | None, end: date | None, timeframe: str
    ) -> Request:
        params = {"s": self.stooq_symbol(symbol), "i": _STOOQ_INTERVAL[timeframe]}
        if start is not None:
            params["d1"] = start.strftime("%Y%m%d")
        if end is not None:
            params["d2"] = end.strftime("%Y%m%d")
        return Request(f"{self.base_url}/q/d/l/", params)

    def parse(self, body: bytes, *, symbol: str, timeframe: str) -> Page:
        text = self._text(body).strip()
        if text.lower().startswith("no data"):
            raise ProviderError(self.name, f"no data for {symbol} ({self.stooq_symbol(symbol)})")
        rows = list(csv.reader(io.StringIO(text)))
        header = [h.strip() for h in rows[0]]
        if header[:5] == _STOOQ_HEADER[:5] and "Volume" not in header:
            raise ProviderError(
                self.name,
                f"CSV for {symbol} has no Volume column (an index?); use another provider",
            )
        if header[: len(_STOOQ_HEADER)] != _STOOQ_HEADER:
            first_line = text.splitlines()[0]
            raise ProviderError(
                self.name,
                f"not a Stooq CSV: header {snippet(first_line)}, expected {','.join(_STOOQ_HEADER)}",
            )
        data = rows[1:]
        if not data:
            raise ProviderError(self.name, f"CSV has a header but no rows for {symbol}")
        for lineno, row in enumerate(data, start=2):
            if len(row) != len(header):
                raise ProviderError(
                    self.name,
                    f"truncated or malformed CSV at line {lineno}: {len(row)} fields, "
                    f"expected {len(header)} ({snippet(','.join(row))})",
                )
        columns = {
            col: [r[i] for r in data]
            for i, col in enumerate(("date", "open", "high", "low", "close", "volume"))
        }
        stamps = date_stamps(columns.pop("date"), provider=self.name)
        return Page(raw_frame(stamps, columns, source=f"remote:{self.name}"))


_POLYGON_SPAN = {
    "1min": (1, "minute"),
    "5min": (5, "minute"),
    "15min": (15, "minute"),
    "30min": (30, "minute"),
    "1h": (1, "hour"),
    "4h": (4, "hour"),
    "1d": (1, "day"),
    "1w": (1, "week"),
    "1mo": (1, "month"),
}
_POLYGON_FIELDS = {"open": "o", "high": "h", "low": "l", "close": "c", "volume": "v"}


class Polygon(Provider):
    """Polygon aggregates v2 JSON (``/v2/aggs/ticker/...``; key: ``POLYGON_API_KEY``).

    Notes
    -----
    ``t`` is the window start in epoch milliseconds. Daily and slower windows start at
    00:00 America/New_York, so they are mapped to that New York date at 00:00 UTC (the project
    convention); intraday bars keep their UTC window start. Prices are split-adjusted
    (``adjusted=true``, Polygon's default). ``next_url`` pages are followed on the same host.
    """

    name = "polygon"
    default_base_url = "https://api.polygon.io"
    key_env = "POLYGON_API_KEY"
    timeframes: ClassVar[frozenset[str]] = frozenset(_POLYGON_SPAN)

    def request(
        self, symbol: str, *, start: date | None, end: date | None, timeframe: str
    ) -> Request:
        mult, span = _POLYGON_SPAN[timeframe]
        first = (start or date(1970, 1, 1)).isoformat()
        last = (end or date.today()).isoformat()
        url = f"{self.base_url}/v2/aggs/ticker/{symbol.upper()}/range/{mult}/{span}/{first}/{last}"
        params = {"adjusted": "true", "sort": "asc", "limit": "50000"}
        return Request(url, {**params, **self._key_params()})

    def _key_params(self) -> dict[str, str]:
        return {"apiKey": self.api_key}

    def parse(self, body: bytes, *, symbol: str, timeframe: str) -> Page:
        payload = self._json(body)
        status = str(payload.get("status", ""))
        if status not in ("OK", "DELAYED"):
            reason = payload.get("error") or payload.get("message") or "no error text"
            raise ProviderError(
                self.name, f"API status {status or 'missing'}: {snippet(str(reason), 200)}"
            )
        results = payload.get("results")
        if results is None or results == []:
            raise ProviderError(
                self.name, f"no data for {symbol} (resultsCount={payload.get('resultsCount', 0)})"
            )
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise ProviderError(self.name, "'results' is not a list of objects")
        missing = [k for k in ("t", *_POLYGON_FIELDS.values()) if any(k not in r for r in results)]
        if missing:
            raise ProviderError(self.name, f"results lack field(s) {missing}")
        stamps = self._stamps([r["t"] for r in results], timeframe)
        columns = {col: [r[key] for r in results] for col, key in _POLYGON_FIELDS.items()}
        next_url = payload.get("next_url")
        return Page(
            raw_frame(stamps, columns, source=f"remote:{self.name}"),
            str(next_url) if next_url else None,
        )

    def _stamps(self, epoch_ms: list[Any], timeframe: str) -> pd.DatetimeIndex:
        numeric = pd.to_numeric(pd.Series(epoch_ms, dtype=object), errors="coerce")
        if numeric.isna().any():
            raise ProviderError(self.name, f"non-numeric 't' timestamp(s) {epoch_ms[:3]}")
        utc = pd.DatetimeIndex(pd.to_datetime(numeric.astype("int64"), unit="ms", utc=True))
        if timeframe in DAILY_OR_SLOWER:
            return (
                utc.tz_convert("America/New_York").tz_localize(None).normalize().tz_localize("UTC")
            )
        return utc


PROVIDERS: dict[str, type[Provider]] = {
    AlphaVantage.name: AlphaVantage,
    Polygon.name: Polygon,
    Stooq.name: Stooq,
}


def build_providers(
    names: Sequence[str],
    *,
    base_urls: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    stooq_suffix: str = ".us",
) -> list[Provider]:
    """Instantiate providers by registry name, in order (``alphavantage``, ``polygon``, ``stooq``).

    Raises
    ------
    DataError
        For an unknown provider name.
    """
    urls = dict(base_urls or {})
    out: list[Provider] = []
    for name in names:
        if name not in PROVIDERS:
            raise DataError(f"unknown remote provider {name!r}; choose from {sorted(PROVIDERS)}")
        cls = PROVIDERS[name]
        if cls is Stooq:
            out.append(Stooq(base_url=urls.get(name), env=env, suffix=stooq_suffix))
        else:
            out.append(cls(base_url=urls.get(name), env=env))
    return out
