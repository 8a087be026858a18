"""``tf.contrib.framework``: global step, ``arg_scope`` and the variable helpers."""

from __future__ import annotations

import tensorflow as _tf

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

get_global_step = _tf.compat.v1.train.get_global_step
get_or_create_global_step = _tf.compat.v1.train.get_or_create_global_step
assert_global_step = _tf.compat.v1.train.assert_global_step
init_from_checkpoint = _tf.compat.v1.train.init_from_checkpoint
list_variables = _tf.train.list_variables
load_variable = _tf.train.load_variable

__all__ = [
    "add_arg_scope",
    "add_model_variable",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scoped_arguments",
    "assert_global_step",
    "assign_from_checkpoint_fn",
    "current_arg_scope",
    "get_global_step",
    "get_local_variables",
    "get_model_variables",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_or_create_global_step",
    "get_variables",
    "get_variables_to_restore",
    "has_arg_scope",
    "init_from_checkpoint",
    "list_variables",
    "load_variable",
    "local_variable",
    "model_variable",
    "variable",
]
