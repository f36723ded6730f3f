"""Report handlers for HTTP (``POST /v1/reports``, ``GET /v1/reports/{symbol}``), framework-free.

The serving layer validates the request into :class:`ReportRequest` and calls
:meth:`ReportService.create` / :meth:`ReportService.get`. Reports are cached per
``(symbol, as-of, fundamentals)`` (a date means the end of that UTC day): a report as of a past day never changes (its inputs are
point in time), so the cache needs no expiry, only a size bound (least recently used).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from trading_signals.data.schema import check_symbol
from trading_signals.errors import DataError
from trading_signals.research.documents import parse_as_of
from trading_signals.research.report import ResearchReport, load_bars, write_report


class ReportRequest(BaseModel):
    """Body of ``POST /v1/reports``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(min_length=1, max_length=40, description="Symbol, e.g. SP500")
    as_of: str = Field(description="UTC date or time; a date means the end of that day")
    fundamentals: dict[str, float | int | str] | None = Field(
        None, description="Figures to include verbatim (label -> value)")
    html: bool = Field(False, description="Also return the self-contained HTML page")
    refresh: bool = Field(False, description="Recompute even if cached")

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, v: str) -> str:
        return check_symbol(v)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: str) -> str:
        parse_as_of(v)  # raises DataError (a ValueError: pydantic reports it as a 422)
        return v


class ReportResponse(BaseModel):
    """Body of a report response (``POST /v1/reports``, ``GET /v1/reports/{symbol}``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str
    as_of: str = Field(description="The as-of time used (UTC, inclusive)")
    markdown: str
    sources: list[dict[str, Any]] = Field(description="Numbered sources: n, doc_id, title, "
                                          "source, type, published_at, url")
    metadata: dict[str, Any] = Field(description="writer, model, context_digest, "
                                     "unsupported_figures, bad_citations, flagged, ...")
    cached: bool
    html: str | None = None


class ReportService:
    """Write and cache research reports.

    Parameters
    ----------
    store
        The research store, or a zero-argument factory opening it on first use (Serve replicas
        open it lazily so start-up stays fast).
    lake
        OHLCV lake for the figures (default: packaged sample / demo synthetic bars).
    writer
        A report writer (default: from the environment at each call).
    max_cached
        Reports kept in memory.
    """

    def __init__(self, store: Any | Callable[[], Any], *, lake: str | None = None,
                 writer: Any = None, max_cached: int = 256) -> None:
        is_factory = callable(store) and not hasattr(store, "similarity_search")
        self._factory: Callable[[], Any] | None = store if is_factory else None
        self._store = None if is_factory else store
        self.lake = lake
        self.writer = writer
        self.max_cached = max_cached
        self._cache: OrderedDict[tuple[str, str, str], ResearchReport] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.store_note: str | None = None

    def _open(self) -> Any:
        # A factory is retried until it yields a store (documents may be ingested later).
        if self._factory is not None:
            store = self._factory()
            if store is not None:
                self._store, self._factory = store, None
                self.store_note = None
            return store
        return self._store

    @classmethod
    def from_env(cls, *, lake: str | None = None) -> ReportService:
        """The service of a server: the store of ``TSIG_RAG_STORE``/Pinecone, opened lazily.

        A missing local store is not an error for a server: reports are then written from the
        platform's figures alone, and ``metadata.store`` says why there are no passages.
        """
        from trading_signals.errors import ConfigError
        from trading_signals.research.stores import open_store

        svc: ReportService

        def factory() -> Any:
            try:
                return open_store(must_exist=True)
            except ConfigError as exc:
                svc.store_note = f"none: {exc}"
                return None

        svc = cls(factory, lake=lake)
        return svc

    def create(self, req: ReportRequest) -> dict[str, Any]:
        """Handle ``POST /v1/reports``."""
        report, cached = self._report(req.symbol, req.as_of, req.fundamentals, refresh=req.refresh)
        return _response(report, html=req.html, cached=cached)

    def get(self, symbol: str, as_of: str, *, html: bool = False) -> dict[str, Any]:
        """Handle ``GET /v1/reports/{symbol}?as_of=...`` (cached; written on a miss).

        Raises
        ------
        DataError
            For a bad symbol or as-of (the HTTP layer maps it to a 4xx).
        """
        try:
            req = ReportRequest(symbol=symbol, as_of=as_of, html=html)
        except ValidationError as exc:
            msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DataError(f"bad report request: {msgs}") from exc
        report, cached = self._report(req.symbol, req.as_of, None, refresh=False)
        return _response(report, html=html, cached=cached)

    def _report(self, symbol: str, as_of: str, fundamentals: dict[str, Any] | None, *,
                refresh: bool) -> tuple[ResearchReport, bool]:
        cutoff = parse_as_of(as_of)
        # A date means the end of that UTC day, so date requests share one entry per day; a
        # time is kept exact (rounding it to its day would let later news in).
        key = (symbol, cutoff.isoformat(), _digest(fundamentals))
        with self._lock:
            if not refresh and key in self._cache:
                self._cache.move_to_end(key)
                self.hits += 1
                return self._cache[key], True
            self.misses += 1
        bars = load_bars(symbol, lake=self.lake)
        report = write_report(symbol, cutoff, store=self._open(), bars=bars,
                              fundamentals=fundamentals, writer=self.writer)
        if self.store_note:
            report.metadata["store"] = self.store_note
        with self._lock:
            self._cache[key] = report
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_cached:
                self._cache.popitem(last=False)
        return report, False


def _digest(obj: Any) -> str:
    if not obj:
        return ""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _response(report: ResearchReport, *, html: bool, cached: bool) -> dict[str, Any]:
    out = report.as_dict()
    out["cached"] = cached
    if html:
        out["html"] = report.html()
    return out
