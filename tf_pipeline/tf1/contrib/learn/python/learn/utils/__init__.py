"""``tensorflow.contrib.learn.python.learn.utils`` (``tf.contrib.learn.utils``)."""

from tf_pipeline.estimators.input_fn_utils import (
    InputFnOps,
    build_default_serving_input_fn,
    build_parsing_serving_input_fn,
)
from tf_pipeline.tf1.contrib.learn.python.learn.utils import input_fn_utils

__all__ = [
    "InputFnOps",
    "build_default_serving_input_fn",
    "build_parsing_serving_input_fn",
    "input_fn_utils",
]
