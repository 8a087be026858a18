"""TF1's ``tf.layers`` on public TensorFlow API (TF 2.21 + Keras 3 lost it).

Functions and classes with TF1's signatures, variable names (``dense/kernel``,
``conv2d/bias``, ``batch_normalization/moving_mean``, ...), variable-scope reuse,
``REGULARIZATION_LOSSES`` and ``UPDATE_OPS``. They build graph ops: use them inside a
``tf.Graph`` (a TF1 script's default graph, or ``with tf.Graph().as_default():``).

- :mod:`.base`: ``Layer`` (TF1 scoping) and ``InputSpec``;
- :mod:`.core`: ``Dense``, ``Dropout``, ``Flatten``;
- :mod:`.convolutional`: ``Conv1D/2D/3D``, ``SeparableConv1D/2D``, ``Conv2D/3DTranspose``;
- :mod:`.pooling`: ``MaxPooling1D/2D/3D``, ``AveragePooling1D/2D/3D``;
- :mod:`.normalization`: ``BatchNormalization``;
- :mod:`.experimental`: ``keras_style_scope``, ``set_keras_style``;

each with its lower-case function (``dense``, ``conv2d``, ...).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat import tf_layers
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
...     h = tf_layers.max_pooling2d(tf_layers.conv2d(x, 4, 3, activation=tf.nn.relu), 2, 2)
...     y = tf_layers.dense(tf_layers.flatten(h), 1)
...     y.shape.as_list()
[None, 1]
"""

from tf_pipeline.compat.tf_layers import experimental
from tf_pipeline.compat.tf_layers.base import InputSpec, Layer
from tf_pipeline.compat.tf_layers.convolutional import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    SeparableConv1D,
    SeparableConv2D,
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    conv3d_transpose,
    separable_conv1d,
    separable_conv2d,
)
from tf_pipeline.compat.tf_layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from tf_pipeline.compat.tf_layers.normalization import BatchNormalization, batch_normalization
from tf_pipeline.compat.tf_layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
    average_pooling1d,
    average_pooling2d,
    average_pooling3d,
    max_pooling1d,
    max_pooling2d,
    max_pooling3d,
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
