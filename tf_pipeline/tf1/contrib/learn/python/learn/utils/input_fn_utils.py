"""``tensorflow.contrib.learn.python.learn.utils.input_fn_utils``."""

from tf_pipeline.estimators.input_fn_utils import *  # noqa: F403 - this module is that namespace
from tf_pipeline.estimators.input_fn_utils import __all__  # noqa: F401
