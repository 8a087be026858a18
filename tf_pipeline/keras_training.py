"""Train a Keras 3 model for a number of gradient steps, fast.

``model.fit`` pays Python and callback overhead per step (or per
``steps_per_execution``). For small recurrent models that overhead is nearly all the
time. :func:`train_steps` runs up to ``steps_per_run`` steps per call inside one
compiled ``tf.while_loop`` (XLA by default), with the data kept on the device and each
step's batch gathered by index, and applies the model's own optimizer. Batches follow
TF1's DataFeeder order (:func:`tf_pipeline.batching.tf1_batches`), so the TF1 and Keras
paths can be trained on identical batch sequences.

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

import functools
import weakref
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from tf_pipeline._checks import check_int
from tf_pipeline.batching import padded_batches, tf1_batches
from tf_pipeline.errors import NanLossError

# One compiled runner per (model, jit_compile): refits of the same model (a reset model in
# cross-validation, a warm start) reuse its trace and XLA executables.
_RUNNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_runner(model: keras.Model, jit_compile: bool):
    """A tf.function running K optimizer steps of ``model`` over data given as arguments."""
    import tensorflow as tf

    runners = _RUNNERS.setdefault(model, {})
    if jit_compile in runners:
        return runners[jit_compile]
    per_sample_loss = keras.losses.get(model.loss)
    trainable = model.trainable_variables
    optimizer = model.optimizer
    # The runner is a value of a WeakKeyDictionary keyed by the model: holding the model
    # itself would keep the key, its traces and XLA executables alive for good (13 MB a
    # fit in a long-lived process such as a Dask worker). Tracing runs while the caller
    # holds the model, so the weak reference is always alive when it is read.
    model_ref = weakref.ref(model)
    if not optimizer.built:
        # Slots made before tracing: a first call that creates variables is traced twice.
        optimizer.build(trainable)

    def run(x_data, y_data, indices, mask):
        def body(t, losses):
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

        n_steps = tf.shape(indices)[0]
        # parallel_iterations=1: step t+1 reads the weights step t wrote.
        _, losses = tf.while_loop(
            lambda t, _: t < n_steps,
            body,
            [tf.constant(0), tf.TensorArray(tf.float32, size=n_steps)],
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


def train_steps(
    model: keras.Model,
    X: Any,
    y: Any,
    *,
    steps: int,
    batch_size: int,
    steps_per_run: int = 100,
    jit_compile: bool = True,
    shuffle: bool = True,
    on_run: Callable[[np.ndarray], None] | None = None,
) -> np.ndarray:
    """Run ``steps`` optimizer steps of a compiled Keras model; return each step's loss.

    Parameters
    ----------
    model : keras.Model
        Compiled (``model.optimizer`` and a per-sample ``model.loss`` such as "mse").
    X, y : array-like
        Training inputs and targets (``y`` of shape (n,) or (n, 1)).
    steps : int
        Gradient steps to run.
    batch_size : int
        Rows per step; each epoch's last batch is short, as TF1's DataFeeder made it.
    steps_per_run : int, default=100
        Steps per compiled call (the granularity of ``on_run``).
    jit_compile : bool, default=True
        Compile the loop with XLA.
    shuffle : bool, default=True
        DataFeeder order (``RandomState(42)`` permutations); False keeps row order.
    on_run : callable, optional
        Called after every run with that run's losses (progress bars use it).

    Returns
    -------
    numpy.ndarray of shape (steps,)
        The loss of each step's batch, computed before that step's update.

    Raises
    ------
    tf_pipeline.errors.NanLossError
        When a loss is NaN or infinite (checked after every run of ``steps_per_run``
        steps); ``model``'s weights are then not usable.
    """
    steps = check_int(steps, "steps", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    steps_per_run = check_int(steps_per_run, "steps_per_run", minimum=1)
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError(
            "`model` must be compiled (with an optimizer and a loss) before training."
        )
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(len(X), -1)
    batches = tf1_batches(len(X), batch_size, shuffle=shuffle)
    run = None
    if keras.backend.backend() == "tensorflow":
        run = _compiled_runner(model, jit_compile)
        X, y = pad_rows(X, y)
    losses = []
    done = 0
    while done < steps:
        block = [next(batches) for _ in range(min(steps_per_run, steps - done))]
        if run is not None:
            block_losses = np.asarray(run(X, y, *padded_batches(block, batch_size)))
        else:
            block_losses = np.array(
                [float(model.train_on_batch(X[rows], y[rows])) for rows in block]
            )
        bad = np.flatnonzero(~np.isfinite(block_losses))
        if bad.size:
            # The model's weights are already damaged; the caller must not use it.
            raise NanLossError.at_step(done + int(bad[0]), float(block_losses[bad[0]]))
        losses.append(block_losses)
        done += len(block)
        if on_run is not None:
            on_run(block_losses)
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
