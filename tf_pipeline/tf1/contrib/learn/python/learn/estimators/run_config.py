"""``tensorflow.contrib.learn.python.learn.estimators.run_config``."""

from tf_pipeline.estimators import RunConfig

__all__ = ["RunConfig"]
