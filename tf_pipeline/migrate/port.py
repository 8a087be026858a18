"""Port a TF1 LSTM checkpoint to a Keras 3 model, and export a Keras model back to TF1.

Example
-------
>>> import tempfile
>>> import numpy as np
>>> from tf_pipeline.keras_models import build_lstm
>>> from tf_pipeline.migrate import export_tf1_checkpoint, port_checkpoint
>>> model = build_lstm((1, 12), hidden_size=8, seed=0)
>>> model_dir = export_tf1_checkpoint(model, tempfile.mkdtemp())
>>> ported = port_checkpoint(model_dir, timesteps=1)
>>> x = np.ones((2, 1, 12), "float32")
>>> bool(np.allclose(ported.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6))
True
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_pipeline.keras_models import build_lstm
from tf_pipeline.migrate.convert import convert
from tf_pipeline.migrate.gates import keras_to_tf1, tf1_to_keras
from tf_pipeline.migrate.layout import TF1LSTMLayout, read_layout

TF1_CELL_SCOPE = "rnn/multi_rnn_cell/cell_{index}/basic_lstm_cell"
TF1_HEAD_SCOPE = "fully_connected"
ADAGRAD_INITIAL_ACCUMULATOR = 0.1


def keras_weights(
    layout: TF1LSTMLayout, values: Mapping[str, np.ndarray], forget_bias: float = 1.0
) -> dict[str, list[np.ndarray]]:
    """Keras weights per layer name (``lstm_<i>``, ``dense``) from TF1 variable values."""
    weights = {}
    for index, layer in enumerate(layout.layers):
        weights[f"lstm_{index}"] = list(
            tf1_to_keras(values[layer.kernel], values[layer.bias], layer.input_depth, forget_bias)
        )
    weights["dense"] = [values[layout.head_weights], values[layout.head_biases]]
    return weights


def port_checkpoint(
    path: str | os.PathLike,
    *,
    timesteps: int | None = None,
    forget_bias: float = 1.0,
    stateful: bool = False,
    batch_size: int | None = None,
) -> keras.Model:
    """Build the Keras model equivalent to a TF1 LSTM checkpoint and load its weights.

    Parameters
    ----------
    path : str or PathLike
        A model_dir (its latest checkpoint is used) or a checkpoint prefix, written
        by this project or by real TF1 code (names ``kernel``/``bias`` or the
        pre-1.2 ``weights``/``biases``).
    timesteps : int, optional
        Time steps of the Keras input (1 for the legacy ``(?, 1, 12)`` layout);
        None accepts any length. The checkpoint does not record it.
    forget_bias : float, default=1.0
        The cells' ``forget_bias`` (not stored in TF1 checkpoints), folded into
        the Keras forget-gate bias.
    stateful, batch_size
        Build a stateful model with this fixed batch size instead.

    Returns
    -------
    keras.Model
        ``build_lstm`` with the checkpoint's sizes and layer count: the kernel split
        into input and recurrent parts, gate blocks reordered from TF1's [i, j, f, o]
        to Keras' [i, f, c, o], the fully_connected head copied into ``dense``.

    Raises
    ------
    ValueError
        If the checkpoint holds model variables besides the LSTM stack and the head
        (a GRU, an embedding...), naming them: they would be dropped.
    """
    layout = read_layout(path)
    if layout.unmapped:
        raise ValueError(
            f"`path` must hold only an LSTM stack and its head for port_checkpoint, got "
            f"other model variables in {layout.path!r}: {list(layout.unmapped)}. Porting "
            "would drop them; convert the model with tf_pipeline.migrate.to_keras(model_fn, "
            "checkpoint, input_shape) instead."
        )
    reader = tf.train.load_checkpoint(layout.path)
    names = [n for layer in layout.layers for n in (layer.kernel, layer.bias)]
    values = {name: reader.get_tensor(name) for name in names}
    values[layout.head_weights] = reader.get_tensor(layout.head_weights)
    values[layout.head_biases] = reader.get_tensor(layout.head_biases)
    model = build_lstm(
        (timesteps, layout.input_depth),
        hidden_size=layout.units,
        num_layers=layout.num_layers,
        stateful=stateful,
        batch_size=batch_size,
    )
    for name, layer_weights in keras_weights(layout, values, forget_bias).items():
        model.get_layer(name).set_weights(layer_weights)
    return model


def tf1_values(model: keras.Model, forget_bias: float = 1.0) -> dict[str, np.ndarray]:
    """TF1 variable values (legacy names) for a Keras LSTM stack + Dense(1) model."""
    lstm_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    dense_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not lstm_layers or not dense_layers or dense_layers[-1].units != 1:
        raise ValueError(
            "`model` must be LSTM layers followed by Dense(1) (as build_lstm makes), got "
            f"layers {[type(layer).__name__ for layer in model.layers]}."
        )
    values = {}
    for index, layer in enumerate(lstm_layers):
        if layer.activation is not keras.activations.tanh or not layer.use_bias:
            raise ValueError(
                f"`model` layer {layer.name!r} must use tanh and a bias like TF1's BasicLSTMCell."
            )
        kernel, recurrent_kernel, bias = layer.get_weights()
        tf1_kernel, tf1_bias = keras_to_tf1(kernel, recurrent_kernel, bias, forget_bias)
        scope = TF1_CELL_SCOPE.format(index=index)
        values[f"{scope}/kernel"] = tf1_kernel
        values[f"{scope}/bias"] = tf1_bias
    head_kernel, head_bias = dense_layers[-1].get_weights()
    values[f"{TF1_HEAD_SCOPE}/weights"] = head_kernel
    values[f"{TF1_HEAD_SCOPE}/biases"] = head_bias
    return values


def _model_fn_values(
    model: keras.Model,
    model_fn: Callable,
    input_shape: Sequence[int],
    params: Any,
    input_dtype: Any,
) -> tuple[tf.Graph, dict[str, np.ndarray]]:
    """The traced graph of ``model_fn`` and its variable values taken from ``model``."""
    conversion = convert(model_fn, None, input_shape, params, input_dtype=input_dtype)
    if len(conversion.model.weights) != len(model.weights):
        raise ValueError(
            "`model` must be the to_keras conversion of `model_fn` (same layers), got "
            f"{len(model.weights)} weights where the conversion has "
            f"{len(conversion.model.weights)}."
        )
    conversion.model.set_weights(model.get_weights())
    values = {}
    for mapped in conversion.layers:
        values.update(mapped.to_tf1(mapped.layer.get_weights()))
    return conversion.graph, values


def _save_graph_values(graph: tf.Graph, values: dict, path: str, global_step: int) -> str:
    is_dir = os.path.isdir(path) or "ckpt" not in os.path.basename(path)
    with graph.as_default():
        step = tf.compat.v1.train.get_or_create_global_step()
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            step.load(global_step, session)
            for variable in tf.compat.v1.global_variables():
                name = variable.name.split(":")[0]
                if name in values:
                    variable.load(values[name], session)
            if is_dir:
                os.makedirs(path, exist_ok=True)
                return saver.save(
                    session, os.path.join(path, "model.ckpt"), global_step=global_step
                )
            return saver.save(session, path, write_state=False)


def export_tf1_checkpoint(
    model: keras.Model,
    path: str | os.PathLike,
    *,
    forget_bias: float = 1.0,
    global_step: int = 0,
    learning_rate: float | None = 0.6,
    model_fn: Callable | None = None,
    input_shape: Sequence[int] | None = None,
    params: Any = None,
    input_dtype: Any = "float32",
) -> str:
    """Write a Keras LSTM model as a TF1 checkpoint the legacy pipeline can load.

    Parameters
    ----------
    model : keras.Model
        LSTM layers followed by ``Dense(1)``.
    path : str or PathLike
        A model_dir (created if needed; gets ``model.ckpt-<global_step>`` and the
        ``checkpoint`` state file), or a checkpoint prefix: a path whose last part
        contains ``ckpt`` (``/tmp/model.ckpt``) and is not an existing directory.
    forget_bias : float, default=1.0
        Subtracted from the Keras forget-gate bias (TF1 adds it at run time).
    global_step : int, default=0
    learning_rate : float or None, default=0.6
        When given, also writes ``OptimizeLoss/learning_rate`` and fresh Adagrad slots
        (0.1) so ``Estimator.fit`` with the legacy model_fn can continue training.
    model_fn, input_shape, params, input_dtype : optional
        With ``model_fn``: ``model`` is a :func:`~tf_pipeline.migrate.to_keras`
        conversion of it, and the checkpoint gets exactly the variables ``model_fn``
        creates (every supported layer, gate order and forget bias converted back), plus
        ``global_step``; ``forget_bias`` and ``learning_rate`` are then unused.

    Returns
    -------
    str
        The checkpoint prefix written.
    """
    path = os.fspath(path)
    if model_fn is not None:
        if input_shape is None:
            raise ValueError("`input_shape` must be given with `model_fn`, got None.")
        graph, values = _model_fn_values(model, model_fn, input_shape, params, input_dtype)
        return _save_graph_values(graph, values, path, global_step)
    values = tf1_values(model, forget_bias)
    # A prefix names its files ("model.ckpt", "initial.ckpt"); anything else is a model_dir.
    is_dir = os.path.isdir(path) or "ckpt" not in os.path.basename(path)
    graph = tf.Graph()
    with graph.as_default():
        variables = [
            tf.compat.v1.get_variable(name, initializer=tf.constant(value))
            for name, value in values.items()
        ]
        tf.compat.v1.get_variable(
            "global_step", initializer=tf.constant(global_step, tf.int64), trainable=False
        )
        if learning_rate is not None:
            tf.compat.v1.get_variable(
                "OptimizeLoss/learning_rate",
                initializer=tf.constant(float(learning_rate)),
                trainable=False,
            )
            for variable in variables:
                slot = np.full(variable.shape, ADAGRAD_INITIAL_ACCUMULATOR, np.float32)
                tf.compat.v1.get_variable(
                    f"OptimizeLoss/{variable.op.name}/Adagrad",
                    initializer=tf.constant(slot),
                    trainable=False,
                )
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            if is_dir:
                os.makedirs(path, exist_ok=True)
                return saver.save(
                    session, os.path.join(path, "model.ckpt"), global_step=global_step
                )
            return saver.save(session, path, write_state=False)
