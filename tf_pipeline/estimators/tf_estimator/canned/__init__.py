"""The canned estimators of TF 2.15's v1 API on feature columns.

``LinearRegressor``, ``LinearClassifier`` (:mod:`.linear`), ``DNNRegressor``,
``DNNClassifier`` (:mod:`.dnn`), ``DNNLinearCombinedRegressor`` and
``DNNLinearCombinedClassifier`` (:mod:`.dnn_linear_combined`); the heads they share are in
:mod:`.head`. All are :class:`~estimators.tf_estimator.estimator.Estimator` subclasses,
exposed as ``tf_pipeline.tf1.estimator.<Name>``.
"""

from tf_pipeline.estimators.tf_estimator.canned.dnn import DNNClassifier, DNNRegressor
from tf_pipeline.estimators.tf_estimator.canned.dnn_linear_combined import (
    DNNLinearCombinedClassifier,
    DNNLinearCombinedRegressor,
)
from tf_pipeline.estimators.tf_estimator.canned.linear import LinearClassifier, LinearRegressor

__all__ = [
    "DNNClassifier",
    "DNNLinearCombinedClassifier",
    "DNNLinearCombinedRegressor",
    "DNNRegressor",
    "LinearClassifier",
    "LinearRegressor",
]
