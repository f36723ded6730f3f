"""Indicator specs: validate a spec (names, params, aliases) and compile it to a kernel plan.

A spec is a list of ``{name, params, alias}`` items naming registry families
(:mod:`trading_signals.features._kernels_registry`); :func:`compile_spec` checks it and turns it
into the arrays the numba executor runs. Errors name the spec position and list what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from trading_signals.config._base import KeyPathError
from trading_signals.config.features import IndicatorSpec
from trading_signals.config.indicators import duplicate_columns, output_columns, resolve_params
from trading_signals.config.indicators import suffix as _suffix
from trading_signals.errors import ConfigError
from trading_signals.features._kernels_registry import FAMILIES as _FAMILIES

__all__ = [
    "DEFAULT_SPEC",
    "INDICATOR_FAMILIES",
    "INDICATOR_NAMES",
    "IndicatorPlan",
    "available_indicators",
    "compile_spec",
    "plan_for",
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
        err = exc.errors()[0]
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, KeyPathError):  # the vocabulary's check (config.indicators)
            raise ConfigError(f"indicators[{pos}].{inner.path}: {inner.message} "
                              f"(got {inner.got!r})") from exc
        raise ConfigError(f"indicators[{pos}]: {err['msg']} in {dict(item)!r}") from exc


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
    for item in items:
        # IndicatorSpec validated name and params against the vocabulary when it was built.
        fam = _FAMILIES[item.name]
        params = resolve_params(item.name, item.params)
        ints = [v for v in params.values() if isinstance(v, int)]
        floats = [v for v in params.values() if isinstance(v, float)]
        names = output_columns(item.name, params, item.alias)
        codes.append(fam.code)
        ip.append(ints + [0] * (_MAX_PARAMS - len(ints)))
        fp.append(floats + [0.0] * (_MAX_PARAMS - len(floats)))
        first.append(len(columns))
        columns.extend(prefix + n for n in names)
    dupes = duplicate_columns(items)
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


def plan_for(spec: Any, prefix: str = "") -> IndicatorPlan:
    if isinstance(spec, IndicatorPlan):
        return spec
    if spec is None and not prefix:
        return _DEFAULT_PLAN  # the hot path: skip re-validating the default spec per frame
    return compile_spec(spec, prefix=prefix)


def indicator_reference_markdown() -> str:
    """Return the Markdown tables of docs/indicators.md, generated from the family registry.

    Two tables: every family (default params, its columns at those defaults, definition), and
    the default spec (each item and the contract columns it yields). ``tests/unit/features/
    test_indicator_docs.py`` checks that the doc holds exactly this text.
    """
    fams = available_indicators()
    lines = [
        "| family | default params (TA-Lib's) | columns at the defaults | definition |",
        "|---|---|---|---|",
    ]
    for name, info in fams.items():
        params = ", ".join(f"`{k}={v}`" for k, v in info["params"].items()) or "none"
        cols = ", ".join(f"`{c}`" for c in info["outputs"])
        lines.append(f"| `{name}` | {params} | {cols} | {info['definition']} |")
    lines += ["", "| default spec item | contract columns |", "|---|---|"]
    for item in DEFAULT_SPEC:
        cols = compile_spec([item]).columns
        params = ", ".join(f"{k}={v}" for k, v in item.params.items())
        label = f"`{item.name}({params})`"
        lines.append(f"| {label} | {', '.join(f'`{c}`' for c in cols)} |")
    return "\n".join(lines) + "\n"
