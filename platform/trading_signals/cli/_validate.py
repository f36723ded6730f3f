"""Option callbacks that reject bad paths at parse time (exit 2, the option named by Typer).

Used as ``typer.Option(Path("lake"), "--lake", callback=output_dir)``: Typer reports a
``BadParameter`` as ``Invalid value for '--lake': ...`` with exit code 2, before the command
body runs, so no work starts on a location that cannot be written.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

_URI_SCHEMES = ("s3://", "gs://", "gcs://", "abfs://", "az://", "hdfs://", "memory://")


def check_output_dir(value: str | Path) -> None:
    """Raise ``typer.BadParameter`` unless ``value`` is, or can be created as, a directory.

    Object-store URIs (``s3://...``) are not checked here (the storage layer reports them);
    ``file://`` URIs are checked as local paths. Nothing is created.
    """
    text = str(value)
    if text.startswith(_URI_SCHEMES):
        return
    path = Path(text.removeprefix("file://")).expanduser()
    if path.exists():
        if not path.is_dir():
            raise typer.BadParameter(f"{text} is a file, not a directory; pass a directory path")
        if not os.access(path, os.W_OK | os.X_OK):
            raise typer.BadParameter(f"{text}: no permission to write in this directory")
        return
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise typer.BadParameter(f"cannot create {text}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise typer.BadParameter(f"cannot create {text}: no permission to write in {parent}")


def output_dir(value: Path | str | None) -> Path | str | None:
    """Typer callback form of :func:`check_output_dir` (``None`` passes)."""
    if value is not None:
        check_output_dir(value)
    return value


def timestamp_text(value: str | None) -> str | None:
    """Typer callback: ``value`` must parse as a date/time (``None`` passes); returned unchanged."""
    if value is None:
        return value
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise typer.BadParameter(f"{value!r} is not a date/time; use ISO 8601 such as 2008-09-16 "
                                 "or 2008-09-16T15:30:00Z") from exc
    if ts is pd.NaT:
        raise typer.BadParameter(f"{value!r} is not a date/time; use ISO 8601 such as 2008-09-16")
    return value


#: Longest moving-average window accepted on the command line (bars).
MAX_WINDOW = 100_000


def check_window_fits(lake: str | Path, *, timeframe: str, symbols: list[str] | None, window: int,
                      option: str) -> None:
    """Raise ``ConfigError`` naming ``option`` if ``window`` bars exceed a symbol's history.

    Reads only the timestamp column of the partitions (lake metadata), before any work.
    """
    from trading_signals.data.lake import describe_lake
    from trading_signals.errors import ConfigError

    rows = {i.symbol: i.rows for i in describe_lake(lake) if i.timeframe == timeframe}
    wanted = [s for s in (symbols or list(rows)) if s in rows]
    if not wanted:
        return  # no such bars: the command's own loader names what is missing
    shortest = min(wanted, key=lambda s: rows[s])
    if window >= rows[shortest]:
        raise ConfigError(f"{option} {window}: longer than the data ({rows[shortest]} {timeframe} bars "
                          f"of {shortest}); use a window below {rows[shortest]} bars")
