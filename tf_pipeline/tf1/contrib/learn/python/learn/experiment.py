"""``tensorflow.contrib.learn.python.learn.experiment`` (see :mod:`estimators.experiment`)."""

from tf_pipeline.estimators.experiment import Experiment

__all__ = ["Experiment"]
