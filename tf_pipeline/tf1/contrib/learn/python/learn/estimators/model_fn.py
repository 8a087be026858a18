"""``tensorflow.contrib.learn.python.learn.estimators.model_fn`` (``model_fn_lib``)."""

from tf_pipeline.estimators import ModeKeys, ModelFnOps

__all__ = ["ModeKeys", "ModelFnOps"]
