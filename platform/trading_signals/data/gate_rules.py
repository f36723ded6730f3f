"""The gate's rules: a ledger of rejected rows, value checks, duplicates, jumps and gaps.

Row positions here are 0-based; the ledger turns them into 1-based ``row`` numbers in issues.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from trading_signals.data.gate_report import RULES, Issue

NUMBER_RULES = {1: "missing_value", 2: "bad_number", 3: "non_finite"}


class Ledger:
    """Collect every reason each row is rejected (a row may break several rules)."""

    def __init__(self, n_rows: int, source: str, lines: int | list[int] | None = None) -> None:
        self.n = n_rows
        self.source = source
        self.lines = lines  # file line of each row (CSV), see files.read_table
        self.reasons: dict[int, list[tuple[str, str | None, str]]] = {}
        self.file_issues: list[Issue] = []

    def reject(self, pos: int | np.integer, rule: str, column: str | None, message: str) -> None:
        self.reasons.setdefault(int(pos), []).append((rule, column, message))

    def reject_all(self, rule: str, column: str | None, message: str) -> None:
        """Reject every row for one file-level reason, reported as a single issue."""
        for pos in range(self.n):
            self.reject(pos, rule, column, message)
        row, row_end = (1, self.n) if self.n else (None, None)
        self.file_issues.append(
            Issue(
                rule,
                RULES[rule][0],
                f"{self.source}: {message}",
                row=row,
                row_end=row_end,
                column=column,
                count=self.n,
            )
        )

    def bad_mask(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        if self.reasons:
            mask[list(self.reasons)] = True
        return mask

    def issues(self, max_per_rule: int) -> list[Issue]:
        """Return file-level issues, or per-row issues in row order (capped per rule) followed
        by one summary issue per rule for the rows beyond the cap."""
        if self.file_issues:
            return list(self.file_issues)
        by_rule: dict[str, list[tuple[int, str | None, str]]] = {}
        for pos in sorted(self.reasons):
            for rule, column, message in self.reasons[pos]:
                by_rule.setdefault(rule, []).append((pos, column, message))
        out: list[Issue] = []
        summaries: list[Issue] = []
        for rule, hits in by_rule.items():
            sev = RULES[rule][0]
            for pos, column, message in hits[:max_per_rule]:
                text = (
                    f"{self.source}, row {pos + 1}{self._line(pos)}"
                    + (f", column {column!r}" if column else "")
                    + f": {message}"
                )
                out.append(Issue(rule, sev, text, row=pos + 1, column=column))
            summaries += summarise(rule, [p for p, _, _ in hits[max_per_rule:]], self.source)
        out.sort(key=lambda i: i.row or 0)  # stable: rules keep their order within a row
        return out + summaries

    def _line(self, pos: int) -> str:
        if isinstance(self.lines, int):
            return f" (line {pos + 1 + self.lines})"
        if isinstance(self.lines, list) and pos < len(self.lines):
            return f" (line {self.lines[pos]})"
        return ""

    def quarantine_meta(self) -> pd.DataFrame:
        """Return one line per rejected row: row (1-based), rule, column, message."""
        rows = sorted(self.reasons)
        return pd.DataFrame(
            {
                "row": np.asarray(rows, dtype=np.int64) + 1,
                "rule": [";".join(dict.fromkeys(r for r, _, _ in self.reasons[p])) for p in rows],
                "column": [
                    ";".join(dict.fromkeys(c for _, c, _ in self.reasons[p] if c)) for p in rows
                ],
                "message": [" | ".join(m for _, _, m in self.reasons[p]) for p in rows],
            }
        )


def summarise(rule: str, positions: list[int], source: str) -> list[Issue]:
    """Return one issue standing for ``positions`` beyond the per-rule cap (none if empty)."""
    if not positions:
        return []
    lo, hi = min(positions) + 1, max(positions) + 1
    msg = (
        f"{source}: {len(positions)} more row(s) broke rule {rule!r} between rows {lo} and {hi}; "
        "each is listed with its reason in the quarantine file (or raise max_issues_per_rule)"
    )
    return [Issue(rule, RULES[rule][0], msg, row=lo, row_end=hi, count=len(positions))]


def check_numbers(ledger: Ledger, column: str, raw: pd.Series, codes: np.ndarray) -> None:
    """Reject rows whose value in ``column`` is missing, not a number or infinite."""
    hints = {
        "missing_value": "value is empty; fill it in the source or remove the row",
        "non_finite": "value is infinite; fix the source row or remove it",
    }
    for pos in np.flatnonzero(codes):
        rule = NUMBER_RULES[int(codes[pos])]
        if rule == "bad_number":
            val = raw.iloc[pos]
            hint = (
                " (decimal comma or thousands separator? use '.' decimals and no separators)"
                if "," in str(val)
                else ""
            )
            msg = f"{str(val)[:40]!r} is not a number{hint}; fix the source row or remove it"
        else:
            msg = hints[rule]
        ledger.reject(pos, rule, column, msg)


def check_values(ledger: Ledger, vals: dict[str, np.ndarray], valid: dict[str, np.ndarray]) -> None:
    """Reject non-positive prices, negative volume and high/low inconsistent with open/close."""
    for col in ("open", "high", "low", "close"):
        for pos in np.flatnonzero(valid[col] & (vals[col] <= 0)):
            ledger.reject(
                pos,
                "non_positive_price",
                col,
                f"price {vals[col][pos]:g} is not positive; fix the source row or remove it",
            )
    for pos in np.flatnonzero(valid["volume"] & (vals["volume"] < 0)):
        ledger.reject(
            pos,
            "negative_volume",
            "volume",
            f"volume {vals['volume'][pos]:g} is negative; fix the source row or remove it",
        )
    all_ok = valid["open"] & valid["high"] & valid["low"] & valid["close"]
    top = np.fmax(vals["open"], vals["close"])
    bottom = np.fmin(vals["open"], vals["close"])
    for pos in np.flatnonzero(all_ok & (vals["high"] < top)):
        ledger.reject(
            pos,
            "high_below_open_close",
            "high",
            f"{vals['high'][pos]:g} is below max(open, "
            f"close)={top[pos]:g}; fix the source row or remove it",
        )
    for pos in np.flatnonzero(all_ok & (vals["low"] > bottom)):
        ledger.reject(
            pos,
            "low_above_open_close",
            "low",
            f"{vals['low'][pos]:g} is above min(open, "
            f"close)={bottom[pos]:g}; fix the source row or remove it",
        )


def check_duplicates(
    ledger: Ledger, symbols: np.ndarray, stamps: pd.DatetimeIndex, usable: np.ndarray
) -> None:
    """Reject every copy of a (symbol, timestamp) seen more than once among ``usable`` rows."""
    pos = np.flatnonzero(usable)
    if len(pos) < 2:
        return
    codes, uniques = pd.factorize(symbols[pos])
    keys = pd.DataFrame({"s": codes, "t": stamps[pos].asi8})  # int64 keys: fast duplicated()
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    groups = keys[dup].groupby(["s", "t"], sort=False).groups
    for (code, t_ns), members in groups.items():
        sym, ts = uniques[code], pd.Timestamp(t_ns, tz="UTC")
        rows = [int(pos[m]) for m in members]
        listing = ", ".join(str(r + 1) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
        for r in rows:
            ledger.reject(
                r,
                "duplicate_timestamp",
                "timestamp",
                f"rows {listing} all hold {sym} at {ts.isoformat()}; "
                "none kept: keep one bar in the source",
            )


def jump_issues(
    frame: pd.DataFrame, rows: np.ndarray, *, threshold: float, source: str, symbol: str
) -> list[tuple[int, Issue]]:
    """Flag bars whose close moves more than ``threshold`` (abs simple return) from bar t-1.

    Notes
    -----
    Compares bar t with bar t-1 only (the gate reports; it does not feed signals).
    """
    close = frame["close"].to_numpy()
    if len(close) < 2:
        return []
    ret = close[1:] / close[:-1] - 1.0
    out = []
    for k in np.flatnonzero(np.abs(ret) > threshold):
        i = k + 1
        msg = (
            f"{source}, row {rows[i]} ({symbol} "
            f"{frame.index[i].isoformat()}): close {close[i]:g} is "
            f"{ret[k]:+.1%} vs {close[k]:g} at row {rows[k]}, above jump_threshold {threshold:g}; "
            "check for a split or a bad tick (row kept)"
        )
        out.append(
            (
                int(rows[i]),
                Issue("suspicious_jump", "warning", msg, row=int(rows[i]), column="close"),
            )
        )
    return out


def gap_issues(
    index: pd.DatetimeIndex,
    rows: np.ndarray,
    *,
    timeframe: str,
    calendar: str,
    min_bars: int,
    source: str,
    symbol: str,
) -> list[tuple[int, Issue]]:
    """Report each run of missing bars between consecutive bars as one issue.

    Daily bars use business days (``calendar="business"``, holidays count as gaps) or every
    day (``"daily"``); intraday bars count missing bar lengths, within one UTC day for the
    business calendar (nights and weekends are not gaps); weekly and monthly count periods.
    """
    if calendar == "none" or len(index) < 2:
        return []
    missing = _missing_bars(index, timeframe, calendar)
    unit = {
        "1d": "business day" if calendar == "business" else "day",
        "1w": "week",
        "1mo": "month",
    }.get(timeframe, f"{timeframe} bar")
    out = []
    for k in np.flatnonzero(missing >= min_bars):
        a, b = index[k], index[k + 1]
        msg = (
            f"{source} {symbol}: {int(missing[k])} {unit}(s) "
            f"missing between {a.isoformat()} (row {rows[k]}) "
            f"and {b.isoformat()} (row {rows[k + 1]}); expected "
            "if holidays or a halt, else re-fetch them"
        )
        out.append(
            (
                int(rows[k]),
                Issue(
                    "calendar_gap",
                    "info",
                    msg,
                    row=int(rows[k]),
                    row_end=int(rows[k + 1]),
                    count=int(missing[k]),
                ),
            )
        )
    return out


def _missing_bars(index: pd.DatetimeIndex, timeframe: str, calendar: str) -> np.ndarray:
    naive = index.tz_convert("UTC").tz_localize(None)
    if timeframe == "1d":
        days = naive.to_numpy().astype("datetime64[D]")  # floor to the UTC date
        if calendar == "business":
            return np.busday_count(days[:-1] + 1, days[1:]).astype(np.int64)
        return (np.diff(days).astype(np.int64) - 1).astype(np.int64)
    if timeframe == "1w":
        return (np.round(np.diff(naive.to_numpy()) / np.timedelta64(7, "D")) - 1).astype(np.int64)
    if timeframe == "1mo":
        months = naive.year * 12 + naive.month
        return (np.diff(np.asarray(months)) - 1).astype(np.int64)
    step = pd.Timedelta(timeframe).to_timedelta64()
    missing = (np.diff(naive.to_numpy()) // step - 1).astype(np.int64)
    if calendar == "business":
        days = naive.to_numpy().astype("datetime64[D]")
        missing = np.where(days[1:] == days[:-1], missing, 0)
    return missing


def cap_issues(pairs: Iterable[tuple[int, Issue]], max_per_rule: int, source: str) -> list[Issue]:
    """Keep the first ``max_per_rule`` issues per rule (by row) and summarise the rest."""
    by_rule: dict[str, list[tuple[int, Issue]]] = {}
    for row, issue in sorted(pairs, key=lambda p: p[0]):
        by_rule.setdefault(issue.rule, []).append((row, issue))
    out: list[Issue] = []
    for rule, hits in by_rule.items():
        out.extend(i for _, i in hits[:max_per_rule])
        rest = hits[max_per_rule:]
        out.extend(summarise(rule, [r - 1 for r, _ in rest], source))
    return out
