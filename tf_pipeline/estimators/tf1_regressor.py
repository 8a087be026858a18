"""``TF1LSTMRegressor``: the legacy TF1 graph LSTM as a scikit-learn regressor.

Each ``fit`` trains :func:`tf_pipeline.models.lstm_model` through
:class:`estimators.Estimator` (TF1 graph, session, DataFeeder batching and
checkpoints in a model directory); ``predict`` restores the latest checkpoint.

Example
-------
>>> import numpy as np
>>> from estimators import TF1LSTMRegressor
>>> X = np.random.RandomState(0).rand(40, 6).astype(np.float32)
>>> y = X.mean(axis=1)
>>> model = TF1LSTMRegressor(hidden_size=4, steps=20, random_state=0).fit(X, y)
>>> model.predict(X[:3]).shape, model.n_features_in_, model.n_steps_
((3,), 6, 20)
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
import weakref
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline.estimators.estimator import Estimator
from tf_pipeline.estimators.hooks import NanLossError, ProgressHook
from tf_pipeline.estimators.model_dir import SIGNATURE_NAME, latest_checkpoint
from tf_pipeline.estimators.run_config import RunConfig
from tf_pipeline.estimators.sklearn_base import BaseLSTMRegressor
from tf_pipeline.models import lstm_model
from tf_pipeline.progress import ProgressBar

logger = logging.getLogger("estimators")

# The optimizer vocabulary shared with the Keras path, in optimize_loss' spelling.
_TF1_OPTIMIZERS = {"adam": "Adam", "adagrad": "Adagrad", "sgd": "SGD", "rmsprop": "RMSProp"}
# Prediction batches only bound memory; every row is computed independently.
_PREDICT_BATCH_SIZE = 1024


class TF1LSTMRegressor(BaseLSTMRegressor):
    """The legacy TF1 graph LSTM regressor with the scikit-learn estimator API.

    Trains :func:`tf_pipeline.models.lstm_model` (``MultiRNNCell`` of
    ``BasicLSTMCell``, linear head, MSE, ``optimize_loss``) with
    :class:`estimators.Estimator`: TF1 ``DataFeeder`` batches
    (``RandomState(42)`` permutations, epochs running into each other) for
    exactly ``steps`` gradient steps, checkpoints in a model directory. The
    defaults are the legacy pipeline's.

    Parameters
    ----------
    hidden_size : int, default=40
        Units of every LSTM cell.
    num_layers : int, default=1
        Stacked LSTM cells.
    learning_rate : float, default=0.6
        Step size of ``optimizer`` (the legacy Adagrad rate).
    optimizer : {"adagrad", "adam", "sgd", "rmsprop"}, default="Adagrad"
        Case-insensitive; TF1's ``AdagradOptimizer`` by default.
    batch_size : int, default=32
        Rows per gradient step.
    steps : int, default=1000
        Gradient steps per ``fit`` call.
    layout : {"features", "steps"}, default="features"
        ``"features"`` feeds ``(n, 1, window)`` (the legacy shape: one time step),
        ``"steps"`` feeds ``(n, window, 1)``. 2-D ``(n, window)`` input is reshaped.
    model_dir : str or path-like, default=None
        Where checkpoints and TensorBoard events go. None: a temporary
        directory per fit, owned by the estimator and deleted when the
        estimator is garbage-collected or re-fitted. A given directory that
        already holds a checkpoint is resumed only with ``warm_start=True``.
    random_state : int, RandomState instance or None, default=None
        Graph seed (``RunConfig(tf_random_seed=...)``) for the initial weights;
        an int makes refits give identical predictions. The batch order is the
        DataFeeder's fixed ``RandomState(42)``, as in TF1.
    verbose : int, default=0
        ``1``: a tqdm bar on stderr (when it is a terminal), advanced every step with the
        step's loss.
    warm_start : bool, default=False
        Continue from the previous fit's latest checkpoint (``model_dir_``) for
        ``steps`` more steps; weights, optimizer slots and global step carry on.

    Attributes
    ----------
    estimator_ : estimators.Estimator
        The trained Estimator; its checkpoint is read by ``predict``.
    model_dir_ : str
        The directory holding the checkpoint (a private temporary directory
        after unpickling).
    n_steps_ : int
        Global step of the latest checkpoint.
    n_features_in_ : int
        Window length.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a pandas DataFrame ``X``.
    X_shape_ : tuple of int
        Shape of the training windows as fed to the graph.

    See Also
    --------
    KerasLSTMRegressor : The same model on Keras 3.

    Notes
    -----
    Pickling stores the latest checkpoint (index, data and input signature
    files as bytes), never a graph or a session; unpickling writes them to a
    new temporary directory.

    Examples
    --------
    >>> import numpy as np
    >>> from estimators import TF1LSTMRegressor
    >>> series = np.sin(np.arange(60) / 4).astype(np.float32)
    >>> X = np.lib.stride_tricks.sliding_window_view(series[:-1], 8)
    >>> model = TF1LSTMRegressor(hidden_size=4, steps=30, random_state=0)
    >>> model.fit(X, series[8:]).forecast(series, steps=3).shape
    (3,)
    """

    def __init__(
        self,
        hidden_size: int = 40,
        *,
        num_layers: int = 1,
        learning_rate: float = 0.6,
        optimizer: str = "Adagrad",
        batch_size: int = 32,
        steps: int = 1000,
        layout: str = "features",
        model_dir: str | os.PathLike | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        warm_start: bool = False,
    ) -> None:
        super().__init__(
            hidden_size,
            num_layers=num_layers,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            steps=steps,
            layout=layout,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.model_dir = model_dir

    # -- training and prediction ----------------------------------------------------------
    def _fit_network(
        self, X: np.ndarray, y: np.ndarray, params: dict[str, Any], *, seed: int | None, warm: bool
    ) -> None:
        owned = None
        if warm:
            directory = self.model_dir_
        elif self.model_dir is None:
            directory = tempfile.mkdtemp(prefix="tf1_lstm_")
            owned = weakref.finalize(self, shutil.rmtree, directory, ignore_errors=True)
        else:
            directory = os.fspath(self.model_dir)
            existing = latest_checkpoint(directory)
            if existing is not None and not self.warm_start:
                raise ValueError(
                    f"`model_dir` {directory!r} already holds a checkpoint "
                    f"({os.path.basename(existing)}), which a fit with warm_start=False "
                    "would have to overwrite. Pass warm_start=True to continue training from "
                    "it, or use model_dir=None (a temporary directory) or an empty directory."
                )
        estimator = _make_estimator(directory, params, seed)
        bar = ProgressBar(
            params["steps"], type(self).__name__, enabled=bool(params["verbose"]), leave=True
        )
        monitors = [ProgressHook(bar)] if bar.active else None
        try:
            estimator.fit(
                x=X, y=y, batch_size=params["batch_size"], steps=params["steps"], monitors=monitors
            )
        except NanLossError as error:
            if owned is None:
                raise
            owned()  # delete the new directory; the previous fit stays usable
            # The error named a checkpoint in the directory just deleted: say what is kept.
            kept = "The previous fit is kept." if hasattr(self, "estimator_") else None
            raise NanLossError.at_step(error.step, error.loss, kept) from None
        except BaseException:
            if owned is not None:
                owned()  # delete the new directory; the previous fit stays usable
            raise
        finally:
            bar.close()
        if not warm:
            previous = self.__dict__.get("_dir_finalizer")
            if previous is not None:
                previous()  # the previous fit's temporary directory is no longer needed
            self._dir_finalizer = owned
        self._tf_seed = seed
        self.estimator_ = estimator
        self.model_dir_ = directory
        self.n_steps_ = _global_step(directory)

    def _predict_network(self, X: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(x=X, batch_size=_PREDICT_BATCH_SIZE, as_iterable=False)

    # -- persistence ----------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        # Copy: object.__getstate__ hands back the instance __dict__ itself.
        state = dict(super().__getstate__())
        state.pop("_dir_finalizer", None)
        estimator = state.pop("estimator_", None)
        if estimator is not None:
            state.pop("model_dir_", None)
            state["_checkpoint_files"] = _read_checkpoint(estimator.model_dir)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        files = state.pop("_checkpoint_files", None)
        super().__setstate__(state)
        if files is None:
            return
        directory = tempfile.mkdtemp(prefix="tf1_lstm_")
        self._dir_finalizer = weakref.finalize(self, shutil.rmtree, directory, ignore_errors=True)
        _write_checkpoint(directory, files)
        self.model_dir_ = directory
        self.estimator_ = _make_estimator(directory, self._fit_params, self._tf_seed)


def _make_estimator(directory: str, params: dict[str, Any], seed: int | None) -> Estimator:
    model_params = {
        "hidden_size": params["hidden_size"],
        "num_layers": params["num_layers"],
        "learning_rate": params["learning_rate"],
        "optimizer": _TF1_OPTIMIZERS[params["optimizer"]],
    }
    return Estimator(
        lstm_model,
        model_dir=directory,
        config=RunConfig(tf_random_seed=seed),
        params=model_params,
    )


def _global_step(directory: str) -> int:
    return int(tf.train.load_variable(latest_checkpoint(directory), "global_step"))


def _read_checkpoint(directory: str) -> dict[str, bytes]:
    """The latest checkpoint's index and data files and the input signature, as bytes."""
    prefix = latest_checkpoint(directory)
    names = [os.path.basename(prefix) + ".index"]
    names += sorted(os.path.basename(path) for path in glob.glob(glob.escape(prefix) + ".data-*"))
    names.append(SIGNATURE_NAME)
    files = {}
    for name in names:
        with open(os.path.join(directory, name), "rb") as handle:
            files[name] = handle.read()
    return files


def _write_checkpoint(directory: str, files: dict[str, bytes]) -> None:
    """Write what :func:`_read_checkpoint` read, and a ``checkpoint`` file naming it."""
    for name, content in files.items():
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(content)
    index = next(name for name in files if name.endswith(".index"))
    prefix = index[: -len(".index")]
    # The Saver's text-format state file, with a path relative to the directory
    # (tf.train.latest_checkpoint resolves it), as save_relative_paths=True writes it.
    with open(os.path.join(directory, "checkpoint"), "w") as handle:
        handle.write(f'model_checkpoint_path: "{prefix}"\n')
        handle.write(f'all_model_checkpoint_paths: "{prefix}"\n')
