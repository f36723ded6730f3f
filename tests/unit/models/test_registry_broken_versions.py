"""One damaged version (corrupt manifest, missing hparams.json) never breaks the whole registry."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.errors import DataError
from trading_signals.models import AttentionLSTMRegressor, LightGBMRegressor, ModelRegistry


@pytest.fixture
def registry(planted_small, tmp_path):
    X, y, _ = planted_small
    reg = ModelRegistry(tmp_path / "reg")
    kw = dict(config_id="c", features=list(X.columns), train_start=X.index[0][0], train_end=X.index[-1][0])
    good = reg.register(LightGBMRegressor(n_estimators=5).fit(X, y), name="good", **kw)
    corrupt = reg.register(LightGBMRegressor(n_estimators=5).fit(X, y), name="corrupt", **kw)
    lstm = reg.register(AttentionLSTMRegressor(seq_len=3, hidden_size=4, num_heads=1, max_epochs=1).fit(X, y),
                        name="nohparams", **kw)
    (tmp_path / "reg" / "corrupt" / "v0001" / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "reg" / "nohparams" / "v0001" / "hparams.json").unlink()
    return reg, X, good, corrupt, lstm


def test_list_keeps_good_versions_and_flags_broken_ones(registry) -> None:
    reg, X, good, corrupt, lstm = registry
    assert [m["model_id"] for m in reg.list()] == [good]
    flagged = {m["model_id"]: m.get("broken") for m in reg.list(include_broken=True)}
    assert flagged[good] is None
    assert "not valid JSON" in flagged[corrupt] and "manifest.json" in flagged[corrupt]
    assert "hparams.json" in flagged[lstm] and "missing" in flagged[lstm]
    assert np.isfinite(reg.load(good).predict(X)).all()  # the good model still loads


def test_loading_a_broken_version_is_a_clear_data_error(registry) -> None:
    reg, _, _, corrupt, lstm = registry
    with pytest.raises(DataError, match="not valid JSON"):
        reg.load(corrupt)
    with pytest.raises(DataError, match=r"hparams\.json.*missing"):
        reg.load(lstm)


def test_models_ls_cli_lists_good_and_flags_broken(registry, tmp_path) -> None:
    reg, _, good, corrupt, lstm = registry
    result = CliRunner().invoke(app, ["models", "ls", "--registry", str(reg.root), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["model_id"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {good, corrupt, lstm}
    assert rows[good]["broken"] is None and rows[good]["class"] == "LightGBMRegressor"
    assert rows[corrupt]["broken"] and rows[lstm]["broken"]
    table = CliRunner().invoke(app, ["models", "ls", "--registry", str(reg.root)])
    assert table.exit_code == 0 and "BROKEN" in table.stdout and "Traceback" not in table.output


def test_evaluate_of_a_broken_version_exits_2_with_message(registry) -> None:
    reg, _, _, corrupt, _ = registry
    result = CliRunner().invoke(app, ["evaluate", corrupt, "--registry", str(reg.root)])
    assert result.exit_code == 2, result.output
    assert "not valid JSON" in result.output and "Traceback" not in result.output
