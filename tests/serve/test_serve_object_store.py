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
        assert service.lookup("SYN0001", "1d")["bars_used"] == 250  # within the listing TTL (1 s)
        clock["t"] += 6.0
        assert service.lookup("SYN0001", "1d")["bars_used"] == 260
        with pytest.raises(NotFoundError):
            service.lookup("NOPE", "1d")


def test_the_event_loop_path_never_lists_or_reads_the_object_store(monkeypatch) -> None:
    """``encoded(cached_only=True)`` answers from memory within the listing TTL, else None."""
    full = generate_universe(1, 260, seed=6).bars
    with moto_server(bucket="tsig") as s3:
        lake = s3.uri("loop", "lake")
        write_bars(lake, full["SYN0000"], symbol="SYN0000", timeframe="1d")
        clock = {"t": 1000.0}
        monkeypatch.setattr(signals_mod.time, "monotonic", lambda: clock["t"])
        calls = {"list": 0, "read": 0}
        real_scandir, real_read = signals_mod.storage.scandir, signals_mod.read_bars

        def counting_scandir(*args, **kwargs):
            calls["list"] += 1
            return real_scandir(*args, **kwargs)

        def counting_read(*args, **kwargs):
            calls["read"] += 1
            return real_read(*args, **kwargs)

        monkeypatch.setattr(signals_mod.storage, "scandir", counting_scandir)
        monkeypatch.setattr(signals_mod, "read_bars", counting_read)
        service = SignalService(lake)
        assert service.encoded("SYN0000", "1d", cached_only=True) is None  # cold: nothing known
        assert calls == {"list": 0, "read": 0}
        fresh = service.encoded("SYN0000", "1d")
        assert fresh is not None and fresh.cache == "miss" and calls == {"list": 1, "read": 1}
        hot = service.encoded("SYN0000", "1d", cached_only=True)
        assert hot is not None and hot.cache == "hit" and calls == {"list": 1, "read": 1}
        clock["t"] += 6.0  # the listing expired: the loop path declines instead of listing
        assert service.encoded("SYN0000", "1d", cached_only=True) is None
        assert calls == {"list": 1, "read": 1}
