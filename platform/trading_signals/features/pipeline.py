"""The feature pipeline: indicators + ML features + higher-timeframe features, per symbol.

One pure function, :func:`compute_features`, is the unit the workflow's features stage
(:func:`trading_signals.workflow.features.build_features`) runs on every executor (serial or
Ray), through the picklable :class:`FeatureComputer`; that is why both produce identical frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import ConfigError, LookAheadError
from trading_signals.features.labels import LABEL_PREFIX
from trading_signals.features.ml import ML_FEATURE_NAMES, compute_ml_features
from trading_signals.features.timeframes import align_to_base, resample_ohlcv

SpecLike = Sequence[Any] | None
ML_FEATURE_SET = frozenset(ML_FEATURE_NAMES)


def _indicators(ohlcv: pd.DataFrame, spec: SpecLike) -> pd.DataFrame:
    if spec is not None and len(spec) == 0:
        return pd.DataFrame(index=ohlcv.index)
    # Imported here so a broken indicator module cannot break ML-only callers at import time.
    from trading_signals.features.indicators import compute_indicators

    return compute_indicators(ohlcv, spec=list(spec) if spec is not None else None)


def _base_features(ohlcv: pd.DataFrame, *, spec: SpecLike, ml: bool) -> pd.DataFrame:
    parts = [_indicators(ohlcv, spec)]
    if ml:
        # The indicator roc_10 (TA-Lib ROC, percent) is exactly 100x the ML roc_10 (fraction);
        # the ML name wins so roc_5/10/20 share one unit. Alias the indicator to keep both.
        clash = [c for c in parts[0].columns if c in ML_FEATURE_SET]
        parts[0] = parts[0].drop(columns=clash)
        parts.append(compute_ml_features(ohlcv))
    frame = pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise ConfigError(f"feature columns {dup} are produced twice; give one of them an alias")
    return frame


def compute_features(
    ohlcv: pd.DataFrame,
    *,
    spec: SpecLike = None,
    ml: bool = True,
    higher_timeframes: Sequence[str] = (),
) -> pd.DataFrame:
    """Compute the feature frame of one symbol: indicators, ML features, higher-TF features.

    Parameters
    ----------
    ohlcv
        Canonical OHLCV frame of one symbol; ``attrs["timeframe"]`` is needed for
        ``higher_timeframes``.
    spec
        Indicator spec for :func:`trading_signals.features.indicators.compute_indicators`
        (None: the full default set; an empty sequence: no indicators).
    ml
        Include the 17 :data:`~trading_signals.features.ml.ML_FEATURE_NAMES`.
    higher_timeframes
        Coarser timeframes (e.g. ``("1w",)`` for daily bars, ``("4h", "1d")`` for hourly). For
        each, the bars are resampled (:func:`resample_ohlcv`), the same indicator + ML set is
        computed on them, and the result is aligned back with :func:`align_to_base` under
        column names suffixed ``__<tf>`` (e.g. ``rsi_14__1w``).

    Returns
    -------
    DataFrame
        float64 features on ``ohlcv.index`` (NaN during warm-ups): indicator columns, then the
        ML columns, then each higher timeframe's block. Never contains labels. When an
        indicator and an ML feature share a name (the default set's ``roc_10``: TA-Lib ROC in
        percent = 100 x the ML ``roc_10`` fraction), the ML column is kept; alias the indicator
        in ``spec`` (e.g. ``{name: roc, params: {timeperiod: 10}, alias: roc_10_pct}``) to keep
        both.
        ``attrs`` carries ``symbol`` and ``timeframe``.

    Raises
    ------
    ConfigError
        A higher timeframe without a base timeframe, a duplicate column, a bad spec.
    LookAheadError
        If a produced column is named like a forward label (``fwd_...``).

    Notes
    -----
    No look-ahead: base features at bar t use bars ``<= t``; a higher-timeframe value becomes
    visible only at the first base bar that ends at or after the higher bar's end, so changing
    any bar after t never changes a value at or before t (property-tested per column).
    """
    validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
    frame = _base_features(ohlcv, spec=spec, ml=ml)
    base_tf = ohlcv.attrs.get("timeframe")
    parts = [frame]
    for rule in higher_timeframes:
        if base_tf is None:
            raise ConfigError(
                "compute_features: higher_timeframes need the base timeframe; set "
                "ohlcv.attrs['timeframe'] (frames read from the lake carry it)"
            )
        higher_bars = resample_ohlcv(ohlcv, rule, drop_incomplete=True)
        higher = _base_features(higher_bars, spec=spec, ml=ml)
        parts.append(align_to_base(higher, ohlcv.index, higher_rule=rule, base_rule=base_tf))
    out = pd.concat(parts, axis=1) if len(parts) > 1 else frame
    leaked = [c for c in out.columns if str(c).startswith(LABEL_PREFIX)]
    if leaked:
        raise LookAheadError(f"feature columns {leaked} look like forward labels; rename them")
    out = out.astype(np.float64)
    out.index.name = ohlcv.index.name
    out.attrs = {"symbol": ohlcv.attrs.get("symbol"), "timeframe": base_tf}
    return out


@dataclass(frozen=True)
class FeatureComputer:
    """A picklable ``bars -> features`` callable with fixed parameters (for lake loops and Ray).

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> bars = generate_universe(1, 40, seed=0).bars["SYN0000"]
    >>> FeatureComputer(spec=(), ml=True)(bars).shape
    (40, 17)
    """

    spec: tuple[Any, ...] | None = None
    ml: bool = True
    higher_timeframes: tuple[str, ...] = ()

    def __call__(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        return compute_features(
            ohlcv, spec=self.spec, ml=self.ml, higher_timeframes=self.higher_timeframes
        )

    def columns(self) -> tuple[str, ...]:
        """Return the columns :meth:`__call__` produces, in order, without computing anything.

        Used to check an output table's manifest before any partition is written.
        """
        return feature_columns(spec=self.spec, ml=self.ml, higher_timeframes=self.higher_timeframes)

    @classmethod
    def from_config(cls, cfg: Any) -> FeatureComputer:
        """Build from a :class:`trading_signals.config.features.FeaturesConfig`."""
        spec = None if cfg.indicators is None else tuple(_spec_item(s) for s in cfg.indicators)
        return cls(spec=spec, ml=cfg.ml_features, higher_timeframes=tuple(cfg.higher_timeframes))


def feature_columns(*, spec: SpecLike = None, ml: bool = True,
                    higher_timeframes: Sequence[str] = ()) -> tuple[str, ...]:
    """Return the column names :func:`compute_features` gives for these parameters, in order."""
    if spec is not None and len(spec) == 0:
        base: list[str] = []
    else:
        from trading_signals.features.indicators import compile_spec

        base = list(compile_spec(list(spec) if spec is not None else None).columns)
    if ml:
        base = [c for c in base if c not in ML_FEATURE_SET] + list(ML_FEATURE_NAMES)
    return tuple(base + [f"{c}__{rule}" for rule in higher_timeframes for c in base])


def _spec_item(item: Any) -> Any:
    return item.model_dump() if hasattr(item, "model_dump") else item


def features_for_partition(
    source: pd.DataFrame | str | Path,
    *,
    spec: SpecLike = None,
    ml: bool = True,
    higher_timeframes: Sequence[str] = (),
) -> pd.DataFrame:
    """Compute the features of one lake partition, given as a frame or a partition file path.

    A path is read through :func:`trading_signals.data.features_lake.read_partition` (the
    data layer does the I/O); symbol and timeframe come from the partition directory names.

    Notes
    -----
    Same look-ahead semantics as :func:`compute_features`.
    """
    if isinstance(source, pd.DataFrame):
        bars = source
    else:
        from trading_signals.data.features_lake import read_partition

        bars = read_partition(source)
    return compute_features(bars, spec=spec, ml=ml, higher_timeframes=higher_timeframes)
