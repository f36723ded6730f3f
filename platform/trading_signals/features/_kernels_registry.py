"""Indicator family table: registry name -> kernel id, TA-Lib default params and output columns.

Consumed by :mod:`trading_signals.features.indicators` (spec parsing and column naming).
"""

from __future__ import annotations

from dataclasses import dataclass

from trading_signals.features import _kernels_plan as kp


@dataclass(frozen=True)
class Family:
    code: int
    params: dict[str, int | float]  # defaults (TA-Lib's), in kernel order; ints before floats
    outputs: tuple[str, ...]  # column templates; {s} is the param suffix
    keys: tuple[str, ...]  # short output keys used with a multi-column alias
    period_suffix: bool  # True: suffix "_<timeperiod>"; False: "" at defaults else "_<values>"
    doc: str
    minimum: int = 2


FAMILIES: dict[str, Family] = {
    "sma": Family(kp.SMA, {"timeperiod": 30}, ("sma{s}",), ("sma",), True, "SMA(close)"),
    "ema": Family(kp.EMA, {"timeperiod": 30}, ("ema{s}",), ("ema",), True, "EMA(close), SMA seed"),
    "rsi": Family(kp.RSI, {"timeperiod": 14}, ("rsi{s}",), ("rsi",), True, "Wilder RSI(close)"),
    "macd": Family(
        kp.MACD,
        {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9},
        ("macd{s}", "macd_signal{s}", "macd_hist{s}"),
        ("macd", "signal", "hist"),
        False,
        "MACD(close): EMA_fast - EMA_slow, EMA signal, histogram",
    ),
    "bbands": Family(
        kp.BBANDS,
        {"timeperiod": 5, "nbdevup": 2.0, "nbdevdn": 2.0},
        ("bb_upper{s}", "bb_middle{s}", "bb_lower{s}"),
        ("upper", "middle", "lower"),
        True,
        "Bollinger bands: SMA +/- nbdev * population stddev",
    ),
    "atr": Family(kp.ATR, {"timeperiod": 14}, ("atr{s}",), ("atr",), True, "Wilder ATR"),
    "natr": Family(kp.NATR, {"timeperiod": 14}, ("natr{s}",), ("natr",), True, "100*ATR/close"),
    "adx": Family(
        kp.ADX,
        {"timeperiod": 14},
        ("adx{s}", "plus_di{s}", "minus_di{s}"),
        ("adx", "plus_di", "minus_di"),
        True,
        "Wilder ADX with +DI and -DI",
    ),
    "stoch": Family(
        kp.STOCH,
        {"fastk_period": 5, "slowk_period": 3, "slowd_period": 3},
        ("stoch_k{s}", "stoch_d{s}"),
        ("k", "d"),
        False,
        "slow stochastic, SMA smoothing",
        minimum=1,
    ),
    "cci": Family(kp.CCI, {"timeperiod": 14}, ("cci{s}",), ("cci",), True, "CCI(typical price)"),
    "obv": Family(kp.OBV, {}, ("obv{s}",), ("obv",), False, "on-balance volume"),
    "mfi": Family(
        kp.MFI,
        {"timeperiod": 14},
        ("mfi{s}",),
        ("mfi",),
        True,
        "money flow index; a typical-price change <= 1e-14 x (abs(tp) + abs(prev)) is no flow",
    ),
    "willr": Family(kp.WILLR, {"timeperiod": 14}, ("willr{s}",), ("willr",), True, "Williams %R"),
    "roc": Family(kp.ROC, {"timeperiod": 10}, ("roc{s}",), ("roc",), True, "rate of change %", 1),
    "mom": Family(kp.MOM, {"timeperiod": 10}, ("mom{s}",), ("mom",), True, "momentum", 1),
    "aroon": Family(
        kp.AROON,
        {"timeperiod": 14},
        ("aroon_up{s}", "aroon_down{s}"),
        ("up", "down"),
        True,
        "Aroon up/down",
    ),
    "ad": Family(kp.AD, {}, ("ad{s}",), ("ad",), False, "Chaikin A/D line"),
    "adosc": Family(
        kp.ADOSC,
        {"fastperiod": 3, "slowperiod": 10},
        ("adosc{s}",),
        ("adosc",),
        False,
        "Chaikin A/D oscillator",
    ),
    "trix": Family(
        kp.TRIX, {"timeperiod": 30}, ("trix{s}",), ("trix",), True, "1-bar ROC of EMA^3"
    ),
    "ultosc": Family(
        kp.ULTOSC,
        {"timeperiod1": 7, "timeperiod2": 14, "timeperiod3": 28},
        ("ultosc{s}",),
        ("ultosc",),
        False,
        "ultimate oscillator",
        minimum=1,
    ),
    "sar": Family(
        kp.SAR,
        {"acceleration": 0.02, "maximum": 0.2},
        ("sar{s}",),
        ("sar",),
        False,
        "parabolic SAR",
    ),
    "stddev": Family(
        kp.STDDEV,
        {"timeperiod": 5, "nbdev": 1.0},
        ("stddev{s}",),
        ("stddev",),
        True,
        "population stddev(close) * nbdev",
    ),
    "linreg_slope": Family(
        kp.LINREG_SLOPE,
        {"timeperiod": 14},
        ("linreg_slope{s}",),
        ("linreg_slope",),
        True,
        "least-squares slope of close",
    ),
    "vwap": Family(
        kp.VWAP,
        {"timeperiod": 20},
        ("vwap{s}",),
        ("vwap",),
        True,
        "rolling sum(typical*volume)/sum(volume); NaN when the window has no volume",
    ),
    "donchian": Family(
        kp.DONCHIAN,
        {"timeperiod": 20},
        ("donchian_upper{s}", "donchian_lower{s}"),
        ("upper", "lower"),
        True,
        "rolling max(high) / min(low), current bar included",
    ),
    "keltner": Family(
        kp.KELTNER,
        {"timeperiod": 20, "atr_period": 10, "multiplier": 2.0},
        ("keltner_upper{s}", "keltner_lower{s}"),
        ("upper", "lower"),
        True,
        "EMA_n(close) +/- multiplier * ATR_atr_period",
    ),
}
