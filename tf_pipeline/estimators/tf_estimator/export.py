"""``tf.estimator.export``: serving input receivers and export outputs (TF 2.15).

Example
-------
>>> import tensorflow as tf
>>> from estimators.tf_estimator import export
>>> fn = export.build_raw_serving_input_receiver_fn({"x": tf.zeros([4, 3])})
>>> with tf.Graph().as_default():
...     receiver = fn()
>>> receiver.features["x"].shape.as_list()
[None, 3]
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.export_output import (
    SINGLE_FEATURE_DEFAULT_NAME,
    SINGLE_LABEL_DEFAULT_NAME,
    SINGLE_RECEIVER_DEFAULT_NAME,
    ClassificationOutput,
    ExportOutput,
    PredictOutput,
    RegressionOutput,
)

__all__ = [
    "ClassificationOutput",
    "ExportOutput",
    "PredictOutput",
    "RegressionOutput",
    "ServingInputReceiver",
    "TensorServingInputReceiver",
    "build_parsing_serving_input_receiver_fn",
    "build_raw_serving_input_receiver_fn",
]

_DEFAULT_NAMES = {
    "feature": SINGLE_FEATURE_DEFAULT_NAME,
    "label": SINGLE_LABEL_DEFAULT_NAME,
    "receiver_tensor": SINGLE_RECEIVER_DEFAULT_NAME,
    "receiver_tensors_alternative": SINGLE_RECEIVER_DEFAULT_NAME,
}
_TENSOR_TYPES = (tf.Tensor, tf.sparse.SparseTensor, tf.RaggedTensor)


def wrap_and_check_input_tensors(
    tensors: Any, field_name: str, allow_int_keys: bool = False
) -> dict[Any, Any]:
    """``tensors`` as a dict of name to Tensor (a single Tensor under its default name)."""
    if tensors is None:
        raise ValueError(f"`{field_name}s` must be defined, got None.")
    if not isinstance(tensors, dict):
        tensors = {_DEFAULT_NAMES[field_name]: tensors}
    for name, tensor in tensors.items():
        if not (isinstance(name, str) or (allow_int_keys and isinstance(name, int))):
            raise ValueError(f"`{field_name}` keys must be strings, got {name!r}.")
        if not isinstance(tensor, _TENSOR_TYPES):
            raise ValueError(
                f"`{field_name}` {name!r} must be a Tensor, SparseTensor or RaggedTensor, "
                f"got {tensor!r}."
            )
    return tensors


class ServingInputReceiver(
    collections.namedtuple(
        "ServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"],
    )
):
    """What a ``serving_input_receiver_fn`` returns.

    Parameters
    ----------
    features : Tensor or dict of Tensor
        Passed to model_fn (a single Tensor becomes ``{'feature': tensor}``).
    receiver_tensors : Tensor or dict of Tensor
        What a served request feeds (a single Tensor becomes ``{'input': tensor}``).
    receiver_tensors_alternatives : dict, optional
        Named alternative input groups; each makes more signatures.
    """

    def __new__(
        cls, features: Any, receiver_tensors: Any, receiver_tensors_alternatives: Any = None
    ) -> ServingInputReceiver:
        features = wrap_and_check_input_tensors(features, "feature", allow_int_keys=True)
        receiver_tensors = wrap_and_check_input_tensors(receiver_tensors, "receiver_tensor")
        if receiver_tensors_alternatives is not None:
            if not isinstance(receiver_tensors_alternatives, dict):
                raise ValueError(
                    "`receiver_tensors_alternatives` must be a dict, got "
                    f"{receiver_tensors_alternatives!r}."
                )
            receiver_tensors_alternatives = {
                name: wrap_and_check_input_tensors(group, "receiver_tensors_alternative")
                for name, group in receiver_tensors_alternatives.items()
            }
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class TensorServingInputReceiver(
    collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"],
    )
):
    """Like :class:`ServingInputReceiver`, but model_fn gets ``features`` as one Tensor."""

    def __new__(
        cls, features: Any, receiver_tensors: Any, receiver_tensors_alternatives: Any = None
    ) -> TensorServingInputReceiver:
        if features is None:
            raise ValueError("`features` must be defined, got None.")
        if not isinstance(features, _TENSOR_TYPES):
            raise ValueError(f"`features` must be a single Tensor, got {features!r}.")
        receiver = ServingInputReceiver(features, receiver_tensors, receiver_tensors_alternatives)
        return super().__new__(
            cls,
            receiver.features[SINGLE_FEATURE_DEFAULT_NAME],
            receiver.receiver_tensors,
            receiver.receiver_tensors_alternatives,
        )


def build_parsing_serving_input_receiver_fn(
    feature_spec: dict[str, Any], default_batch_size: int | None = None
) -> Callable[[], ServingInputReceiver]:
    """A receiver fn parsing serialized ``tf.Example`` strings (``examples``) with
    ``feature_spec``."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        serialized = tf.compat.v1.placeholder(
            dtype=tf.string, shape=[default_batch_size], name="input_example_tensor"
        )
        features = tf.compat.v1.io.parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})

    return serving_input_receiver_fn


def _placeholder_from_tensor(tensor: Any, default_batch_size: int | None) -> tf.Tensor:
    shape = tf.TensorShape([default_batch_size]).concatenate(tensor.shape[1:])
    try:
        name = tensor.op.name
    except AttributeError:  # an eager tensor has no op
        name = None
    return tf.compat.v1.placeholder(dtype=tensor.dtype, shape=shape, name=name)


def build_raw_serving_input_receiver_fn(
    features: dict[str, Any], default_batch_size: int | None = None
) -> Callable[[], ServingInputReceiver]:
    """A receiver fn with one placeholder per feature (batch dimension free), fed directly."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        placeholders = {
            name: _placeholder_from_tensor(t, default_batch_size) for name, t in features.items()
        }
        return ServingInputReceiver(placeholders, placeholders)

    return serving_input_receiver_fn
