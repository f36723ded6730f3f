"""The composed run configuration and its loader."""

from __future__ import annotations

from pathlib import Path

from trading_signals.config._base import FrozenModel, read_yaml, validate_mapping
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.data import DataConfig
from trading_signals.config.features import FeaturesConfig
from trading_signals.config.models import ModelConfig
from trading_signals.config.remote import RemoteConfig
from trading_signals.config.risk import RiskConfig
from trading_signals.config.sentiment import SentimentConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.config.study import StudyConfig
from trading_signals.config.tune import TuneConfig


class RunConfig(FrozenModel):
    """Everything a run needs; every section has defaults so ``{}`` is a valid config."""

    name: str = "run"
    data: DataConfig = DataConfig()
    remote: RemoteConfig = RemoteConfig()
    features: FeaturesConfig = FeaturesConfig()
    sentiment: SentimentConfig = SentimentConfig()
    signals: SignalsConfig = SignalsConfig()
    backtest: BacktestConfig = BacktestConfig()
    risk: RiskConfig = RiskConfig()
    models: ModelConfig = ModelConfig()
    tune: TuneConfig = TuneConfig()
    study: StudyConfig = StudyConfig()


def load_config(path: str | Path) -> RunConfig:
    """Load and validate a YAML run config.

    Raises
    ------
    ConfigError
        Naming the file, every bad key path and what was expected.
    """
    return validate_mapping(RunConfig, read_yaml(path), source=str(path))
