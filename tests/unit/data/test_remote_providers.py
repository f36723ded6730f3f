"""Each provider parses its real response format, and rejects bad bodies with a precise reason."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fake_provider_server import polygon_ms
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.remote.base import ProviderError
from trading_signals.data.remote.providers import AlphaVantage, Polygon, Stooq

ENV = {"ALPHAVANTAGE_API_KEY": "AVKEY", "POLYGON_API_KEY": "PGKEY"}

# Verbatim shape of Alpha Vantage's TIME_SERIES_DAILY (newest first, strings, US/Eastern dates).
AV_BODY = json.dumps(
    {
        "Meta Data": {
            "1. Information": "Daily Prices (open, high, low, close) and Volumes",
            "2. Symbol": "IBM",
            "3. Last Refreshed": "2024-01-05",
            "4. Output Size": "Compact",
            "5. Time Zone": "US/Eastern",
        },
        "Time Series (Daily)": {
            "2024-01-05": {
                "1. open": "160.9500",
                "2. high": "162.0000",
                "3. low": "160.0000",
                "4. close": "161.1000",
                "5. volume": "3661981",
            },
            "2024-01-04": {
                "1. open": "160.2400",
                "2. high": "161.7600",
                "3. low": "160.2400",
                "4. close": "160.8800",
                "5. volume": "4071009",
            },
        },
    }
).encode()
STOOQ_BODY = (
    b"Date,Open,High,Low,Close,Volume\r\n"
    b"2024-01-04,182.15,183.0872,180.88,181.91,71983570\r\n"
    b"2024-01-05,181.99,182.76,180.17,181.18,62379661\r\n"
)
POLYGON_BODY = json.dumps(
    {
        "ticker": "AAPL",
        "queryCount": 2,
        "resultsCount": 2,
        "adjusted": True,
        "status": "OK",
        "request_id": "6a7e466379af0a71039d60cc78e72282",
        "count": 2,
        "results": [
            {
                "v": 70790813.0,
                "vw": 131.6292,
                "o": 130.465,
                "c": 130.15,
                "h": 133.41,
                "l": 129.89,
                "t": 1673240400000,
                "n": 645365,
            },  # 2023-01-09 00:00 New York (EST, UTC-5)
            {
                "v": 63896155.0,
                "vw": 129.8931,
                "o": 130.26,
                "c": 130.73,
                "h": 131.2636,
                "l": 128.12,
                "t": 1688356800000,
                "n": 554940,
            },  # 2023-07-03 00:00 New York (EDT, UTC-4)
        ],
    }
).encode()


def test_alphavantage_real_format_parsed_sorted_utc_dates() -> None:
    frame = AlphaVantage(env=ENV).parse(AV_BODY, symbol="IBM", timeframe="1d").frame
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2024-01-04", tz="UTC"),
        pd.Timestamp("2024-01-05", tz="UTC"),
    ]
    np.testing.assert_array_equal(frame["close"], [160.88, 161.10])
    np.testing.assert_array_equal(frame["volume"], [4071009.0, 3661981.0])
    assert frame.attrs["source"] == "remote:alphavantage"


def test_stooq_real_format_parsed() -> None:
    page = Stooq().parse(STOOQ_BODY, symbol="AAPL", timeframe="1d")
    assert page.next_url is None
    np.testing.assert_array_equal(page.frame["high"], [183.0872, 182.76])
    assert page.frame["timestamp"].iloc[0] == pd.Timestamp("2024-01-04", tz="UTC")


def test_polygon_daily_epoch_ms_maps_to_new_york_date_across_dst() -> None:
    frame = Polygon(env=ENV).parse(POLYGON_BODY, symbol="AAPL", timeframe="1d").frame
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2023-01-09", tz="UTC"),
        pd.Timestamp("2023-07-03", tz="UTC"),
    ]
    np.testing.assert_array_equal(frame["open"], [130.465, 130.26])


def test_polygon_intraday_keeps_utc_window_start() -> None:
    frame = Polygon(env=ENV).parse(POLYGON_BODY, symbol="AAPL", timeframe="1h").frame
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2023-01-09 05:00", tz="UTC")


def test_alphavantage_bad_value_kept_as_string_for_the_gate() -> None:
    body = AV_BODY.replace(b'"161.1000"', b'"n/a"')
    frame = AlphaVantage(env=ENV).parse(body, symbol="IBM", timeframe="1d").frame
    # Strings, not parsed numbers: object dtype under pandas 2, the `str` dtype under pandas 3.
    assert len(frame) == 2 and pd.api.types.is_string_dtype(frame["close"])
    assert frame["close"].tolist() == ["160.8800", "n/a"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty response body"),
        (b"   \n", "empty response body"),
        (AV_BODY[: len(AV_BODY) // 2], "malformed or truncated JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"Error Message": "Invalid API call."}', "API error: 'Invalid API call.'"),
        (b'{"Note": "Our standard API call frequency is 5 calls per minute"}', "rate limit"),
        (b'{"Information": "This is a premium endpoint."}', "premium endpoint"),
        (b'{"Meta Data": {}}', "no 'Time Series (Daily)'"),
        (b'{"Time Series (Daily)": {"2024-01-05": {"1. open": "1"}}}', "lacks fields"),
        (
            (
                b'{"Time Series (Daily)": {"2024-13-45": {"1. open": "1", "2. high": "1", '
                b'"3. low": "1", "4. close": "1", "5. volume": "1"}}}'
            ),
            "unparseable date",
        ),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_alphavantage_bad_body_raises_with_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ProviderError, match="alphavantage") as info:
        AlphaVantage(env=ENV).parse(body, symbol="IBM", timeframe="1d")
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"No data", "no data for AAPL (aapl.us)"),
        (STOOQ_BODY[:-20], "truncated or malformed CSV at line 3"),
        (b"<html><body>Exceeded the daily hits limit</body></html>", "not a Stooq CSV"),
        (b"Date,Open,High,Low,Close,Volume\r\n", "no rows"),
        (b"Date,Open,High,Low,Close\n2024-01-05,1,2,0.5,1.5\n", "no Volume column"),
        (b"Date,Open,High,Low,Close,Volume\n05/01/2024,1,2,0.5,1.5,10\n", "unparseable date"),
    ],
)
def test_stooq_bad_body_raises_with_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ProviderError, match="stooq") as info:
        Stooq().parse(body, symbol="AAPL", timeframe="1d")
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"status": "ERROR", "request_id": "x", "error": "Unknown API Key"}, "Unknown API Key"),
        (
            {"status": "NOT_AUTHORIZED", "message": "Your plan doesn't include this data."},
            "NOT_AUTHORIZED",
        ),
        ({"ticker": "AAPL", "queryCount": 0, "resultsCount": 0, "status": "OK"}, "no data"),
        ({"status": "OK", "results": {"t": 1}}, "not a list of objects"),
        (
            {"status": "OK", "results": [{"t": 1673240400000, "o": 1, "h": 1, "l": 1, "c": 1}]},
            "lack field(s) ['v']",
        ),
        (
            {"status": "OK", "results": [{"t": "soon", "o": 1, "h": 1, "l": 1, "c": 1, "v": 1}]},
            "non-numeric 't'",
        ),
    ],
)
def test_polygon_bad_body_raises_with_reason(payload: dict[str, object], reason: str) -> None:
    with pytest.raises(ProviderError, match="polygon") as info:
        Polygon(env=ENV).parse(json.dumps(payload).encode(), symbol="AAPL", timeframe="1d")
    assert reason in str(info.value)


def test_provider_without_key_unavailable_naming_env_var() -> None:
    assert "ALPHAVANTAGE_API_KEY" in (AlphaVantage(env={}).unavailable_reason("1d") or "")
    assert Stooq(env={}).unavailable_reason("1d") is None
    assert "unsupported" in (Stooq(env={}).unavailable_reason("1h") or "")


def test_provider_base_url_precedence_arg_then_env_then_default() -> None:
    env = {"TSIG_STOOQ_BASE_URL": "http://127.0.0.1:9/"}
    assert Stooq(env={}).base_url == "https://stooq.com"
    assert Stooq(env=env).base_url == "http://127.0.0.1:9"
    assert Stooq(env=env, base_url="http://localhost:1").base_url == "http://localhost:1"


def test_requests_carry_real_api_parameters() -> None:
    start, end = pd.Timestamp("2024-01-02").date(), pd.Timestamp("2024-03-28").date()
    av = AlphaVantage(env=ENV).request("IBM", start=start, end=end, timeframe="1d")
    assert av.url.endswith("/query") and av.params["function"] == "TIME_SERIES_DAILY"
    assert av.params["apikey"] == "AVKEY"
    st = Stooq().request("AAPL", start=start, end=end, timeframe="1w")
    assert st.params == {"s": "aapl.us", "i": "w", "d1": "20240102", "d2": "20240328"}
    assert Stooq().stooq_symbol("^SPX") == "^spx"
    pg = Polygon(env=ENV).request("aapl", start=start, end=end, timeframe="5min")
    assert pg.url.endswith("/v2/aggs/ticker/AAPL/range/5/minute/2024-01-02/2024-03-28")
    assert pg.params["apiKey"] == "PGKEY"


def test_polygon_next_url_other_host_refused() -> None:
    provider = Polygon(env=ENV, base_url="http://127.0.0.1:8000")
    with pytest.raises(ProviderError, match="another host"):
        provider.next_request("https://evil.example/v2/aggs?cursor=abc")
    same = provider.next_request("http://127.0.0.1:8000/v2/aggs/x?cursor=abc")
    assert same.params == {"cursor": "abc", "apiKey": "PGKEY"} and "?" not in same.url


@st.composite
def _bars(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 30))
    offsets = draw(st.lists(st.integers(0, 20_000), min_size=n, max_size=n, unique=True))
    price = st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False)
    values = {c: draw(st.lists(price, min_size=n, max_size=n)) for c in ("o", "h", "l", "c")}
    volume = draw(st.lists(st.integers(0, 10**12), min_size=n, max_size=n))
    days = pd.Timestamp("1990-01-01") + pd.to_timedelta(offsets, unit="D")
    return pd.DataFrame({**values, "v": volume}, index=pd.DatetimeIndex(days)).sort_index()


@settings(max_examples=25, deadline=None)
@given(bars=_bars())
def test_stooq_and_polygon_any_valid_body_parsed_without_loss(bars: pd.DataFrame) -> None:
    # Arrange: the same bars in each provider's wire format (repr keeps floats exact)
    csv_lines = ["Date,Open,High,Low,Close,Volume"] + [
        f"{d:%Y-%m-%d},{float(r.o)!r},{float(r.h)!r},{float(r.l)!r},{float(r.c)!r},{int(r.v)}"
        for d, r in bars.iterrows()
    ]
    results = [
        {
            "t": polygon_ms(d),
            "o": float(r.o),
            "h": float(r.h),
            "l": float(r.l),
            "c": float(r.c),
            "v": int(r.v),
        }
        for d, r in bars.iterrows()
    ]
    polygon_body = json.dumps({"status": "OK", "resultsCount": len(results), "results": results})
    expected_stamps = list(bars.index.tz_localize("UTC"))
    # Act
    frames = [
        Stooq().parse("\n".join(csv_lines).encode(), symbol="X", timeframe="1d").frame,
        Polygon(env=ENV).parse(polygon_body.encode(), symbol="X", timeframe="1d").frame,
    ]
    # Assert: every row, exact values, same dates
    for frame in frames:
        assert list(frame["timestamp"]) == expected_stamps
        np.testing.assert_array_equal(frame["close"], bars["c"].to_numpy())
        np.testing.assert_array_equal(frame["volume"], bars["v"].to_numpy(dtype=float))
