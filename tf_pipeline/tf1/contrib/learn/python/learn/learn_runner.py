"""``tensorflow.contrib.learn.python.learn.learn_runner`` (see :mod:`estimators.learn_runner`)."""

from tf_pipeline.estimators.learn_runner import run

__all__ = ["run"]
