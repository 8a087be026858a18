"""Keras 3 layers for the TF1 pieces Keras has no exact equivalent of.

Public and registered with Keras under the package name ``tf_pipeline``, so a model
converted by :func:`tf_pipeline.migrate.to_keras` loads with::

    import keras
    import tf_pipeline.migrate.keras_layers  # registers the layers below
    model = keras.saving.load_model("model.keras")

(or ``custom_objects=tf_pipeline.migrate.keras_layers.CUSTOM_OBJECTS``). They keep no
state outside their Keras config and weights.

- :class:`TF1LSTMCell`: TF1's ``LSTMCell`` with peepholes, cell clipping and a
  projection, its kernel kept in TF1's ``concat([x, m])`` layout and gate order
  ``[i, j, f, o]``; run it with ``keras.layers.RNN``.
- :class:`StridedSlice`, :class:`BatchReshape`, :class:`Transpose`: the graph glue
  (``output[:, -1, :]``, a reshape that folds time into the batch, ``tf.transpose``)
  that Keras' own layers cannot express because they touch the batch axis.

Example
-------
>>> import keras, numpy as np
>>> from tf_pipeline.migrate.keras_layers import TF1LSTMCell
>>> layer = keras.layers.RNN(TF1LSTMCell(4, use_peepholes=True, num_proj=2))
>>> tuple(layer(np.ones((3, 5, 6), "float32")).shape)
(3, 2)
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

_PACKAGE = "tf_pipeline"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TF1LSTMCell(keras.layers.Layer):
    """TF1 ``LSTMCell`` (Sak et al., 2014) as a Keras RNN cell.

    Weights, in this order: ``kernel [input_depth + h_depth, 4*units]`` (TF1 layout,
    gates ``i, j, f, o``), ``bias [4*units]``, then with ``use_peepholes``
    ``w_f_diag``, ``w_i_diag``, ``w_o_diag`` ``[units]``, then with ``num_proj``
    ``projection [units, num_proj]``. State: ``[c, m]`` (TF1's ``LSTMStateTuple``).

    Parameters
    ----------
    units : int
    use_peepholes : bool, default=False
    cell_clip, proj_clip : float, optional
    num_proj : int, optional
    forget_bias : float, default=1.0
        Added to the forget gate at run time, as TF1 did.
    activation : str, default="tanh"
    """

    def __init__(
        self,
        units: int,
        use_peepholes: bool = False,
        cell_clip: float | None = None,
        num_proj: int | None = None,
        proj_clip: float | None = None,
        forget_bias: float = 1.0,
        activation: str = "tanh",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.use_peepholes = bool(use_peepholes)
        self.cell_clip = cell_clip
        self.num_proj = num_proj
        self.proj_clip = proj_clip
        self.forget_bias = float(forget_bias)
        self.activation = keras.activations.get(activation)
        h_depth = num_proj or self.units
        self.state_size = [self.units, h_depth]
        self.output_size = h_depth

    def build(self, input_shape: Any) -> None:
        depth = input_shape[-1]
        units, h_depth = self.units, self.num_proj or self.units
        self.kernel = self.add_weight(shape=(depth + h_depth, 4 * units), name="kernel")
        self.bias = self.add_weight(shape=(4 * units,), name="bias", initializer="zeros")
        if self.use_peepholes:
            self.w_f_diag = self.add_weight(shape=(units,), name="w_f_diag")
            self.w_i_diag = self.add_weight(shape=(units,), name="w_i_diag")
            self.w_o_diag = self.add_weight(shape=(units,), name="w_o_diag")
        if self.num_proj is not None:
            self.projection = self.add_weight(shape=(units, self.num_proj), name="projection")

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple[Any, list]:
        c_prev, m_prev = states[0], states[1]
        z = ops.matmul(ops.concatenate([inputs, m_prev], axis=1), self.kernel) + self.bias
        i, j, f, o = ops.split(z, 4, axis=1)
        if self.use_peepholes:
            forget = ops.sigmoid(f + self.forget_bias + self.w_f_diag * c_prev)
            c = forget * c_prev + ops.sigmoid(i + self.w_i_diag * c_prev) * self.activation(j)
        else:
            c = ops.sigmoid(f + self.forget_bias) * c_prev + ops.sigmoid(i) * self.activation(j)
        if self.cell_clip is not None:
            c = ops.clip(c, -self.cell_clip, self.cell_clip)
        if self.use_peepholes:
            m = ops.sigmoid(o + self.w_o_diag * c) * self.activation(c)
        else:
            m = ops.sigmoid(o) * self.activation(c)
        if self.num_proj is not None:
            m = ops.matmul(m, self.projection)
            if self.proj_clip is not None:
                m = ops.clip(m, -self.proj_clip, self.proj_clip)
        return m, [c, m]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "use_peepholes": self.use_peepholes,
            "cell_clip": self.cell_clip,
            "num_proj": self.num_proj,
            "proj_clip": self.proj_clip,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
        }


def _python_index(entry: list) -> Any:
    kind = entry[0]
    if kind == "slice":
        return slice(entry[1], entry[2], entry[3])
    if kind == "index":
        return entry[1]
    if kind == "newaxis":
        return None
    return Ellipsis


@keras.saving.register_keras_serializable(package=_PACKAGE)
class StridedSlice(keras.layers.Layer):
    """``x[spec]`` for a NumPy-style index, e.g. ``output[:, -1, :]``.

    Parameters
    ----------
    spec : list of list
        One entry per index element: ``["slice", start, stop, step]``,
        ``["index", i]``, ``["newaxis"]`` or ``["ellipsis"]``.
    """

    def __init__(self, spec: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = [list(entry) for entry in spec]

    def call(self, inputs: Any) -> Any:
        return inputs[tuple(_python_index(entry) for entry in self.spec)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "spec": self.spec}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class BatchReshape(keras.layers.Layer):
    """``reshape(x, shape)`` with the batch axis included (``[-1, units]`` folds time)."""

    def __init__(self, shape: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shape = [int(s) for s in shape]

    def call(self, inputs: Any) -> Any:
        return ops.reshape(inputs, self.shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "shape": self.shape}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Transpose(keras.layers.Layer):
    """``transpose(x, perm)``, including permutations that move the batch axis."""

    def __init__(self, perm: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.perm = [int(p) for p in perm]

    def call(self, inputs: Any) -> Any:
        return ops.transpose(inputs, self.perm)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "perm": self.perm}


CUSTOM_OBJECTS = {
    f"{_PACKAGE}>{cls.__name__}": cls
    for cls in (TF1LSTMCell, StridedSlice, BatchReshape, Transpose)
}
