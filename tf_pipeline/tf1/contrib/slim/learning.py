"""``slim.learning``: ``create_train_op``, ``train`` and the gradient helpers."""

from tf_pipeline.compat.slim_learning import (
    clip_gradient_norms,
    create_train_op,
    multiply_gradients,
    train,
    train_step,
)

__all__ = ["clip_gradient_norms", "create_train_op", "multiply_gradients", "train", "train_step"]
