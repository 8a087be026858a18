"""``tensorflow.contrib.learn.python.learn.learn_runner`` (see :mod:`estimators.learn_runner`)."""

from estimators.learn_runner import run

__all__ = ["run"]
