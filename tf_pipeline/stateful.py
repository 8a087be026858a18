"""Training and predicting with stateful Keras 3 RNNs, with the rules made explicit.

How state flows
    A stateful RNN layer keeps one state row per batch row. After each batch the
    final states of sample ``i`` become the initial states of sample ``i`` of
    the next batch, across batches and across ``fit``/``predict`` calls, until
    :func:`reset_states` sets them back to zero. So:

    * **Fixed batch size.** The state variables have shape ``(batch_size, units)``,
      built from the input's ``batch_shape``; every batch must be exactly that
      size. :func:`stateful_batch_size` reads it from the model.
    * **No shuffling.** ``shuffle=False`` keeps batch ``b + 1`` the chronological
      continuation of batch ``b``; shuffled batches would hand states to
      unrelated samples. (With stride-1 windows and batch size ``B``, row ``i``
      of the next batch starts ``B`` steps after row ``i`` of this one.)
    * **Whole batches.** :func:`trim_to_batches` drops ``len(X) % batch_size``
      samples from the *front* (the oldest ones) with a warning, so the last
      training batch still ends at the newest sample and its states lead
      straight into whatever follows it (the test windows). Pass
      ``allow_trim=False`` to get an error instead.
    * **Reset each epoch.** Every epoch replays the series from its start, so
      states are reset before training and at the start of each epoch (inside
      the compiled loop of :func:`tf_pipeline.keras_training.train_steps`, the
      one training loop; :class:`ResetStatesCallback` does the same for a
      ``model.fit`` of your own); ``reset_between_epochs=False`` lets the end
      of one epoch leak into the start of the next, which is rarely wanted.
    * **Prediction continues the state.** :func:`fit_stateful` does not reset
      after the last epoch, so :func:`predict_stateful` right after it carries
      the states from the end of training into the following windows, as the
      Keras stateful-LSTM tutorial does. Call :func:`reset_states` first to
      predict from zero states instead. A sample count that is not a multiple
      of the batch size is padded at the *end* with copies of the last window
      whose predictions are dropped: states only flow forward, and each batch
      row has its own state, so padding cannot change any earlier prediction
      (it does set the carried states of the padded rows).
    * **Recursive forecasts continue the same lanes.** A forecast fed back as
      the next input cannot be batched ahead; :class:`LanePredictor` runs one
      sample per call in the lane :func:`predict_stateful` would give it and
      keeps the other lanes' states, so its first forecast after training
      equals :func:`predict_stateful`'s first prediction. :func:`get_states`
      and :func:`set_states` snapshot and restore the states around a forecast.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.keras_models import build_lstm, compile_regressor
>>> from tf_pipeline.stateful import fit_stateful, predict_stateful, stateful_batch_size
>>> X = np.linspace(0.0, 1.0, 32 * 5, dtype=np.float32).reshape(32, 5, 1)
>>> y = X[:, -1, 0] + 0.01
>>> model = build_lstm((5, 1), hidden_size=4, stateful=True, batch_size=4, seed=0)
>>> model = compile_regressor(model)
>>> stateful_batch_size(model)
4
>>> history = fit_stateful(model, X, y, epochs=2, batch_size=4)  # 8 whole batches, in order
>>> len(history.history["loss"])
2
>>> predict_stateful(model, X[:6], batch_size=4).shape  # padded to 8, cut back to 6
(6,)
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import keras
import numpy as np

from tf_pipeline._checks import check_int
from tf_pipeline.keras_training import (
    batches_per_epoch,
    epoch_means,
    state_variables,
    stateful_layers,
    train_steps,
)
from tf_pipeline.progress import ProgressBar

logger = logging.getLogger(__name__)

# The loop and the stateful-layer lookup live in keras_training (the one training loop);
# these private names stay for callers that imported them from here.
_stateful_layers = stateful_layers
_state_variables = state_variables

# Steps per compiled call when no caller's callback needs to see each epoch.
_STEPS_PER_RUN = 100


def reset_states(model: keras.Model) -> int:
    """Set the states of every stateful RNN layer of ``model`` to zero.

    A Keras 3 ``Model`` has no ``reset_states()``; the RNN layers have
    ``reset_state()`` (``reset_states()`` is its compatibility alias).

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    int
        The number of layers reset (0 for a stateless model).
    """
    layers = _stateful_layers(model)
    for layer in layers:
        layer.reset_state()
    return len(layers)


class ResetStatesCallback(keras.callbacks.Callback):
    """Reset the states of every stateful RNN layer at the start of each epoch.

    Each epoch replays the training series from its beginning, so the states
    left by the previous epoch's last batch do not belong in front of it.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        reset_states(self.model)


def stateful_batch_size(model: keras.Model) -> int:
    """The fixed batch size of a stateful model, read from its input's batch shape.

    Raises
    ------
    ValueError
        If ``model`` has no stateful RNN layer or no fixed batch size.
    """
    layers = _stateful_layers(model)
    if not layers:
        raise ValueError(
            f"`model` must contain a stateful RNN layer, got {model.name!r} with none. "
            "Build it with `stateful=True` and a `batch_size`."
        )
    sizes = {tensor.shape[0] for tensor in getattr(model, "inputs", None) or ()}
    if not sizes:
        # A subclassed model has no symbolic inputs; built state variables know it.
        sizes = {int(v.shape[0]) for layer in layers for v in (layer.states or ())}
    sizes.discard(None)
    if len(sizes) != 1:
        raise ValueError(
            f"`model` must have one fixed batch size, got {sorted(sizes)} for {model.name!r}. "
            "Build its input with `keras.Input(batch_shape=(batch_size, ...))`."
        )
    return int(sizes.pop())


def _check_batch_size(model: keras.Model, batch_size: object) -> int:
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    fixed = stateful_batch_size(model)
    if batch_size != fixed:
        raise ValueError(
            f"`batch_size` must be {fixed}, the batch size the stateful model was built "
            f"with, got {batch_size}."
        )
    return batch_size


def trim_to_batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, allow_trim: bool = True
) -> tuple[np.ndarray, np.ndarray, int]:
    """Drop the oldest samples so that ``len(X)`` is a multiple of ``batch_size``.

    Dropping from the front keeps the newest samples, so the last batch still
    ends where the series continues (e.g. into the test windows).

    Parameters
    ----------
    X, y : numpy.ndarray
        Samples and targets in chronological order, same first dimension.
    batch_size : int
        The stateful model's fixed batch size.
    allow_trim : bool, default=True
        If False, an indivisible sample count raises instead of being trimmed.

    Returns
    -------
    X, y : numpy.ndarray
        Views of the inputs without their first ``n_dropped`` samples.
    n_dropped : int
        ``len(X) % batch_size``; a ``UserWarning`` reports it when > 0.

    Raises
    ------
    ValueError
        Fewer samples than ``batch_size``, ``len(y) != len(X)``, or a trim
        needed while ``allow_trim=False``.
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    X = np.asarray(X)
    y = np.asarray(y)
    n_samples = len(X)
    if len(y) != n_samples:
        raise ValueError(f"`y` must have as many samples as `X` ({n_samples}), got {len(y)}.")
    if n_samples < batch_size:
        raise ValueError(
            f"`X` must hold at least batch_size = {batch_size} samples, got {n_samples}. "
            "Use a smaller `batch_size`."
        )
    n_dropped = n_samples % batch_size
    if n_dropped == 0:
        return X, y, 0
    if not allow_trim:
        raise ValueError(
            f"`batch_size` must divide the number of samples of a stateful model, got "
            f"batch_size={batch_size} for {n_samples} samples ({n_dropped} left over). "
            f"Pick a batch size that divides {n_samples}, drop the {n_dropped} oldest "
            "samples, or pass `allow_trim=True`."
        )
    warnings.warn(
        f"Dropped the {n_dropped} oldest of {n_samples} samples: a stateful model needs "
        f"whole batches of batch_size={batch_size}, so {n_samples - n_dropped} samples "
        "are used. Pick a batch size that divides the sample count to keep them all.",
        UserWarning,
        stacklevel=2,
    )
    return X[n_dropped:], y[n_dropped:], n_dropped


def fit_stateful(
    model: keras.Model,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    allow_trim: bool = True,
    reset_between_epochs: bool = True,
    verbose: int = 0,
    callbacks: Sequence[keras.callbacks.Callback] | None = None,
    jit_compile: bool = False,
) -> keras.callbacks.History:
    """Train a compiled stateful model in chronological order.

    Resets the states, trims ``X``/``y`` to whole batches from the front, then
    trains ``epochs`` passes of ``len(X) // batch_size`` batches in row order with
    :func:`tf_pipeline.keras_training.train_steps` (``order="chronological"``),
    the states zeroed inside the compiled loop before each epoch's first batch
    (unless ``reset_between_epochs=False``). This is the training of
    ``model.fit(..., batch_size=batch_size, shuffle=False)`` with a
    :class:`ResetStatesCallback` (equal to it within float round-off; tested), run
    as one compiled call per ~100 steps of whole epochs (per epoch when ``callbacks``
    are given) instead of one Python round trip per batch. The states left by the
    last batch are kept, so :func:`predict_stateful` can continue from them.

    Parameters
    ----------
    model : keras.Model
        A compiled model with stateful RNN layers.
    X, y : numpy.ndarray
        Samples and targets in chronological order; not modified.
    epochs : int
        Passes over the data, >= 1.
    batch_size : int
        Must equal the model's fixed batch size.
    allow_trim : bool, default=True
        See :func:`trim_to_batches`.
    reset_between_epochs : bool, default=True
        Reset states at the start of every epoch.
    verbose : int, default=0
        ``1``: a progress bar over the epochs (:class:`tf_pipeline.progress.ProgressBar`).
    callbacks : sequence of keras.callbacks.Callback, optional
        Epoch-level callbacks: ``on_train_begin``/``end`` and ``on_epoch_begin``/``end``
        (with ``logs={"loss": epoch mean}``) are called, batch-level methods are not
        (the batches of an epoch run in one compiled call). Setting
        ``model.stop_training`` stops after the current epoch. The epoch's state reset
        happens inside the loop, after ``on_epoch_begin``.
    jit_compile : bool, default=False
        Compile the loop with XLA (equal within float tolerance, not bit for bit;
        on small stateful models the compilation rarely pays off).

    Returns
    -------
    keras.callbacks.History
        ``history.history["loss"]``: each epoch's mean batch loss, as ``model.fit``
        reports it.

    Raises
    ------
    tf_pipeline.errors.NanLossError
        When a batch loss is NaN or infinite.
    """
    batch_size = _check_batch_size(model, batch_size)
    epochs = check_int(epochs, "epochs", minimum=1)
    X, y, n_dropped = trim_to_batches(X, y, batch_size, allow_trim=allow_trim)
    per_epoch = batches_per_epoch(len(X), batch_size, "chronological")
    history = keras.callbacks.History()
    callback_list = keras.callbacks.CallbackList(
        [history, *(callbacks or ())], model=model, epochs=epochs, steps=per_epoch, verbose=0
    )
    reset_states(model)
    logger.debug(
        "fit_stateful: %d samples (%d dropped), batch_size=%d, epochs=%d, reset=%s",
        len(X),
        n_dropped,
        batch_size,
        epochs,
        reset_between_epochs,
    )
    # Only History and the bar listen: several epochs per compiled call (~100 steps).
    # A caller's callbacks: one epoch per call, so they see every epoch as model.fit shows it.
    epochs_per_run = 1 if callbacks else max(1, _STEPS_PER_RUN // per_epoch)
    epoch = 0

    def end_of_run(losses: np.ndarray) -> bool:
        nonlocal epoch
        for loss in epoch_means(losses, per_epoch):
            callback_list.on_epoch_end(epoch, {"loss": loss})
            bar.advance([loss])
            epoch += 1
            if model.stop_training:
                return True
            if epoch < epochs:
                callback_list.on_epoch_begin(epoch)
        return False

    model.stop_training = False
    with ProgressBar(epochs, "fit_stateful", unit="epoch", enabled=bool(verbose)) as bar:
        callback_list.on_train_begin()
        callback_list.on_epoch_begin(0)
        train_steps(
            model,
            X,
            y,
            steps=epochs * per_epoch,
            batch_size=batch_size,
            steps_per_run=epochs_per_run * per_epoch,
            jit_compile=jit_compile,
            order="chronological",
            reset_each_epoch=reset_between_epochs,
            on_run=end_of_run,
        )
        callback_list.on_train_end()
    return history


def predict_stateful(model: keras.Model, X: np.ndarray, batch_size: int) -> np.ndarray:
    """Predict in order with the model's fixed batch size, continuing its current states.

    If ``len(X)`` is not a multiple of ``batch_size``, ``X`` is padded at the end
    with copies of its last sample and the padded predictions are dropped. Each
    batch row has its own state and states only flow forward, so the padding
    cannot change any of the returned predictions; it does leave the padded
    rows' states behind for a following call.

    Parameters
    ----------
    model : keras.Model
        A model with stateful RNN layers and one output unit.
    X : numpy.ndarray
        Samples in chronological order; not modified.
    batch_size : int
        Must equal the model's fixed batch size.

    Returns
    -------
    numpy.ndarray of shape (n,)
        One prediction per sample (shape ``(n, k)`` for a model with ``k > 1``
        outputs).
    """
    batch_size = _check_batch_size(model, batch_size)
    X = np.asarray(X)
    n_samples = len(X)
    if n_samples == 0:
        raise ValueError("`X` must hold at least one sample, got none.")
    n_pad = -n_samples % batch_size
    if n_pad:
        X = np.concatenate([X, np.repeat(X[-1:], n_pad, axis=0)])
    predictions = np.asarray(model.predict(X, batch_size=batch_size, verbose=0))
    predictions = predictions.reshape(len(X), -1)[:n_samples]
    return predictions[:, 0] if predictions.shape[1] == 1 else predictions


def get_states(model: keras.Model) -> list[np.ndarray]:
    """Copies of the current states of every stateful RNN layer, each ``(batch_size, units)``.

    Parameters
    ----------
    model : keras.Model
        A built model with stateful RNN layers.

    Returns
    -------
    list of numpy.ndarray
        In layer order (forward before backward for a bidirectional layer,
        ``h`` before ``c`` for an LSTM); :func:`set_states` takes them back.
    """
    return [np.array(variable.numpy()) for variable in _state_variables(model)]


def set_states(model: keras.Model, states: Sequence[np.ndarray]) -> None:
    """Assign states read by :func:`get_states` back to ``model``'s stateful layers."""
    variables = _state_variables(model)
    if len(states) != len(variables):
        raise ValueError(
            f"`states` must hold {len(variables)} arrays, one per state variable, "
            f"got {len(states)}."
        )
    for variable, value in zip(variables, states, strict=True):
        if tuple(np.shape(value)) != tuple(variable.shape):
            raise ValueError(
                f"`states` must hold arrays of shape {tuple(variable.shape)}, "
                f"got {np.shape(value)}."
            )
        variable.assign(value)


class LanePredictor:
    """Predict one sample at a time, each in the batch row (lane) it would take in order.

    :func:`predict_stateful` puts sample ``j`` of a chronological sequence in
    lane ``j % batch_size``, continuing that lane's state. A recursive forecast
    cannot build whole batches ahead (sample ``j`` needs the forecasts before
    it), so this predictor runs one sample per call: it places it in the next
    lane (the other rows repeat it), keeps only that lane's new state and puts
    the other lanes' states back. Each lane's state therefore evolves exactly
    as in :func:`predict_stateful` over the same samples, and the first call
    right after :func:`fit_stateful` gives :func:`predict_stateful`'s first
    prediction.

    Parameters
    ----------
    model : keras.Model
        A built model with stateful RNN layers; its current states are the start.
    batch_size : int
        Must equal the model's fixed batch size.
    first_lane : int, default=0
        The lane of the first sample (0 for the sample that follows training).

    Examples
    --------
    >>> import numpy as np
    >>> from tf_pipeline.keras_models import build_lstm
    >>> model = build_lstm((3, 1), hidden_size=2, stateful=True, batch_size=2, seed=0)
    >>> X = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(4, 3, 1)
    >>> whole = predict_stateful(model, X, batch_size=2)
    >>> _ = reset_states(model)
    >>> step = LanePredictor(model, batch_size=2)
    >>> one_by_one = np.concatenate([step(X[j : j + 1]) for j in range(4)])
    >>> bool(np.allclose(whole, one_by_one.ravel(), atol=1e-6))
    True
    """

    def __init__(self, model: keras.Model, batch_size: int, first_lane: int = 0) -> None:
        self.model = model
        self.batch_size = _check_batch_size(model, batch_size)
        self.lane = check_int(first_lane, "first_lane", minimum=0) % self.batch_size

    def __call__(self, sample: np.ndarray) -> np.ndarray:
        """Predict ``sample`` (shape ``(1, ...)``) in the current lane; returns ``(1, k)``."""
        sample = np.asarray(sample)
        if sample.shape[:1] != (1,):
            raise ValueError(f"`sample` must hold one sample, got shape {sample.shape}.")
        before = get_states(self.model)
        batch = np.repeat(sample, self.batch_size, axis=0)
        outputs = np.asarray(self.model.predict_on_batch(batch))
        after = get_states(self.model)
        for kept, new in zip(before, after, strict=True):
            kept[self.lane] = new[self.lane]
        set_states(self.model, before)
        output = outputs.reshape(self.batch_size, -1)[self.lane : self.lane + 1]
        self.lane = (self.lane + 1) % self.batch_size
        return output
