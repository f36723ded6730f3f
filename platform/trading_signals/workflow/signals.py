"""Signals stage: one symbol's bars (+ news, + model) in, one signals partition out.

The unit of work (:func:`signals_partition`) is what both executors run, so serial and Ray
builds write identical files. News is scored once on the driver and travels inside the
callable (one copy in the Ray object store, not one per task).

When a features table is given (the study passes the one its features stage wrote), the
confluence components read their indicator columns from it (:data:`INDICATOR_INPUTS`, 18 of
the 41 default indicators; ``roc_10`` is recomputed alone because the table's ``roc_10`` is the
ML fraction, not TA-Lib's percent) instead of recomputing every indicator; the values are the
ones ``compute_indicators`` wrote there, so the signals are bit-identical. A table without those
columns (a custom ``features.indicators`` spec) or built from other bars (its manifest's input
fingerprint for the symbol differs from the bars read here) is not used; a table without a
manifest, or that does not record the symbol, is an error.

The signals table carries a manifest too (:mod:`trading_signals.data.table_manifest`): the
producing config is the ``signals`` and ``sentiment`` sections plus the model id; its data
fingerprint covers each symbol's bars partition and the news table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.sentiment import SentimentConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.data import storage
from trading_signals.data.features_lake import FEATURES_TABLE, read_features
from trading_signals.data.fingerprint import input_digests
from trading_signals.data.lake import partition_files, read_bars
from trading_signals.data.schema import same_index
from trading_signals.data.signals_lake import SIGNALS_TABLE, write_signals
from trading_signals.data.table_manifest import (
    TableMismatchError,
    arrow_columns,
    columns_diff,
    forget_symbols,
    new_manifest,
    prepare_write,
    record_symbols,
    require_manifest,
)
from trading_signals.errors import DataError
from trading_signals.features.indicators import compute_indicators
from trading_signals.observability.emit import record_signals
from trading_signals.signals.components import COMPONENT_INPUTS, ModelComponent
from trading_signals.signals.engine import signals_for_symbol
from trading_signals.signals.news import score_news_for_config, sentiment_fn_for
from trading_signals.signals.summary import latest_summary
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor

#: Indicator columns the confluence components read (the rest of a features table is not needed).
INDICATOR_INPUTS: tuple[str, ...] = tuple(sorted(
    {c for cols in COMPONENT_INPUTS.values() for c in cols} - set(OHLCV_COLUMNS)))


def stored_indicators(features: str | None, bars: pd.DataFrame, *, symbol: str,
                      timeframe: str, bars_inputs: dict[str, str] | None = None,
                      ) -> pd.DataFrame | None:
    """Return the components' indicator columns from a features table, or None to compute them.

    Raises
    ------
    TableMismatchError
        When the features table has no manifest or does not record ``symbol``.
    """
    if features is None:
        return None
    manifest = require_manifest(features, FEATURES_TABLE, timeframe, symbol=symbol)
    if not set(INDICATOR_INPUTS) <= set(manifest.get("columns") or {}):
        return None
    if bars_inputs is not None and manifest["symbols"][symbol].get("inputs") != bars_inputs:
        return None  # built from other bars than the ones these signals read
    # ``roc_10`` of a features table is the ML fraction when ML features are on (the ML name
    # wins the clash); the momentum component wants TA-Lib's percent ROC: compute that one.
    stored = [c for c in INDICATOR_INPUTS if c != "roc_10"]
    frame = read_features(features, symbol=symbol, timeframe=timeframe, columns=stored)
    if not same_index(frame.index, bars.index):
        return None
    roc = compute_indicators(bars, [{"name": "roc", "params": {"timeperiod": 10}}])
    return frame.assign(roc_10=roc["roc_10"].to_numpy())


def signals_partition(
    symbol: str,
    *,
    lake: str,
    out: str,
    timeframe: str,
    news: pd.DataFrame | None,
    config: SignalsConfig,
    sentiment_config: SentimentConfig | None,
    model: ModelComponent | None,
    features: str | None = None,
    manifest: dict[str, Any] | None = None,
    news_digest: str | None = None,
) -> dict[str, Any]:
    """Read one symbol's bars, generate its signals, write them; return a small summary.

    ``manifest`` (the signals table's identity) refuses a partition with other columns before
    it is written; the summary's ``inputs`` (bars digests + ``news_digest``) and ``columns``
    go to the table manifest.

    Notes
    -----
    News (a scored ``load_news`` table) is joined by publish time inside the engine's sentiment
    aggregation: an article affects only bars that close after it was published.
    """
    bars_inputs = input_digests([str(f) for f in partition_files(
        lake, timeframe=timeframe, symbols=[symbol])], root=lake)
    bars = read_bars(lake, symbol=symbol, timeframe=timeframe)
    fn = None if news is None else sentiment_fn_for(news, symbol=symbol, timeframe=timeframe,
                                                     config=sentiment_config)
    indicators = stored_indicators(features, bars, symbol=symbol, timeframe=timeframe,
                                   bars_inputs=bars_inputs)
    signals = signals_for_symbol(bars, sentiment_fn=fn, model=model, config=config,
                                 timeframe=timeframe, indicators=indicators)
    path = write_signals(out, signals, symbol=symbol, timeframe=timeframe, manifest=manifest)
    record_signals(symbol, signals)
    if signals["signal"].notna().any():
        summary = latest_summary(signals, symbol=symbol)
    else:
        summary = {"symbol": symbol, "signal": None, "explanation": signals["explanation"].iloc[-1],
                   "rows": len(signals), "signals": 0}
    summary["path"] = str(path)
    summary["indicators"] = "features table" if indicators is not None else "computed"
    summary["inputs"] = {**bars_inputs, **({"news": news_digest} if news_digest else {})}
    summary["columns"] = arrow_columns(storage.read_schema(str(path)))
    return summary


def build_signals(
    config: SignalsConfig,
    sentiment: SentimentConfig | None = None,
    executor: Executor | None = None,
    *,
    lake: str,
    out: str,
    symbols: Sequence[str],
    timeframe: str = "1d",
    news: pd.DataFrame | None = None,
    model: ModelComponent | None = None,
    features: str | None = None,
    progress: Progress | None = None,
    model_id: str | None = None,
    replace: bool = False,
) -> list[dict[str, Any]]:
    """Build the signals table for ``symbols``; return one summary per symbol, in symbol order.

    Parameters
    ----------
    config, sentiment
        The ``signals`` and ``sentiment`` sections.
    executor
        Serial (default) or Ray; identical files either way.
    lake, out
        Bars lake to read and root to write ``signals/timeframe=<tf>/symbol=<SYM>/`` into.
    news
        A ``load_news`` table (scored here once), or None.
    model
        Model component filling the confluence engine's ``model`` score, or None.
    features
        Root of a features table on the same bars (``tsig features --out``): indicator
        columns are read from it rather than recomputed.
    model_id
        Registered model id of ``model`` (part of the table's producing config).
    replace
        Delete a signals table of another config (or without a manifest) under ``out`` for
        ``timeframe`` first, instead of refusing it.

    Raises
    ------
    TableMismatchError
        Before anything is written, when ``out`` holds another signals table for
        ``timeframe`` (other producing config or columns, or no manifest) and ``replace`` is
        False.
    """
    if not symbols:
        raise DataError(f"no symbols given for {lake}; pass --symbols or fill the lake first")
    wanted = _signals_manifest(config, sentiment, timeframe, model, model_id)
    manifest = prepare_write(str(out), wanted, replace=replace)  # before any partition is written
    forget_symbols(str(out), manifest, list(symbols))
    identity = {k: manifest[k] for k in ("table", "timeframe", "config_id", "columns")}
    scored = None if news is None else score_news_for_config(news, config=sentiment)
    digest = None if news is None else hashlib.sha256(
        news.to_json(orient="records", date_format="iso", date_unit="ns").encode()).hexdigest()
    fn = partial(signals_partition, lake=str(lake), out=str(out), timeframe=timeframe, news=scored,
                 config=config, sentiment_config=sentiment, model=model, features=features,
                 manifest=identity, news_digest=digest)
    rows = (executor or SerialExecutor()).map(fn, list(symbols), name="signals", progress=progress)
    written = {r["symbol"]: {"inputs": r.pop("inputs"), "rows": r.get("rows", 0)} for r in rows}
    columns = {r["symbol"]: r.pop("columns") for r in rows}
    first = next(iter(columns.values()), None)
    odd = [sym for sym, cols in columns.items() if cols != first]
    if odd:
        raise TableMismatchError(f"signals of {odd} have other columns than {rows[0]['symbol']}'s "
                                 f"({columns_diff(first or {}, columns[odd[0]])}); not recorded "
                                 f"in the manifest of {out}")
    record_symbols(str(out), wanted, written, first)
    return rows


def _signals_manifest(config: SignalsConfig, sentiment: SentimentConfig | None, timeframe: str,
                      model: ModelComponent | None, model_id: str | None) -> dict[str, Any]:
    # What decides the columns and values of the table, besides the input data.
    if model is not None and model_id is None:
        model_id = type(model).__name__
    producing = {"signals": config.model_dump(mode="json"),
                 "sentiment": None if sentiment is None else sentiment.model_dump(mode="json"),
                 "model": model_id}
    cid = hashlib.sha256(json.dumps(producing, sort_keys=True).encode()).hexdigest()[:12]
    return new_manifest(SIGNALS_TABLE, timeframe, producing, cid, None)
