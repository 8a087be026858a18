"""``tensorflow.contrib.learn.python.learn.experiment`` (see :mod:`estimators.experiment`)."""

from estimators.experiment import Experiment

__all__ = ["Experiment"]
