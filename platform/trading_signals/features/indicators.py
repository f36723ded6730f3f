"""Technical-indicator engine: a registry of indicator families run by fused numba kernels.

``compute_indicators(ohlcv)`` returns the contract columns (``sma_10`` ... ``keltner_lower_20``)
on the frame's index. Each family (``sma``, ``macd``, ``bbands``, ...) takes keyword params with
TA-Lib's defaults and yields one or more columns whose names derive from the params. Every column
that TA-Lib also computes reproduces TA-Lib (as called with defaults, unstable period 0): same
warm-up NaNs, same seeding, same zero-division conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from trading_signals._typing import OHLCV_COLUMNS, FloatArray
from trading_signals.config.features import IndicatorSpec
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import ConfigError, DataError
from trading_signals.features import _kernels_plan as kp
from trading_signals.features._kernels_registry import FAMILIES as _FAMILIES
from trading_signals.features._kernels_registry import Family as _Family

__all__ = [
    "DEFAULT_SPEC",
    "INDICATOR_FAMILIES",
    "INDICATOR_NAMES",
    "IndicatorPlan",
    "available_indicators",
    "compile_spec",
    "compute_indicator_arrays",
    "compute_indicator_panel",
    "compute_indicators",
]

_MAX_PARAMS = 4


#: Registry family names accepted in a spec.
INDICATOR_FAMILIES: tuple[str, ...] = tuple(_FAMILIES)

#: The default spec: yields exactly the contract columns of issue #3.
DEFAULT_SPEC: tuple[IndicatorSpec, ...] = tuple(
    IndicatorSpec(name=name, params=params)
    for name, params in [
        *(("sma", {"timeperiod": n}) for n in (10, 20, 50, 200)),
        *(("ema", {"timeperiod": n}) for n in (12, 26, 50)),
        ("rsi", {"timeperiod": 14}),
        ("macd", {}),
        ("bbands", {"timeperiod": 20}),
        ("atr", {"timeperiod": 14}),
        ("natr", {"timeperiod": 14}),
        ("adx", {"timeperiod": 14}),
        ("stoch", {}),
        ("cci", {"timeperiod": 20}),
        ("obv", {}),
        ("mfi", {"timeperiod": 14}),
        ("willr", {"timeperiod": 14}),
        ("roc", {"timeperiod": 10}),
        ("mom", {"timeperiod": 10}),
        ("aroon", {"timeperiod": 25}),
        ("ad", {}),
        ("adosc", {}),
        ("trix", {"timeperiod": 30}),
        ("ultosc", {}),
        ("sar", {}),
        ("stddev", {"timeperiod": 20}),
        ("linreg_slope", {"timeperiod": 14}),
        ("vwap", {"timeperiod": 20}),
        ("donchian", {"timeperiod": 20}),
        ("keltner", {"timeperiod": 20}),
    ]
)


@dataclass(frozen=True)
class IndicatorPlan:
    """A validated spec compiled to kernel arrays: ``columns`` and the executor's inputs."""

    columns: tuple[str, ...]
    codes: np.ndarray
    iparams: np.ndarray
    fparams: np.ndarray
    first_rows: np.ndarray


def available_indicators() -> dict[str, dict[str, Any]]:
    """Return every family with its default params, output columns and a one-line definition.

    >>> available_indicators()["rsi"]["params"]
    {'timeperiod': 14}
    """
    return {
        name: {
            "params": dict(fam.params),
            "outputs": [t.format(s=_suffix(fam, dict(fam.params))) for t in fam.outputs],
            "definition": fam.doc,
        }
        for name, fam in _FAMILIES.items()
    }


def _suffix(fam: _Family, params: Mapping[str, int | float]) -> str:
    if fam.period_suffix:
        return f"_{params['timeperiod']}"
    if dict(params) == fam.params:
        return ""
    return "_" + "_".join(f"{v:g}" if isinstance(v, float) else str(v) for v in params.values())


def _coerce_spec(item: object, pos: int) -> IndicatorSpec:
    if isinstance(item, IndicatorSpec):
        return item
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping):
        raise ConfigError(
            f"indicators[{pos}]: expected a mapping {{name, params, alias}} or a name, "
            f"got {type(item).__name__}"
        )
    try:
        return IndicatorSpec.model_validate(dict(item))
    except ValidationError as exc:
        raise ConfigError(f"indicators[{pos}]: {exc.errors()[0]['msg']} in {dict(item)!r}") from exc


def _resolve_params(spec: IndicatorSpec, fam: _Family, pos: int) -> dict[str, int | float]:
    unknown = sorted(set(spec.params) - set(fam.params))
    if unknown:
        raise ConfigError(
            f"indicators[{pos}] ({spec.name}): unknown param(s) {unknown}; "
            f"valid params: {sorted(fam.params) or 'none'}"
        )
    out: dict[str, int | float] = {}
    for key, default in fam.params.items():
        value = spec.params.get(key, default)
        where = f"indicators[{pos}] ({spec.name}).params.{key}"
        if isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ConfigError(f"{where}: expected an integer, got {value!r}")
            if value < fam.minimum or value > 100_000:
                raise ConfigError(f"{where}: must be in [{fam.minimum}, 100000], got {value}")
            out[key] = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{where}: expected a positive number, got {value!r}")
            out[key] = float(value)
    _check_family_rules(spec.name, out, pos)
    return out


def _check_family_rules(name: str, p: Mapping[str, int | float], pos: int) -> None:
    where = f"indicators[{pos}] ({name})"
    if name == "macd" and not p["fastperiod"] < p["slowperiod"]:
        raise ConfigError(f"{where}: fastperiod must be < slowperiod, got {dict(p)}")
    if name == "adosc" and not p["fastperiod"] < p["slowperiod"]:
        raise ConfigError(f"{where}: fastperiod must be < slowperiod, got {dict(p)}")
    if name == "ultosc" and not p["timeperiod1"] < p["timeperiod2"] < p["timeperiod3"]:
        raise ConfigError(f"{where}: need timeperiod1 < timeperiod2 < timeperiod3, got {dict(p)}")


def compile_spec(
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | None = None, *, prefix: str = ""
) -> IndicatorPlan:
    """Validate ``spec`` and compile it to the arrays the numba executor runs.

    Parameters
    ----------
    spec
        ``None`` for :data:`DEFAULT_SPEC`, else a sequence of :class:`IndicatorSpec`, mappings
        ``{name, params, alias}`` or bare family names.
    prefix
        String prepended to every output column.

    Raises
    ------
    ConfigError
        On an unknown family (the message lists the valid ones), an unknown or out-of-range
        param, or two specs producing the same column name (use ``alias``).
    """
    if isinstance(spec, (str, Mapping, IndicatorSpec)):
        raise ConfigError(
            "indicators: expected a list of specs, got a single spec; wrap it in [...]"
        )
    items = DEFAULT_SPEC if spec is None else [_coerce_spec(s, i) for i, s in enumerate(spec)]
    codes: list[int] = []
    ip: list[list[int]] = []
    fp: list[list[float]] = []
    first: list[int] = []
    columns: list[str] = []
    for pos, item in enumerate(items):
        fam = _FAMILIES.get(item.name)
        if fam is None:
            raise ConfigError(
                f"indicators[{pos}]: unknown indicator {item.name!r}; "
                f"valid names: {', '.join(INDICATOR_FAMILIES)}"
            )
        params = _resolve_params(item, fam, pos)
        ints = [v for v in params.values() if isinstance(v, int)]
        floats = [v for v in params.values() if isinstance(v, float)]
        if item.alias is None:
            names = [t.format(s=_suffix(fam, params)) for t in fam.outputs]
        elif len(fam.outputs) == 1:
            names = [item.alias]
        else:
            names = [f"{item.alias}_{k}" for k in fam.keys]
        codes.append(fam.code)
        ip.append(ints + [0] * (_MAX_PARAMS - len(ints)))
        fp.append(floats + [0.0] * (_MAX_PARAMS - len(floats)))
        first.append(len(columns))
        columns.extend(prefix + n for n in names)
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise ConfigError(f"indicators: duplicate output column(s) {dupes}; give one spec an alias")
    return IndicatorPlan(
        columns=tuple(columns),
        codes=np.asarray(codes, dtype=np.int64),
        iparams=np.asarray(ip, dtype=np.int64).reshape(-1, _MAX_PARAMS),
        fparams=np.asarray(fp, dtype=np.float64).reshape(-1, _MAX_PARAMS),
        first_rows=np.asarray(first, dtype=np.int64),
    )


_DEFAULT_PLAN = compile_spec(None)

#: The contract column names produced by the default spec, in order.
INDICATOR_NAMES: tuple[str, ...] = _DEFAULT_PLAN.columns


def _execute(kernel: Any, arrs: Sequence[FloatArray], plan: IndicatorPlan, out: FloatArray) -> None:
    # One typed call site for the numba dispatchers (mypy cannot see their signatures).
    o, h, lo, c, v = arrs
    kernel(o, h, lo, c, v, plan.codes, plan.iparams, plan.fparams, plan.first_rows, out)


def _plan_for(spec: Any, prefix: str = "") -> IndicatorPlan:
    if isinstance(spec, IndicatorPlan):
        return spec
    if spec is None and not prefix:
        return _DEFAULT_PLAN  # the hot path: skip re-validating the default spec per frame
    return compile_spec(spec, prefix=prefix)


def compute_indicators(
    ohlcv: pd.DataFrame,
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | None = None,
    *,
    prefix: str = "",
) -> pd.DataFrame:
    """Compute technical indicators on a canonical OHLCV frame.

    Parameters
    ----------
    ohlcv
        Canonical frame (see :func:`trading_signals.data.schema.validate_ohlcv`).
    spec
        ``None`` for the full default set (:data:`INDICATOR_NAMES`), else a sequence of
        :class:`IndicatorSpec` / ``{name, params, alias}`` mappings / family names.
    prefix
        String prepended to every output column.

    Returns
    -------
    pandas.DataFrame
        float64 columns on ``ohlcv.index``; NaN during each indicator's warm-up, exactly where
        TA-Lib has NaN.

    Raises
    ------
    ConfigError
        If the spec is invalid (unknown names are listed with the valid ones).
    DataError
        If ``ohlcv`` is not a canonical frame.

    Notes
    -----
    No look-ahead: the value at bar t uses bars up to and including t only. A bar with any NaN
    field is a gap: its outputs are NaN and the indicators restart after it, as if the series
    began at the next complete bar (TA-Lib instead lets one NaN poison every later value of a
    recursive indicator). Leading NaN bars therefore match TA-Lib exactly.

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> bars = generate_universe(1, 300, seed=1).bars["SYN0000"]
    >>> compute_indicators(bars, [{"name": "rsi", "params": {"timeperiod": 14}}]).columns.tolist()
    ['rsi_14']
    """
    frame = validate_ohlcv(ohlcv, name="ohlcv")
    plan = _plan_for(spec, prefix)
    arrays = [np.ascontiguousarray(frame[c].to_numpy(dtype=np.float64)) for c in OHLCV_COLUMNS]
    out = np.empty((len(plan.columns), len(frame)), dtype=np.float64)
    _execute(kp.run_plan, arrays, plan, out)
    # out.T is one F-ordered block: pandas wraps it without a copy. Building the column Index
    # from strings costs more than that (~35 us), so it is cached per plan and copied (a
    # caller may rename ``columns`` in place).
    columns = _column_index(plan.columns).copy()
    return pd.DataFrame(out.T, index=frame.index, columns=columns, copy=False)


@lru_cache(maxsize=64)
def _column_index(columns: tuple[str, ...]) -> pd.Index:
    return pd.Index(columns, dtype=object)


def compute_indicator_arrays(
    open_: FloatArray,
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    volume: FloatArray,
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | IndicatorPlan | None = None,
) -> tuple[tuple[str, ...], FloatArray]:
    """Compute indicators for a panel of symbols in one compiled call (the 2-D fast path).

    Parameters
    ----------
    open_, high, low, close, volume
        Arrays of shape ``(n_symbols, n_bars)`` (or ``(n_bars,)`` for one symbol), one row per
        symbol, aligned bars.
    spec
        As in :func:`compute_indicators`, or a precompiled :class:`IndicatorPlan`.

    Returns
    -------
    tuple
        ``(columns, values)`` with ``values`` of shape ``(n_symbols, n_columns, n_bars)``
        (``(n_columns, n_bars)`` for 1-D input); row-for-row identical to
        :func:`compute_indicators`.

    Notes
    -----
    Same look-ahead and NaN-gap semantics as :func:`compute_indicators`.
    """
    plan = _plan_for(spec)
    arrs = _as_arrays(open_, high, low, close, volume, ndims=(1, 2))
    shape = arrs[0].shape
    if len(shape) == 1:
        out = np.empty((len(plan.columns), shape[0]), dtype=np.float64)
        _execute(kp.run_plan, arrs, plan, out)
    else:
        out = np.empty((shape[0], len(plan.columns), shape[1]), dtype=np.float64)
        _execute(kp.run_plan_2d, arrs, plan, out)
    return plan.columns, out


def _as_arrays(*cols: Any, ndims: tuple[int, ...]) -> list[FloatArray]:
    arrs = [np.ascontiguousarray(np.asarray(a, dtype=np.float64)) for a in cols]
    shape = arrs[0].shape
    if any(a.shape != shape for a in arrs) or len(shape) not in ndims:
        raise DataError(
            f"indicator arrays: open/high/low/close/volume must share one shape with "
            f"{' or '.join(map(str, ndims))} dimension(s), got {[a.shape for a in arrs]}"
        )
    return arrs


def compute_indicator_panel(
    open_: FloatArray | pd.DataFrame,
    high: FloatArray | pd.DataFrame,
    low: FloatArray | pd.DataFrame,
    close: FloatArray | pd.DataFrame,
    volume: FloatArray | pd.DataFrame,
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | IndicatorPlan | None = None,
    *,
    out: FloatArray | None = None,
) -> tuple[tuple[str, ...], FloatArray]:
    """Compute indicators on wide panels (bars x symbols), vectorised across symbols.

    Parameters
    ----------
    open_, high, low, close, volume
        Wide arrays or frames of shape ``(n_bars, n_symbols)`` on a shared bar index.
    spec
        As in :func:`compute_indicators`, or a precompiled :class:`IndicatorPlan`.
    out
        Optional preallocated float64 buffer of shape ``(n_columns, n_bars, n_symbols)`` to
        write into (saves the page faults of a fresh multi-hundred-MB result when called in a
        loop over batches).

    Returns
    -------
    tuple
        ``(columns, values)`` with ``values`` of shape ``(n_columns, n_bars, n_symbols)``:
        ``values[i]`` is the wide panel of column ``columns[i]``. Bit-identical to
        :func:`compute_indicators` run symbol by symbol.

    Notes
    -----
    Same look-ahead and NaN-gap semantics as :func:`compute_indicators`. Symbols without NaN
    run in lock-step, in blocks of 128 (SIMD across symbols); a symbol with any NaN bar (e.g.
    listed later) falls back to the per-symbol kernels, which restart after each gap.
    """
    plan = _plan_for(spec)
    arrs = _as_arrays(open_, high, low, close, volume, ndims=(2,))
    n_bars, n_sym = arrs[0].shape
    shape = (len(plan.columns), n_bars, n_sym)
    if out is None:
        out = np.empty(shape, dtype=np.float64)
    elif out.shape != shape or out.dtype != np.float64:
        raise DataError(f"indicator panel: out must be float64 of shape {shape}, got {out.shape}")
    # A lane is dirty if any input has a NaN in it (its running sum is NaN then; opposite
    # infinities land there too and simply take the exact per-symbol path).
    dirty = kp.lane_nan_mask(*arrs)
    if n_sym <= kp.LANE_BLOCK and not dirty.any() and out.flags.c_contiguous:
        _execute(kp.run_lanes, arrs, plan, out)
        return plan.columns, out
    clean = np.flatnonzero(~dirty)
    run_blocks: Any = kp.run_lane_blocks  # untyped kernel-side helper (like ``_execute``)
    run_blocks(arrs, plan.codes, plan.iparams, plan.fparams, plan.first_rows, clean, out)
    col = np.empty((len(plan.columns), n_bars), dtype=np.float64)
    for j in np.flatnonzero(dirty):
        _execute(kp.run_plan, [np.ascontiguousarray(a[:, j]) for a in arrs], plan, col)
        out[:, :, j] = col
    return plan.columns, out
