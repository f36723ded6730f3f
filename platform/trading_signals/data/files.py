"""Read the user's CSV/Parquet files as raw tables, keeping every value exactly as written.

CSV cells stay strings (the gate parses them), so nothing is coerced on the way in. Encoding
(UTF-8, UTF-8 with BOM, UTF-16 with BOM, else latin-1 with a warning) and the delimiter
(``, ; TAB |``) are detected; lines with a wrong number of fields are kept and marked for the
gate. What the reader noticed travels in ``frame.attrs["read_issues"]``; the file line of each
data row in ``frame.attrs["line_numbers"]`` (an offset, line = row + offset, or a list).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from trading_signals.data.gate_columns import normalize_name, resolve_columns
from trading_signals.data.raw import RawInput
from trading_signals.errors import SourceError

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".gz")
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50

__all__ = ["DATA_SUFFIXES", "RawInput", "expand_paths", "load_files", "read_table"]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one CSV (optionally gzipped) or Parquet file as a raw frame.

    Returns
    -------
    DataFrame
        CSV: every cell a string, header names as written (blank lines skipped, ragged lines
        kept with ``__ragged__``/``__extra__`` columns). Parquet: columns as stored.
        ``attrs["read_issues"]`` lists ``{"rule", "message", "count"}`` notes for the gate.

    Raises
    ------
    SourceError
        The file is missing, is not a table (binary, unreadable Parquet), or cannot be decoded.
    """
    p = Path(path)
    if not p.is_file():
        raise SourceError(
            f"{p}: no such file; check the path (directories: pass the directory itself)"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SourceError(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    if data[:4] == b"PAR1" or p.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(p)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{p}: looks gzipped but cannot be decompressed ({exc})") from exc
    text, issues = _decode(data, p)
    frame = _parse_csv(text, p, issues)
    frame.attrs.setdefault("line_numbers", 1)
    frame.attrs["read_issues"] = issues
    frame.attrs["source"] = str(p)
    return frame


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Return the files named by ``paths``, a directory standing for its data files (sorted).

    Raises
    ------
    SourceError
        A path does not exist, or a directory holds no ``*.csv/tsv/txt/parquet/pq/gz`` file.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f for f in p.iterdir() if f.is_file() and f.name.lower().endswith(DATA_SUFFIXES)
            )
            if not found:
                raise SourceError(f"{p}: directory holds no data file ({', '.join(DATA_SUFFIXES)})")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise SourceError(f"{p}: no such file or directory")
    return out


def load_files(
    paths: Iterable[str | Path],
    *,
    symbol: str | None = None,
    adj_close: bool = False,
    timeframe: str = "1d",
) -> list[RawInput]:
    """Read files (or directories of files) into :class:`RawInput` records for the gate.

    The symbol of a file comes from its ``symbol`` column, else ``symbol``, else the file stem
    (the gate rejects names that are not safe identifiers). With ``adj_close`` the prices are
    scaled by ``Adj Close / Close`` per row (split/dividend adjusted) and the column is used up;
    otherwise ``Adj Close`` is ignored (and reported as such).

    Notes
    -----
    Adjustment factors come from the same row, so they add no look-ahead beyond what the
    vendor's adjusted series already contains (back-adjustment uses later corporate actions).
    """
    inputs = []
    for p in expand_paths(paths):
        frame = read_table(p)
        if adj_close:
            frame = _apply_adj_close(frame, p)
        has_symbol_col = "symbol" in resolve_columns(list(frame.columns)).fields
        sym = None if has_symbol_col else (symbol if symbol is not None else _stem(p))
        inputs.append(RawInput(source=str(p), symbol=sym, frame=frame, timeframe=timeframe))
    return inputs


def _stem(p: Path) -> str:
    name = p.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".parquet", ".pq"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _read_parquet(p: Path) -> pd.DataFrame:
    try:
        frame = pq.read_table(p).to_pandas()
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise SourceError(f"{p}: not a readable Parquet file ({exc}); re-export it") from exc
    frame.attrs["read_issues"] = []
    frame.attrs["source"] = str(p)
    return frame


def _decode(data: bytes, p: Path) -> tuple[str, list[dict[str, Any]]]:
    issues: list[dict[str, Any]] = []
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = data.decode("latin-1")
            issues.append(
                {
                    "rule": "encoding",
                    "message": f"not valid UTF-8 (byte {exc.start}); "
                    "decoded as latin-1, check accented "
                    "names; re-save the file as UTF-8 to silence this",
                }
            )
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in sample or bad > max(8, len(sample) // 100):
        raise SourceError(
            f"{p}: binary content, not a CSV or Parquet table; export the data as CSV or Parquet"
        )
    return text, issues


def sniff_delimiter(lines: list[str]) -> str:
    """Return the delimiter giving the most fields, consistently across ``lines``.

    >>> sniff_delimiter(["Date;Open;Close", "2024-01-02;1,5;1,6"])
    ';'
    """
    best, best_score = ",", 1
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        score = counts[0] if agree >= 0.8 else 0
        if score > best_score:
            best, best_score = delim, score
    return best


def _split_lines(text: str) -> list[str]:
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _parse_csv(text: str, p: Path, issues: list[dict[str, Any]]) -> pd.DataFrame:
    lines = _split_lines(text)
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return pd.DataFrame()
    delim = sniff_delimiter(nonblank[:_SNIFF_LINES])
    if delim != ",":
        issues.append(
            {"rule": "delimiter", "message": f"delimiter {delim!r} detected and used (not ',')"}
        )
    fast = _fast_parse(text, lines, nonblank, delim)
    if fast is not None:
        n_blank = len(lines) - len(nonblank)
        if n_blank:
            first = next(k for k, ln in enumerate(lines) if not ln) + 1
            issues.append(
                {
                    "rule": "blank_lines",
                    "message": f"{n_blank} blank line(s) skipped (e.g. line {first})",
                    "count": n_blank,
                }
            )
        return fast
    return _exact_parse(text, p, issues, delim)


def _header(first_line: str, delim: str) -> list[str]:
    return [
        h.strip() or f"unnamed_{k}"
        for k, h in enumerate(next(csv.reader([first_line], delimiter=delim)))
    ]


def _fast_parse(
    text: str, lines: list[str], nonblank: list[str], delim: str
) -> pd.DataFrame | None:
    """Parse with Arrow's CSV reader when that is provably identical to :func:`_exact_parse`.

    That is: no quotes, blank lines truly empty, every line with the header's field count and
    unique header names. Otherwise return None.
    """
    bare_cr = "\r" in text.replace("\r\n", "")
    if '"' in text or bare_cr or not lines[0] or any(ln.strip() == "" and ln != "" for ln in lines):
        return None
    header = _header(nonblank[0], delim)
    width = len(header)
    if len(set(header)) != width or any(ln.count(delim) != width - 1 for ln in nonblank):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{k}" for k in range(width)], skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, quote_char=False, ignore_empty_lines=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{k}": pa.string() for k in range(width)},
                strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.shape != (len(nonblank) - 1, width):  # belt and braces: never lose a line
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = header
    data_lines = [k + 1 for k, ln in enumerate(lines) if ln][1:]
    frame.attrs["line_numbers"] = _compact_lines(data_lines)
    return frame


def _compact_lines(lines: list[int]) -> int | list[int]:
    # attrs are deep-copied by pandas on many operations: store an offset when lines are
    # contiguous (line = row + offset), the full list only when blank lines interrupt them.
    if not lines or lines[-1] - lines[0] == len(lines) - 1:
        return (lines[0] - 1) if lines else 1
    return lines


def _exact_parse(text: str, p: Path, issues: list[dict[str, Any]], delim: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    records: list[tuple[int, list[str]]] = []
    prev_end = 0
    try:
        for r in reader:  # a quoted field may span lines: keep the line each record starts on
            records.append((prev_end + 1, r))
            prev_end = reader.line_num
    except csv.Error as exc:
        raise SourceError(f"{p}: CSV cannot be parsed ({exc}); check quoting") from exc
    # Blank = no field at all or one whitespace-only field; ",,," is a row (of empty values).
    is_blank = [not r or (len(r) == 1 and not r[0].strip()) for _, r in records]
    blank = [ln for (ln, _), b in zip(records, is_blank, strict=True) if b]
    records = [rec for rec, b in zip(records, is_blank, strict=True) if not b]
    if blank:
        issues.append(
            {
                "rule": "blank_lines",
                "message": f"{len(blank)} blank line(s) skipped (e.g. line {blank[0]})",
                "count": len(blank),
            }
        )
    if not records:
        return pd.DataFrame()
    header = [h.strip() or f"unnamed_{k}" for k, h in enumerate(records[0][1])]
    width = len(header)
    rows, ragged, extra = [], [], []
    for line_no, r in records[1:]:
        msg, more = "", ""
        if len(r) != width:
            msg = f"line {line_no} has {len(r)} field(s), the header has {width}"
            more = delim.join(r[width:])
            r = (r + [""] * width)[:width]
        rows.append(r)
        ragged.append(msg)
        extra.append(more)
    frame = pd.DataFrame(np.array(rows, dtype=object).reshape(len(rows), width), columns=header)
    frame.attrs["line_numbers"] = _compact_lines([ln for ln, _ in records[1:]])
    if any(ragged):
        frame["__ragged__"] = ragged
        frame["__extra__"] = extra
    return frame


def _apply_adj_close(frame: pd.DataFrame, p: Path) -> pd.DataFrame:
    cols = {normalize_name(c): c for c in frame.columns}
    adj = next((cols[k] for k in ("adjclose", "adjustedclose") if k in cols), None)
    close = cols.get("close")
    if adj is None or close is None:
        raise SourceError(
            f"{p}: adj_close requested but the file has no 'Adj Close' and 'Close' columns"
        )
    out = frame.copy()
    factor = pd.to_numeric(out[adj], errors="coerce") / pd.to_numeric(out[close], errors="coerce")
    ok = np.isfinite(factor.to_numpy(dtype=np.float64))
    for key in ("open", "high", "low", "close"):
        if key in cols:
            col = cols[key]
            scaled = pd.to_numeric(out[col], errors="coerce") * factor
            out[col] = out[col].astype(object).where(~ok, scaled.astype(object))
    out["__adj_error__"] = np.where(ok, "", "Adj Close / Close is not a finite number")
    out = out.drop(columns=[adj])
    out.attrs = dict(frame.attrs)
    out.attrs["read_issues"] = [
        *frame.attrs.get("read_issues", []),
        {
            "rule": "adjusted",
            "message": "open/high/low/close scaled by Adj Close / Close per row (adj_close=True)",
        },
    ]
    return out
