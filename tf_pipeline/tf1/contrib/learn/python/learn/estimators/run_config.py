"""``tensorflow.contrib.learn.python.learn.estimators.run_config``."""

from estimators import RunConfig

__all__ = ["RunConfig"]
