"""``tensorflow.contrib.learn.python.learn.utils.input_fn_utils``."""

from estimators.input_fn_utils import *  # noqa: F403 - this module is that namespace
from estimators.input_fn_utils import __all__  # noqa: F401
