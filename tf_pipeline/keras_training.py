"""The one Keras training loop: K optimizer steps per compiled call, stateless or stateful.

``model.fit`` pays Python and callback overhead per step (or per
``steps_per_execution``). For small recurrent models that overhead is nearly all the
time. :func:`train_steps` runs up to ``steps_per_run`` steps per call inside one
compiled ``tf.while_loop`` (XLA optional), with the data kept on the device and each
step's batch gathered by index, and applies the model's own optimizer. Every Keras
model the project trains goes through it: :class:`~estimators.KerasLSTMRegressor`,
:func:`tf_pipeline.stateful.fit_stateful`, the comparison, the tuner and the cosine demo.

Which rows each step trains on is the ``order``:

* ``"shuffle"`` (default): TF1's DataFeeder order
  (:func:`tf_pipeline.batching.tf1_batches`: a ``RandomState(42)`` permutation per
  epoch, the last batch of an epoch short), so the TF1 and Keras paths can be trained
  on identical batch sequences, whatever the global seeds;
* ``"rows"``: rows ``0..n-1`` in order, the last batch of an epoch short;
* ``"chronological"``: what a stateful RNN needs: ``n // batch_size`` whole batches per
  epoch in row order, the oldest ``n % batch_size`` rows dropped (as
  :func:`tf_pipeline.stateful.trim_to_batches` does, which also warns), so row ``i`` of
  batch ``b + 1`` continues row ``i`` of batch ``b``.

With ``reset_each_epoch=True`` the states of the model's stateful RNN layers are zeroed
inside the compiled loop before the first step of every epoch (a per-step flag), and
never after the last step: the states are left as the last batch left them, so an
in-order prediction right after training continues them.

On a backend other than TensorFlow the same steps run one ``train_on_batch`` at a time
(same results, no speed-up).

Example
-------
>>> import numpy as np
>>> from tf_pipeline.keras_models import build_lstm, compile_regressor
>>> from tf_pipeline.keras_training import train_steps
>>> X = np.random.RandomState(0).rand(64, 1, 12).astype("float32")
>>> y = X.mean(axis=2)
>>> model = compile_regressor(build_lstm((1, 12), hidden_size=8, seed=0), "adagrad", 0.1)
>>> losses = train_steps(model, X, y, steps=50, batch_size=16)
>>> losses.shape, bool(losses[-5:].mean() < losses[:5].mean())
((50,), True)
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np

from tf_pipeline._checks import check_choice, check_int
from tf_pipeline.batching import padded_batches, tf1_batches
from tf_pipeline.errors import NanLossError
from tf_pipeline.xla_cache import quiet_loads

__all__ = [
    "ORDERS",
    "batch_plan",
    "batches_per_epoch",
    "epoch_means",
    "predict_in_batches",
    "state_variables",
    "stateful_layers",
    "train_steps",
]

ORDERS = ("shuffle", "rows", "chronological")

_RNN_TYPES = (keras.layers.RNN, keras.layers.Bidirectional)

# One compiled runner per (model, jit_compile): refits of the same model (a reset model in
# cross-validation, a warm start) reuse its trace and XLA executables.
_RUNNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- stateful layers ----------------------------------------------------------------------
def _walk_layers(layer: keras.layers.Layer) -> Iterator[keras.layers.Layer]:
    """Yield the layers of ``layer`` depth first, nested models included."""
    for child in getattr(layer, "layers", ()):
        yield child
        if isinstance(child, keras.Model):
            yield from _walk_layers(child)


def stateful_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The stateful RNN layers of ``model`` (nested models included), in layer order."""
    return [
        layer
        for layer in _walk_layers(model)
        if isinstance(layer, _RNN_TYPES) and getattr(layer, "stateful", False)
    ]


def state_variables(model: keras.Model) -> list:
    """The state variables of ``model``'s stateful RNN layers, each ``(batch_size, units)``.

    In layer order, forward before backward for a bidirectional layer, ``h`` before
    ``c`` for an LSTM; empty for a stateless model.

    Raises
    ------
    ValueError
        If a stateful layer has not been built yet (its states do not exist).
    """
    variables = []
    for layer in stateful_layers(model):
        rnns = (
            [layer.forward_layer, layer.backward_layer]
            if isinstance(layer, keras.layers.Bidirectional)
            else [layer]
        )
        for rnn in rnns:
            if rnn.states is None:
                raise ValueError(
                    f"`model` must be built before its states are read, got {model.name!r} "
                    "with unbuilt stateful layers. Call it on one batch first."
                )
            variables.extend(keras.tree.flatten(rnn.states))
    return variables


# -- the batch plan -----------------------------------------------------------------------
def batches_per_epoch(n_samples: int, batch_size: int, order: str = "shuffle") -> int:
    """Steps in one epoch: ``ceil(n / batch_size)``, or ``n // batch_size`` chronologically."""
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = check_choice(order, "order", ORDERS)
    if order == "chronological":
        return n_samples // batch_size
    return math.ceil(n_samples / batch_size)


def batch_plan(
    n_samples: int, batch_size: int, order: str = "shuffle"
) -> Iterator[tuple[np.ndarray, bool]]:
    """Endless ``(rows, starts_epoch)`` pairs: each step's row indices, in ``order``.

    Parameters
    ----------
    n_samples : int
        Rows in the data, >= 1 (>= ``batch_size`` for ``"chronological"``).
    batch_size : int
        Rows per step.
    order : {"shuffle", "rows", "chronological"}, default="shuffle"
        See the module docstring.

    Yields
    ------
    rows : numpy.ndarray of int
        The rows of one step.
    starts_epoch : bool
        True for the first step of every epoch (where states are reset).

    Examples
    --------
    >>> plan = batch_plan(7, 3, "chronological")  # row 0 is the dropped remainder
    >>> [(rows.tolist(), first) for rows, first in (next(plan) for _ in range(3))]
    [([1, 2, 3], True), ([4, 5, 6], False), ([1, 2, 3], True)]
    """
    per_epoch = batches_per_epoch(n_samples, batch_size, order)
    if per_epoch == 0:
        raise ValueError(
            f"`X` must hold at least batch_size = {batch_size} samples for chronological "
            f"whole batches, got {n_samples}."
        )
    if order == "chronological":
        first = n_samples - per_epoch * batch_size  # the oldest remainder is dropped
        epoch = [first + np.arange(b * batch_size, (b + 1) * batch_size) for b in range(per_epoch)]
        batches: Iterator[np.ndarray] = itertools.cycle(epoch)
    else:
        batches = tf1_batches(n_samples, batch_size, shuffle=order == "shuffle")
    # Validated above, generated lazily: a bad argument fails at the call, not at next().
    return ((next(batches), b == 0) for _ in itertools.count() for b in range(per_epoch))


def epoch_means(losses: np.ndarray, per_epoch: int) -> list[float]:
    """Per-epoch mean losses, as ``model.fit``'s History reports them (a cut epoch too)."""
    per_epoch = check_int(per_epoch, "per_epoch", minimum=1)
    return [
        float(np.mean(losses[start : start + per_epoch]))
        for start in range(0, len(losses), per_epoch)
    ]


# -- the loop -----------------------------------------------------------------------------
def _compiled_runner(model: keras.Model, jit_compile: bool):
    """A tf.function running K optimizer steps of ``model`` over data given as arguments."""
    import tensorflow as tf

    runners = _RUNNERS.setdefault(model, {})
    if jit_compile in runners:
        return runners[jit_compile]
    per_sample_loss = keras.losses.get(model.loss)
    trainable = model.trainable_variables
    optimizer = model.optimizer
    states = state_variables(model)
    # The runner is a value of a WeakKeyDictionary keyed by the model: holding the model
    # itself would keep the key, its traces and XLA executables alive for good (13 MB a
    # fit in a long-lived process such as a Dask worker). Tracing runs while the caller
    # holds the model, so the weak reference is always alive when it is read.
    model_ref = weakref.ref(model)
    if not optimizer.built:
        # Slots made before tracing: a first call that creates variables is traced twice.
        optimizer.build(trainable)

    def run(x_data, y_data, indices, mask, resets, n_steps):
        def body(t, losses):
            # Zero the states before an epoch's first step; automatic control
            # dependencies order these writes before the model reads the states.
            for state in states:
                state.assign(tf.where(resets[t], tf.zeros_like(state.value), state.value))
            rows, weights = indices[t], mask[t]
            x = tf.gather(x_data, rows)
            target = tf.gather(y_data, rows)
            with tf.GradientTape() as tape:
                prediction = model_ref()(x, training=True)
                errors = tf.reshape(per_sample_loss(target, prediction), [-1])
                # where, not errors * weights: a padding row's inf error times 0 is NaN.
                kept = tf.where(weights > 0, errors * weights, tf.zeros_like(errors))
                loss = tf.reduce_sum(kept) / tf.reduce_sum(weights)
            gradients = tape.gradient(loss, trainable)
            optimizer.apply_gradients(zip(gradients, trainable, strict=True))
            return t + 1, losses.write(t, loss)

        # The plan holds steps_per_run rows of which the first n_steps are run: a short
        # last run keeps the shapes, so XLA compiles once. Unrun entries stack as 0.
        size = tf.shape(indices)[0]
        # parallel_iterations=1: step t+1 reads the weights (and states) step t wrote.
        _, losses = tf.while_loop(
            lambda t, _: t < n_steps,
            body,
            [tf.constant(0), tf.TensorArray(tf.float32, size=size, element_shape=[])],
            parallel_iterations=1,
        )
        return losses.stack()

    # reduce_retracing: a second data size traces once more with the row count relaxed.
    # partial: TF counts retracing per Python code object, so every model's runner (one
    # trace each, e.g. the fits of a grid search) would add up to a false "retracing"
    # warning; a partial has no code object and so gets a detector of its own.
    compiled = tf.function(functools.partial(run), jit_compile=jit_compile, reduce_retracing=True)
    runners[jit_compile] = compiled
    return compiled


# Rows of the data a compiled runner sees are a multiple of this (see pad_rows).
ROW_BUCKET = 256


def pad_rows(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` with zero rows appended up to a multiple of :data:`ROW_BUCKET`.

    XLA compiles one executable per input shape. The runner gathers each step's rows
    by index, so rows past the data are never read: padding changes no number, and
    fits on slightly different amounts of data (cross-validation folds, a refit on
    all of it) share one trace and one executable instead of compiling each their own.
    """
    pad = -len(X) % ROW_BUCKET
    if pad == 0:
        return X, y
    return (
        np.concatenate([X, np.zeros((pad, *X.shape[1:]), X.dtype)]),
        np.concatenate([y, np.zeros((pad, *y.shape[1:]), y.dtype)]),
    )


def _resolve_order(order: str, shuffle: bool | None) -> str:
    order = check_choice(order, "order", ORDERS)
    if shuffle is None:
        return order
    if order != "shuffle":
        raise ValueError(f"`shuffle` must be left out when `order` is given, got {shuffle!r}.")
    return "shuffle" if shuffle else "rows"


def train_steps(
    model: keras.Model,
    X: Any,
    y: Any,
    *,
    steps: int,
    batch_size: int,
    steps_per_run: int = 100,
    jit_compile: bool = True,
    order: str = "shuffle",
    reset_each_epoch: bool = False,
    shuffle: bool | None = None,
    on_run: Callable[[np.ndarray], bool | None] | None = None,
) -> np.ndarray:
    """Run ``steps`` optimizer steps of a compiled Keras model; return each step's loss.

    Parameters
    ----------
    model : keras.Model
        Compiled (``model.optimizer`` and a per-sample ``model.loss`` such as "mse").
    X, y : array-like
        Training inputs and targets (``y`` of shape (n,) or (n, k)); not modified.
    steps : int
        Gradient steps to run.
    batch_size : int
        Rows per step (a stateful model's fixed batch size).
    steps_per_run : int, default=100
        Steps per compiled call (the granularity of ``on_run``).
    jit_compile : bool, default=True
        Compile the loop with XLA.
    order : {"shuffle", "rows", "chronological"}, default="shuffle"
        Which rows each step trains on (see the module docstring); a stateful model
        needs ``"chronological"``.
    reset_each_epoch : bool, default=False
        Zero the stateful RNN layers' states before the first step of every epoch
        (the first step of this call included). States are not reset after the last
        step.
    shuffle : bool, optional
        The older spelling: True is ``order="shuffle"``, False ``order="rows"``.
    on_run : callable, optional
        Called after every run with that run's losses (progress bars, epoch
        callbacks); returning True stops training after that run.

    Returns
    -------
    numpy.ndarray of shape (steps,)
        The loss of each step's batch, computed before that step's update (fewer
        entries when ``on_run`` stopped training).

    Raises
    ------
    tf_pipeline.errors.NanLossError
        When a loss is NaN or infinite (checked after every run of ``steps_per_run``
        steps), at the step counted from the start of this call; ``model``'s weights
        are then not usable.
    """
    steps = check_int(steps, "steps", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    steps_per_run = check_int(steps_per_run, "steps_per_run", minimum=1)
    order = _resolve_order(order, shuffle)
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError(
            "`model` must be compiled (with an optimizer and a loss) before training."
        )
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(len(X), -1)
    plan = batch_plan(len(X), batch_size, order)
    run = None
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        run = _compiled_runner(model, jit_compile)
        # Converted once, not on every call: a large X is copied to the device once.
        x_data, y_data = (tf.convert_to_tensor(data) for data in pad_rows(X, y))
    run_length = min(steps_per_run, steps)
    losses = []
    done = 0
    while done < steps:
        block = [next(plan) for _ in range(min(steps_per_run, steps - done))]
        resets = np.array([first and reset_each_epoch for _, first in block])
        rows = [r for r, _ in block]
        if run is not None:
            # Padded to the run length (never run): one shape for every run.
            padding = [rows[0]] * (run_length - len(rows))
            indices, mask = padded_batches(rows + padding, batch_size)
            flags = np.concatenate([resets, np.zeros(len(padding), bool)])
            n_run = np.array(len(rows), np.int32)  # an array: a tensor, not a trace key
            # The first run compiles (or loads a program from the disk cache, which logs).
            with quiet_loads() if done == 0 else contextlib.nullcontext():
                block_losses = np.asarray(run(x_data, y_data, indices, mask, flags, n_run))
            block_losses = block_losses[:n_run]
        else:
            block_losses = np.empty(len(block), np.float32)
            for k, (batch, reset) in enumerate(zip(rows, resets, strict=True)):
                if reset:
                    for layer in stateful_layers(model):
                        layer.reset_state()
                block_losses[k] = float(model.train_on_batch(X[batch], y[batch]))
        bad = np.flatnonzero(~np.isfinite(block_losses))
        if bad.size:
            # The model's weights are already damaged; the caller must not use it.
            raise NanLossError.at_step(done + int(bad[0]), float(block_losses[bad[0]]))
        losses.append(block_losses)
        done += len(block)
        if on_run is not None and on_run(block_losses) is True:
            break
    return np.concatenate(losses)


def predict_in_batches(model: keras.Model, X: Any, batch_size: int = 8192) -> np.ndarray:
    """``model``'s predictions for every row of ``X``, one slice at a time.

    ``model.predict`` converts the whole input first; for a million windows held as
    zero-copy views that is one full copy more. Slicing keeps memory at O(batch).

    Returns
    -------
    numpy.ndarray of shape (n,)
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    outputs = [
        np.asarray(model.predict_on_batch(np.asarray(X[start : start + batch_size], np.float32)))
        for start in range(0, len(X), batch_size)
    ]
    return np.concatenate(outputs).reshape(len(X), -1)[:, 0]
