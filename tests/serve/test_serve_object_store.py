"""The signal service on an object-store lake (moto S3 on loopback), as under KubeRay where
``lake`` resolves under ``TSIG_STORAGE=s3://...``."""

from __future__ import annotations

import pytest

from tests._services import moto_server
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.serving import signals as signals_mod
from trading_signals.serving.errors import NotFoundError
from trading_signals.serving.settings import ServeSettings, resolve_locations
from trading_signals.serving.signals import SignalService


def test_signals_from_an_s3_lake_refresh_after_the_ttl(monkeypatch) -> None:
    full = generate_universe(2, 300, seed=6).bars
    with moto_server(bucket="tsig") as s3:
        monkeypatch.setenv("TSIG_STORAGE", s3.uri("prod"))
        settings = resolve_locations(ServeSettings(lake="lake"))
        assert settings.lake == s3.uri("prod", "lake")
        for sym, frame in full.items():
            write_bars(settings.lake, frame.iloc[:250], symbol=sym, timeframe="1d")
        clock = {"t": 1000.0}
        monkeypatch.setattr(signals_mod.time, "monotonic", lambda: clock["t"])
        service = SignalService(settings.lake)
        first = service.lookup("SYN0001", "1d")
        assert first["bars_used"] == 250 and first["cache"] == "miss"
        assert service.symbols("1d") == ["SYN0000", "SYN0001"]
        write_bars(settings.lake, full["SYN0001"].iloc[:260], symbol="SYN0001", timeframe="1d")
        assert service.lookup("SYN0001", "1d")["bars_used"] == 250  # within the 5 s TTL
        clock["t"] += 6.0
        assert service.lookup("SYN0001", "1d")["bars_used"] == 260
        with pytest.raises(NotFoundError):
            service.lookup("NOPE", "1d")
