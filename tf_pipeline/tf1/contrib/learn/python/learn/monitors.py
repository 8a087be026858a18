"""``tensorflow.contrib.learn.python.learn.monitors`` (see :mod:`estimators.monitors`)."""

from tf_pipeline.estimators.monitors import *  # noqa: F403 - this module is that namespace
from tf_pipeline.estimators.monitors import __all__  # noqa: F401
