"""``tf.contrib.framework``: global step, ``arg_scope`` and the variable helpers."""

from __future__ import annotations

import tensorflow as _tf

from tf_pipeline.compat import arg_scope as _arg_scope
from tf_pipeline.compat import variables as _variables
from tf_pipeline.compat.arg_scope import *  # noqa: F403 - contrib.framework exported them
from tf_pipeline.compat.variables import *  # noqa: F403

get_global_step = _tf.compat.v1.train.get_global_step
get_or_create_global_step = _tf.compat.v1.train.get_or_create_global_step
assert_global_step = _tf.compat.v1.train.assert_global_step
init_from_checkpoint = _tf.compat.v1.train.init_from_checkpoint
list_variables = _tf.train.list_variables
load_variable = _tf.train.load_variable

__all__ = [
    *_arg_scope.__all__,
    *_variables.__all__,
    "assert_global_step",
    "get_global_step",
    "get_or_create_global_step",
    "init_from_checkpoint",
    "list_variables",
    "load_variable",
]
