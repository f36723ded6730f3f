"""Build a model panel (features + forward-return label) from canonical bars or a run config.

:func:`build_xy` is the one loader ``tsig train``/``tune``/``evaluate`` and ``jobs/tune.py`` share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from trading_signals.errors import DataError
from trading_signals.models.base import DatasetReport, make_dataset


def build_panel(
    bars: Mapping[str, pd.DataFrame],
    *,
    horizon: int = 1,
    columns: Sequence[str] = (),
    spec: Any = None,
    ml: bool = True,
    higher_timeframes: Sequence[str] = (),
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.Series, DatasetReport]:
    """Return ``(X, y, report)`` for every symbol of ``bars``.

    Parameters
    ----------
    bars
        Canonical OHLCV frames by symbol.
    horizon
        Label = ``close[t+horizon] / close[t] - 1`` (``features.labels.make_labels``).
    columns
        Feature columns to keep (all if empty), after adding ``extra``.
    spec, ml, higher_timeframes
        Passed to ``features.pipeline.compute_features``.
    extra
        Additional wide features (index timestamp, one column per symbol), e.g. the planted
        signal of a synthetic universe; each becomes a column named by its key.

    Notes
    -----
    Features at t use bars up to t (the features layer guarantees it); the label at t is the
    future return and is only ever ``y``. Warm-up rows (NaN features) and the last
    ``horizon`` rows (NaN labels) are dropped and counted in ``report``.
    """
    from trading_signals.features.labels import make_labels
    from trading_signals.features.pipeline import compute_features

    if not bars:
        raise DataError("build_panel: no bars given; load at least one symbol")
    feats: dict[str, pd.DataFrame] = {}
    labels: dict[str, pd.Series] = {}
    for sym, frame in bars.items():
        f = compute_features(frame, spec=spec, ml=ml, higher_timeframes=higher_timeframes)
        for name, wide in (extra or {}).items():
            if sym not in wide.columns:
                raise DataError(f"build_panel: extra feature {name!r} has no column for {sym!r}")
            f[name] = wide[sym].reindex(f.index)
        feats[sym] = f
        labels[sym] = make_labels(frame, horizon=horizon)
    cols = list(columns) if columns else None
    return make_dataset(feats, labels, columns=cols)


def load_bars(cfg: Any) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Return ``(bars by symbol, extra wide features)`` for a run config's ``data`` section.

    ``synthetic``: a seeded universe (with ``planted_ic`` its planted signal is returned as the
    extra feature ``planted``); ``sample``: packaged bars through the data-quality gate;
    ``lake``: bars already imported. ``data.symbols``, ``data.start`` and ``data.end`` filter.

    Raises
    ------
    ConfigError, DataError
        An unknown source, or nothing left after filtering.
    """
    from trading_signals.errors import ConfigError

    data = cfg.data
    extra: dict[str, pd.DataFrame] = {}
    if data.source == "synthetic":
        from trading_signals.data.synthetic import generate_universe

        syn = data.synthetic
        u = generate_universe(syn.n_symbols, syn.n_bars, seed=syn.seed, planted_ic=syn.planted_ic,
                              timeframe=data.timeframe)
        bars = dict(u.bars)
        if syn.planted_ic:
            extra["planted"] = u.signal
    elif data.source == "sample":
        from trading_signals.data.gate import run_gate
        from trading_signals.data.sample import load_sample

        bars = {}
        for raw in load_sample(list(data.symbols) or None):
            res = run_gate(raw.frame, source=raw.source, symbol=raw.symbol, timeframe=raw.timeframe,
                           config=data.gate)
            bars.update(res.clean)
    elif data.source == "lake":
        from trading_signals.data.lake import read_panel

        bars = read_panel(data.lake, timeframe=data.timeframe, symbols=list(data.symbols) or None)
    else:
        raise ConfigError(f"data.source={data.source!r}: import it first (`tsig data import`), "
                          "then use source: lake")
    if data.symbols and data.source != "sample":
        bars = {s: f for s, f in bars.items() if s in set(data.symbols)}
    if data.start or data.end:
        bars = {s: f.loc[data.start:data.end] for s, f in bars.items()}
    if not bars:
        raise DataError(f"data section of {cfg.name!r} produced no bars; check source/symbols/lake")
    return bars, extra


def build_xy(cfg: Any) -> tuple[pd.DataFrame, pd.Series, dict[str, pd.DataFrame], DatasetReport]:
    """Load a run config's bars and build its ``(timestamp, symbol)`` panel.

    Returns ``(X, y, bars, report)`` with the ``features`` and ``models`` sections applied
    (indicator spec, ML features, higher timeframes, label horizon, feature columns).
    """
    bars, extra = load_bars(cfg)
    spec = ([s.model_dump() for s in cfg.features.indicators]
            if cfg.features.indicators is not None else None)
    X, y, report = build_panel(bars, horizon=cfg.models.horizon, columns=cfg.models.features,
                               spec=spec, ml=cfg.features.ml_features,
                               higher_timeframes=cfg.features.higher_timeframes, extra=extra)
    return X, y, bars, report
