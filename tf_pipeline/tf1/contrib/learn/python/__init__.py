"""``tensorflow.contrib.learn.python``: holds the ``learn`` package of the module paths."""

from tf_pipeline.tf1.contrib.learn.python import learn

__all__ = ["learn"]
