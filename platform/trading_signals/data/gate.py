"""The data-quality gate: every raw row ends either clean (canonical bars) or quarantined.

``run_gate`` never drops, fixes or invents a value. Rows breaking an error rule are
quarantined with every reason they break; flag-only rules (suspicious jumps, calendar gaps,
re-sorted order, assumed time zones) keep the rows and add warning/info issues. The invariant
``rows_in == rows_clean + rows_quarantined`` holds for any input (a Hypothesis test checks it).
The rule catalogue is :data:`trading_signals.data.gate_report.RULES`.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.data import GateConfig
from trading_signals.data.gate_columns import ALIASES, ColumnMap, resolve_columns
from trading_signals.data.gate_parse import (
    MISSING_TOKENS,
    as_strings,
    parse_numbers,
    parse_timestamps,
)
from trading_signals.data.gate_report import (
    RULES,
    GateReport,
    GateResult,
    Issue,
    raw_rows_as_strings,
)
from trading_signals.data.gate_rules import (
    Ledger,
    cap_issues,
    check_duplicates,
    check_numbers,
    check_values,
    gap_issues,
    jump_issues,
)
from trading_signals.data.schema import check_symbol, check_timeframe, make_ohlcv
from trading_signals.errors import DataError

# Marks set by files.py: lines with a wrong number of fields, rows that cannot be adjusted.
RAGGED = "__ragged__"
ADJ_ERROR = "__adj_error__"
INTERNAL_COLUMNS = frozenset({RAGGED, ADJ_ERROR, "__extra__"})

__all__ = ["RULES", "GateConfig", "GateReport", "GateResult", "Issue", "run_gate"]


def run_gate(
    raw: pd.DataFrame,
    *,
    source: str,
    symbol: str | None = None,
    timeframe: str = "1d",
    config: GateConfig | None = None,
) -> GateResult:
    """Split raw rows into clean canonical bars per symbol and quarantined rows with reasons.

    Parameters
    ----------
    raw : DataFrame
        Rows as read (any dtypes): a timestamp column (or a DatetimeIndex) and OHLCV columns,
        matched case-insensitively with aliases (Date, Datetime, Time, Adj Close is ignored...).
    source : str
        Name of the input (file path...), repeated in every message.
    symbol : str, optional
        Symbol of every row when ``raw`` has no ``symbol`` column.
    timeframe : str
        Bar timeframe; decides date handling and the gap calendar.
    config : GateConfig, optional
        Thresholds and assumptions (defaults: ``GateConfig()``).

    Returns
    -------
    GateResult
        ``clean`` frames by symbol, ``quarantined`` raw rows (as strings) with ``source, row,
        rule, column, message`` and the ``report``.

    Raises
    ------
    DataError
        Only when ``timeframe`` is unknown (a caller error, not a data problem).

    Notes
    -----
    Row checks use only the row itself; duplicate checks compare rows sharing a timestamp; the
    jump check compares bar t with bar t-1. No value is altered, so the gate adds no look-ahead.
    ``row`` numbers are 1-based positions of data rows (a CSV header is not counted).
    """
    check_timeframe(timeframe)
    cfg = config or GateConfig()
    raw = _promote_index(raw)
    n = len(raw)
    ledger = Ledger(n, source, raw.attrs.get("line_numbers"))
    read_issues = [_read_issue(d, source) for d in raw.attrs.get("read_issues", [])]
    if n == 0:
        issue = Issue(
            "empty_file", "error", f"{source}: no data rows; check the file is the export you meant"
        )
        return _result({}, {}, ledger, raw, source, timeframe, [*read_issues, issue], cfg)
    cmap = resolve_columns([c for c in raw.columns if c not in INTERNAL_COLUMNS])
    notes = [*read_issues, *_ignored_issue(cmap, source)]
    if not _columns_ok(cmap, ledger):
        return _result({}, {}, ledger, raw, source, timeframe, notes, cfg)
    _reject_marked(raw, ledger)
    symbols = _symbols(raw, cmap, symbol, ledger)
    stamps, ts_notes = _timestamps(raw, cmap, timeframe, cfg, ledger)
    notes += [
        Issue(rule, RULES[rule][0], f"{source}: {msg}", column="timestamp", count=cnt)
        for rule, msg, cnt in ts_notes
    ]
    vals, valid = {}, {}
    for col in OHLCV_COLUMNS:
        vals[col], codes = parse_numbers(raw[cmap.fields[col]].reset_index(drop=True))
        valid[col] = codes == 0
        check_numbers(ledger, col, raw[cmap.fields[col]], codes)
    check_values(ledger, vals, valid)
    check_duplicates(ledger, symbols, stamps, symbols.astype(bool) & ~stamps.isna())
    good = ~ledger.bad_mask()
    clean, clean_rows, seq_notes = _build_clean(good, symbols, stamps, vals, source, timeframe, cfg)
    return _result(clean, clean_rows, ledger, raw, source, timeframe, notes + seq_notes, cfg)


def _reject_marked(raw: pd.DataFrame, ledger: Ledger) -> None:
    marks = (
        (RAGGED, "field_count", "fix the quoting or delimiter of this line"),
        (
            ADJ_ERROR,
            "bad_adjustment",
            "fix Adj Close/Close in the source or import without adj_close",
        ),
    )
    for col, rule, hint in marks:
        if col in raw.columns:
            text = as_strings(raw[col])
            for pos in np.flatnonzero(text.to_numpy() != ""):
                ledger.reject(pos, rule, None, f"{text.iloc[pos]}; {hint}")


def _promote_index(raw: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(raw, pd.DataFrame):
        raise DataError(f"the gate needs a pandas DataFrame, got {type(raw).__name__}")
    # Keep any meaningful index (named, datetime, multi-level) as columns; drop only a plain
    # unnamed row counter.
    idx = raw.index
    meaningful = isinstance(idx, (pd.DatetimeIndex, pd.MultiIndex)) or idx.name is not None
    if not meaningful:
        return raw.reset_index(drop=True)
    taken = {str(c) for c in raw.columns}
    names = []
    for k, name in enumerate(idx.names):
        label = "index" if name is None else str(name)
        names.append(label if label not in taken else f"{label}__index{k}")
    return raw.reset_index(names=names)


def _read_issue(d: dict[str, object], source: str) -> Issue:
    rule = str(d["rule"])
    return Issue(rule, RULES[rule][0], f"{source}: {d['message']}", count=int(d.get("count", 1)))  # type: ignore[call-overload]


def _ignored_issue(cmap: ColumnMap, source: str) -> list[Issue]:
    ignored = [str(c) for c in cmap.ignored]
    if not ignored:
        return []
    msg = (
        f"column(s) {ignored} are not stored; "
        "the lake keeps timestamp, open, high, low, close, volume"
    )
    return [Issue("ignored_column", "info", f"{source}: {msg}", count=len(ignored))]


def _columns_ok(cmap: ColumnMap, ledger: Ledger) -> bool:
    for fld, cols in cmap.ambiguous.items():
        names = [str(c) for c in cols]
        ledger.reject_all(
            "ambiguous_column",
            fld,
            f"columns {names} all look like {fld!r}; rename or drop all but one",
        )
    if cmap.missing:
        expected = {f: ALIASES[f][:4] for f in cmap.missing}
        ledger.reject_all(
            "missing_column",
            ",".join(cmap.missing),
            f"required column(s) {cmap.missing} not found (accepted names, any case: {expected}); "
            "add or rename the column(s), or check the header row and delimiter",
        )
    return cmap.usable


def _symbols(raw: pd.DataFrame, cmap: ColumnMap, symbol: str | None, ledger: Ledger) -> np.ndarray:
    n = len(raw)
    if "symbol" not in cmap.fields:
        if symbol is None:
            ledger.reject_all(
                "missing_symbol",
                "symbol",
                "no 'symbol' column and no symbol given; add the column or pass --symbol",
            )
            return np.full(n, "", dtype=object)
        try:
            check_symbol(symbol)
        except DataError as exc:
            ledger.reject_all("unsafe_symbol", "symbol", f"{exc}; rename the file or pass --symbol")
            return np.full(n, "", dtype=object)
        return np.full(n, symbol, dtype=object)
    col = cmap.fields["symbol"]
    values = as_strings(raw[col]).to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    for k, value in enumerate(uniques):
        if str(value).lower() in MISSING_TOKENS:
            msg, rule = "symbol is empty; fill it in", "missing_symbol"
        else:
            try:
                check_symbol(str(value))
                continue
            except DataError as exc:
                msg, rule = str(exc), "unsafe_symbol"
        rows = np.flatnonzero(codes == k)
        for pos in rows:
            ledger.reject(pos, rule, str(col), msg)
        values[rows] = ""
    return values


def _timestamps(
    raw: pd.DataFrame, cmap: ColumnMap, timeframe: str, cfg: GateConfig, ledger: Ledger
) -> tuple[pd.DatetimeIndex, list[tuple[str, str, int]]]:
    col: Hashable = cmap.fields["timestamp"]
    values = raw[col].reset_index(drop=True)
    if cmap.date_time_pair is not None:
        d, t = cmap.date_time_pair
        values = (
            as_strings(raw[d]).reset_index(drop=True)
            + " "
            + as_strings(raw[t]).reset_index(drop=True)
        )
        values = values.str.strip()
    parsed = parse_timestamps(
        values,
        timeframe=timeframe,
        naive_timezone=cfg.naive_timezone,
        reject_naive=cfg.reject_naive,
        dayfirst=cfg.dayfirst,
    )
    for pos, (rule, msg) in sorted(parsed.failures.items()):
        ledger.reject(pos, rule, "timestamp", msg)
    return parsed.values, parsed.notes


def _build_clean(
    good: np.ndarray,
    symbols: np.ndarray,
    stamps: pd.DatetimeIndex,
    vals: dict[str, np.ndarray],
    source: str,
    timeframe: str,
    cfg: GateConfig,
) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray], list[Issue]]:
    clean: dict[str, pd.DataFrame] = {}
    clean_rows: dict[str, np.ndarray] = {}
    notes: list[Issue] = []
    flags: list[tuple[int, Issue]] = []
    codes, uniques = pd.factorize(symbols)
    for k in np.argsort(uniques.astype(str)):
        pos = np.flatnonzero(good & (codes == k))
        if not len(pos):
            continue
        sym = str(uniques[k])
        idx = stamps[pos]
        if not idx.is_monotonic_increasing:
            notes.append(_unsorted_issue(idx, pos, source, sym))
            order = np.argsort(idx.asi8, kind="stable")
            pos, idx = pos[order], idx[order]
        frame = make_ohlcv(
            idx, *(vals[c][pos] for c in OHLCV_COLUMNS), symbol=sym, timeframe=timeframe
        )
        frame.attrs["source"] = source
        clean[sym], clean_rows[sym] = frame, pos + 1
        notes += _timeframe_issue(idx, pos, timeframe, source, sym)
        flags += jump_issues(
            frame, pos + 1, threshold=cfg.jump_threshold, source=source, symbol=sym
        )
        flags += gap_issues(
            frame.index,
            pos + 1,
            timeframe=timeframe,
            calendar=cfg.calendar,
            min_bars=cfg.gap_min_bars,
            source=source,
            symbol=sym,
        )
    return clean, clean_rows, notes + cap_issues(flags, cfg.max_issues_per_rule, source)


def _timeframe_issue(
    idx: pd.DatetimeIndex, pos: np.ndarray, timeframe: str, source: str, sym: str
) -> list[Issue]:
    if timeframe not in ("1d", "1w", "1mo") or len(idx) < 2:
        return []
    days = idx.tz_localize(None).to_numpy().astype("datetime64[D]")  # UTC date of each bar
    same = np.flatnonzero(days[1:] == days[:-1])
    if not len(same):
        return []
    k = int(same[0])
    msg = (
        f"{source} {sym}: {len(same)} bar(s) share a UTC date "
        f"with the previous bar (e.g. rows {pos[k] + 1} and "
        f"{pos[k + 1] + 1} on {days[k]}) in a "
        f"{timeframe} import; the data looks intraday: pass the "
        "right --timeframe (bars kept)"
    )
    return [
        Issue(
            "timeframe_mismatch",
            "warning",
            msg,
            row=int(pos[k + 1] + 1),
            column="timestamp",
            count=len(same),
        )
    ]


def _unsorted_issue(idx: pd.DatetimeIndex, pos: np.ndarray, source: str, sym: str) -> Issue:
    k = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0])
    msg = (
        f"{source} {sym}: rows not in time order (row "
        f"{pos[k + 1] + 1} at {idx[k + 1].isoformat()} comes after "
        f"row {pos[k] + 1} at {idx[k].isoformat()}); sorted by time (stable), all rows kept"
    )
    return Issue("unsorted", "warning", msg, row=int(pos[k + 1] + 1), column="timestamp")


def _result(
    clean: dict[str, pd.DataFrame],
    clean_rows: dict[str, np.ndarray],
    ledger: Ledger,
    raw: pd.DataFrame,
    source: str,
    timeframe: str,
    notes: list[Issue],
    cfg: GateConfig,
) -> GateResult:
    meta = ledger.quarantine_meta()
    quarantined = raw_rows_as_strings(raw, meta["row"].to_numpy())
    quarantined.insert(0, "source", source)
    for k, col in enumerate(("row", "rule", "column", "message")):
        quarantined.insert(1 + k, col, meta[col].to_numpy())
    rows_clean = sum(len(f) for f in clean.values())
    report = GateReport(
        source=source,
        rows_in=ledger.n,
        rows_clean=rows_clean,
        rows_quarantined=len(meta),
        issues=notes + ledger.issues(cfg.max_issues_per_rule),
        symbols=sorted(clean),
        timeframe=timeframe,
    )
    if report.rows_in != report.rows_clean + report.rows_quarantined:  # a bug, never a data problem
        raise AssertionError(
            f"gate lost rows for {source}: {report.rows_in} != {rows_clean} + {len(meta)}"
        )
    return GateResult(
        clean=clean, quarantined=quarantined, report=report, clean_rows=clean_rows, raw=raw
    )
