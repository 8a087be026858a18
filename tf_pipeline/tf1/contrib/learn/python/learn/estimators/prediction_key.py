"""``tensorflow.contrib.learn.python.learn.estimators.prediction_key``."""


class PredictionKey:
    """Keys of the predictions dict of TF 1.x's canned heads."""

    CLASSES = "classes"
    PROBABILITIES = "probabilities"
    LOGITS = "logits"
    LOGISTIC = "logistic"
    SCORES = "scores"
    TOP_K = "top_k"
    GENERIC = "output"


__all__ = ["PredictionKey"]
