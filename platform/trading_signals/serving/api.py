"""The HTTP API as a plain FastAPI app (no Ray): the same handlers run under uvicorn, in
``TestClient`` and inside the Ray Serve ingress deployment (``serve/app.py``).

No ``from __future__ import annotations`` here: FastAPI resolves route annotations at import
and string annotations of closures break body parsing and ``/openapi.json``.
"""

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException

import trading_signals
from trading_signals.errors import TradingSignalsError
from trading_signals.serving.backtest import run_small_backtest
from trading_signals.serving.errors import AuthError, ServiceUnavailableError, status_for
from trading_signals.serving.metrics import FacadeMetrics, NullMetrics, ServiceMetrics
from trading_signals.serving.middleware import RequestContextMiddleware, error_body
from trading_signals.serving.schemas import (
    BacktestRequest,
    BacktestResponse,
    ErrorResponse,
    HealthResponse,
    PredictRequest,
    PredictResponse,
    SignalResponse,
    SymbolsResponse,
)
from trading_signals.research.service import ReportRequest, ReportResponse
from trading_signals.serving.settings import API_KEY_HEADER, ServeSettings
from trading_signals.serving.signals import SignalService

log = logging.getLogger("trading_signals.serving")
Timeframe = Literal["1min", "5min", "15min", "30min", "1h", "4h", "1d", "1w", "1mo"]
PredictFn = Callable[[PredictRequest], Awaitable[dict[str, Any]]]
ModelInfoFn = Callable[[], Awaitable[dict[str, Any] | None]]
SYMBOL_PATH = Path(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ERRORS = {code: {"model": ErrorResponse, "description": text} for code, text in (
    (400, "Malformed body or invalid option"), (401, "Missing or wrong API key"), (404, "Unknown symbol or data"),
    (413, "Request too large for the synchronous path"), (422, "Invalid input (names the field)"),
    (500, "Internal error (carries the request id)"), (503, "Part of the service not configured"))}


@dataclass
class Backend:
    """What the routes call: the signal service, a predict function and the API key."""

    settings: ServeSettings
    signals: SignalService
    api_key: str | None
    predict: PredictFn | None = None
    model_info: ModelInfoFn | None = None
    metrics: ServiceMetrics = field(default_factory=NullMetrics)
    indexes: list[str] = field(default_factory=list)
    reports: Any = None  # research.service.ReportService; built lazily by create_app when None
    # False under Ray Serve, whose own middleware already echoes x-request-id in the response.
    echo_request_id: bool = True


def signal_service(settings: ServeSettings) -> SignalService:
    """Build the signal service of ``settings`` (signals section of its run config if given)."""
    config = None
    if settings.signals_config:
        from trading_signals.config import load_config

        config = load_config(settings.signals_config).signals
    return SignalService(settings.lake, config=config, cache_size=settings.cache_size)


def local_backend(settings: ServeSettings, *, api_key: str | None,
                  metrics: ServiceMetrics | None = None) -> Backend:
    """Backend with the model in this process (plain FastAPI / uvicorn / tests)."""
    metrics = metrics or FacadeMetrics()
    predictor = None
    if settings.model_id is not None and settings.registry is not None:
        from trading_signals.serving.predictor import ModelPredictor

        predictor = ModelPredictor(settings.registry, settings.model_id,
                                   max_rows=settings.predict_max_rows, max_bars=settings.predict_max_bars)
        metrics.model_loaded(model_id=predictor.model_id)
    backend = Backend(settings=settings, signals=signal_service(settings), api_key=api_key,
                      metrics=metrics)
    if predictor is not None:
        async def predict(req: PredictRequest) -> dict[str, Any]:
            result = (await run_in_threadpool(predictor.predict_batch, [req]))[0]
            metrics.prediction_batch(size=1, model_id=predictor.model_id)
            if isinstance(result, Exception):
                raise result
            return result

        async def info() -> dict[str, Any] | None:
            return predictor.info()

        backend.predict, backend.model_info = predict, info
    return backend


def _rid(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def create_app(backend: Backend) -> FastAPI:
    """Return the FastAPI app serving ``backend`` (routes, auth, error mapping, body limit)."""
    settings = backend.settings
    app = FastAPI(title="trading_signals API", version=trading_signals.__version__,
                  description="Explainable confluence signals, model predictions and small "
                              "backtests. Send the API key in the `X-API-Key` header.")
    header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                          description="API key (TSIG_API_KEY on the server)")

    # async: a cheap check run on the event loop (a sync dependency costs a threadpool hop).
    async def authorize(key: str | None = Depends(header)) -> None:
        if backend.api_key is None:
            return
        # Constant time: the comparison's duration does not reveal how much of the key matched.
        if key is None or not hmac.compare_digest(key.encode("utf-8"), backend.api_key.encode("utf-8")):
            raise AuthError(f"missing or wrong API key: send it in the {API_KEY_HEADER} header")

    secured = [Depends(authorize)]
    _install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes,
                       metrics=backend.metrics, echo_request_id=backend.echo_request_id)

    @app.get("/v1/health", response_model=HealthResponse, tags=["meta"], responses={500: _ERRORS[500]})
    async def health() -> dict[str, Any]:
        """Liveness and what is loaded (lake, model, indexes). No API key needed."""
        symbols = await run_in_threadpool(backend.signals.symbols, settings.timeframe)
        model = await backend.model_info() if backend.model_info else None
        return {"status": "ok", "version": trading_signals.__version__, "lake": settings.lake,
                "timeframe": settings.timeframe, "symbols": len(symbols), "model": model,
                "indexes": backend.indexes, "auth": "api_key" if backend.api_key else "disabled"}

    @app.get("/v1/symbols", response_model=SymbolsResponse, tags=["signals"], dependencies=secured,
             responses={k: _ERRORS[k] for k in (401, 422, 500)})
    def symbols(timeframe: Timeframe = Query(settings.timeframe)) -> dict[str, Any]:  # type: ignore[assignment]
        """List the lake's symbols with their first and last bar."""
        return {"timeframe": timeframe, "symbols": backend.signals.describe(timeframe)}

    @app.get("/v1/signals/{symbol}", response_model=SignalResponse, tags=["signals"],
             dependencies=secured, responses={k: _ERRORS[k] for k in (401, 404, 422, 500)})
    async def signal(symbol: str = SYMBOL_PATH, timeframe: Timeframe = Query(settings.timeframe),  # type: ignore[assignment]
                     as_of: datetime | None = Query(None, description="Point in time: only bars stamped <= as_of are used")
                     ) -> Response:
        """Latest (or point-in-time) confluence signal with component contributions."""
        # The hot path of a polling client: an answer already in memory is sent as its stored
        # JSON from the event loop (no thread hop, no re-serialisation); reading the lake, an
        # object-store listing or computing a signal runs in the thread pool.
        found = backend.signals.encoded(symbol, timeframe, as_of, cached_only=True)
        if found is None:
            found = await run_in_threadpool(backend.signals.encoded, symbol, timeframe, as_of)
        assert found is not None
        backend.metrics.signal_served(label=found.label, timeframe=timeframe, cache=found.cache)
        return Response(found.body, media_type="application/json")

    @app.post("/v1/predict", response_model=PredictResponse, tags=["models"], dependencies=secured,
              responses={k: _ERRORS[k] for k in (400, 401, 413, 422, 500, 503)})
    async def predict(body: PredictRequest) -> dict[str, Any]:
        """Predictions with uncertainty from the served model (feature rows or recent bars)."""
        if backend.predict is None:
            raise ServiceUnavailableError("no model is served: start with --registry and --model "
                                          "(serve args registry/model_id); see `tsig models ls`")
        return await backend.predict(body)

    @app.post("/v1/backtest", response_model=BacktestResponse, tags=["backtests"],
              dependencies=secured, responses={k: _ERRORS[k] for k in (400, 401, 404, 413, 422, 500)})
    def backtest(body: BacktestRequest) -> dict[str, Any]:
        """A small synchronous backtest (bounded bars x symbols; larger: jobs/backtest.py)."""
        return run_small_backtest(body, backend.signals, max_cells=settings.backtest_max_cells,
                                  max_symbols=settings.backtest_max_symbols)

    html_errors: dict[int | str, dict[str, Any]] = {k: {
        "description": _ERRORS[k]["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        for k in (401, 404, 422, 500)}

    reports: list[Any] = [backend.reports]

    def report_service() -> Any:
        if reports[0] is None:  # first report request: the store opens lazily (fast start-up)
            from trading_signals.research.service import ReportService

            reports[0] = ReportService.from_env(lake=settings.lake)
        return reports[0]

    _report_errors = {c: _ERRORS[c] for c in (400, 401, 404, 422, 500, 503)}

    @app.post("/v1/reports", response_model=ReportResponse, response_model_exclude_none=True,
              tags=["research"], dependencies=secured, responses=_report_errors)
    def create_report(body: ReportRequest) -> dict[str, Any]:
        """Research report on a symbol as of a date (point in time; cached per as-of)."""
        return report_service().create(body)

    @app.get("/v1/reports/{symbol}", response_model=ReportResponse,
             response_model_exclude_none=True, tags=["research"], dependencies=secured,
             responses=_report_errors)
    def get_report(symbol: str = SYMBOL_PATH,
                   as_of: str = Query(..., min_length=1, max_length=40,
                                      description="UTC date or time; a date = end of that day"),
                   html: bool = Query(False, description="Also return the HTML page")) -> dict[str, Any]:
        """The cached research report of ``symbol`` as of ``as_of`` (written on a miss)."""
        return report_service().get(symbol, as_of, html=html)

    @app.get("/", response_class=HTMLResponse, tags=["dashboard"], dependencies=secured,
             responses=html_errors)
    def dashboard(symbol: str | None = Query(None, min_length=1, max_length=32,
                                             pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
                  timeframe: Timeframe = Query(settings.timeframe)) -> HTMLResponse:  # type: ignore[assignment]
        """Dashboard: latest signals table and a chart per symbol (Plotly inlined)."""
        from trading_signals.serving.dashboard import render_dashboard

        return HTMLResponse(render_dashboard(backend.signals, timeframe=timeframe, symbol=symbol,
                                             max_symbols=settings.dashboard_symbols,
                                             max_bars=settings.dashboard_bars))

    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradingSignalsError)
    async def _ours(request: Request, exc: TradingSignalsError) -> JSONResponse:
        code = status_for(exc)
        kind = {401: "unauthorized", 404: "not_found", 413: "payload_too_large",
                503: "unavailable", 422: "invalid_input"}.get(code, "bad_request")
        headers = {"WWW-Authenticate": API_KEY_HEADER} if code == 401 else None
        return JSONResponse(error_body(kind, str(exc), _rid(request)), status_code=code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                   "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors()]
        where = ", ".join(".".join(str(p) for p in f["loc"]) for f in fields[:5])
        return JSONResponse(error_body("validation_error", f"invalid input at {where}", _rid(request),
                                       fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error")
        return JSONResponse(error_body(kind, str(exc.detail), _rid(request)),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))
