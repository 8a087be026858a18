"""``tf.contrib.layers``: TF 1.x's layer functions, initializers and regularizers.

Every layer works under ``tf.contrib.framework.arg_scope`` / ``slim.arg_scope`` and
creates its variables with TF1's names (``Conv/weights``, ``BatchNorm/moving_mean``,
``fully_connected/biases``...).
"""

from tf_pipeline.compat.contrib_layers import (
    avg_pool2d,
    batch_norm,
    conv2d,
    conv2d_transpose,
    convolution,
    convolution2d,
    convolution2d_transpose,
    dropout,
    embed_sequence,
    flatten,
    fully_connected,
    layer_norm,
    max_pool2d,
    one_hot_encoding,
    repeat,
    separable_conv2d,
    separable_convolution2d,
    stack,
)
from tf_pipeline.compat.initializers import (
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)
from tf_pipeline.compat.layers import optimize_loss
from tf_pipeline.compat.regularizers import (
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)

__all__ = [
    "apply_regularization",
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "conv2d_transpose",
    "convolution",
    "convolution2d",
    "convolution2d_transpose",
    "dropout",
    "embed_sequence",
    "flatten",
    "fully_connected",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "layer_norm",
    "max_pool2d",
    "one_hot_encoding",
    "optimize_loss",
    "repeat",
    "separable_conv2d",
    "separable_convolution2d",
    "stack",
    "sum_regularizer",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]
