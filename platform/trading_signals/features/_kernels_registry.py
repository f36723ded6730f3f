"""Indicator kernel registry: the config vocabulary of families plus each family's kernel id.

Names, default params, output templates and constraints are declared once, at the config layer
(:data:`trading_signals.config.indicators.VOCABULARY`), so ``load_config`` can check a spec
without importing the feature layer; this module adds only the numba kernel id of each family
and refuses to import if the two name sets differ. Consumed by
:mod:`trading_signals.features.indicator_spec` (spec compiling and column naming).
"""

from __future__ import annotations

from dataclasses import dataclass

from trading_signals.config.indicators import VOCABULARY, IndicatorFamily
from trading_signals.features import _kernels_plan as kp

_KERNEL_CODES: dict[str, int] = {
    "sma": kp.SMA,
    "ema": kp.EMA,
    "rsi": kp.RSI,
    "macd": kp.MACD,
    "bbands": kp.BBANDS,
    "atr": kp.ATR,
    "natr": kp.NATR,
    "adx": kp.ADX,
    "stoch": kp.STOCH,
    "cci": kp.CCI,
    "obv": kp.OBV,
    "mfi": kp.MFI,
    "willr": kp.WILLR,
    "roc": kp.ROC,
    "mom": kp.MOM,
    "aroon": kp.AROON,
    "ad": kp.AD,
    "adosc": kp.ADOSC,
    "trix": kp.TRIX,
    "ultosc": kp.ULTOSC,
    "sar": kp.SAR,
    "stddev": kp.STDDEV,
    "linreg_slope": kp.LINREG_SLOPE,
    "vwap": kp.VWAP,
    "donchian": kp.DONCHIAN,
    "keltner": kp.KELTNER,
}

if set(_KERNEL_CODES) != set(VOCABULARY):  # one vocabulary: a family needs a name and a kernel
    raise ImportError(
        "indicator kernels and the config vocabulary disagree: kernels without a vocabulary "
        f"entry {sorted(set(_KERNEL_CODES) - set(VOCABULARY))}, vocabulary entries without a "
        f"kernel {sorted(set(VOCABULARY) - set(_KERNEL_CODES))}")


@dataclass(frozen=True)
class Family(IndicatorFamily):
    """A vocabulary entry with its kernel id (``code``)."""

    code: int = -1


FAMILIES: dict[str, Family] = {
    name: Family(**{**vars(fam), "code": _KERNEL_CODES[name]}) for name, fam in VOCABULARY.items()
}
