"""The indicator vocabulary: family names, TA-Lib default params, output names, constraints.

This is the single source of truth for what an indicator spec (``features.indicators``) may
say. It is data only, at the config layer, so :func:`~trading_signals.config.load_config`
rejects an unknown family, an unknown or out-of-range parameter, or two specs producing the
same column, naming the key path, before any work starts. The feature layer builds its kernel
registry on it (:mod:`trading_signals.features._kernels_registry` adds only the kernel ids and
fails at import if the two name sets ever differ).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trading_signals.config._base import KeyPathError

#: Largest integer parameter (a period) accepted in a spec.
MAX_PERIOD = 100_000


@dataclass(frozen=True)
class IndicatorFamily:
    """One indicator family: defaults, output column templates and naming rules."""

    params: dict[str, int | float]  # defaults (TA-Lib's), in kernel order; ints before floats
    outputs: tuple[str, ...]  # column templates; {s} is the param suffix
    keys: tuple[str, ...]  # short output keys used with a multi-column alias
    period_suffix: bool  # True: suffix "_<timeperiod>"; False: "" at defaults else "_<values>"
    doc: str
    minimum: int = 2


VOCABULARY: dict[str, IndicatorFamily] = {
    "sma": IndicatorFamily({"timeperiod": 30}, ("sma{s}",), ("sma",), True, "SMA(close)"),
    "ema": IndicatorFamily({"timeperiod": 30}, ("ema{s}",), ("ema",), True, "EMA(close), SMA seed"),
    "rsi": IndicatorFamily({"timeperiod": 14}, ("rsi{s}",), ("rsi",), True, "Wilder RSI(close)"),
    "macd": IndicatorFamily(
        {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9},
        ("macd{s}", "macd_signal{s}", "macd_hist{s}"),
        ("macd", "signal", "hist"),
        False,
        "MACD(close): EMA_fast - EMA_slow, EMA signal, histogram",
    ),
    "bbands": IndicatorFamily(
        {"timeperiod": 5, "nbdevup": 2.0, "nbdevdn": 2.0},
        ("bb_upper{s}", "bb_middle{s}", "bb_lower{s}"),
        ("upper", "middle", "lower"),
        True,
        "Bollinger bands: SMA +/- nbdev * population stddev",
    ),
    "atr": IndicatorFamily({"timeperiod": 14}, ("atr{s}",), ("atr",), True, "Wilder ATR"),
    "natr": IndicatorFamily({"timeperiod": 14}, ("natr{s}",), ("natr",), True, "100*ATR/close"),
    "adx": IndicatorFamily(
        {"timeperiod": 14},
        ("adx{s}", "plus_di{s}", "minus_di{s}"),
        ("adx", "plus_di", "minus_di"),
        True,
        "Wilder ADX with +DI and -DI",
    ),
    "stoch": IndicatorFamily(
        {"fastk_period": 5, "slowk_period": 3, "slowd_period": 3},
        ("stoch_k{s}", "stoch_d{s}"),
        ("k", "d"),
        False,
        "slow stochastic, SMA smoothing",
        minimum=1,
    ),
    "cci": IndicatorFamily({"timeperiod": 14}, ("cci{s}",), ("cci",), True, "CCI(typical price)"),
    "obv": IndicatorFamily({}, ("obv{s}",), ("obv",), False, "on-balance volume"),
    "mfi": IndicatorFamily(
        {"timeperiod": 14},
        ("mfi{s}",),
        ("mfi",),
        True,
        "money flow index; a typical-price change <= 1e-14 x (abs(tp) + abs(prev)) is no flow",
    ),
    "willr": IndicatorFamily({"timeperiod": 14}, ("willr{s}",), ("willr",), True, "Williams %R"),
    "roc": IndicatorFamily({"timeperiod": 10}, ("roc{s}",), ("roc",), True, "rate of change %", 1),
    "mom": IndicatorFamily({"timeperiod": 10}, ("mom{s}",), ("mom",), True, "momentum", 1),
    "aroon": IndicatorFamily(
        {"timeperiod": 14},
        ("aroon_up{s}", "aroon_down{s}"),
        ("up", "down"),
        True,
        "Aroon up/down",
    ),
    "ad": IndicatorFamily({}, ("ad{s}",), ("ad",), False, "Chaikin A/D line"),
    "adosc": IndicatorFamily(
        {"fastperiod": 3, "slowperiod": 10},
        ("adosc{s}",),
        ("adosc",),
        False,
        "Chaikin A/D oscillator",
    ),
    "trix": IndicatorFamily({"timeperiod": 30}, ("trix{s}",), ("trix",), True, "1-bar ROC of EMA^3"
    ),
    "ultosc": IndicatorFamily(
        {"timeperiod1": 7, "timeperiod2": 14, "timeperiod3": 28},
        ("ultosc{s}",),
        ("ultosc",),
        False,
        "ultimate oscillator",
        minimum=1,
    ),
    "sar": IndicatorFamily(
        {"acceleration": 0.02, "maximum": 0.2},
        ("sar{s}",),
        ("sar",),
        False,
        "parabolic SAR",
    ),
    "stddev": IndicatorFamily(
        {"timeperiod": 5, "nbdev": 1.0},
        ("stddev{s}",),
        ("stddev",),
        True,
        "population stddev(close) * nbdev",
    ),
    "linreg_slope": IndicatorFamily(
        {"timeperiod": 14},
        ("linreg_slope{s}",),
        ("linreg_slope",),
        True,
        "least-squares slope of close",
    ),
    "vwap": IndicatorFamily(
        {"timeperiod": 20},
        ("vwap{s}",),
        ("vwap",),
        True,
        "rolling sum(typical*volume)/sum(volume); NaN when the window has no volume",
    ),
    "donchian": IndicatorFamily(
        {"timeperiod": 20},
        ("donchian_upper{s}", "donchian_lower{s}"),
        ("upper", "lower"),
        True,
        "rolling max(high) / min(low), current bar included",
    ),
    "keltner": IndicatorFamily(
        {"timeperiod": 20, "atr_period": 10, "multiplier": 2.0},
        ("keltner_upper{s}", "keltner_lower{s}"),
        ("upper", "lower"),
        True,
        "EMA_n(close) +/- multiplier * ATR_atr_period",
    ),
}


#: Family names accepted in a spec, in registry order.
INDICATOR_NAMES: tuple[str, ...] = tuple(VOCABULARY)


def family(name: str) -> IndicatorFamily:
    """Return the family ``name`` (lower case) or raise :class:`KeyPathError` at ``name``."""
    fam = VOCABULARY.get(name)
    if fam is None:
        raise KeyPathError("name", f"unknown indicator {name!r}; valid names: "
                           f"{', '.join(INDICATOR_NAMES)}", name)
    return fam


def resolve_params(name: str, params: Mapping[str, Any]) -> dict[str, int | float]:
    """Return ``params`` completed with the family's defaults, checked, in kernel order.

    Raises
    ------
    KeyPathError
        At ``name`` (unknown family), ``params`` (unknown keys, listing the valid ones) or
        ``params.<key>`` (wrong type or out of range; cross-parameter rules).

    Examples
    --------
    >>> resolve_params("bbands", {"timeperiod": 20})
    {'timeperiod': 20, 'nbdevup': 2.0, 'nbdevdn': 2.0}
    """
    fam = family(name)
    unknown = sorted(set(params) - set(fam.params))
    if unknown:
        raise KeyPathError("params", f"unknown param(s) {unknown} for {name}; valid params: "
                           f"{sorted(fam.params) or 'none'}", dict(params))
    out: dict[str, int | float] = {}
    for key, default in fam.params.items():
        value = params.get(key, default)
        if isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise KeyPathError(f"params.{key}", "expected an integer", value)
            if not fam.minimum <= value <= MAX_PERIOD:
                raise KeyPathError(f"params.{key}", f"must be in [{fam.minimum}, {MAX_PERIOD}]",
                                   value)
            out[key] = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0:
                raise KeyPathError(f"params.{key}", "expected a positive number", value)
            out[key] = float(value)
    _family_rules(name, out)
    return out


def _family_rules(name: str, p: Mapping[str, int | float]) -> None:
    if name in ("macd", "adosc") and not p["fastperiod"] < p["slowperiod"]:
        raise KeyPathError("params.fastperiod", f"must be < slowperiod ({p['slowperiod']})",
                           p["fastperiod"])
    if name == "ultosc" and not p["timeperiod1"] < p["timeperiod2"] < p["timeperiod3"]:
        raise KeyPathError("params", "need timeperiod1 < timeperiod2 < timeperiod3", dict(p))


def suffix(fam: IndicatorFamily, params: Mapping[str, int | float]) -> str:
    """Return the column suffix of a family at resolved ``params`` (``_14``, ``_5_26_9``, '')."""
    if fam.period_suffix:
        return f"_{params['timeperiod']}"
    if dict(params) == fam.params:
        return ""
    return "_" + "_".join(f"{v:g}" if isinstance(v, float) else str(v) for v in params.values())


def output_columns(name: str, params: Mapping[str, int | float], alias: str | None) -> list[str]:
    """Return the columns one spec item produces (``params`` resolved)."""
    fam = family(name)
    if alias is None:
        return [t.format(s=suffix(fam, params)) for t in fam.outputs]
    if len(fam.outputs) == 1:
        return [alias]
    return [f"{alias}_{k}" for k in fam.keys]


def duplicate_columns(items: Sequence[Any]) -> list[str]:
    """Return the output columns produced more than once by validated spec ``items``."""
    return sorted({c for _, c, _ in _clashes(items)})


def check_unique_columns(items: Sequence[Any]) -> None:
    """Raise :class:`KeyPathError` at ``<i>.alias`` for the first item repeating a column."""
    for pos, column, first in _clashes(items):
        raise KeyPathError(f"{pos}.alias", f"produces column {column!r} like item {first} "
                           "does; give one of them an alias", items[pos].alias)


def _clashes(items: Sequence[Any]) -> list[tuple[int, str, int]]:
    seen: dict[str, int] = {}
    out = []
    for pos, item in enumerate(items):
        params = resolve_params(item.name, item.params)
        for column in output_columns(item.name, params, item.alias):
            if column in seen:
                out.append((pos, column, seen[column]))
            seen.setdefault(column, pos)
    return out
