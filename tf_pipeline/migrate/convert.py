"""Convert any TF1 model_fn built from our namespace to a Keras 3 model with its weights.

:func:`to_keras` traces the model_fn in PREDICT (``infer``) mode inside a
:func:`~tf_pipeline.compat.records.recording` block, so every TF1 layer, cell runner
and ``fully_connected`` leaves a record of what it built. Walking back from the
predictions, each tensor becomes a Keras tensor: a recorded layer becomes Keras' own
layer where that is exact (``LSTM``, ``GRU(reset_after=False)``, ``SimpleRNN``,
``Dense``, ``Conv``, pooling, ``Flatten``, ``Embedding``, ``BatchNormalization``) or a
layer of :mod:`tf_pipeline.migrate.keras_layers` where Keras has none (peepholes,
cell clipping, projection); the glue ops between them (reshape, slicing the last
output, concat, transpose, activations, sums) become Keras layers too. Anything else
on the path, and any model or checkpoint variable left unmapped, is an error naming it.

Example
-------
>>> import tempfile, numpy as np, tensorflow as tf
>>> import tf_pipeline.tf1 as tf1
>>> from tf_pipeline.migrate import to_keras
>>> def model_fn(features, labels, mode):
...     cell = tf1.nn.rnn_cell.GRUCell(4)
...     outputs, _ = tf1.nn.dynamic_rnn(cell, features, dtype=tf.float32)
...     return tf1.layers.dense(outputs[:, -1, :], 1), None, None
>>> with tf.Graph().as_default():
...     x = tf1.placeholder(tf.float32, [None, 3, 2])
...     _ = model_fn(x, None, "infer")
...     with tf1.Session() as session:
...         session.run(tf1.global_variables_initializer())
...         prefix = tf1.train.Saver().save(session, tempfile.mkdtemp() + "/model.ckpt")
>>> model = to_keras(model_fn, prefix, (3, 2))
>>> [type(layer).__name__ for layer in model.layers]
['InputLayer', 'GRU', 'StridedSlice', 'Dense']
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_pipeline.compat import records
from tf_pipeline.compat import rnn as compat_rnn
from tf_pipeline.estimators.model_fn import ModeKeys, call_model_fn
from tf_pipeline.migrate import keras_layers
from tf_pipeline.migrate.coverage import unaccounted
from tf_pipeline.migrate.gates import keras_to_tf1, tf1_to_keras
from tf_pipeline.migrate.layout import resolve_checkpoint

logger = logging.getLogger(__name__)

_KERAS_ACTIVATIONS = (
    "tanh", "relu", "relu6", "sigmoid", "elu", "selu", "softplus", "softsign", "softmax",
    "leaky_relu",
)  # fmt: skip


def _tf_functions(name: str) -> list[Any]:
    """Every public spelling of a TF activation (tf.nn.x, tf.math.x, compat.v1 ones)."""
    namespaces = (tf, tf.nn, tf.math, tf.compat.v1, tf.compat.v1.nn, tf.compat.v1.math)
    return [getattr(ns, name) for ns in namespaces if hasattr(ns, name)]


_ACTIVATION_NAMES: list[tuple[Any, str]] = [(None, "linear")]
_ACTIVATION_NAMES += [(f, "linear") for f in _tf_functions("identity")]
_ACTIVATION_NAMES += [(f, name) for name in _KERAS_ACTIVATIONS for f in _tf_functions(name)]
_ACTIVATION_OPS = {
    "Relu": "relu",
    "Relu6": "relu6",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "Elu": "elu",
    "Selu": "selu",
    "Softplus": "softplus",
    "Softsign": "softsign",
    "Softmax": "softmax",
}
_PASS_THROUGH = ("Identity", "StopGradient", "Snapshot", "PreventGradient")
_MERGES = {"AddV2": keras.layers.Add, "Add": keras.layers.Add}
_MERGES.update(Sub=keras.layers.Subtract, Mul=keras.layers.Multiply)


@dataclass
class MappedLayer:
    """A Keras layer and the TF1 variables it carries, with both conversions."""

    layer: keras.layers.Layer
    variables: tuple[str, ...]
    to_keras: Callable[[dict[str, np.ndarray]], list[np.ndarray]]
    to_tf1: Callable[[list[np.ndarray]], dict[str, np.ndarray]]


@dataclass
class Conversion:
    """Everything :func:`convert` learned: the Keras model and how it maps onto the graph.

    Attributes
    ----------
    model : keras.Model
    graph : tf.Graph
        The traced PREDICT graph (its variables carry the checkpoint's names).
    features : tf.Tensor
        The placeholder the model_fn was traced on.
    predictions : tf.Tensor or dict of tf.Tensor
    points : list of (str, tf.Tensor, KerasTensor)
        Every mapped layer's output and every final RNN state, paired.
    layers : list of MappedLayer
    checkpoint : str or None
    """

    model: keras.Model
    graph: tf.Graph
    features: tf.Tensor
    predictions: Any
    points: list[tuple[str, tf.Tensor, Any]]
    layers: list[MappedLayer]
    checkpoint: str | None
    mapped_variables: set[str] = field(default_factory=set)
    unmapped: list[str] = field(default_factory=list)

    def probe(self, keras_model: keras.Model | None = None) -> keras.Model:
        """A Keras model returning every point's output, carrying ``keras_model``'s weights."""
        probe = keras.Model(self.model.inputs, [point[2] for point in self.points])
        if keras_model is not None and keras_model is not self.model:
            self.model.set_weights(keras_model.get_weights())
        return probe


def _var_name(variable: Any) -> str:
    if hasattr(variable, "_variable_list"):  # a PartitionedVariable (num_unit_shards)
        raise ValueError(
            f"`model_fn` must not use partitioned variables (num_unit_shards), got "
            f"{variable.name!r}; Keras layers hold one array per weight."
        )
    return variable.name.split(":")[0]


def _variable_of(tensor: tf.Tensor) -> str | None:
    """The variable a tensor reads, or None."""
    op = tensor.op
    if op.type == "ReadVariableOp" or (op.type == "Identity" and op.inputs):
        source = op.inputs[0].op
        if source.type in ("VarHandleOp", "VariableV2", "Variable"):
            op = source
    if op.type == "VarHandleOp":
        return op.get_attr("shared_name").decode() or op.name
    if op.type in ("VariableV2", "Variable"):
        return op.name
    return None


def _static(tensor: tf.Tensor, what: str) -> np.ndarray:
    value = tf.get_static_value(tensor)
    if value is None:
        raise ValueError(
            f"`model_fn` must give {what} of op {tensor.op.name!r} as a constant, got the "
            f"computed tensor {tensor.name!r}; to_keras cannot map a data-dependent {what}."
        )
    return np.asarray(value)


def _scalar(tensor: tf.Tensor) -> float | None:
    """The value of a constant scalar tensor, else None."""
    if tensor.shape.rank != 0 or tensor.op.type != "Const":
        return None
    return float(tf.get_static_value(tensor))


def _is_zero(tensor: tf.Tensor) -> bool:
    value = tf.get_static_value(tensor)
    if value is not None:
        return not np.any(value)
    if tensor.op.type == "Fill":
        fill = tf.get_static_value(tensor.op.inputs[1])
        return fill is not None and not np.any(fill)
    return tensor.op.type in ("ZerosLike", "Zeros")


def activation_name(function: Any, where: str) -> str:
    """The Keras name of a TF activation function, or an error naming ``where``."""
    # tf_pipeline.tf1 hands out functions behind thin wrappers (legacy graph mode).
    bare = inspect.unwrap(function) if callable(function) else function
    for known, name in _ACTIVATION_NAMES:
        if function is known or bare is known:
            return name
    raise ValueError(
        f"`activation` of {where} must be one of tanh, relu, relu6, sigmoid, elu, selu, "
        f"softplus, softsign, softmax, leaky_relu or None, got {function!r}."
    )


def _keras_name(scope: str) -> str:
    return scope.replace("/", ".")


class _Values:
    """TF1 variable values by name: from the checkpoint, or the traced graph's initial ones."""

    def __init__(self, prefix: str | None, graph: tf.Graph) -> None:
        self.prefix = prefix
        if prefix is not None:
            self._reader = tf.train.load_checkpoint(prefix)
            self._shapes = dict(tf.train.list_variables(prefix))
            self._initial = {}
        else:
            with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
                session.run(tf.compat.v1.global_variables_initializer())
                variables = tf.compat.v1.global_variables()
                values = session.run(variables)
            self._initial = {_var_name(v): x for v, x in zip(variables, values, strict=True)}

    def __call__(self, name: str, shape: Sequence[int]) -> np.ndarray:
        if self.prefix is None:
            return self._initial[name]
        if name not in self._shapes:
            raise ValueError(
                f"`checkpoint` must hold variable {name!r} that the model_fn creates, but "
                f"{self.prefix!r} has no such variable."
            )
        value = self._reader.get_tensor(name)
        if list(value.shape) != list(shape):
            raise ValueError(
                f"`checkpoint` variable {name!r} must have shape {list(shape)}, got "
                f"{list(value.shape)}."
            )
        return value


class _Converter:
    """Walks back from the predictions, turning TF1 tensors into Keras tensors."""

    def __init__(
        self, features: tf.Tensor, found: list[records.LayerRecord], values: _Values
    ) -> None:
        self.features = features
        self.values = values
        self.input = keras.Input(
            shape=tuple(features.shape[1:]), dtype=features.dtype.name, name="features"
        )
        self.done: dict[str, Any] = {}
        self.points: list[tuple[str, tf.Tensor, Any]] = []
        self.layers: list[MappedLayer] = []
        self.records = found
        self.producers: dict[str, tuple[int, int]] = {}
        for index, record in enumerate(found):
            if self._handler(record) is None:
                continue  # e.g. a user's own tf.layers.Layer: its inner layers are recorded
            for position, tensor in enumerate(record.outputs):
                self.producers[tensor.name] = (index, position)
        self.converted: set[int] = set()

    # -- walking -------------------------------------------------------------------------
    def tensor(self, tensor: tf.Tensor) -> Any:
        key = tensor.name
        if key in self.done:
            return self.done[key]
        if key == self.features.name:
            return self.input
        if key in self.producers:
            index, _ = self.producers[key]
            record = self.records[index]
            outputs = self._handler(record)(record)
            for tf_tensor, keras_tensor in zip(record.outputs, outputs, strict=True):
                self.done.setdefault(tf_tensor.name, keras_tensor)
            return self.done[key]
        self.done[key] = self._glue(tensor)
        return self.done[key]

    def _handler(self, record: records.LayerRecord) -> Callable | None:
        if record.kind in ("dynamic_rnn", "static_rnn"):
            return self._rnn
        if record.kind == "fully_connected":
            return self._fully_connected
        if record.kind == "tf_layer":
            return getattr(self, f"_layer_{type(record.owner).__name__}", None)
        return None

    def _map(
        self,
        layer: keras.layers.Layer,
        variables: Sequence[Any],
        to_keras: Callable | None = None,
        to_tf1: Callable | None = None,
    ) -> None:
        """Load the TF1 values into the (called) Keras layer and remember the pairing."""
        names = tuple(_var_name(v) if not isinstance(v, str) else v for v in variables)
        shapes = {_var_name(v): v.shape.as_list() for v in variables if not isinstance(v, str)}
        to_keras = to_keras or (lambda values: [values[name] for name in names])
        to_tf1 = to_tf1 or (lambda weights: dict(zip(names, weights, strict=True)))
        values = {name: self.values(name, shapes.get(name)) for name in names}
        layer.set_weights(to_keras(values))
        self.layers.append(MappedLayer(layer, names, to_keras, to_tf1))

    # -- recorded layers -----------------------------------------------------------------
    def _fully_connected(self, record: records.LayerRecord) -> list:
        config = record.config
        scope = _var_name(config["weights"]).rpartition("/")[0]
        if config["normalizer_fn"] is not None:
            raise ValueError(
                f"`normalizer_fn` of fully_connected {scope!r} must be None for to_keras, got "
                f"{config['normalizer_fn']!r}; apply batch_normalization as its own layer."
            )
        variables = [config["weights"]] + (
            [config["biases"]] if config["biases"] is not None else []
        )
        layer = keras.layers.Dense(
            config["num_outputs"],
            activation=activation_name(config["activation"], f"fully_connected {scope!r}"),
            use_bias=config["biases"] is not None,
            name=_keras_name(scope),
        )
        output = layer(self.tensor(record.inputs[0]))
        self._map(layer, variables)
        self.points.append((scope, record.outputs[0], output))
        return [output]

    # tf.layers: one handler per class, named _layer_<ClassName>.
    def _simple_layer(
        self, record: records.LayerRecord, layer: keras.layers.Layer, variables: list
    ) -> list:
        output = layer(self.tensor(record.inputs[0]))
        if variables:
            self._map(layer, variables)
        self.points.append((record.owner.scope_name, record.outputs[0], output))
        return [output]

    def _layer_Dense(self, record: records.LayerRecord) -> list:
        owner = record.owner
        layer = keras.layers.Dense(
            owner.units,
            activation=activation_name(owner.activation, f"dense {owner.name!r}"),
            use_bias=owner.use_bias,
            name=_keras_name(owner.scope_name),
        )
        variables = [owner.kernel] + ([owner.bias] if owner.use_bias else [])
        return self._simple_layer(record, layer, variables)

    def _conv(self, record: records.LayerRecord, keras_class: type) -> list:
        owner = record.owner
        layer = keras_class(
            owner.filters,
            owner.kernel_size,
            strides=owner.strides,
            padding=owner.padding,
            data_format=owner.data_format,
            dilation_rate=owner.dilation_rate,
            activation=activation_name(owner.activation, f"conv {owner.name!r}"),
            use_bias=owner.use_bias,
            name=_keras_name(owner.scope_name),
        )
        variables = [owner.kernel] + ([owner.bias] if owner.use_bias else [])
        return self._simple_layer(record, layer, variables)

    def _layer_Conv1D(self, record: records.LayerRecord) -> list:
        return self._conv(record, keras.layers.Conv1D)

    def _layer_Conv2D(self, record: records.LayerRecord) -> list:
        return self._conv(record, keras.layers.Conv2D)

    def _pool(self, record: records.LayerRecord, keras_class: type) -> list:
        owner = record.owner
        layer = keras_class(
            owner.pool_size,
            strides=owner.strides,
            padding=owner.padding,
            data_format=owner.data_format,
            name=_keras_name(owner.scope_name),
        )
        return self._simple_layer(record, layer, [])

    def _layer_MaxPooling1D(self, record: records.LayerRecord) -> list:
        return self._pool(record, keras.layers.MaxPooling1D)

    def _layer_MaxPooling2D(self, record: records.LayerRecord) -> list:
        return self._pool(record, keras.layers.MaxPooling2D)

    def _layer_AveragePooling1D(self, record: records.LayerRecord) -> list:
        return self._pool(record, keras.layers.AveragePooling1D)

    def _layer_AveragePooling2D(self, record: records.LayerRecord) -> list:
        return self._pool(record, keras.layers.AveragePooling2D)

    def _layer_Flatten(self, record: records.LayerRecord) -> list:
        owner = record.owner
        layer = keras.layers.Flatten(
            data_format=owner.data_format, name=_keras_name(owner.scope_name)
        )
        return self._simple_layer(record, layer, [])

    def _layer_Dropout(self, record: records.LayerRecord) -> list:
        owner = record.owner
        _check_inference(record, "dropout")
        layer = keras.layers.Dropout(owner.rate, name=_keras_name(owner.scope_name))
        return self._simple_layer(record, layer, [])

    def _layer_BatchNormalization(self, record: records.LayerRecord) -> list:
        owner = record.owner
        _check_inference(record, "batch_normalization")
        if owner.renorm:
            raise ValueError(
                f"`renorm` of batch_normalization {owner.name!r} must be False for "
                "to_keras, got True (Keras' BatchNormalization has no renorm variables)."
            )
        axis = list(owner.axis)
        layer = keras.layers.BatchNormalization(
            axis=axis[0] if len(axis) == 1 else axis,
            momentum=owner.momentum,
            epsilon=owner.epsilon,
            center=owner.center,
            scale=owner.scale,
            name=_keras_name(owner.scope_name),
        )
        variables = ([owner.gamma] if owner.scale else []) + ([owner.beta] if owner.center else [])
        variables += [owner.moving_mean, owner.moving_variance]
        return self._simple_layer(record, layer, variables)

    def _rnn(self, record: records.LayerRecord) -> list:
        config = record.config
        if config["sequence_length"] is not None:
            raise ValueError(
                f"`sequence_length` of {record.kind} must be None for to_keras, got "
                f"{config['sequence_length']!r}; Keras masks differently from TF1's "
                "copy-through of finished sequences."
            )
        if config["time_major"]:
            raise ValueError(f"`time_major` of {record.kind} must be False, got True.")
        if config["initial_state"] is not None and not all(
            _is_zero(t) for t in tf.nest.flatten(config["initial_state"])
        ):
            raise ValueError(
                f"`initial_state` of {record.kind} must be None or zeros for to_keras, got "
                f"{config['initial_state']!r}."
            )
        if record.kind == "dynamic_rnn":
            x = self.tensor(record.inputs[0])
        else:
            x = self.tensor(_unstacked_source(record.inputs))
        top = record.owner
        layers = _layer_cells(top)
        leaves, labels = [], []
        for cell, residual in layers:
            sequence, cell_leaves = self._rnn_layer(cell, x)
            if residual:
                sequence = keras.layers.Add(name=_keras_name(cell.scope_name) + ".residual")(
                    [x, sequence]
                )
            names = ["c", "h"] if len(cell_leaves) == 2 else ["h"]
            if not getattr(cell, "_state_is_tuple", True):
                cell_leaves = [keras.layers.Concatenate(axis=-1)(cell_leaves)]
                names = ["concat(c, h)"]
            leaves.append(cell_leaves)
            labels += [f"{cell.scope_name} final state {n}" for n in names]
            x = sequence
        flat = [leaf for cell_leaves in leaves for leaf in cell_leaves]
        if isinstance(top, compat_rnn.MultiRNNCell) and not top._state_is_tuple:
            flat = [keras.layers.Concatenate(axis=-1)(flat)]
            labels = [f"{top.cells[0].scope_name.rpartition('/cell_')[0]} final state (concat)"]
        n_state = len(tf.nest.flatten(config["state"]))
        if n_state != len(flat):
            raise ValueError(
                f"`state` of {record.kind} must have {len(flat)} parts for its cells, got "
                f"{config['state']!r}."
            )
        tf_state = record.outputs[len(record.outputs) - n_state :]
        if record.kind == "dynamic_rnn":
            outputs = [x]
            self.points.append(
                (f"{record.kind} outputs ({layers[-1][0].scope_name})", record.outputs[0], x)
            )
        else:
            steps = len(record.inputs)
            outputs = [
                keras_layers.StridedSlice([["slice", None, None, None], ["index", t]])(x)
                for t in range(steps)
            ]
            self.points.append(
                (f"{record.kind} last output", record.outputs[steps - 1], outputs[-1])
            )
        for label, tf_leaf, keras_leaf in zip(labels, tf_state, flat, strict=True):
            self.points.append((label, tf_leaf, keras_leaf))
        return outputs + flat

    def _rnn_layer(self, cell: Any, x: Any) -> tuple[Any, list]:
        """One recurrent layer: the Keras layer's sequence output and TF1-ordered state."""
        name = _keras_name(cell.scope_name)
        where = f"{type(cell).__name__} {cell.scope_name!r}"
        depth = int(cell._input_depth)
        common = {"return_sequences": True, "return_state": True, "name": name}
        if isinstance(cell, compat_rnn.GRUCell) or isinstance(cell, compat_rnn.GRUBlockCell):
            if isinstance(cell, compat_rnn.GRUCell):
                variables = [cell._gate_kernel, cell._gate_bias]
                variables += [cell._candidate_kernel, cell._candidate_bias]
                activation = activation_name(cell._activation, where)
            else:
                variables = [cell._w_ru, cell._b_ru, cell._w_c, cell._b_c]
                activation = "tanh"
            units = getattr(cell, "_num_units", None) or cell._cell_size
            layer = keras.layers.GRU(units, activation=activation, reset_after=False, **common)
            sequence, h = layer(x)
            names = [_var_name(v) for v in variables]
            self._map(layer, variables, *_gru_converters(names, depth, units))
            return sequence, [h]
        if isinstance(cell, compat_rnn.BasicRNNCell):
            layer = keras.layers.SimpleRNN(
                cell._num_units, activation=activation_name(cell._activation, where), **common
            )
            sequence, h = layer(x)
            names = [_var_name(cell._kernel), _var_name(cell._bias)]

            def rnn_to_keras(values: dict) -> list:
                kernel = values[names[0]]
                return [kernel[:depth], kernel[depth:], values[names[1]]]

            def rnn_to_tf1(weights: list) -> dict:
                return {names[0]: np.concatenate(weights[:2]), names[1]: weights[2]}

            self._map(layer, [cell._kernel, cell._bias], rnn_to_keras, rnn_to_tf1)
            return sequence, [h]
        if isinstance(
            cell, (compat_rnn.BasicLSTMCell, compat_rnn.LSTMCell, compat_rnn.LSTMBlockCell)
        ):
            return self._lstm_layer(cell, x, name, where, depth, common)
        raise ValueError(
            f"`model_fn` uses {where}, which to_keras cannot map; supported cells: "
            "BasicRNNCell, GRUCell, GRUBlockCell, BasicLSTMCell, LSTMCell, LSTMBlockCell, "
            "under MultiRNNCell, DropoutWrapper, ResidualWrapper, DeviceWrapper."
        )

    def _lstm_layer(
        self, cell: Any, x: Any, name: str, where: str, depth: int, common: dict
    ) -> tuple[Any, list]:
        units = cell._num_units
        forget_bias = float(cell._forget_bias)
        peepholes = bool(getattr(cell, "_use_peepholes", getattr(cell, "_use_peephole", False)))
        clip = getattr(cell, "_cell_clip", None)
        clip = None if clip is None or clip <= 0 else float(clip)
        num_proj = getattr(cell, "_num_proj", None)
        proj_clip = getattr(cell, "_proj_clip", None)
        activation = activation_name(getattr(cell, "_activation", tf.tanh), where)
        kernel, bias = _var_name(cell._kernel), _var_name(cell._bias)
        if not (peepholes or clip is not None or num_proj is not None):
            layer = keras.layers.LSTM(units, activation=activation, **common)
            sequence, h, c = layer(x)

            def lstm_to_keras(values: dict) -> list:
                return list(tf1_to_keras(values[kernel], values[bias], depth, forget_bias))

            def lstm_to_tf1(weights: list) -> dict:
                return dict(zip((kernel, bias), keras_to_tf1(*weights, forget_bias), strict=True))

            self._map(layer, [cell._kernel, cell._bias], lstm_to_keras, lstm_to_tf1)
            return sequence, [c, h]
        keras_cell = keras_layers.TF1LSTMCell(
            units,
            use_peepholes=peepholes,
            cell_clip=clip,
            num_proj=num_proj,
            proj_clip=proj_clip,
            forget_bias=forget_bias,
            activation=activation,
        )
        layer = keras.layers.RNN(keras_cell, **common)
        sequence, c, m = layer(x)
        variables = [cell._kernel, cell._bias]
        if peepholes:
            variables += [cell._w_f_diag, cell._w_i_diag, cell._w_o_diag]
        if num_proj is not None:
            variables.append(cell._proj_kernel)
        self._map(layer, variables)
        return sequence, [c, m]

    # -- glue ------------------------------------------------------------------------------
    def _glue(self, tensor: tf.Tensor) -> Any:
        op = tensor.op
        kind = op.type
        name = _keras_name(op.name)
        if kind in _PASS_THROUGH:
            return self.tensor(op.inputs[0])
        if kind in _ACTIVATION_OPS:
            return keras.layers.Activation(_ACTIVATION_OPS[kind], name=name)(
                self.tensor(op.inputs[0])
            )
        if kind == "Reshape":
            target = [int(s) for s in _static(op.inputs[1], "the shape")]
            return self._reshape(op, target, name)
        if kind in ("Squeeze", "ExpandDims"):
            return self._reshape(op, None, name)
        if kind == "StridedSlice":
            return keras_layers.StridedSlice(_slice_spec(op), name=name)(self.tensor(op.inputs[0]))
        if kind == "ConcatV2":
            axis = int(_static(op.inputs[-1], "the axis"))
            rank = tensor.shape.rank
            if axis == 0 or (rank is not None and axis == -rank):
                raise ValueError(
                    f"op {op.name!r} concatenates along the batch axis; to_keras cannot."
                )
            inputs = [self.tensor(t) for t in op.inputs[:-1]]
            return keras.layers.Concatenate(axis=axis, name=name)(inputs)
        if kind == "Transpose":
            perm = [int(p) for p in _static(op.inputs[1], "the permutation")]
            x = self.tensor(op.inputs[0])
            if perm[0] == 0:
                return keras.layers.Permute(perm[1:], name=name)(x)
            return keras_layers.Transpose(perm, name=name)(x)
        if kind in ("MatMul", "BiasAdd") or (kind in _MERGES and _variable_of(op.inputs[1])):
            return self._raw_dense(op, name)
        if kind in ("AddV2", "Add", "Sub", "Mul", "RealDiv") and any(
            _scalar(t) is not None for t in op.inputs
        ):
            return self._rescale(op, name)
        if kind in _MERGES and not any(_variable_of(t) for t in op.inputs):
            inputs = [self.tensor(t) for t in op.inputs]
            return _MERGES[kind](name=name)(inputs)
        if kind in ("ResourceGather", "GatherV2"):
            return self._embedding(op, name)
        variable = _variable_of(tensor)
        if variable is not None:
            raise ValueError(
                f"`model_fn` reads variable {variable!r} outside a layer to_keras can map "
                f"(used by op {[c.name for c in tensor.consumers()]})."
            )
        raise ValueError(
            f"`model_fn` uses op {op.name!r} (type {kind}) on the path to the predictions, "
            "which to_keras cannot map. Supported: the recorded TF1 layers and cells, "
            "embedding_lookup, raw matmul/bias_add on variables, and the glue ops Identity, "
            "Reshape, Squeeze, ExpandDims, StridedSlice, ConcatV2, Transpose, Add, Sub, Mul, "
            "scalar-constant Mul/RealDiv/Add/Sub "
            f"and {', '.join(sorted(_ACTIVATION_OPS))}."
        )

    def _rescale(self, op: tf.Operation, name: str) -> Any:
        """``x * c``, ``x / c``, ``x + c``, ``x - c`` with a scalar constant -> Rescaling."""
        first, second = op.inputs[0], op.inputs[1]
        constant, index = (
            (_scalar(second), 0) if _scalar(second) is not None else (_scalar(first), 1)
        )
        if op.type in ("Sub", "RealDiv") and index == 1:
            raise ValueError(
                f"op {op.name!r} ({op.type}) of a constant by a tensor is not supported."
            )
        x = self.tensor(op.inputs[index])
        scale, offset = {
            "Mul": (constant, 0.0),
            "RealDiv": (1.0 / constant, 0.0),
            "AddV2": (1.0, constant),
            "Add": (1.0, constant),
            "Sub": (1.0, -constant),
        }[op.type]
        return keras.layers.Rescaling(scale, offset, name=name)(x)

    def _reshape(self, op: tf.Operation, target: list[int] | None, name: str) -> Any:
        source, result = op.inputs[0], op.outputs[0]
        x = self.tensor(source)
        in_shape, out_shape = source.shape, result.shape
        keeps_batch = (
            in_shape.rank
            and out_shape.rank
            and in_shape[1:].is_fully_defined()
            and out_shape[1:].is_fully_defined()
            and in_shape[1:].num_elements() == out_shape[1:].num_elements()
            and (target is None or target[0] in (-1, None))
        )
        if keeps_batch:
            return keras.layers.Reshape(tuple(out_shape[1:]), name=name)(x)
        if target is None:
            raise ValueError(
                f"op {op.name!r} ({op.type}) changes the batch axis; to_keras cannot."
            )
        return keras_layers.BatchReshape(target, name=name)(x)

    def _raw_dense(self, op: tf.Operation, name: str) -> Any:
        """``x @ W (+ b)`` on variables (tf.matmul / bias_add / +) -> Dense."""
        bias_var = None
        matmul = op
        if op.type != "MatMul":
            bias_var = op.inputs[1]
            matmul = op.inputs[0].op
        if matmul.type != "MatMul" or _variable_of(matmul.inputs[1]) is None:
            raise ValueError(
                f"op {op.name!r} ({op.type}) adds variable "
                f"{_variable_of(op.inputs[1])!r} to something that is not x @ W; "
                "to_keras cannot map it."
            )
        if matmul.get_attr("transpose_a") or matmul.get_attr("transpose_b"):
            raise ValueError(f"op {matmul.name!r}: transposed MatMul is not supported.")
        kernel = _variable_of(matmul.inputs[1])
        names = [kernel] + ([_variable_of(bias_var)] if bias_var is not None else [])
        shapes = [matmul.inputs[1].shape.as_list()]
        if bias_var is not None:
            shapes.append(bias_var.shape.as_list())
        layer = keras.layers.Dense(shapes[0][1], use_bias=bias_var is not None, name=name)
        output = layer(self.tensor(matmul.inputs[0]))
        values = {n: self.values(n, s) for n, s in zip(names, shapes, strict=True)}
        layer.set_weights([values[n] for n in names])
        self.layers.append(
            MappedLayer(
                layer,
                tuple(names),
                lambda v, names=names: [v[n] for n in names],
                lambda w, names=names: dict(zip(names, w, strict=True)),
            )
        )
        self.points.append((op.name, op.outputs[0], output))
        return output

    def _embedding(self, op: tf.Operation, name: str) -> Any:
        table = _variable_of(op.inputs[0])
        if table is None:
            raise ValueError(
                f"op {op.name!r} gathers from a non-variable; to_keras cannot map it."
            )
        if op.type == "GatherV2" and int(_static(op.inputs[2], "the axis")) != 0:
            raise ValueError(f"op {op.name!r} gathers along an axis other than 0.")
        shape = (
            op.inputs[0].op.get_attr("shape")
            if op.inputs[0].op.type == "VarHandleOp"
            else op.inputs[0].shape
        )
        shape = tf.TensorShape(shape).as_list()
        layer = keras.layers.Embedding(shape[0], shape[1], name=name)
        output = layer(self.tensor(op.inputs[1]))
        layer.set_weights([self.values(table, shape)])
        self.layers.append(
            MappedLayer(layer, (table,), lambda v: [v[table]], lambda w: {table: w[0]})
        )
        self.points.append((op.name, op.outputs[0], output))
        return output


def _check_inference(record: records.LayerRecord, what: str) -> None:
    """A dropout / batch norm in the PREDICT graph must run in inference mode."""
    training = record.config["kwargs"].get("training", record.config["args"][:1] or [False])
    if isinstance(training, (list, tuple)):
        training = training[0]
    value = training if isinstance(training, (bool, np.bool_)) else tf.get_static_value(training)
    if value is None or bool(value):
        raise ValueError(
            f"`training` of {what} {record.owner.name!r} must be False in PREDICT mode for "
            f"to_keras, got {training!r}; pass training=(mode == 'train')."
        )


def _gru_converters(names: list[str], depth: int, units: int) -> tuple[Callable, Callable]:
    """TF1 GRU ``gates [r, u]`` + ``candidate`` <-> Keras GRU ``[z, r, h]`` (z = TF1's u)."""
    gate_kernel, gate_bias, cand_kernel, cand_bias = names

    def to_keras(values: dict) -> list:
        gates, candidate = values[gate_kernel], values[cand_kernel]
        r, u = gates[:, :units], gates[:, units:]
        full = np.concatenate([u, r, candidate], axis=1)
        bias = values[gate_bias]
        keras_bias = np.concatenate([bias[units:], bias[:units], values[cand_bias]])
        return [full[:depth], full[depth:], keras_bias]

    def to_tf1(weights: list) -> dict:
        full = np.concatenate(weights[:2])
        u, r, candidate = full[:, :units], full[:, units : 2 * units], full[:, 2 * units :]
        bias = weights[2]
        return {
            gate_kernel: np.concatenate([r, u], axis=1),
            gate_bias: np.concatenate([bias[units : 2 * units], bias[:units]]),
            cand_kernel: candidate,
            cand_bias: bias[2 * units :],
        }

    return to_keras, to_tf1


def _layer_cells(top: Any) -> list[tuple[Any, bool]]:
    """The layers of a (possibly stacked, wrapped) cell: ``(core cell, residual)``."""
    cells = top.cells if isinstance(top, compat_rnn.MultiRNNCell) else [top]
    layers = []
    for cell in cells:
        residual = False
        while isinstance(
            cell, (compat_rnn.DropoutWrapper, compat_rnn.ResidualWrapper, compat_rnn.DeviceWrapper)
        ):
            if isinstance(cell, compat_rnn.ResidualWrapper):
                if cell._residual_fn is not None or residual:
                    raise ValueError(
                        "`ResidualWrapper` must use the default residual (inputs + outputs) "
                        f"once per layer for to_keras, got residual_fn={cell._residual_fn!r}."
                    )
                residual = True
            if isinstance(cell, compat_rnn.DropoutWrapper):
                probs = (cell._input_keep_prob, cell._state_keep_prob, cell._output_keep_prob)
                if any(not isinstance(p, float) or p < 1.0 for p in probs):
                    logger.warning(
                        "DropoutWrapper with keep probabilities %s in the PREDICT graph: "
                        "converted as identity (inference); the TF1 graph drops units.",
                        probs,
                    )
            cell = cell.cell
        if isinstance(cell, compat_rnn.MultiRNNCell):
            layers.extend(_layer_cells(cell))
            continue
        layers.append((cell, residual))
    return layers


def _unstacked_source(inputs: Sequence[tf.Tensor]) -> tf.Tensor:
    """The ``[batch, time, depth]`` tensor a static_rnn's input list was unstacked from."""
    ops = {t.op.name for t in inputs}
    op = inputs[0].op
    ordered = all(t.op is op and t.value_index == i for i, t in enumerate(inputs))
    if len(ops) != 1 or op.type != "Unpack" or not ordered or op.get_attr("num") != len(inputs):
        raise ValueError(
            "`inputs` of static_rnn must be tf.unstack(x, axis=1) of one [batch, time, depth] "
            f"tensor for to_keras, got tensors from ops {sorted(ops)}."
        )
    axis = op.get_attr("axis")
    source = op.inputs[0]
    if axis == 1:
        return source
    if axis == 0 and source.op.type == "Transpose":
        perm = tf.get_static_value(source.op.inputs[1])
        if perm is not None and list(perm[:2]) == [1, 0]:
            return source.op.inputs[0]
    raise ValueError(
        f"`inputs` of static_rnn must be unstacked along the time axis, got op {op.name!r} "
        f"(axis {axis})."
    )


def _slice_spec(op: tf.Operation) -> list[list]:
    begin = _static(op.inputs[1], "the slice begin")
    end = _static(op.inputs[2], "the slice end")
    strides = _static(op.inputs[3], "the slice strides")
    masks = {
        m: op.get_attr(f"{m}_mask")
        for m in ("begin", "end", "ellipsis", "new_axis", "shrink_axis")
    }
    spec = []
    for k in range(len(begin)):
        bit = 1 << k
        if masks["ellipsis"] & bit:
            spec.append(["ellipsis"])
        elif masks["new_axis"] & bit:
            spec.append(["newaxis"])
        elif masks["shrink_axis"] & bit:
            spec.append(["index", int(begin[k])])
        else:
            start = None if masks["begin"] & bit else int(begin[k])
            stop = None if masks["end"] & bit else int(end[k])
            spec.append(["slice", start, stop, int(strides[k])])
    return spec


def convert(
    model_fn: Callable,
    checkpoint: str | os.PathLike | None,
    input_shape: Sequence[int],
    params: Any = None,
    *,
    input_dtype: Any = "float32",
    strict: bool = True,
) -> Conversion:
    """Trace ``model_fn`` and build its Keras twin; see :func:`to_keras`.

    Returns the :class:`Conversion` (model, traced graph and the paired points that
    :func:`~tf_pipeline.migrate.parity_report` compares). ``checkpoint=None`` keeps
    the traced graph's initial values (used to export a Keras model back to TF1).
    ``strict=False`` lists checkpoint variables the model_fn does not use in
    ``Conversion.unmapped`` instead of raising (parity reports them as a failure).
    """
    input_shape = tuple(int(d) if d is not None else None for d in input_shape)
    prefix = None if checkpoint is None else resolve_checkpoint(checkpoint)
    graph = tf.Graph()
    with graph.as_default(), records.recording() as found:
        features = tf.compat.v1.placeholder(
            tf.as_dtype(input_dtype), [None, *input_shape], name="features"
        )
        model_dir = os.path.dirname(prefix) if prefix else ""
        spec = call_model_fn(
            model_fn,
            features,
            None,
            ModeKeys.INFER,
            params=params,
            config=None,
            model_dir=model_dir,
        )
        predictions = spec.predictions
    values = _Values(prefix, graph)
    converter = _Converter(features, found, values)
    if isinstance(predictions, dict):
        outputs = {
            key: converter.tensor(tf.convert_to_tensor(t)) for key, t in predictions.items()
        }
        prediction_points = list(predictions.items())
    else:
        outputs = converter.tensor(predictions)
        prediction_points = [("predictions", predictions)]
    for label, tf_tensor in prediction_points:
        keras_tensor = outputs[label] if isinstance(outputs, dict) else outputs
        converter.points.append((label, tf_tensor, keras_tensor))
    mapped = {name for layer in converter.layers for name in layer.variables}
    with graph.as_default():
        created = {
            _var_name(v) for v in tf.compat.v1.global_variables() if _var_name(v) != "global_step"
        }
    missing = sorted(created - mapped)
    if missing:
        raise ValueError(
            f"`model_fn` creates variables that no converted layer uses: {missing}; to_keras "
            "maps only what feeds the predictions and never drops a variable silently."
        )
    left = []
    if prefix is not None:
        left = unaccounted((n for n, _ in tf.train.list_variables(prefix)), mapped)
        if left and strict:
            raise ValueError(
                f"`checkpoint` {prefix!r} holds model variables the model_fn does not "
                f"create: {left}; they would be dropped."
            )
    model = keras.Model(converter.input, outputs, name="converted_tf1_model")
    return Conversion(
        model,
        graph,
        features,
        predictions,
        converter.points,
        converter.layers,
        prefix,
        mapped,
        left,
    )


def to_keras(
    model_fn: Callable,
    checkpoint: str | os.PathLike,
    input_shape: Sequence[int],
    params: Any = None,
    *,
    input_dtype: Any = "float32",
) -> keras.Model:
    """Convert a TF1 model_fn and its checkpoint to an equivalent Keras 3 model.

    Parameters
    ----------
    model_fn : callable
        Any model_fn ``Estimator`` accepts, ``(features, labels[, mode, params, config,
        model_dir])``; it is traced once in ``infer`` mode with ``labels=None``.
    checkpoint : str or PathLike
        A model_dir (its latest checkpoint) or a checkpoint prefix.
    input_shape : sequence of int
        The features' shape without the batch axis.
    params : optional
        Passed to ``model_fn`` as ``params``.
    input_dtype : dtype, default="float32"
        The features' dtype (an int type for models starting with ``embedding_lookup``).

    Returns
    -------
    keras.Model
        Functional; saves and loads as ``.keras`` once
        :mod:`tf_pipeline.migrate.keras_layers` is imported.

    Raises
    ------
    ValueError
        Naming the op, cell, option or variable that cannot be mapped, or a checkpoint
        variable the model_fn does not use.
    """
    return convert(model_fn, checkpoint, input_shape, params, input_dtype=input_dtype).model
