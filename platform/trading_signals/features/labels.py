"""Forward-return *targets*. They look into the future by design and are never features.

Labels are made only by an explicit call to :func:`make_labels`; nothing in
:mod:`trading_signals.features.pipeline` produces or accepts them. Their column names start with
:data:`LABEL_PREFIX` so the pipeline can refuse a label column that sneaks into a feature frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd

from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import ConfigError

LABEL_PREFIX: Final = "fwd_"
LabelKind = Literal["return", "log_return", "direction"]
_KINDS: Final = ("return", "log_return", "direction")
_PRICES: Final = ("open", "high", "low", "close")


def label_name(*, horizon: int, kind: str = "return") -> str:
    """Return the column name of a label, e.g. ``fwd_return_1``.

    >>> label_name(horizon=5, kind="log_return")
    'fwd_log_return_5'
    """
    return f"{LABEL_PREFIX}{kind}_{horizon}"


def make_labels(
    ohlcv: pd.DataFrame,
    *,
    horizon: int | Sequence[int] = 1,
    kind: LabelKind = "return",
    price: str = "close",
) -> pd.Series | pd.DataFrame:
    """Compute forward-return targets aligned at the decision bar t.

    Parameters
    ----------
    ohlcv
        A canonical OHLCV frame.
    horizon
        Bars ahead (>= 1), or several horizons for a frame with one column per horizon.
    kind
        ``"return"``: ``p[t+h] / p[t] - 1``; ``"log_return"``: ``log(p[t+h] / p[t])``;
        ``"direction"``: ``1.0`` if the forward return is > 0 else ``0.0`` (a flat move is 0).
    price
        The price column ``p`` (``"close"`` by default).

    Returns
    -------
    Series or DataFrame
        Named :func:`label_name` (e.g. ``fwd_return_1``), float64, same index as ``ohlcv``;
        NaN for the last ``h`` bars, where the future is unknown (also for ``"direction"``).

    Raises
    ------
    ConfigError
        If ``horizon`` < 1, or ``kind`` / ``price`` is unknown.

    Notes
    -----
    Look-ahead by design: the value at t uses bar ``t + h``. Use it only as the target ``y`` of
    a model whose features at t use bars ``<= t``, and drop the last ``h`` rows of every training
    window before a walk-forward test window begins (purging), or the final training labels
    overlap the test period.

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> bars = generate_universe(1, 5, seed=0).bars["SYN0000"]
    >>> y = make_labels(bars, horizon=2)
    >>> y.name, int(y.isna().sum())
    ('fwd_return_2', 2)
    """
    validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
    if kind not in _KINDS:
        raise ConfigError(f"make_labels: kind={kind!r} is unknown; use one of {list(_KINDS)}")
    if price not in _PRICES:
        raise ConfigError(f"make_labels: price={price!r} is unknown; use one of {list(_PRICES)}")
    horizons = [horizon] if isinstance(horizon, (int, np.integer)) else list(horizon)
    if not horizons or any(not isinstance(h, (int, np.integer)) or h < 1 for h in horizons):
        raise ConfigError(
            f"make_labels: horizon must be an int >= 1 (or a list of them), got {horizon!r}"
        )
    p = ohlcv[price]
    cols = {label_name(horizon=int(h), kind=kind): _forward(p, int(h), kind) for h in horizons}
    if isinstance(horizon, (int, np.integer)):
        return next(iter(cols.values()))
    return pd.DataFrame(cols, index=ohlcv.index)


def _forward(p: pd.Series, h: int, kind: str) -> pd.Series:
    future = p.shift(-h)
    ratio = future / p.where(p != 0.0)
    if kind == "return":
        out = ratio - 1.0
    elif kind == "log_return":
        out = np.log(ratio)
    else:
        out = (ratio > 1.0).astype(np.float64).where(ratio.notna())
    out = out.astype(np.float64).replace([np.inf, -np.inf], np.nan)
    return out.rename(label_name(horizon=h, kind=kind))
