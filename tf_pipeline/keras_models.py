"""The legacy LSTM regressor and the tutorial's dense baseline as Keras 3 models.

:func:`build_lstm` is the Keras counterpart of :func:`tf_pipeline.models.lstm_model`:
``num_layers`` LSTM layers of ``hidden_size`` units, the last one returning only
its final output, and a linear ``Dense(1)`` head. The layers are named
``lstm_0``, ``lstm_1``, ... and ``dense`` and keep every Keras default that
fixes the weight layout (gate order i, f, c, o; ``unit_forget_bias=True``), so
TF1 weights can be ported into them by name. With ``stateful=True`` the model
has a fixed batch size; train and predict it with :mod:`tf_pipeline.stateful`.

:func:`build_mlp` is the plain network of the Keras stateful-LSTM tutorial, and
:func:`compile_regressor` compiles either with a fresh optimizer chosen by name
(``"adagrad"`` is TF1's Adagrad: accumulator starting at 0.1, no epsilon).

Example
-------
>>> from tf_pipeline.keras_models import build_lstm, compile_regressor
>>> model = compile_regressor(build_lstm((20, 1), hidden_size=8, seed=0))
>>> model.output_shape, [layer.name for layer in model.layers[1:]]
((None, 1), ['lstm_0', 'dense'])
>>> model.count_params() == 4 * (8 * (1 + 8) + 8) + (8 + 1)
True
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import keras

from tf_pipeline._checks import check_int, check_learning_rate, check_optimizer

# Each LSTM layer draws from three seeds (kernel, recurrent kernel, dropout); the
# Dense head takes the next one. Distinct seeds keep layers from sharing values.
_SEEDS_PER_LSTM = 3


def _check_seed(seed: object) -> int | None:
    if seed is None:
        return None
    return check_int(seed, "seed", minimum=0)


def _check_input_shape(input_shape: object, *, allow_none_steps: bool) -> tuple[int | None, int]:
    """Validate ``(timesteps, features)``; ``timesteps`` may be None when allowed."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(
            f"`input_shape` must be a tuple (timesteps, features) of 2 ints, got {input_shape!r}."
        )
    steps, features = input_shape
    if not (steps is None and allow_none_steps):
        hint = "" if allow_none_steps else " (a stateful model needs a fixed number of steps)"
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(
                f"`input_shape[0]` (timesteps) must be an int >= 1{hint}, got {steps!r}."
            )
        steps = int(steps)
    if isinstance(features, bool) or not isinstance(features, numbers.Integral) or features < 1:
        raise ValueError(f"`input_shape[1]` (features) must be an int >= 1, got {features!r}.")
    return steps, int(features)


def _check_dropout(dropout: object) -> float:
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real):
        raise TypeError(f"`dropout` must be a float, got {dropout!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1), got {dropout}.")
    return float(dropout)


def _glorot(seed: int | None, offset: int) -> str | keras.initializers.Initializer:
    # A seeded Keras initializer is stateless: it draws the same values on every
    # call and leaves the global random state alone.
    if seed is None:
        return "glorot_uniform"
    return keras.initializers.GlorotUniform(seed=seed + offset)


def _orthogonal(seed: int | None, offset: int) -> str | keras.initializers.Initializer:
    if seed is None:
        return "orthogonal"
    return keras.initializers.Orthogonal(seed=seed + offset)


def build_lstm(
    input_shape: tuple[int | None, int],
    hidden_size: int = 40,
    num_layers: int = 1,
    stateful: bool = False,
    batch_size: int | None = None,
    dropout: float = 0.0,
    seed: int | None = None,
) -> keras.Model:
    """Build the LSTM regressor: stacked LSTM layers and a linear ``Dense(1)`` head.

    Parameters
    ----------
    input_shape : tuple of (int or None, int)
        ``(timesteps, features)`` of one sample; ``timesteps`` may be None for a
        stateless model (sequences of any length).
    hidden_size : int, default=40
        Units of every LSTM layer.
    num_layers : int, default=1
        Number of stacked LSTM layers; all but the last return sequences.
    stateful : bool, default=False
        Carry each sample's final states into the same sample index of the
        next batch (see :mod:`tf_pipeline.stateful`). Needs ``batch_size``.
    batch_size : int or None, default=None
        Fixed batch size of a stateful model, >= 1; ignored when stateless.
    dropout : float, default=0.0
        Input dropout of every LSTM layer, in [0, 1).
    seed : int or None, default=None
        Makes the initial weights (and dropout masks) deterministic without
        touching global random state; layer ``k`` uses seeds derived from
        ``seed``. None draws from Keras' global generator.

    Returns
    -------
    keras.Model
        Functional model named ``"lstm_regressor"`` with layers ``lstm_0`` ...
        ``lstm_{num_layers-1}`` and ``dense``; output shape ``(batch, 1)``.

    Raises
    ------
    ValueError, TypeError
        For an invalid shape, size, dropout or seed, or a stateful model
        without a ``batch_size`` >= 1.
    """
    stateful = bool(stateful)
    steps, features = _check_input_shape(input_shape, allow_none_steps=not stateful)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    num_layers = check_int(num_layers, "num_layers", minimum=1)
    dropout = _check_dropout(dropout)
    seed = _check_seed(seed)
    if stateful:
        if batch_size is None:
            raise ValueError(
                "`batch_size` must be an int >= 1 when `stateful=True`, got None. "
                "A stateful model carries states per batch row, so its batch size is fixed."
            )
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        inputs = keras.Input(batch_shape=(batch_size, steps, features), name="window")
    else:
        inputs = keras.Input(shape=(steps, features), name="window")

    outputs = inputs
    for i in range(num_layers):
        base = _SEEDS_PER_LSTM * i
        outputs = keras.layers.LSTM(
            hidden_size,
            return_sequences=i < num_layers - 1,
            stateful=stateful,
            dropout=dropout,
            kernel_initializer=_glorot(seed, base),
            recurrent_initializer=_orthogonal(seed, base + 1),
            seed=None if seed is None else seed + base + 2,
            # One time step (the legacy layout): a straight-line cell, no symbolic loop;
            # the same numbers, a third of the step time and faster tracing and compiling.
            unroll=steps == 1,
            name=f"lstm_{i}",
        )(outputs)
    outputs = keras.layers.Dense(
        1, kernel_initializer=_glorot(seed, _SEEDS_PER_LSTM * num_layers), name="dense"
    )(outputs)
    return keras.Model(inputs, outputs, name="lstm_regressor")


def build_mlp(
    input_shape: tuple[int, ...],
    hidden_sizes: Sequence[int] = (32, 32),
    activation: str | Callable = "relu",
    seed: int | None = None,
) -> keras.Model:
    """Build the tutorial's plain network: ``Flatten``, dense hidden layers, ``Dense(1)``.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample, e.g. ``(20, 1)`` for a window of 20 steps.
    hidden_sizes : sequence of int, default=(32, 32)
        Units of the hidden layers ``hidden_0``, ``hidden_1``, ...; empty gives
        a linear model.
    activation : str or callable, default="relu"
        Activation of the hidden layers.
    seed : int or None, default=None
        Deterministic initial weights, as in :func:`build_lstm`.

    Returns
    -------
    keras.Model
        Functional model named ``"mlp_regressor"``; output shape ``(batch, 1)``.
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) == 0:
        raise ValueError(f"`input_shape` must be a non-empty tuple of ints, got {input_shape!r}.")
    shape = tuple(
        check_int(dim, f"input_shape[{i}]", minimum=1) for i, dim in enumerate(input_shape)
    )
    if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Sequence):
        raise TypeError(f"`hidden_sizes` must be a sequence of ints, got {hidden_sizes!r}.")
    sizes = [
        check_int(size, f"hidden_sizes[{i}]", minimum=1) for i, size in enumerate(hidden_sizes)
    ]
    seed = _check_seed(seed)

    inputs = keras.Input(shape=shape, name="window")
    outputs = keras.layers.Flatten(name="flatten")(inputs)
    for i, size in enumerate(sizes):
        outputs = keras.layers.Dense(
            size,
            activation=activation,
            kernel_initializer=_glorot(seed, i),
            name=f"hidden_{i}",
        )(outputs)
    outputs = keras.layers.Dense(1, kernel_initializer=_glorot(seed, len(sizes)), name="dense")(
        outputs
    )
    return keras.Model(inputs, outputs, name="mlp_regressor")


def _make_optimizer(
    name: str, learning_rate: float | keras.optimizers.schedules.LearningRateSchedule
) -> keras.optimizers.Optimizer:
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "adagrad":
        # TF1's AdagradOptimizer: var -= lr * g / sqrt(acc), acc starting at 0.1.
        return keras.optimizers.Adagrad(
            learning_rate=learning_rate, initial_accumulator_value=0.1, epsilon=0.0
        )
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    return keras.optimizers.RMSprop(learning_rate=learning_rate)


def compile_regressor(
    model: keras.Model,
    optimizer: str = "adam",
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = 1e-3,
    loss: str | Callable = "mse",
) -> keras.Model:
    """Compile ``model`` for regression with a fresh optimizer chosen by name.

    Parameters
    ----------
    model : keras.Model
        Compiled in place.
    optimizer : {"adam", "adagrad", "sgd", "rmsprop"}, default="adam"
        Case-insensitive. ``"adagrad"`` matches TF1's ``AdagradOptimizer``
        (``initial_accumulator_value=0.1``, ``epsilon=0``), the legacy
        pipeline's optimizer.
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule, default=1e-3
        A float must be > 0; a schedule is passed to the optimizer as is.
    loss : str or callable, default="mse"
        Any Keras loss.

    Returns
    -------
    keras.Model
        The same ``model``, compiled.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}.")
    name = check_optimizer(optimizer)
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = check_learning_rate(learning_rate)
    model.compile(optimizer=_make_optimizer(name, learning_rate), loss=loss)
    return model
