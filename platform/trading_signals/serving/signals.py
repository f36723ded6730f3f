"""Signal lookup for the API: bars from the lake, confluence signals cached per last bar.

A partition's bars are re-read only when its listing changes (file names, sizes, mtimes, from
:func:`trading_signals.data.storage.scandir`: a directory scan locally, one ``LIST`` request on
an object store), and signals are cached per content digest of the bars actually used
(computed once per listing and window), so bars appended by ``tsig data update`` show up without a
restart, and a point-in-time request (``as_of``) reuses its entry after new bars land.
The HTTP answer is also kept as encoded JSON (:meth:`SignalService.encoded`), so a repeated
lookup neither re-validates nor re-serialises it.

Local lakes are listed on every request (a ``stat`` per file). On an object store a listing is
trusted for ``remote_refresh_s`` (1 s by default), so a polled symbol costs at most one ``LIST``
per second per replica and new bars show up within that second. S3 mtimes have a one-second
resolution: while a file is younger than a few seconds, a same-size rewrite in the same second
could keep ``(size, mtime)``, so such a partition is re-read at each new listing until it is older.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

import pandas as pd

from trading_signals.config.signals import COMPONENT_NAMES, SignalsConfig
from trading_signals.data import storage
from trading_signals.data.lake import describe_lake, list_symbols, partition_dir, read_bars
from trading_signals.errors import DataError
from trading_signals.serving.errors import NotFoundError
from trading_signals.serving.schemas import SignalResponse
from trading_signals.signals.engine import generate_signals

_REMOTE_REFRESH_S = 1.0
# A whole-second mtime younger than this may hide a same-size rewrite in that second (and allows
# for a little clock skew between the store and this host).
_COARSE_WINDOW_NS = 3_000_000_000


def _utc(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, OverflowError) as exc:  # e.g. year 9999: outside pandas' ns range
        raise DataError(f"timestamp {value!s} is outside 1677-09-22..2262-04-11 UTC") from exc
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


class EncodedSignal(NamedTuple):
    """One answer of ``GET /v1/signals`` as the JSON bytes of :class:`SignalResponse`."""

    body: bytes
    label: str  # the signal label, for the metrics
    cache: str  # "hit" or "miss", as in the body


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


def _encode(answer: dict[str, Any]) -> bytes:
    # Validated through the response model once per cached answer, as FastAPI would per request.
    return SignalResponse.model_validate(answer).model_dump_json(by_alias=True).encode()


class SignalService:
    """Read bars and compute explained confluence signals, with per-bar caching.

    Parameters
    ----------
    lake : str
        Lake root.
    config : SignalsConfig, optional
        Weights and thresholds (defaults when None).
    cache_size : int
        Entries kept in each LRU (bars per partition, signal frames per bar window).
    compute : callable, optional
        ``compute(bars, timeframe) -> signals frame``; the engine by default (tests count calls).
    remote_refresh_s : float
        How long a partition listing on an object store is trusted before it is listed again
        (local lakes are listed at each request).

    Notes
    -----
    Point in time: with ``as_of`` only bars stamped ``<= as_of`` are passed to the engine, so
    no later bar can influence the answer (the engine itself is causal as well).
    """

    def __init__(self, lake: str, *, config: SignalsConfig | None = None, cache_size: int = 256,
                 compute: Callable[[pd.DataFrame, str], pd.DataFrame] | None = None,
                 remote_refresh_s: float = _REMOTE_REFRESH_S) -> None:
        if remote_refresh_s < 0:
            raise ValueError(f"remote_refresh_s must be >= 0, got {remote_refresh_s}")
        self.lake = lake
        self.remote_refresh_s = remote_refresh_s
        self._remote = storage.is_remote(lake)
        self._listings = _LRU(cache_size)
        self._listing_ids = itertools.count()
        self.config = config or SignalsConfig()
        self._bars = _LRU(cache_size)
        self._signals = _LRU(cache_size)
        self._answers = _LRU(cache_size)
        self._encoded = _LRU(cache_size)
        self._digests = _LRU(cache_size)
        self._compute = compute or self._engine
        self.computations = 0

    def _engine(self, bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
        return generate_signals(bars, config=self.config, timeframe=timeframe)

    # ---------------------------------------------------------------- lake
    def symbols(self, timeframe: str) -> list[str]:
        return list_symbols(self.lake, timeframe=timeframe)

    def describe(self, timeframe: str) -> list[dict[str, Any]]:
        return [{"symbol": p.symbol, "start": p.start, "end": p.end, "rows": p.rows}
                for p in describe_lake(self.lake) if p.timeframe == timeframe]

    def _fingerprint(self, symbol: str, timeframe: str, *, cached_only: bool = False
                     ) -> tuple[Any, ...] | None:
        """Return what identifies the partition's current content (empty: no partition).

        ``cached_only``: None instead of a new object-store listing (local lakes are listed).
        """
        directory = partition_dir(self.lake, symbol=symbol, timeframe=timeframe)
        now = time.monotonic()
        if self._remote:
            cached = self._listings.get((symbol, timeframe))
            if cached is not None and now < cached[0]:
                return cached[1]
            if cached_only:
                return None
        entries = [e for e in storage.scandir(directory, "part-*.parquet") if not e.is_dir]
        fingerprint: tuple[Any, ...] = tuple((e.name, e.size, e.mtime_ns) for e in entries)
        wall = time.time_ns()
        if any(e.coarse_mtime and wall - (e.mtime_ns or 0) < _COARSE_WINDOW_NS for e in entries):
            fingerprint = (*fingerprint, ("unsettled", next(self._listing_ids)))  # see module docstring
        if self._remote:
            self._listings.put((symbol, timeframe), (now + self.remote_refresh_s, fingerprint))
        return fingerprint

    def bars(self, symbol: str, timeframe: str) -> pd.DataFrame:
        """Return the symbol's bars, re-read only when its partition listing changed."""
        found = self._bars_of(symbol, timeframe, cached_only=False)
        assert found is not None
        return found[0]

    def _bars_of(self, symbol: str, timeframe: str, *, cached_only: bool
                 ) -> tuple[pd.DataFrame, tuple[Any, ...]] | None:
        """``(bars, key of this listing)``, or None when ``cached_only`` and not in memory."""
        fingerprint = self._fingerprint(symbol, timeframe, cached_only=cached_only)
        if fingerprint is None:
            return None
        if not fingerprint:
            raise NotFoundError(f"unknown symbol {symbol!r} for timeframe {timeframe} in the lake; "
                                "GET /v1/symbols lists what is there")
        key = (symbol, timeframe, fingerprint)
        cached = self._bars.get(key)
        if cached is None:
            if cached_only:
                return None
            cached = read_bars(self.lake, symbol=symbol, timeframe=timeframe)
            self._bars.put(key, cached)
        return cached, key

    # ---------------------------------------------------------------- signals
    def _window(self, symbol: str, timeframe: str, as_of: Any, *, cached_only: bool = False
                ) -> tuple[pd.DataFrame, tuple[Any, ...]] | None:
        """``(bars <= as_of, key of their content)``; the key is what the caches below use."""
        found = self._bars_of(symbol, timeframe, cached_only=cached_only)
        if found is None:
            return None
        bars, listing = found
        if as_of is not None:
            bars = bars.loc[: _utc(as_of)]
            if bars.empty:
                raise NotFoundError(f"{symbol}: no bars at or before as_of={_utc(as_of).isoformat()}; "
                                    "pick a later as_of (GET /v1/symbols shows the first bar)")
        # A digest of the window's content, computed once per listing and window length: a
        # corrected historical bar (an import with --replace) changes it, while bars appended
        # after as_of leave it, so a point-in-time answer is reused after new bars land.
        digest = self._digests.get((listing, len(bars)))
        if digest is None:
            hashed = pd.util.hash_pandas_object(bars, index=True).to_numpy()
            digest = hashlib.blake2b(hashed.tobytes(), digest_size=16).hexdigest()
            self._digests.put((listing, len(bars)), digest)
        return bars, (symbol, timeframe, bars.index[-1], len(bars), digest)

    def signals(self, symbol: str, timeframe: str, as_of: Any = None) -> tuple[pd.DataFrame, bool]:
        """Return ``(signals frame, cache hit)`` computed from bars ``<= as_of`` (all if None)."""
        bars, key = self._checked_window(symbol, timeframe, as_of)
        frame = self._signals.get(key)
        if frame is not None:
            return frame, True
        frame = self._compute(bars, timeframe)
        self.computations += 1
        self._signals.put(key, frame)
        return frame, False

    def lookup(self, symbol: str, timeframe: str, as_of: Any = None) -> dict[str, Any]:
        """Return the explained signal of the last signalled bar ``<= as_of`` as JSON-able data.

        The answer depends only on the bar window, so it is cached with it (the hot path of a
        polling dashboard then costs a file stat and a dict copy).
        """
        _, key = self._checked_window(symbol, timeframe, as_of)
        when = None if as_of is None else _utc(as_of).to_pydatetime()
        answer = self._answers.get(key)
        if answer is not None:
            return {**answer, "as_of": when, "cache": "hit"}
        frame, hit = self.signals(symbol, timeframe, as_of)
        answer = self._answer(frame, symbol, timeframe)
        self._answers.put(key, answer)
        return {**answer, "as_of": when, "cache": "hit" if hit else "miss"}

    def encoded(self, symbol: str, timeframe: str, as_of: Any = None, *, cached_only: bool = False
                ) -> EncodedSignal | None:
        """:meth:`lookup` as the JSON of :class:`SignalResponse`, kept per bar window and as_of.

        ``cached_only=True`` touches no object store and reads no file: it answers from memory
        (after a local directory listing) or returns None, so it may run on an event loop.
        """
        window = self._window(symbol, timeframe, as_of, cached_only=cached_only)
        if window is None:
            return None
        when = None if as_of is None else _utc(as_of).to_pydatetime()
        key = (window[1], when)
        found = self._encoded.get(key)
        if found is not None or cached_only:
            return found
        out = self.lookup(symbol, timeframe, as_of)
        label = str(out["signal"])
        hit = EncodedSignal(_encode({**out, "cache": "hit"}), label, "hit")
        self._encoded.put(key, hit)
        return hit if out["cache"] == "hit" else EncodedSignal(_encode(out), label, "miss")

    def _checked_window(self, symbol: str, timeframe: str, as_of: Any
                        ) -> tuple[pd.DataFrame, tuple[Any, ...]]:
        window = self._window(symbol, timeframe, as_of)
        assert window is not None
        return window

    @staticmethod
    def _answer(frame: pd.DataFrame, symbol: str, timeframe: str) -> dict[str, Any]:
        has = frame["signal"].notna().to_numpy().nonzero()[0]
        if not has.size:
            raise DataError(f"{symbol}: all {len(frame)} bars up to {frame.index[-1].isoformat()} are "
                            "still in the indicators' warm-up; import more history or pick a later as_of")
        row = frame.iloc[int(has[-1])]
        missing = str(row.get("missing_components") or "")
        return {
            "symbol": symbol, "timeframe": timeframe,
            "timestamp": row.name.to_pydatetime(), "last_bar": frame.index[-1].to_pydatetime(),
            "bars_used": len(frame), "close": _num(row.get("close")),
            "signal": row["signal"], "confluence_score": _num(row["confluence_score"]),
            "confidence": _num(row.get("confidence")), "coverage": _num(row.get("coverage")),
            "agreement": _num(row.get("agreement")),
            "components": {c: _num(row.get(f"score_{c}")) for c in COMPONENT_NAMES},
            "contributions": {c: _num(row.get(f"contrib_{c}")) for c in COMPONENT_NAMES},
            "missing_components": [m.strip() for m in missing.split(",") if m.strip()],
            "explanation": str(row.get("explanation", "")),
        }

    def latest_table(self, timeframe: str, *, limit: int) -> list[dict[str, Any]]:
        """Return the latest signal of up to ``limit`` symbols (errors become a row note)."""
        rows = []
        for symbol in self.symbols(timeframe)[:limit]:
            try:
                rows.append(self.lookup(symbol, timeframe))
            except DataError as exc:
                rows.append({"symbol": symbol, "signal": None, "explanation": str(exc)})
        return rows
