"""A loopback HTTP server speaking Alpha Vantage, Stooq and Polygon formats, with scripted faults.

Each provider has a queue of faults; every request pops the next one ("ok" when empty):

``ok``              the provider's real response format with the served bars
``timeout``         stall longer than any test client timeout before answering
``429`` / ``429:N`` HTTP 429 with ``Retry-After: N`` (default 1)
``500``             HTTP 500
``401``             HTTP 401 (bad key)
``truncated``       declares the full Content-Length, sends half, closes (broken transfer)
``cut``             sends the first half of the body as a complete response (cut-off content)
``malformed``       a 200 body that is not the provider's format (broken JSON / HTML page)
``empty``           200 with an empty body
``nodata``          the provider's own "no data" answer
``notice``          Alpha Vantage rate-limit "Note" body with HTTP 200
``badvalue``        Alpha Vantage: one close is "n/a" (a row-level problem for the gate)
``paginate``        Polygon: first half of the bars plus a ``next_url`` to the second half
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pandas as pd

STALL_SECONDS = 4.0


def polygon_ms(day: pd.Timestamp) -> int:
    """Return Polygon's daily ``t``: 00:00 America/New_York of ``day`` in epoch milliseconds."""
    return int(pd.Timestamp(day.date()).tz_localize("America/New_York").value // 1_000_000)


class FakeProviders:
    """Serve ``bars`` (naive-date index, columns open high low close volume) in three formats."""

    def __init__(self, bars: pd.DataFrame) -> None:
        self.bars = bars
        self.scripts: dict[str, deque[str]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, provider: str, *faults: str) -> None:
        """Queue faults for the next requests to ``provider``."""
        with self._lock:
            self.scripts[provider].extend(faults)

    def hits(self, provider: str) -> int:
        """Return how many requests ``provider`` received."""
        return sum(1 for p, _, _ in self.requests if p == provider)

    def start(self) -> FakeProviders:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- request handling -------------------------------------------------------------------

    def _next_fault(self, provider: str) -> str:
        with self._lock:
            queue = self.scripts[provider]
            return queue.popleft() if queue else "ok"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                provider = _route(parts.path)
                with fake._lock:
                    fake.requests.append((provider, parts.path, query))
                fault = fake._next_fault(provider)
                try:
                    fake._respond(self, provider, parts.path, query, fault)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): expected

        return Handler

    def _respond(
        self, h: BaseHTTPRequestHandler, provider: str, path: str, query: dict[str, str], fault: str
    ) -> None:
        if fault == "timeout":
            self._stop.wait(STALL_SECONDS)
            fault = "ok"
        if fault.startswith("429"):
            retry_after = fault.split(":", 1)[1] if ":" in fault else "1"
            body = json.dumps({"status": "ERROR", "error": "You've exceeded the maximum requests"})
            return _send(h, 429, body.encode(), headers={"Retry-After": retry_after})
        if fault in ("500", "401"):
            return _send(h, int(fault), f"{fault} error page".encode())
        if fault == "empty":
            return _send(h, 200, b"")
        if fault == "malformed":
            bad = (
                b"<html><body>Service unavailable</body></html>"
                if provider == "stooq"
                else b'{"Meta Data": {"1. Information": "Daily"}, "Time Series (Daily)": {"2019-'
            )
            return _send(h, 200, bad)
        body = self._body(provider, path, query, fault)
        if fault == "truncated":
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return None
        if fault == "cut":
            body = body[: len(body) // 2]
        return _send(h, 200, body)

    def _body(self, provider: str, path: str, query: dict[str, str], fault: str) -> bytes:
        if provider == "alphavantage":
            return self._alphavantage(fault).encode()
        if provider == "stooq":
            return self._stooq(query, fault).encode()
        if provider == "polygon":
            return self._polygon(path, query, fault).encode()
        return b"unknown endpoint"

    def _alphavantage(self, fault: str) -> str:
        if fault == "nodata":
            return json.dumps(
                {
                    "Error Message": "Invalid API call. Please retry or visit the "
                    "documentation (https://www.alphavantage.co/documentation/) "
                    "for TIME_SERIES_DAILY."
                }
            )
        if fault == "notice":
            return json.dumps(
                {
                    "Note": "Thank you for using Alpha Vantage! Our standard API call "
                    "frequency is 5 calls per minute and 500 calls per day."
                }
            )
        series = {
            day.strftime("%Y-%m-%d"): {
                "1. open": f"{row.open:.4f}",
                "2. high": f"{row.high:.4f}",
                "3. low": f"{row.low:.4f}",
                "4. close": f"{row.close:.4f}",
                "5. volume": f"{int(row.volume)}",
            }
            for day, row in self.bars.iloc[::-1].iterrows()  # newest first, as the API does
        }
        if fault == "badvalue":  # one unparseable close, on the 5th oldest bar
            series[self.bars.index[4].strftime("%Y-%m-%d")]["4. close"] = "n/a"
        meta = {
            "1. Information": "Daily Prices (open, high, low, close) and Volumes",
            "2. Symbol": "SPX",
            "3. Last Refreshed": self.bars.index[-1].strftime("%Y-%m-%d"),
            "4. Output Size": "Full size",
            "5. Time Zone": "US/Eastern",
        }
        return json.dumps({"Meta Data": meta, "Time Series (Daily)": series}, indent=4)

    def _stooq(self, query: dict[str, str], fault: str) -> str:
        bars = _in_range(self.bars, query.get("d1"), query.get("d2"), fmt="%Y%m%d")
        if fault == "nodata" or bars.empty:
            return "No data"
        lines = ["Date,Open,High,Low,Close,Volume"] + [
            f"{day:%Y-%m-%d},{r.open:.4f},{r.high:.4f},{r.low:.4f},{r.close:.4f},{int(r.volume)}"
            for day, r in bars.iterrows()
        ]
        return "\r\n".join(lines) + "\r\n"

    def _polygon(self, path: str, query: dict[str, str], fault: str) -> str:
        segments = path.strip("/").split("/")  # v2 aggs ticker T range 1 day FROM TO
        ticker, first, last = segments[3], segments[7], segments[8]
        bars = _in_range(self.bars, first, last, fmt="%Y-%m-%d")
        if "cursor" in query:
            bars = bars.iloc[int(query["cursor"]) :]
        elif fault == "paginate":
            half = len(bars) // 2
            bars = bars.iloc[:half]
            next_url = f"{self.url}{path}?cursor={half}"
        if fault == "nodata":
            bars = bars.iloc[:0]
        results = [
            {
                "v": float(r.volume),
                "vw": round((r.high + r.low + r.close) / 3, 4),
                "o": r.open,
                "c": r.close,
                "h": r.high,
                "l": r.low,
                "t": polygon_ms(day),
                "n": 1000,
            }
            for day, r in bars.iterrows()
        ]
        payload: dict[str, object] = {
            "ticker": ticker,
            "queryCount": len(results),
            "resultsCount": len(results),
            "adjusted": True,
            "status": "OK",
            "request_id": "6a7e466379af0a71039d60cc78e72282",
            "count": len(results),
        }
        if results:
            payload["results"] = results
        if fault == "paginate" and "cursor" not in query:
            payload["next_url"] = next_url
        return json.dumps(payload)


def _route(path: str) -> str:
    if path.startswith("/query"):
        return "alphavantage"
    if path.startswith("/q/d/l"):
        return "stooq"
    if path.startswith("/v2/aggs/"):
        return "polygon"
    return "unknown"


def _in_range(bars: pd.DataFrame, first: str | None, last: str | None, *, fmt: str) -> pd.DataFrame:
    out = bars
    if first:
        out = out[out.index >= pd.to_datetime(first, format=fmt)]
    if last:
        out = out[out.index <= pd.to_datetime(last, format=fmt)]
    return out


def _send(
    h: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    h.send_response(code)
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()


@contextmanager
def serving(bars: pd.DataFrame) -> Iterator[FakeProviders]:
    """Run a :class:`FakeProviders` for the duration of a ``with`` block."""
    fake = FakeProviders(bars).start()
    try:
        yield fake
    finally:
        fake.stop()
