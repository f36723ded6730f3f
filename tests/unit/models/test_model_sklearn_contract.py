"""scikit-learn estimator contract (``parametrize_with_checks``), with explicit xfails for torch."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks
from trading_signals.models import (
    AttentionLSTMClassifier,
    AttentionLSTMRegressor,
    FitWindowScaler,
    LightGBMRegressor,
    StackedEnsemble,
)

_TINY_TORCH = {"seq_len": 2, "hidden_size": 4, "num_heads": 1, "max_epochs": 1, "val_fraction": 0.0}

# Torch models: why each check cannot pass.
_TORCH_XFAIL = {
    # One gradient step of a tiny randomly initialised net does not reach sklearn's accuracy bars.
    "check_regressors_train": "1-epoch tiny net cannot reach the sklearn R^2 bar",
    "check_classifiers_train": "1-epoch tiny net cannot reach the sklearn accuracy bar",
    # Rows form one sequence in row order, so a row's prediction depends on earlier rows.
    "check_methods_subset_invariance": "sequence model: a row's prediction depends on earlier rows",
    "check_methods_sample_order_invariance": "sequence model: row order is time order",
}


def _expected(est):
    if isinstance(est, (AttentionLSTMRegressor, AttentionLSTMClassifier)):
        return _TORCH_XFAIL
    return {}


@parametrize_with_checks(
    [
        FitWindowScaler(),
        LightGBMRegressor(n_estimators=30, learning_rate=0.3, min_child_samples=2),
        StackedEnsemble(n_splits=2, n_estimators=5, min_samples_leaf=1),
        AttentionLSTMRegressor(**_TINY_TORCH),
        AttentionLSTMClassifier(**_TINY_TORCH),
    ],
    expected_failed_checks=_expected,
)
def test_models_sklearn_contract(estimator, check) -> None:
    check(estimator)
