"""``tf.contrib.layers``: TF 1.x's layer functions, initializers, regularizers and summaries.

Every layer works under ``tf.contrib.framework.arg_scope`` / ``slim.arg_scope`` and
creates its variables with TF1's names (``Conv/weights``, ``BatchNorm/moving_mean``,
``fully_connected/biases``...).
"""

from tf_pipeline.compat.contrib_layers import *  # noqa: F403 - this module is that namespace
from tf_pipeline.compat.contrib_layers import __all__ as _layers_all
from tf_pipeline.compat.initializers import (
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)
from tf_pipeline.compat.layer_summaries import (
    summarize_activation,
    summarize_activations,
    summarize_biases,
    summarize_collection,
    summarize_tensor,
    summarize_tensors,
    summarize_variables,
    summarize_weights,
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
    *_layers_all,
    "apply_regularization",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "optimize_loss",
    "sum_regularizer",
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]
