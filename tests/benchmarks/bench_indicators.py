"""Indicator throughput: our fused numba engine vs TA-Lib and vs plain pandas (same run).

Run: ``NUMBA_NUM_THREADS=1 python tests/benchmarks/bench_indicators.py [--symbols 1000 --bars 2520]``

Prints bars/s (per thread) for
- the full default set (41 columns): ours (per-symbol kernels on arrays and per frame) vs the
  equivalent TA-Lib calls (36 TA-Lib columns; TA-Lib cannot compute VWAP/Donchian/Keltner, so
  TA-Lib does strictly less work);
- a 20-indicator subset: ours vs TA-Lib vs a pandas implementation;
and ratios against TA-Lib measured in the same run (best of ``--repeat``).

``--per-indicator`` adds a breakdown of where the time goes: ns per bar for each family of the
default set, run alone, in TA-Lib and in our per-symbol kernels. Run alone, each family also pays the fixed per-call costs (NaN scan, NaN
heads, cold inputs) that the full set pays once, so the rows sum to more than the full set.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import talib
from trading_signals.data.schema import make_ohlcv
from trading_signals.features.indicators import (
    DEFAULT_SPEC,
    compile_spec,
    compute_indicator_arrays,
    compute_indicators,
)

SUBSET_SPEC = [
    *({"name": "sma", "params": {"timeperiod": n}} for n in (10, 20, 50, 200)),
    *({"name": "ema", "params": {"timeperiod": n}} for n in (12, 26, 50)),
    {"name": "rsi", "params": {"timeperiod": 14}},
    {"name": "macd"},
    {"name": "bbands", "params": {"timeperiod": 20}},
    {"name": "atr", "params": {"timeperiod": 14}},
    {"name": "stoch"},
    {"name": "obv"},
    {"name": "willr", "params": {"timeperiod": 14}},
    {"name": "roc", "params": {"timeperiod": 10}},
    {"name": "mom", "params": {"timeperiod": 10}},
    {"name": "stddev", "params": {"timeperiod": 20}},
    {"name": "ad"},
    {"name": "natr", "params": {"timeperiod": 14}},
    {"name": "mfi", "params": {"timeperiod": 14}},
]


def make_panel(n_sym: int, n_bars: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_sym, n_bars)), axis=1))
    o = c * np.exp(rng.normal(0, 0.01, c.shape))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0, 0.01, c.shape)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0, 0.01, c.shape)))
    v = rng.integers(1, 1_000_000, c.shape).astype(np.float64)
    return {"o": o, "h": h, "l": lo, "c": c, "v": v}


def talib_full(h, lo, c, v) -> list[object]:
    return [
        *(talib.SMA(c, n) for n in (10, 20, 50, 200)),
        *(talib.EMA(c, n) for n in (12, 26, 50)),
        talib.RSI(c, 14),
        talib.MACD(c),
        talib.BBANDS(c, 20, 2, 2),
        talib.ATR(h, lo, c, 14),
        talib.NATR(h, lo, c, 14),
        talib.ADX(h, lo, c, 14),
        talib.PLUS_DI(h, lo, c, 14),
        talib.MINUS_DI(h, lo, c, 14),
        talib.STOCH(h, lo, c),
        talib.CCI(h, lo, c, 20),
        talib.OBV(c, v),
        talib.MFI(h, lo, c, v, 14),
        talib.WILLR(h, lo, c, 14),
        talib.ROC(c, 10),
        talib.MOM(c, 10),
        talib.AROON(h, lo, 25),
        talib.AD(h, lo, c, v),
        talib.ADOSC(h, lo, c, v),
        talib.TRIX(c, 30),
        talib.ULTOSC(h, lo, c),
        talib.SAR(h, lo),
        talib.STDDEV(c, 20),
        talib.LINEARREG_SLOPE(c, 14),
    ]


def talib_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What a user does with TA-Lib per symbol: arrays out of the frame, a frame of results."""
    h, lo, c, v = (frame[k].to_numpy() for k in ("high", "low", "close", "volume"))
    cols: list[np.ndarray] = []
    for r in talib_full(h, lo, c, v):
        cols.extend(r if isinstance(r, tuple) else (r,))  # type: ignore[arg-type]
    return pd.DataFrame(np.column_stack(cols), index=frame.index)


# TA-Lib call(s) per family of the default set, keyed by the spec's name (None: no TA-Lib twin).
TALIB_FAMILY: dict[str, Callable[..., object] | None] = {
    "rsi": lambda h, lo, c, v, n: talib.RSI(c, n),
    "macd": lambda h, lo, c, v, n: talib.MACD(c),
    "bbands": lambda h, lo, c, v, n: talib.BBANDS(c, n, 2, 2),
    "atr": lambda h, lo, c, v, n: talib.ATR(h, lo, c, n),
    "natr": lambda h, lo, c, v, n: talib.NATR(h, lo, c, n),
    "adx": lambda h, lo, c, v, n: (
        talib.ADX(h, lo, c, n),
        talib.PLUS_DI(h, lo, c, n),
        talib.MINUS_DI(h, lo, c, n),
    ),
    "stoch": lambda h, lo, c, v, n: talib.STOCH(h, lo, c),
    "cci": lambda h, lo, c, v, n: talib.CCI(h, lo, c, n),
    "obv": lambda h, lo, c, v, n: talib.OBV(c, v),
    "mfi": lambda h, lo, c, v, n: talib.MFI(h, lo, c, v, n),
    "willr": lambda h, lo, c, v, n: talib.WILLR(h, lo, c, n),
    "roc": lambda h, lo, c, v, n: talib.ROC(c, n),
    "mom": lambda h, lo, c, v, n: talib.MOM(c, n),
    "aroon": lambda h, lo, c, v, n: talib.AROON(h, lo, n),
    "ad": lambda h, lo, c, v, n: talib.AD(h, lo, c, v),
    "adosc": lambda h, lo, c, v, n: talib.ADOSC(h, lo, c, v),
    "trix": lambda h, lo, c, v, n: talib.TRIX(c, n),
    "ultosc": lambda h, lo, c, v, n: talib.ULTOSC(h, lo, c),
    "sar": lambda h, lo, c, v, n: talib.SAR(h, lo),
    "stddev": lambda h, lo, c, v, n: talib.STDDEV(c, n),
    "linreg_slope": lambda h, lo, c, v, n: talib.LINEARREG_SLOPE(c, n),
    "sma": lambda h, lo, c, v, n: talib.SMA(c, n),
    "ema": lambda h, lo, c, v, n: talib.EMA(c, n),
    "vwap": None,
    "donchian": None,
    "keltner": None,
}


def per_indicator(p: dict[str, np.ndarray], n_sym: int, repeat: int) -> None:
    """Print ns/bar per default-spec family: TA-Lib vs our per-symbol kernels."""
    n_bars = p["c"].shape[1]
    rows_in = [p[k][:n_sym] for k in "ohlcv"]
    print("\nper indicator, ns per bar (lower is better)")
    print(f"| {'indicator':<16} | {'TA-Lib':>7} | {'per-symbol':>10} | {'TA/per-sym':>10} |")
    print(f"|{'-' * 18}|{'-' * 9}|{'-' * 12}|{'-' * 12}|")
    totals = np.zeros(2)
    for item in DEFAULT_SPEC:
        plan = compile_spec([item])
        compute_indicator_arrays(*(a[:2] for a in rows_in), plan)  # JIT warm-up / cache load
        n = int(item.params.get("timeperiod", 0))
        ta_fn = TALIB_FAMILY[item.name]
        t_ta = np.nan
        if ta_fn is not None:

            def ta_loop(fn: Callable[..., object] = ta_fn, n: int = n) -> None:
                for i in range(n_sym):
                    fn(p["h"][i], p["l"][i], p["c"][i], p["v"][i], n)

            t_ta = best_of(ta_loop, repeat) / (n_sym * n_bars) * 1e9
        t_sym = best_of(lambda plan=plan: compute_indicator_arrays(*rows_in, plan), repeat)
        t_sym = t_sym / (n_sym * n_bars) * 1e9
        totals += [0.0 if np.isnan(t_ta) else t_ta, t_sym]
        label = item.name + (f"_{n}" if n else "")
        print(f"| {label:<16} | {t_ta:>7.2f} | {t_sym:>10.2f} | {t_ta / t_sym:>9.2f}x |")
    t_ta, t_sym = totals
    print(f"| {'sum':<16} | {t_ta:>7.2f} | {t_sym:>10.2f} | {t_ta / t_sym:>9.2f}x |")


def talib_subset(h, lo, c, v) -> None:  # results discarded
    for n in (10, 20, 50, 200):
        talib.SMA(c, n)
    for n in (12, 26, 50):
        talib.EMA(c, n)
    talib.RSI(c, 14), talib.MACD(c), talib.BBANDS(c, 20, 2, 2), talib.ATR(h, lo, c, 14)
    talib.STOCH(h, lo, c), talib.OBV(c, v), talib.WILLR(h, lo, c, 14), talib.ROC(c, 10)
    talib.MOM(c, 10), talib.STDDEV(c, 20), talib.AD(h, lo, c, v), talib.NATR(h, lo, c, 14)
    talib.MFI(h, lo, c, v, 14)


def _wilder(x: pd.Series, n: int) -> pd.Series:
    seed = x.iloc[1 : n + 1].mean()
    y = x.copy()
    y.iloc[:n] = np.nan
    y.iloc[n] = seed
    return y.ewm(alpha=1.0 / n, adjust=False).mean()


def _ema(x: pd.Series, n: int) -> pd.Series:
    y = x.copy()
    y.iloc[: n - 1] = np.nan
    y.iloc[n - 1] = x.iloc[:n].mean()
    return y.ewm(alpha=2.0 / (n + 1), adjust=False).mean()


def pandas_subset(h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    hs, ls, cs, vs = pd.Series(h), pd.Series(lo), pd.Series(c), pd.Series(v)
    out = {f"sma_{n}": cs.rolling(n).mean() for n in (10, 20, 50, 200)}
    out |= {f"ema_{n}": _ema(cs, n) for n in (12, 26, 50)}
    d = cs.diff()
    gain, loss = _wilder(d.clip(lower=0), 14), _wilder(-d.clip(upper=0), 14)
    out["rsi_14"] = 100 * gain / (gain + loss)
    macd = _ema(cs, 12) - _ema(cs, 26)
    out["macd"], out["macd_signal"] = macd, _ema(macd.dropna(), 9).reindex(cs.index)
    mid, sd = cs.rolling(20).mean(), cs.rolling(20).std(ddof=0)
    out["bb_upper_20"], out["bb_lower_20"] = mid + 2 * sd, mid - 2 * sd
    pc = cs.shift(1)
    tr = pd.concat([hs - ls, (hs - pc).abs(), (ls - pc).abs()], axis=1).max(axis=1)
    out["atr_14"] = _wilder(tr, 14)
    out["natr_14"] = 100 * out["atr_14"] / cs
    hh5, ll5 = hs.rolling(5).max(), ls.rolling(5).min()
    k = 100 * (cs - ll5) / (hh5 - ll5)
    out["stoch_k"] = k.rolling(3).mean()
    out["stoch_d"] = out["stoch_k"].rolling(3).mean()
    out["obv"] = (np.sign(d).fillna(0) * vs).cumsum() + vs.iloc[0]
    hh, ll = hs.rolling(14).max(), ls.rolling(14).min()
    out["willr_14"] = -100 * (hh - cs) / (hh - ll)
    out["roc_10"] = 100 * (cs / cs.shift(10) - 1)
    out["mom_10"] = cs - cs.shift(10)
    out["stddev_20"] = sd
    clv = ((cs - ls) - (hs - cs)) / (hs - ls)
    out["ad"] = (clv * vs).cumsum()
    tp = (hs + ls + cs) / 3
    flow = tp * vs
    dtp = tp.diff()
    pos = flow.where(dtp > 0, 0.0).rolling(14).sum()
    neg = flow.where(dtp < 0, 0.0).rolling(14).sum()
    out["mfi_14"] = 100 * pos / (pos + neg)
    return pd.DataFrame(out)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", type=int, default=1000)
    ap.add_argument("--bars", type=int, default=2520)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pandas-symbols", type=int, default=50)
    ap.add_argument(
        "--per-indicator",
        action="store_true",
        help="also print per-family ns/bar (TA-Lib vs ours) to show where the time goes",
    )
    ap.add_argument("--per-indicator-symbols", type=int, default=200)
    args = ap.parse_args()
    p = make_panel(args.symbols, args.bars)
    n_bars = args.symbols * args.bars
    full_plan, sub_plan = compile_spec(None), compile_spec(SUBSET_SPEC)
    run = compute_indicator_arrays
    for plan in (full_plan, sub_plan):  # JIT warm-up / cache load
        run(*(p[k][:2] for k in "ohlcv"), plan)
    idx = pd.date_range("2000-01-03", periods=args.bars, freq="D", tz="UTC")
    frames = [
        make_ohlcv(idx, *(p[k][i] for k in "ohlcv"), symbol="B", timeframe="1d")
        for i in range(min(args.symbols, 200))
    ]
    n_frames = len(frames) * args.bars

    def talib_loop(fn: Callable[..., object], count: int) -> Callable[[], None]:
        def loop() -> None:  # each symbol's outputs are dropped before the next (cache-hot)
            for i in range(count):
                fn(p["h"][i], p["l"][i], p["c"][i], p["v"][i])

        return loop

    def talib_keep(fn: Callable[..., object], count: int) -> Callable[[], object]:
        return lambda: [fn(p["h"][i], p["l"][i], p["c"][i], p["v"][i]) for i in range(count)]

    rows: list[tuple[str, str, float]] = []
    t_ta = best_of(talib_loop(talib_full, args.symbols), args.repeat) / n_bars
    rows.append(("full set (41 cols)", "TA-Lib, 36 cols, results discarded", t_ta))
    rows.append(
        (
            "full set (41 cols)",
            "TA-Lib, 36 cols, results kept",
            best_of(talib_keep(talib_full, args.symbols), args.repeat) / n_bars,
        )
    )
    rows.append(
        (
            "full set (41 cols)",
            "ours, per-symbol kernels (2-D rows)",
            best_of(lambda: run(*(p[k] for k in "ohlcv"), full_plan), args.repeat) / n_bars,
        )
    )
    rows.append(
        (
            "full set (41 cols)",
            "ours, compute_indicators per frame",
            best_of(lambda: [compute_indicators(f) for f in frames], args.repeat) / n_frames,
        )
    )
    rows.append(
        (
            "full set (41 cols)",
            "TA-Lib per frame, 36 cols into a DataFrame",
            best_of(lambda: [talib_frame(f) for f in frames], args.repeat) / n_frames,
        )
    )
    t_ta_sub = best_of(talib_loop(talib_subset, args.symbols), args.repeat) / n_bars
    rows.append(("20-indicator subset", "TA-Lib", t_ta_sub))
    rows.append(
        (
            "20-indicator subset",
            "ours, per-symbol kernels (2-D rows)",
            best_of(lambda: run(*(p[k] for k in "ohlcv"), sub_plan), args.repeat) / n_bars,
        )
    )
    n_pd = min(args.pandas_symbols, args.symbols)
    t_pd = best_of(
        lambda: [pandas_subset(p["h"][i], p["l"][i], p["c"][i], p["v"][i]) for i in range(n_pd)], 1
    ) / (n_pd * args.bars)
    rows.append(("20-indicator subset", "pandas", t_pd))

    print(
        f"{args.symbols} symbols x {args.bars} bars, NUMBA_NUM_THREADS="
        f"{os.environ['NUMBA_NUM_THREADS']}, best of {args.repeat}"
    )
    print(f"| {'set':<20} | {'engine':<44} | {'M bars/s':>9} | {'vs TA-Lib':>9} |")
    print(f"|{'-' * 22}|{'-' * 46}|{'-' * 11}|{'-' * 11}|")
    for set_name, engine, t in rows:
        ref = t_ta if set_name.startswith("full") else t_ta_sub
        print(f"| {set_name:<20} | {engine:<44} | {1e-6 / t:>9.2f} | {ref / t:>8.2f}x |")
    if args.per_indicator:
        per_indicator(p, min(args.per_indicator_symbols, args.symbols), args.repeat)


if __name__ == "__main__":
    main()
