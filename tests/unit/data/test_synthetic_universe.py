"""The seeded synthetic universe: reproducible bytes, valid bars, stylised facts, planted IC."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from trading_signals.data.lake import partition_files, write_bars
from trading_signals.data.schema import validate_ohlcv
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError


@pytest.fixture(scope="module")
def large():
    """A universe large enough for statistical checks (300 symbols x 500 bars, IC 0.1)."""
    return generate_universe(300, 500, seed=5, planted_ic=0.1)


def _lake_digest(universe, lake: Path) -> str:
    for symbol, frame in universe.bars.items():
        write_bars(lake, frame, symbol=symbol, timeframe="1d")
    digest = hashlib.sha256()
    for path in partition_files(lake, timeframe="1d"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _log_returns(universe) -> pd.DataFrame:
    close = pd.DataFrame({s: f["close"] for s, f in universe.bars.items()})
    return np.log(close).diff().iloc[1:]


def test_generate_universe_same_seed_same_lake_bytes(tmp_path: Path) -> None:
    a = _lake_digest(generate_universe(4, 120, seed=9, planted_ic=0.05), tmp_path / "a")
    b = _lake_digest(generate_universe(4, 120, seed=9, planted_ic=0.05), tmp_path / "b")
    assert a == b


def test_generate_universe_different_seeds_differ() -> None:
    a = generate_universe(3, 60, seed=1).bars["SYN0000"]
    b = generate_universe(3, 60, seed=2).bars["SYN0000"]
    assert not np.allclose(a["close"].to_numpy(), b["close"].to_numpy())


@pytest.mark.parametrize("timeframe", ["1d", "1h", "1w"])
def test_generate_universe_bars_valid_ohlc_canonical(timeframe: str) -> None:
    universe = generate_universe(5, 300, seed=3, timeframe=timeframe)
    for symbol, frame in universe.bars.items():
        validate_ohlcv(frame, name=symbol)
        o, h, l, c, v = (frame[k].to_numpy() for k in ("open", "high", "low", "close", "volume"))
        assert (l > 0).all() and (v >= 0).all() and np.isfinite(frame.to_numpy()).all()
        assert (h >= np.maximum(o, c)).all() and (l <= np.minimum(o, c)).all()
        assert frame.attrs["timeframe"] == timeframe


def test_generate_universe_labelled_synthetic_everywhere() -> None:
    universe = generate_universe(3, 30, seed=0, planted_ic=0.1)
    assert all(s.startswith("SYN") for s in universe.bars)
    assert all(f.attrs["source"] == "synthetic" for f in universe.bars.values())
    assert universe.signal.attrs["source"] == "synthetic"
    assert universe.meta["source"] == "synthetic"


def test_generate_universe_returns_fat_tailed(large) -> None:
    kurtosis = stats.kurtosis(_log_returns(large).to_numpy(), fisher=False, axis=0)
    assert np.median(kurtosis) > 3.0


def test_generate_universe_volatility_clusters(large) -> None:
    # GARCH(1,1): squared (demeaned) returns are positively autocorrelated at lag 1.
    ret = _log_returns(large)
    sq = (ret - ret.mean()) ** 2
    acf1 = np.array([np.corrcoef(sq[c].to_numpy()[:-1], sq[c].to_numpy()[1:])[0, 1] for c in sq])
    assert acf1.mean() > 0.0
    assert (acf1 > 0).mean() > 0.6


def test_generate_universe_same_sector_more_correlated(large) -> None:
    ret = _log_returns(large)
    corr = np.corrcoef(ret.to_numpy().T)
    sector = np.array([large.sectors[s] for s in ret.columns])
    same = sector[:, None] == sector[None, :]
    off_diag = ~np.eye(len(sector), dtype=bool)
    assert corr[same & off_diag].mean() > corr[~same].mean() + 0.02
    assert corr[~same].mean() > 0.0  # the common market factor


def test_generate_universe_planted_ic_recovered_from_bars(large) -> None:
    # Arrange: the signal at t against the close-to-close log return of t+1, from the bars only
    fwd = _log_returns(large).to_numpy()
    sig = large.signal.to_numpy()[:-1]
    # Act: mean per-bar cross-sectional Pearson and Spearman ICs (naive reference loop)
    pearson = np.mean([np.corrcoef(s, r)[0, 1] for s, r in zip(sig, fwd, strict=True)])
    spearman = np.mean([stats.spearmanr(s, r).statistic for s, r in zip(sig, fwd, strict=True)])
    # Assert: per-bar IC SE ~ 1/sqrt(300), mean over 499 bars ~ 0.0026 -> tolerance ~4 SE
    assert pearson == pytest.approx(0.1, abs=0.011)
    assert spearman == pytest.approx(large.realized_ic, abs=1e-9)
    assert large.meta["realized_pearson_ic"] == pytest.approx(pearson, abs=1e-9)
    assert 0.09 < spearman < 0.13


def test_generate_universe_planted_ic_changes_only_returns_after_t() -> None:
    # The same seed with and without a planted signal shares its noise: bar 0 and the signal
    # are identical; the planted component only shows up from the bar after the signal.
    plain = generate_universe(20, 50, seed=4)
    planted = generate_universe(20, 50, seed=4, planted_ic=0.3)
    pd.testing.assert_frame_equal(plain.signal, planted.signal)
    a, b = plain.bars["SYN0001"], planted.bars["SYN0001"]
    assert a["close"].iloc[0] == b["close"].iloc[0]
    assert not np.allclose(a["close"].to_numpy()[1:], b["close"].to_numpy()[1:])


def test_generate_universe_no_signal_ic_near_zero() -> None:
    universe = generate_universe(200, 300, seed=8)
    assert abs(universe.realized_ic) < 0.02


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_symbols": 0}, "n_symbols"),
        ({"timeframe": "5min"}, "unsupported"),
        ({"planted_ic": 1.5}, "planted_ic"),
        ({"garch_alpha": 0.5, "garch_beta": 0.6}, "GARCH"),
    ],
)
def test_generate_universe_bad_arguments_raise(kwargs: dict[str, object], match: str) -> None:
    params: dict[str, object] = {"n_symbols": 2, "n_bars": 10, "seed": 0} | kwargs
    with pytest.raises(DataError, match=match):
        generate_universe(**params)  # type: ignore[arg-type]
