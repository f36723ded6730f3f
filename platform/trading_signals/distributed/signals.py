"""Ray fan-out of the signals build: one task per symbol, same unit as the serial loop.

Each task runs :func:`trading_signals.data.signals_lake.build_symbol_signals` (read one
partition, generate, write one partition atomically) and returns only its small summary, so
no frame crosses the object store except the (shared, ``ray.put`` once) news table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import ray

from trading_signals.config.sentiment import SentimentConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.signals_lake import build_symbol_signals
from trading_signals.errors import DataError
from trading_signals.signals.components import ModelComponent
from trading_signals.signals.news import score_news


def build_signals_ray(
    lake: str | Path,
    out: str | Path,
    *,
    symbols: Sequence[str],
    timeframe: str = "1d",
    news: pd.DataFrame | None = None,
    config: SignalsConfig | None = None,
    sentiment_config: SentimentConfig | None = None,
    model: ModelComponent | None = None,
    num_cpus: float = 1.0,
) -> list[dict[str, Any]]:
    """Build signals for ``symbols`` as parallel Ray tasks; return summaries in symbol order.

    Equivalent to :func:`trading_signals.data.signals_lake.build_signals_serial` (a test
    checks that both write identical frames). Ray must already be initialised
    (:func:`trading_signals.distributed.runtime.ensure_ray`).

    Notes
    -----
    The lake and output directories must be visible to every worker (local disk on one
    machine; a shared volume on KubeRay).
    """
    if not symbols:
        raise DataError(f"no symbols given for {lake}; pass --symbols or fill the lake first")
    if news is not None:
        news = score_news(news, config=sentiment_config)  # once on the driver, shared by all
    task = ray.remote(num_cpus=num_cpus)(_build_one)
    options = {"timeframe": timeframe, "config": config, "sentiment_config": sentiment_config,
               "model": model}
    news_ref = ray.put(news)  # one copy in the object store, resolved in each task
    refs = [task.remote(str(lake), str(out), s, news_ref, options) for s in symbols]
    return list(ray.get(refs))


def _build_one(
    lake: str, out: str, symbol: str, news: pd.DataFrame | None, options: dict[str, Any]
) -> dict[str, Any]:
    return build_symbol_signals(lake, out, symbol=symbol, news=news, **options)
