"""TF1's ``tf.layers.Layer`` and ``InputSpec``: variable scopes, reuse and collections.

A layer owns a ``tf.compat.v1.variable_scope`` chosen the first time it is called (or
at construction when the functional interface passes ``name``), creates its variables
there with ``tf.compat.v1.get_variable`` and reuses them on every later call, exactly
as ``tf.layers`` did:

- ``Dense(2)`` called once gives ``dense/kernel``; a second ``Dense`` gives
  ``dense_1/kernel``; the same object called twice shares its variables;
- ``tf.layers.dense(x, 2, name="fc")`` twice raises "already exists" unless
  ``reuse=True`` (or ``tf.AUTO_REUSE``, or an enclosing reusing variable scope);
- weight regularizer losses go to ``REGULARIZATION_LOSSES`` (once per variable, not
  again on reuse), activity regularizer losses too, and a trainable layer's update
  ops (batch norm's moving averages) to ``UPDATE_OPS``.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import Dense
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
...     layer = Dense(2)
...     y1, y2 = layer(x), layer(2 * x)
...     [v.op.name for v in layer.variables]
['dense/kernel', 'dense/bias']
"""

from __future__ import annotations

import functools
import inspect
import re
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline.compat import records
from tf_pipeline.compat.tf_layers._utils import as_list
from tf_pipeline.compat.tf_layers.experimental import is_in_keras_style_scope

__all__ = ["InputSpec", "Layer"]

# Layer names are unique per graph, as Keras 2's `backend.unique_object_name` made them.
_NAME_UIDS: weakref.WeakKeyDictionary[tf.Graph, Counter[str]] = weakref.WeakKeyDictionary()

_ALLOWED_KWARGS = frozenset({"_scope", "_reuse", "activity_regularizer", "autocast"})


def _to_snake_case(name: str) -> str:
    """``Conv2DTranspose`` → ``conv2d_transpose``, Keras 2's rule for default names."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


def _unique_layer_name(base_name: str) -> str:
    """``dense_1``, ``dense_2``, ... per graph (TF 2.15's tf.layers counted from 1)."""
    counter = _NAME_UIDS.setdefault(tf.compat.v1.get_default_graph(), Counter())
    counter[base_name] += 1
    return f"{base_name}_{counter[base_name]}"


def _add_to_collection(elements: list[Any], key: str) -> None:
    """Append each element once (by identity) to graph collection ``key``."""
    collection = tf.compat.v1.get_collection_ref(key)
    present = {id(e) for e in collection}
    for element in elements:
        if id(element) not in present:
            collection.append(element)
            present.add(id(element))


class InputSpec:
    """What a layer accepts: rank, dtype, and the size of given axes.

    Parameters
    ----------
    dtype : str or tf.DType or None, default=None
        Expected dtype.
    shape : tuple or None, default=None
        Expected shape (``None`` entries match anything).
    ndim, max_ndim, min_ndim : int or None, default=None
        Expected rank, or its bounds.
    axes : dict or None, default=None
        ``{axis: size}`` the input must have.
    allow_last_axis_squeeze : bool, default=False
        Kept for signature compatibility with TF1.
    name : str or None, default=None
        Expected input name (not checked, as in TF1's graph mode).
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: tuple[int | None, ...] | None = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: Mapping[int, int | None] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
    ) -> None:
        self.dtype = tf.as_dtype(dtype).name if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def __repr__(self) -> str:
        spec = [
            f"{key}={value}"
            for key, value in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if value is not None
        ]
        return f"InputSpec({', '.join(spec)})"

    def check(self, inputs: tf.Tensor, layer_name: str) -> None:
        """Raise ``ValueError`` when ``inputs`` does not satisfy this spec."""
        shape = inputs.shape
        rank = shape.rank
        where = f"(layer {layer_name!r})"
        if self.ndim is not None and rank is not None and rank != self.ndim:
            raise ValueError(f"`inputs` must have rank {self.ndim}, got shape {shape} {where}.")
        if self.max_ndim is not None and rank is not None and rank > self.max_ndim:
            raise ValueError(
                f"`inputs` must have rank <= {self.max_ndim}, got shape {shape} {where}."
            )
        if self.min_ndim is not None and rank is not None and rank < self.min_ndim:
            raise ValueError(
                f"`inputs` must have rank >= {self.min_ndim}, got shape {shape} {where}."
            )
        if self.dtype is not None and inputs.dtype.base_dtype.name != self.dtype:
            raise ValueError(
                f"`inputs` must have dtype {self.dtype}, "
                f"got {inputs.dtype.base_dtype.name} {where}."
            )
        if rank is None:
            return
        for axis, size in self.axes.items():
            if size is not None and shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"`inputs` must have size {size} on axis {axis}, got shape {shape} {where}."
                )
        if self.shape is not None:
            for expected, actual in zip(self.shape, shape, strict=True):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(
                        f"`inputs` must have shape {self.shape}, got {shape} {where}."
                    )


class Layer:
    """Base class of the TF1 layers: one variable scope per layer, TF1 collections.

    Parameters
    ----------
    trainable : bool, default=True
        Add the layer's variables to ``TRAINABLE_VARIABLES``.
    name : str or None, default=None
        Base name of the layer's variable scope (uniquified: ``dense``, ``dense_1``);
        ``None`` uses the class name in snake case.
    dtype : str or tf.DType or None, default=None
        Dtype of the variables; ``None`` takes the dtype of the first input.
    **kwargs
        ``activity_regularizer``; ``_scope`` and ``_reuse`` are what the functional
        interface passes (scope fixed to ``name``, TF1's ``reuse``).

    Attributes
    ----------
    built : bool
        Whether the variables exist (after the first call).
    input_spec : InputSpec or None
        Checked against the inputs of every call.
    """

    def __init__(
        self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        unknown = sorted(set(kwargs) - _ALLOWED_KWARGS)
        if unknown:
            raise TypeError(
                f"`kwargs` must be among {sorted(_ALLOWED_KWARGS - {'_scope', '_reuse'})}, "
                f"got {unknown}."
            )
        scope = kwargs.pop("_scope", None)
        self._reuse = kwargs.pop("_reuse", None)
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        self.trainable = bool(trainable)
        self._dtype = tf.as_dtype(dtype).base_dtype.name if dtype is not None else None
        self._trainable_weights: list[tf.Variable] = []
        self._non_trainable_weights: list[tf.Variable] = []
        self._losses: list[tf.Tensor] = []
        self._updates: list[tf.Operation] = []
        self.built = False
        self.input_spec: InputSpec | None = None
        self._init_set_name(name)
        self._keras_style = is_in_keras_style_scope()
        if self._keras_style:
            for argument, value in (("scope", scope), ("reuse", self._reuse)):
                if value is not None:
                    raise ValueError(
                        f"`{argument}` must be None when keras style layers are enabled, "
                        f"got {value!r}."
                    )
        if scope:
            with tf.compat.v1.variable_scope(scope) as captured_scope:
                self._scope: tf.compat.v1.VariableScope | None = captured_scope
        else:
            self._scope = None
        self._current_scope: tf.compat.v1.VariableScope | None = None
        self._call_args = set(inspect.signature(self.call).parameters)

    # --- names and scopes -------------------------------------------------------------------

    def _init_set_name(self, name: str | tf.compat.v1.VariableScope | None) -> None:
        if isinstance(name, tf.compat.v1.VariableScope):
            self._base_name = name.name
            self._name = _unique_layer_name(_to_snake_case(type(self).__name__))
        elif name:
            self._base_name = name
            self._name = name
        else:
            self._base_name = _to_snake_case(type(self).__name__)
            self._name = _unique_layer_name(self._base_name)

    @property
    def name(self) -> str:
        """The layer's name (``dense_1``, ... when none was given, as in TF 2.15)."""
        return self._name

    @property
    def dtype(self) -> str | None:
        """Dtype of the layer's variables (``None`` until the first call infers it)."""
        return self._dtype

    @property
    def scope_name(self) -> str:
        """Name of the variable scope, known after the first call."""
        if not self._scope:
            raise ValueError(
                f"`scope_name` must be read after the layer {self._name!r} is called, "
                "got a layer that has not been called yet."
            )
        return self._scope.name

    @property
    def activity_regularizer(self) -> Callable[[tf.Tensor], tf.Tensor] | None:
        """Optional regularizer of the layer's outputs."""
        return self._activity_regularizer

    def _set_scope(self, scope: str | tf.compat.v1.VariableScope | None = None) -> None:
        if self._scope is not None:
            return
        if self._reuse:
            # A reused layer without a name reuses the plain base name ("dense").
            with tf.compat.v1.variable_scope(
                scope if scope is not None else self._base_name
            ) as captured_scope:
                self._scope = captured_scope
        else:
            with tf.compat.v1.variable_scope(
                scope, default_name=self._base_name
            ) as captured_scope:
                self._scope = captured_scope

    # --- variables, losses, updates ---------------------------------------------------------

    def add_weight(
        self,
        name: str,
        shape: Any,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Callable[[tf.Variable], tf.Tensor] | None = None,
        trainable: bool | None = None,
        constraint: Callable[[tf.Tensor], tf.Tensor] | None = None,
        **kwargs: Any,
    ) -> tf.Variable:
        """Create (or, when reusing, get) variable ``<scope>/<name>`` via ``get_variable``.

        Parameters
        ----------
        name : str
            Variable name inside the layer's scope.
        shape : sequence of int
            Variable shape.
        dtype : dtype or None, default=None
            ``None`` uses the layer's dtype (float32 if still unknown).
        initializer : initializer or None, default=None
            ``None`` uses the scope's initializer, else Glorot uniform (TF1's default).
        regularizer : callable or None, default=None
            Its loss goes to ``REGULARIZATION_LOSSES`` and :attr:`losses` when the
            variable is created (not when an existing one is reused).
        trainable : bool or None, default=None
            ``None`` means ``True``; the layer's own ``trainable`` must also be true.
        constraint : callable or None, default=None
            Projection attached to the variable for optimizers.
        **kwargs
            ``partitioner``, ``use_resource``, ``synchronization``, ``aggregation``,
            passed to ``get_variable``.

        Returns
        -------
        tf.Variable
        """
        if trainable is None:
            trainable = True
        if dtype is None:
            dtype = self._dtype or tf.float32
        if self._keras_style:
            return self._add_keras_style_weight(
                name, shape, tf.as_dtype(dtype), initializer, regularizer, trainable, constraint
            )
        existing = {id(v) for v in tf.compat.v1.global_variables()}
        self._set_scope(None)
        reuse = self.built or self._reuse
        with tf.compat.v1.variable_scope(
            self._scope, reuse=reuse, auxiliary_name_scope=False
        ) as scope:
            self._current_scope = scope
            with tf.compat.v1.name_scope(scope.original_name_scope):
                variable = tf.compat.v1.get_variable(
                    name,
                    shape=shape,
                    dtype=tf.as_dtype(dtype),
                    initializer=initializer,
                    trainable=trainable and self.trainable,
                    constraint=constraint,
                    **kwargs,
                )
                if regularizer is not None and id(variable) not in existing:
                    with tf.compat.v1.name_scope(f"{name}/Regularizer"):
                        loss = regularizer(variable)
                    if loss is not None:
                        self._add_losses([loss])
        # A reused variable created non-trainable stays out of trainable_variables.
        in_trainables = any(v is variable for v in tf.compat.v1.trainable_variables())
        if trainable and self.trainable and in_trainables:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    def _add_keras_style_weight(
        self,
        name: str,
        shape: Any,
        dtype: tf.DType,
        initializer: Any,
        regularizer: Callable[[tf.Variable], tf.Tensor] | None,
        trainable: bool,
        constraint: Callable[[tf.Tensor], tf.Tensor] | None,
    ) -> tf.Variable:
        """A variable owned by this object, named after the layer (Keras-style scope)."""
        if initializer is None:
            floating = dtype.is_floating
            initializer = (
                tf.compat.v1.glorot_uniform_initializer()
                if floating
                else tf.compat.v1.zeros_initializer()
            )
        variable = tf.compat.v1.Variable(
            initial_value=functools.partial(initializer, list(shape), dtype=dtype),
            name=name,
            trainable=trainable and self.trainable,
            dtype=dtype,
            constraint=constraint,
            use_resource=True,
        )
        if regularizer is not None:
            with tf.compat.v1.name_scope(f"{name}/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self._add_losses([loss])
        if trainable and self.trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    def add_variable(self, *args: Any, **kwargs: Any) -> tf.Variable:
        """TF1's older name of :meth:`add_weight`."""
        return self.add_weight(*args, **kwargs)

    def _add_losses(self, losses: list[tf.Tensor]) -> None:
        self._losses.extend(losses)
        _add_to_collection(losses, tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)

    def add_loss(self, losses: Any, inputs: Any = None) -> None:
        """Add loss tensors (or zero-argument callables) to the layer and the graph.

        They go to :attr:`losses` and ``REGULARIZATION_LOSSES``, as TF1 did.
        ``inputs`` is accepted for signature compatibility.
        """
        del inputs
        tensors = [loss() if callable(loss) else loss for loss in as_list(losses)]
        self._add_losses([tf.convert_to_tensor(t) for t in tensors if t is not None])

    def add_update(self, updates: Any, inputs: Any = None) -> None:
        """Record update ops (or zero-argument callables building them)."""
        del inputs
        for update in as_list(updates):
            if callable(update):
                update = update()
            self._updates.append(update if isinstance(update, tf.Operation) else update.op)

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        """Trainable variables of the layer (empty when the layer is not trainable)."""
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        """The layer's other variables (all of them when the layer is not trainable)."""
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list[tf.Variable]:
        """Trainable then non-trainable variables."""
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self) -> list[tf.Tensor]:
        """Regularization losses created by this layer."""
        return list(self._losses)

    @property
    def updates(self) -> list[tf.Operation]:
        """Update ops of this layer; none when it is not trainable (as in TF 2.15)."""
        return list(self._updates) if self.trainable else []

    # --- calling ----------------------------------------------------------------------------

    def build(self, input_shape: tf.TensorShape) -> None:
        """Create the variables; subclasses override it and call ``add_weight``."""
        del input_shape
        self.built = True

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it."""
        del kwargs
        return inputs

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        """Static output shape for ``input_shape``; subclasses override it."""
        raise NotImplementedError(
            f"{type(self).__name__}.compute_output_shape is not implemented; "
            "call the layer on a tensor and read `outputs.shape`."
        )

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Same as calling the layer (TF1's alias)."""
        return self(inputs, *args, **kwargs)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Build on the first call, then run :meth:`call` in the layer's scope.

        ``scope=`` picks the variable scope on the first call. A ``training`` argument
        is dropped when :meth:`call` does not take one.
        """
        if tf.executing_eagerly():
            raise RuntimeError(
                "tf.layers build graph ops: call them inside `with tf.Graph().as_default():` "
                "(or a TF1 script's default graph), not eagerly."
            )
        scope = kwargs.pop("scope", None)
        if self._keras_style and scope is not None:
            raise ValueError(
                f"`scope` must be None when keras style layers are enabled, got {scope!r}."
            )
        if "training" in kwargs and "training" not in self._call_args:
            kwargs.pop("training")
        inputs = tf.nest.map_structure(
            lambda x: tf.convert_to_tensor(x) if isinstance(x, (np.ndarray, float, int)) else x,
            inputs,
        )
        if self._keras_style:
            with tf.compat.v1.name_scope(self._name):
                outputs = self._build_and_call(inputs, args, kwargs)
            _add_to_collection(self.updates, tf.compat.v1.GraphKeys.UPDATE_OPS)
            self._record(inputs, outputs, args, kwargs)
            return outputs
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with tf.compat.v1.variable_scope(
            self._scope, reuse=reuse, auxiliary_name_scope=False
        ) as variable_scope:
            self._current_scope = variable_scope
            with tf.compat.v1.name_scope(variable_scope.original_name_scope):
                outputs = self._build_and_call(inputs, args, kwargs)
        _add_to_collection(self.updates, tf.compat.v1.GraphKeys.UPDATE_OPS)
        self._record(inputs, outputs, args, kwargs)
        return outputs

    def _record(self, inputs: Any, outputs: Any, args: tuple, kwargs: dict[str, Any]) -> None:
        """Leave a migration record (no-op unless a converter is tracing)."""
        records.record(
            "tf_layer", self, as_list(inputs), as_list(outputs), args=args, kwargs=dict(kwargs)
        )

    def _build_and_call(self, inputs: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
        """Check the inputs, build on the first call, call, add activity losses."""
        if self.input_spec is not None:
            for tensor in as_list(inputs):
                self.input_spec.check(tensor, self._name)
        if not self.built:
            first = as_list(inputs)[0]
            if self._dtype is None and hasattr(first, "dtype"):
                self._dtype = first.dtype.base_dtype.name
            self.build(tf.nest.map_structure(lambda t: t.shape, inputs))
            self.built = True
        outputs = self.call(inputs, *args, **kwargs)
        if self._activity_regularizer is not None:
            self._activity_losses(outputs)
        return outputs

    def _activity_losses(self, outputs: Any) -> None:
        with tf.compat.v1.name_scope("ActivityRegularizer"):
            losses = []
            for output in as_list(outputs):
                loss = self._activity_regularizer(output)
                batch_size = tf.cast(tf.shape(output)[0], loss.dtype)
                losses.append(loss / batch_size)
        self._add_losses(losses)
