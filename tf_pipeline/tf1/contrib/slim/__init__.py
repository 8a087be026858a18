"""``tf.contrib.slim``: slim's layers, ``arg_scope``, variables, losses, learning, analyzer.

``import tf_pipeline.tf1.contrib.slim as slim`` (or ``from tf_pipeline.tf1.contrib
import slim``, or ``tf.contrib.slim``) gives the names TF 1.x slim code uses:
``slim.conv2d``, ``slim.fully_connected``, ``slim.arg_scope``, ``slim.get_model_variables``,
``slim.losses.softmax_cross_entropy``, ``slim.learning.create_train_op``,
``slim.model_analyzer.analyze_vars``...
"""

from tf_pipeline.compat.arg_scope import (
    add_arg_scope,
    arg_scope,
    arg_scope_func_key,
    arg_scoped_arguments,
    current_arg_scope,
    has_arg_scope,
)
from tf_pipeline.compat.variables import (
    add_model_variable,
    assign_from_checkpoint_fn,
    get_local_variables,
    get_model_variables,
    get_trainable_variables,
    get_unique_variable,
    get_variables,
    get_variables_by_name,
    get_variables_by_suffix,
    get_variables_to_restore,
    local_variable,
    model_variable,
    variable,
)
from tf_pipeline.tf1.contrib import metrics
from tf_pipeline.tf1.contrib.layers import *  # noqa: F403 - slim re-exported contrib.layers
from tf_pipeline.tf1.contrib.layers import __all__ as _layers_all
from tf_pipeline.tf1.contrib.slim import learning, losses, model_analyzer

__all__ = [
    *_layers_all,
    "add_arg_scope",
    "add_model_variable",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scoped_arguments",
    "assign_from_checkpoint_fn",
    "current_arg_scope",
    "get_local_variables",
    "get_model_variables",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables",
    "get_variables_to_restore",
    "has_arg_scope",
    "learning",
    "local_variable",
    "losses",
    "metrics",
    "model_analyzer",
    "model_variable",
    "variable",
]
