"""``tensorflow.contrib.learn.python.learn.models`` (see :mod:`estimators.learn_models`)."""

from tf_pipeline.estimators.learn_models import *  # noqa: F403 - this module is that namespace
from tf_pipeline.estimators.learn_models import __all__  # noqa: F401
