"""``tensorflow.contrib.learn.python.learn.monitors`` (see :mod:`estimators.monitors`)."""

from estimators.monitors import *  # noqa: F403 - this module is that namespace
from estimators.monitors import __all__  # noqa: F401
