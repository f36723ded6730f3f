"""Attention-LSTM regressor and classifier behind the scikit-learn estimator contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from trading_signals.errors import DataError
from trading_signals.models import _torch_net as tn
from trading_signals.models.base import row_groups, row_timestamps
from trading_signals.models.preprocessing import FitWindowScaler

WEIGHTS_FILE = "weights.pt"
HPARAMS_FILE = "hparams.json"


class _AttentionLSTMBase(BaseEstimator):
    """Shared fit/predict machinery; see :class:`AttentionLSTMRegressor` for the parameters."""

    def __init__(
        self,
        *,
        seq_len: int = 16,
        hidden_size: int = 32,
        num_layers: int = 1,
        num_heads: int = 2,
        dropout: float = 0.0,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        batch_size: int = 256,
        max_epochs: int = 20,
        patience: int = 3,
        val_fraction: float = 0.2,
        purge: int = 1,
        grad_clip: float | None = 1.0,
        random_state: int = 0,
        device: str = "auto",
        num_threads: int | None = 1,
    ) -> None:
        self.seq_len = seq_len
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.val_fraction = val_fraction
        self.purge = purge
        self.grad_clip = grad_clip
        self.random_state = random_state
        self.device = device
        self.num_threads = num_threads

    # -- hooks for the two heads ------------------------------------------------------------
    def _encode_target(self, y: np.ndarray, train: np.ndarray) -> tuple[torch.Tensor, int, Any]:
        raise NotImplementedError

    # -- fitting ----------------------------------------------------------------------------
    def _sequences(self, X: Any, arr: np.ndarray) -> torch.Tensor:
        index = tn.sequence_index(row_groups(X), row_timestamps(X), int(self.seq_len))
        return tn.gather_sequences(self.scaler_.transform(arr), index)

    def _split_validation(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        uniq = np.unique(times)
        n_val = int(np.floor(len(uniq) * self.val_fraction))
        if n_val < 1 or len(uniq) - n_val - self.purge < 2:
            return np.ones(len(times), dtype=bool), np.zeros(len(times), dtype=bool)
        val_start, train_end = uniq[len(uniq) - n_val], uniq[len(uniq) - n_val - self.purge]
        return times < train_end, times >= val_start

    def _check_params(self) -> None:
        if self.seq_len < 1 or self.hidden_size < 1 or self.max_epochs < 1 or self.batch_size < 1:
            raise ValueError("seq_len, hidden_size, max_epochs and batch_size must be >= 1")
        if self.hidden_size % self.num_heads:
            raise ValueError(f"hidden_size ({self.hidden_size}) must be divisible by num_heads ({self.num_heads})")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in [0, 1), got {self.val_fraction}")

    def _fit(self, X: Any, y: Any) -> Any:
        self._check_params()
        times = row_timestamps(X)
        arr, target = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan",
                                    y_numeric=not isinstance(self, ClassifierMixin))
        train, val = self._split_validation(times)
        self.device_ = str(tn.resolve_device(self.device))
        with tn.deterministic_torch(int(self.random_state), self.num_threads):
            self.scaler_ = FitWindowScaler().fit(arr[train])  # training rows only
            seqs = self._sequences(X, arr)
            targets, n_out, loss_fn = self._encode_target(target, train)
            net = tn.AttentionLSTMNet(arr.shape[1], self.hidden_size, self.num_layers,
                                      self.num_heads, self.dropout, n_out).to(self.device_)
            dev = torch.device(self.device_)
            data = {"xtr": seqs[train].to(dev), "ytr": targets[train].to(dev)}
            if val.any():
                data.update(xva=seqs[val].to(dev), yva=targets[val].to(dev))
            gen = torch.Generator().manual_seed(int(self.random_state))
            self.history_ = tn.train_loop(
                net, data, loss_fn=loss_fn, lr=self.lr, weight_decay=self.weight_decay,
                batch_size=self.batch_size, max_epochs=self.max_epochs, patience=self.patience,
                grad_clip=self.grad_clip, generator=gen,
            )
        self.net_ = net.cpu().eval()
        self.n_train_rows_, self.n_val_rows_ = int(train.sum()), int(val.sum())
        return self

    def _raw_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "net_")
        arr = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        with tn.deterministic_torch(int(self.random_state), self.num_threads):
            return tn.forward_batches(self.net_, self._sequences(X, arr), int(self.batch_size))

    # -- persistence ------------------------------------------------------------------------
    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        return None

    def save(self, path: str | Path) -> None:
        """Write ``weights.pt`` (``torch.save(state_dict)``) and ``hparams.json`` into ``path``."""
        check_is_fitted(self, "net_")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        torch.save(self.net_.state_dict(), out / WEIGHTS_FILE)
        meta = {
            "class": type(self).__name__, "params": self.get_params(),
            "n_features_in_": int(self.n_features_in_),
            "feature_names_in_": [str(c) for c in getattr(self, "feature_names_in_", [])],
            "scaler": {"center": self.scaler_.center_.tolist(), "scale": self.scaler_.scale_.tolist()},
            "n_outputs": int(self.net_.head[-1].out_features), **self._extra_state(),
        }
        (out / HPARAMS_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Any:
        """Rebuild a fitted model; weights load with ``torch.load(..., weights_only=True)``."""
        src = Path(path)
        meta = json.loads((src / HPARAMS_FILE).read_text(encoding="utf-8"))
        if meta.get("class") != cls.__name__:
            raise DataError(f"{src}: artifact holds {meta.get('class')!r}, not {cls.__name__}")
        model = cls(**meta["params"])
        n_in = int(meta["n_features_in_"])
        model.n_features_in_ = n_in
        if meta["feature_names_in_"]:
            model.feature_names_in_ = np.asarray(meta["feature_names_in_"], dtype=object)
        scaler = FitWindowScaler()
        scaler.center_ = np.asarray(meta["scaler"]["center"], dtype=np.float64)
        scaler.scale_ = np.asarray(meta["scaler"]["scale"], dtype=np.float64)
        scaler.n_features_in_ = n_in
        model.scaler_ = scaler
        net = tn.AttentionLSTMNet(n_in, model.hidden_size, model.num_layers, model.num_heads,
                                  model.dropout, int(meta["n_outputs"]))
        net.load_state_dict(torch.load(src / WEIGHTS_FILE, map_location="cpu", weights_only=True))
        model.net_ = net.eval()
        model.device_ = "cpu"
        model._set_extra_state(meta)
        return model

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        return tags


class AttentionLSTMRegressor(RegressorMixin, _AttentionLSTMBase):
    """LSTM + multi-head self-attention regressor over per-symbol feature windows.

    Parameters
    ----------
    seq_len
        Bars per input window. Windows are built per symbol (``symbol`` index level) and never
        cross symbols; rows with shorter history are left-padded with zeros (the scaled centre).
    hidden_size, num_layers, num_heads, dropout
        Network size; ``hidden_size`` must be divisible by ``num_heads``.
    lr, weight_decay, batch_size, max_epochs, grad_clip
        Adam optimisation with gradient-norm clipping.
    patience, val_fraction, purge
        Early stopping on the last ``val_fraction`` of the training timestamps, separated from
        the rows trained on by ``purge`` timestamps (>= label horizon); the best epoch is kept.
    random_state, num_threads, device
        Seeding (forked torch RNG, deterministic algorithms), torch threads during fit/predict
        (restored afterwards), and ``"auto"`` (CUDA if present, else CPU), ``"cpu"``...

    Notes
    -----
    The prediction at row (t, s) uses features of symbol s at bars ``t-seq_len+1 .. t`` that are
    present in ``X``; pass earlier rows along to give the first test rows their history. The
    feature scaler and the target scaling are fitted on the training slice only.
    """

    def _encode_target(self, y: np.ndarray, train: np.ndarray) -> tuple[torch.Tensor, int, Any]:
        self.y_mean_ = float(np.mean(y[train]))
        sd = float(np.std(y[train]))
        self.y_scale_ = sd if sd > 1e-12 else 1.0
        t = torch.from_numpy(((y - self.y_mean_) / self.y_scale_).astype(np.float32)).reshape(-1, 1)
        return t, 1, torch.nn.functional.mse_loss

    def fit(self, X: Any, y: Any) -> AttentionLSTMRegressor:
        """Fit on a panel (or a single series in row order) and return ``self``."""
        return self._fit(X, y)  # type: ignore[no-any-return]

    def predict(self, X: Any) -> np.ndarray:
        """Return one prediction per row, in the label's units."""
        return self._raw_predict(X)[:, 0] * self.y_scale_ + self.y_mean_

    def _extra_state(self) -> dict[str, Any]:
        return {"y_mean": self.y_mean_, "y_scale": self.y_scale_}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        self.y_mean_, self.y_scale_ = float(state["y_mean"]), float(state["y_scale"])


class AttentionLSTMClassifier(ClassifierMixin, _AttentionLSTMBase):
    """Attention-LSTM classifier (e.g. the sign of the next return); parameters as the regressor.

    Notes
    -----
    Same look-ahead semantics as :class:`AttentionLSTMRegressor`.
    """

    def _encode_target(self, y: np.ndarray, train: np.ndarray) -> tuple[torch.Tensor, int, Any]:
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least 2 classes to fit a classifier, got 1 class: {self.classes_}")
        codes = np.searchsorted(self.classes_, y)
        return torch.from_numpy(codes.astype(np.int64)), len(self.classes_), torch.nn.functional.cross_entropy

    def fit(self, X: Any, y: Any) -> AttentionLSTMClassifier:
        """Fit on a panel (or a single series in row order) and return ``self``."""
        return self._fit(X, y)  # type: ignore[no-any-return]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return class probabilities, one row per input row, columns in ``classes_`` order."""
        logits = self._raw_predict(X)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Return the most probable class per row."""
        logits = self._raw_predict(X)
        return np.asarray(self.classes_[np.argmax(logits, axis=1)])

    def _extra_state(self) -> dict[str, Any]:
        return {"classes": self.classes_.tolist()}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        self.classes_ = np.asarray(state["classes"])
