"""Regenerate ``eurusd_h1_ties.csv``: EURUSD-like hourly bars quoted to 5 decimals.

Run: ``python tests/reference/data/make_eurusd_h1.py`` (deterministic; the CSV is committed).

What makes it a parity case: real 5-decimal FX quotes often give two consecutive bars the same
``high + low + close`` in decimal, which in binary floating point is a typical price that
differs only in the last bit (or not at all). TA-Lib classifies such a near-tie as "no money
flow" (a scaled dead-zone), a naive ``tp > prev`` as a move. The generator produces quiet Asian
sessions (ranges of a few pips), London/New York sessions, the weekend close (Friday 22:00 to
Sunday 22:00 UTC), integer tick volumes with some zero-volume hours, and on about a third of
the bars a close chosen so that ``high + low + close`` equals the previous bar's sum exactly in
decimal (as happens in quiet markets).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).with_name("eurusd_h1_ties.csv")


def make(n: int = 1500, seed: int = 20260301) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2026-01-04 22:00", periods=n * 2, freq="h", tz="UTC")
    # FX week: Sunday 22:00 to Friday 22:00 UTC.
    dow, hr = hours.day_of_week, hours.hour
    open_ = ~((dow == 5) | ((dow == 4) & (hr >= 22)) | ((dow == 6) & (hr < 22)))
    idx = hours[open_][:n]
    hour = idx.hour.to_numpy()
    # Hourly volatility in price units: ~4 pips in Asia, ~12 in London/New York.
    sigma = np.where((hour >= 7) & (hour < 17), 0.0012, 0.0004)
    close = 1.0850 * np.exp(np.cumsum(rng.normal(0.0, sigma)))
    open_px = np.r_[close[0], close[:-1]]
    high = np.maximum(open_px, close) + np.abs(rng.normal(0.0, sigma / 2))
    low = np.minimum(open_px, close) - np.abs(rng.normal(0.0, sigma / 2))
    o, h, lo, c = (np.round(x, 5) for x in (open_px, high, low, close))
    for t in range(1, n):
        if rng.random() < 0.35:
            # Same decimal sum as the previous bar, if that close fits inside this bar's range.
            target = round(h[t - 1] + lo[t - 1] + c[t - 1] - h[t] - lo[t], 5)
            if lo[t] <= target <= h[t]:
                c[t] = target
    o[1:] = c[:-1]  # FX bars open at the previous close
    h = np.maximum(h, np.maximum(o, c))
    lo = np.minimum(lo, np.minimum(o, c))
    vol = np.round(rng.gamma(2.0, 400.0, n) * np.where(sigma > 0.001, 3.0, 1.0))
    vol[rng.random(n) < 0.03] = 0.0
    frame = pd.DataFrame(
        {"open": o, "high": h, "low": lo, "close": c, "volume": vol},
        index=pd.Index(idx, name="timestamp"),
    )
    return frame


if __name__ == "__main__":
    frame = make()
    frame.astype({"volume": "int64"}).to_csv(OUT, float_format="%.5f")
    print(f"wrote {OUT}")
