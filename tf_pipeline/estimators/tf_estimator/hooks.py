"""The session hooks ``tf.estimator`` re-exported from ``tf.train`` (TF 2.15).

TensorFlow 2.21 still ships every one of them in ``tf.compat.v1.train``; these are those
very classes, so a user hook subclassing ``tf.estimator.SessionRunHook`` is a
``tf.compat.v1.train.SessionRunHook`` that the engine's ``MonitoredSession`` runs.

Example
-------
>>> import tensorflow as tf
>>> SessionRunHook is tf.compat.v1.train.SessionRunHook
True
"""

import tensorflow as _tf

_TRAIN = _tf.compat.v1.train

_NAMES = (
    "CheckpointSaverHook",
    "CheckpointSaverListener",
    "FeedFnHook",
    "FinalOpsHook",
    "GlobalStepWaiterHook",
    "LoggingTensorHook",
    "NanLossDuringTrainingError",
    "NanTensorHook",
    "ProfilerHook",
    "SecondOrStepTimer",
    "SessionRunArgs",
    "SessionRunContext",
    "SessionRunHook",
    "SessionRunValues",
    "StepCounterHook",
    "StopAtStepHook",
    "SummarySaverHook",
    "VocabInfo",
)

# The very classes of tf.compat.v1.train, by the names tf.estimator gave them.
globals().update({name: getattr(_TRAIN, name) for name in _NAMES})
__all__ = list(_NAMES)
