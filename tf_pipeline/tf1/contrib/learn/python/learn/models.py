"""``tensorflow.contrib.learn.python.learn.models`` (see :mod:`estimators.learn_models`)."""

from estimators.learn_models import *  # noqa: F403 - this module is that namespace
from estimators.learn_models import __all__  # noqa: F401
