"""Hypothesis: whatever garbage goes in, the gate neither loses nor duplicates a row."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trading_signals.config.data import GateConfig
from trading_signals.data.files import read_table
from trading_signals.data.gate import run_gate
from trading_signals.data.gate_report import RULES
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import SourceError

DATES = [
    "2024-01-02",
    "2024-01-03",
    "2024-01-04T10:00:00+02:00",
    "2024-01-05 09:00",
    "20240108",
    "1704153600",
]
CELLS = st.one_of(
    st.sampled_from(DATES),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "0", "-1", "1,5", "abc", "None", " 10 "]),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=6),
    st.none(),
    st.floats(min_value=0.5, max_value=200.0),
)
NAMES = [
    "Date",
    "timestamp",
    "Open",
    "open",
    "High",
    "Low",
    "Close",
    "Adj Close",
    "Volume",
    "symbol",
    "row",
    "junk",
]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def garbage_frames(draw: st.DrawFn) -> pd.DataFrame:
    base = ["Date", "Open", "High", "Low", "Close", "Volume"]
    names = draw(
        st.one_of(
            st.just(base), st.just([*base, "symbol"]), st.lists(st.sampled_from(NAMES), max_size=8)
        )
    )
    n = draw(st.integers(min_value=0, max_value=25))
    cols = {}
    for k, name in enumerate(names):
        if name == "symbol":
            values = draw(
                st.lists(
                    st.sampled_from(["AAA", "BBB", "../x", "", None, "a b"]), min_size=n, max_size=n
                )
            )
        else:
            values = draw(st.lists(CELLS, min_size=n, max_size=n))
        cols[k] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(cols) if cols else pd.DataFrame(index=range(n))
    frame.columns = names[: frame.shape[1]]
    return frame


def _assert_accounting(result, n: int) -> None:
    rep = result.report
    assert rep.rows_in == n == rep.rows_clean + rep.rows_quarantined
    rows = [int(r) for r in result.quarantined["row"]]
    rows += [int(r) for rr in result.clean_rows.values() for r in rr]
    assert Counter(rows) == Counter(range(1, n + 1))
    assert all(rule in RULES for cell in result.quarantined["rule"] for rule in cell.split(";"))
    for frame in result.clean.values():
        validate_ohlcv(frame)
        vals = frame.to_numpy()
        assert np.isfinite(vals).all()
        assert (frame[["open", "high", "low", "close"]] > 0).all().all() and (
            frame["volume"] >= 0
        ).all()
        assert (frame["high"] >= frame[["open", "close"]].max(axis=1)).all()
        assert (frame["low"] <= frame[["open", "close"]].min(axis=1)).all()


@SETTINGS
@given(frame=garbage_frames(), symbol=st.sampled_from(["SYM", None, "../up"]), reject=st.booleans())
def test_gate_garbage_frame_every_row_accounted_once(frame, symbol, reject):
    result = run_gate(
        frame, source="garbage", symbol=symbol, config=GateConfig(reject_naive=reject)
    )
    _assert_accounting(result, len(frame))


@SETTINGS
@given(frame=garbage_frames(), tf=st.sampled_from(["1d", "1h", "1w"]))
def test_gate_clean_values_equal_the_raw_numbers(frame, tf):
    result = run_gate(frame, source="garbage", symbol="SYM", timeframe=tf)
    for sym, clean in result.clean.items():
        rows = result.clean_rows[sym] - 1
        for col in ("open", "close"):
            raw_col = next(c for c in frame.columns if str(c).lower() == col)
            raw_vals = pd.to_numeric(
                frame[raw_col].iloc[rows].astype(str).str.strip(), errors="coerce"
            )
            assert np.array_equal(clean[col].to_numpy(), raw_vals.to_numpy(dtype=float))


@SETTINGS
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list('ab1,;.\t-:" \n')), max_size=30), max_size=12
    )
)
def test_read_table_then_gate_never_loses_csv_records(lines):
    text = "Date,Open,High,Low,Close,Volume\n" + "\n".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.csv"
        path.write_text(text, encoding="utf-8")
        try:
            frame = read_table(path)
        except SourceError:
            return
    result = run_gate(frame, source=str(path), symbol="SYM")
    _assert_accounting(result, len(frame))


@SETTINGS
@given(data=st.binary(max_size=200))
def test_read_table_random_bytes_frame_or_source_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.csv"
        path.write_bytes(data)
        try:
            frame = read_table(path)
        except SourceError as exc:
            assert "b.csv" in str(exc)
            return
    _assert_accounting(run_gate(frame, source="b.csv", symbol="SYM"), len(frame))


@SETTINGS
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list("ab1,;.\t- \r")), max_size=20),
        min_size=1,
        max_size=12,
    )
)
def test_read_table_fast_path_equals_exact_csv_parse(lines):
    from trading_signals.data import files

    text = "\n".join(lines) + "\n"
    all_lines = files._split_lines(text)
    nonblank = [ln for ln in all_lines if ln.strip()]
    if not nonblank:
        return
    delim = files.sniff_delimiter(nonblank[:50])
    fast = files._fast_parse(text, all_lines, nonblank, delim)
    if fast is None:
        return
    exact = files._exact_parse(text, Path("x.csv"), [], delim)
    pd.testing.assert_frame_equal(
        fast.reset_index(drop=True),
        exact.reset_index(drop=True),
        check_dtype=False,
        check_column_type=False,
    )


@SETTINGS
@given(
    xs=st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=10),
    junk=st.lists(
        st.text(alphabet=st.sampled_from(list("0123456789.eE+-_ ,xinfINFa")), max_size=8),
        max_size=10,
    ),
)
def test_parse_numbers_round_trips_floats_and_agrees_with_python_float(xs, junk):
    from trading_signals.data.gate_parse import OK, parse_numbers

    nums, codes = parse_numbers(pd.Series([repr(x) for x in xs] + junk, dtype=object))
    assert (codes[: len(xs)] == OK).all() and nums[: len(xs)].tolist() == xs
    for s, v, c in zip(junk, nums[len(xs) :], codes[len(xs) :], strict=True):
        if c == OK:
            assert float(s) == v  # accepted only what Python's float() also reads, same value
