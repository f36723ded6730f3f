"""Request and response schemas of the HTTP API (pydantic v2, strict on input).

Requests use ``strict=True`` and ``extra="forbid"``: ``false`` is not a float, ``"3"`` is not an
int, and an unknown key is an error naming the field (HTTP 422), instead of being guessed at.
Responses never carry NaN (JSON has none): missing numbers are ``null``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Finite = Annotated[float, Field(allow_inf_nan=False)]
# FastAPI validates the decoded JSON in Python mode, where strict datetimes refuse ISO strings;
# timestamps alone are parsed leniently (ISO 8601 strings), everything else stays strict.
IsoTime = Annotated[datetime, Field(strict=False)]
Symbol = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- errors
class FieldError(_Response):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(_Response):
    type: str = Field(description="Error class, e.g. not_found, validation_error, internal_error.")
    message: str
    request_id: str
    fields: list[FieldError] | None = None


class ErrorResponse(_Response):
    error: ErrorBody


# ---------------------------------------------------------------- health / symbols
class ModelInfo(_Response):
    model_id: str
    model_class: str
    features: int
    uncertainty: str | None


class HealthResponse(_Response):
    status: Literal["ok"]
    version: str
    lake: str
    timeframe: str
    symbols: int
    model: ModelInfo | None
    indexes: list[str]
    auth: Literal["api_key", "disabled"]


class SymbolInfo(_Response):
    symbol: str
    start: datetime
    end: datetime
    rows: int


class SymbolsResponse(_Response):
    timeframe: str
    symbols: list[SymbolInfo]


# ---------------------------------------------------------------- signals
class SignalResponse(_Response):
    symbol: str
    timeframe: str
    as_of: datetime | None = Field(description="Requested point in time (null: latest).")
    timestamp: datetime = Field(description="Start of the bar the signal was computed at.")
    last_bar: datetime = Field(description="Last bar used (bars after as_of are never read).")
    bars_used: int
    close: float | None
    signal: str | None
    confluence_score: float | None
    confidence: float | None
    coverage: float | None
    agreement: float | None
    components: dict[str, float | None]
    contributions: dict[str, float | None]
    missing_components: list[str]
    explanation: str
    cache: Literal["hit", "miss"]


# ---------------------------------------------------------------- predict
class BarIn(_Request):
    timestamp: IsoTime
    open: Finite = Field(gt=0)
    high: Finite = Field(gt=0)
    low: Finite = Field(gt=0)
    close: Finite = Field(gt=0)
    volume: Finite = Field(ge=0)


class PredictRequest(_Request):
    """Either feature ``rows`` (one prediction each) or recent OHLCV ``bars`` (features are
    computed as at training; one prediction for the last bar)."""

    rows: list[dict[str, Finite | None]] | None = Field(
        None, min_length=1, description="Feature rows keyed by the model's feature names; null = missing.")
    bars: list[BarIn] | None = Field(
        None, min_length=2, description="Recent bars of one symbol, oldest first.")
    symbol: Symbol | None = None

    @model_validator(mode="after")
    def _one_input(self) -> Self:
        if (self.rows is None) == (self.bars is None):
            raise ValueError("give exactly one of 'rows' (feature rows) or 'bars' (OHLCV bars)")
        return self


class Prediction(_Response):
    value: float | None
    uncertainty: float | None


class PredictResponse(_Response):
    model_id: str
    model_class: str
    predictions: list[Prediction]
    uncertainty: str | None = Field(description="What 'uncertainty' measures, or null.")
    uncertainty_note: str
    timestamp: datetime | None = Field(None, description="Bar predicted (bars input).")
    batch_size: int = Field(description="Requests answered by the same model call.")


# ---------------------------------------------------------------- backtest
class BacktestRequest(_Request):
    symbols: list[Symbol] = Field(min_length=1, max_length=100)
    timeframe: Literal["1min", "5min", "15min", "30min", "1h", "4h", "1d", "1w", "1mo"] = "1d"
    start: IsoTime | None = None
    end: IsoTime | None = None
    strategy: Literal["confluence", "sma_cross"] = "confluence"
    fast: int = Field(10, ge=1, le=500)
    slow: int = Field(30, ge=2, le=1000)
    long_only: bool = False
    commission_bps: Finite = Field(1.0, ge=0, le=1_000)
    slippage_bps: Finite = Field(1.0, ge=0, le=1_000)
    spread_bps: Finite = Field(0.0, ge=0, le=1_000)
    initial_cash: Finite = Field(10_000.0, gt=0, le=1e12)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.strategy == "sma_cross" and self.fast >= self.slow:
            raise ValueError(f"sma_cross needs fast < slow, got fast={self.fast}, slow={self.slow}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start is after end")
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("symbols: each symbol at most once")
        return self


class EquityPoint(_Response):
    timestamp: datetime
    equity: float


class BacktestResponse(_Response):
    symbols: list[str]
    strategy: str
    start: datetime
    end: datetime
    bars: int
    metrics: dict[str, float | None]
    trades: int
    equity: list[EquityPoint] = Field(description="Equity curve, at most 500 evenly spaced points.")
