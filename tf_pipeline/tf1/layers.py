"""TF1's ``tf.layers``: exactly the names ``tf.compat.v1.layers`` had in TF 2.15.

Under Keras 3 every ``tf.compat.v1.layers`` symbol raises "not available with
Keras 3"; all of them are rebuilt in :mod:`tf_pipeline.compat.tf_layers` with TF1's
variable names, reuse and collections. Nothing falls through to
``tensorflow.compat.v1.layers``: a name TF1 did not have is an ``AttributeError``.
"""

from __future__ import annotations

from tf_pipeline.compat.tf_layers import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    BatchNormalization,
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Dense,
    Dropout,
    Flatten,
    InputSpec,
    Layer,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
    SeparableConv1D,
    SeparableConv2D,
    average_pooling1d,
    average_pooling2d,
    average_pooling3d,
    batch_normalization,
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    conv3d_transpose,
    dense,
    dropout,
    experimental,
    flatten,
    max_pooling1d,
    max_pooling2d,
    max_pooling3d,
    separable_conv1d,
    separable_conv2d,
)

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Dense",
    "Dropout",
    "Flatten",
    "InputSpec",
    "Layer",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "SeparableConv1D",
    "SeparableConv2D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "batch_normalization",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "dense",
    "dropout",
    "experimental",
    "flatten",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
    "separable_conv1d",
    "separable_conv2d",
]


def __getattr__(name: str) -> object:
    raise AttributeError(
        f"module 'tf_pipeline.tf1.layers' has no attribute {name!r} (nor had TF1's tf.layers)"
    )


def __dir__() -> list[str]:
    return sorted(__all__)
