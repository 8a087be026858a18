"""``slim.losses`` (``tf.contrib.losses``): TF1's own loss functions, argument order kept.

A port of ``tensorflow/contrib/losses/python/losses/loss_ops.py`` (kept as
``tf_slim.losses``). Unlike ``tf.compat.v1.losses`` these take the predictions or
logits *first* (``softmax_cross_entropy(logits, onehot_labels)``); each loss is the
weighted sum divided by the number of non-zero-weight elements and is added to
``GraphKeys.LOSSES``; ``get_total_loss`` adds the regularization losses.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat import slim_losses
>>> with tf.Graph().as_default():
...     loss = slim_losses.mean_squared_error(tf.constant([[1.0], [3.0]]), tf.zeros([2, 1]))
...     with tf.compat.v1.Session() as sess:
...         float(sess.run(slim_losses.get_total_loss()))
5.0
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "log_loss",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
]

_V1 = tf.compat.v1
_KEYS = _V1.GraphKeys


def _num_present(losses: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """How many loss elements carry a non-zero weight (weights broadcast from the left)."""
    if weights.shape.ndims == 0:
        batch_size = tf.reshape(tf.slice(tf.shape(losses), [0], [1]), [])
        per_batch = tf.cast(tf.size(losses), tf.float32) / tf.cast(batch_size, tf.float32)
        per_batch = tf.where(tf.equal(weights, 0), 0.0, per_batch)
        per_batch = tf.ones(tf.reshape(batch_size, [1])) * per_batch
        return tf.reduce_sum(per_batch)
    axis = list(range(1, weights.shape.ndims))
    nonzero = tf.reduce_sum(tf.cast(tf.not_equal(weights, 0), tf.float32), axis=axis)
    broadcast_dims = tf.slice(tf.shape(losses), [weights.shape.ndims], [-1])
    to_broadcast = tf.cast(tf.reduce_prod(broadcast_dims), tf.float32)
    return tf.reduce_sum(nonzero * to_broadcast)


def compute_weighted_loss(losses: tf.Tensor, weights=1.0, scope: str | None = None) -> tf.Tensor:
    """Weighted mean of ``losses`` over the non-zero-weight elements; added to LOSSES.

    Raises
    ------
    ValueError
        If ``losses`` or ``weights`` has unknown rank.
    """
    with tf.name_scope(scope or "weighted_loss"):
        losses = tf.convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = tf.cast(losses, tf.float32)
        weights = tf.cast(tf.convert_to_tensor(weights), tf.float32)
        if losses.shape.ndims is None:
            raise ValueError(f"`losses` must have a known rank, got shape {losses.shape}.")
        if weights.shape.ndims is None:
            raise ValueError(f"`weights` must have a known rank, got shape {weights.shape}.")
        if weights.shape.ndims > 1 and weights.shape[-1] in (None, 1):
            weights = tf.squeeze(weights, [-1])
        start = max(0, weights.shape.ndims)
        reduced = tf.reduce_sum(losses, axis=list(range(start, losses.shape.ndims)))
        total_loss = tf.reduce_sum(tf.multiply(reduced, weights))
        mean_loss = tf.math.divide_no_nan(
            tf.reduce_sum(total_loss), _num_present(losses, weights), name="value"
        )
        mean_loss = tf.cast(mean_loss, input_dtype)
        add_loss(mean_loss)
        return mean_loss


def add_loss(loss: tf.Tensor, loss_collection: str | None = _KEYS.LOSSES) -> None:
    """Add ``loss`` to ``loss_collection`` (nothing when it is None)."""
    if loss_collection:
        _V1.add_to_collection(loss_collection, loss)


def get_losses(scope: str | None = None, loss_collection: str = _KEYS.LOSSES) -> list[tf.Tensor]:
    """The losses in ``loss_collection`` whose names match ``scope``."""
    return _V1.get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list[tf.Tensor]:
    """The tensors in ``GraphKeys.REGULARIZATION_LOSSES`` matching ``scope``."""
    return _V1.get_collection(_KEYS.REGULARIZATION_LOSSES, scope)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss") -> tf.Tensor:
    """Sum of the losses in LOSSES (and REGULARIZATION_LOSSES unless told not to)."""
    losses = get_losses()
    if add_regularization_losses:
        losses += get_regularization_losses()
    return tf.add_n(losses, name=name)


def _check_compatible(a: tf.Tensor, b: tf.Tensor, a_name: str, b_name: str) -> None:
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(
            f"`{a_name}` and `{b_name}` must have compatible shapes, got {a.shape} and {b.shape}."
        )


def absolute_difference(predictions, labels=None, weights=1.0, scope=None) -> tf.Tensor:
    """Weighted mean of ``|predictions - labels|``."""
    with tf.name_scope(scope or "absolute_difference") as scope:
        _check_compatible(predictions, labels, "predictions", "labels")
        losses = tf.abs(tf.cast(predictions, tf.float32) - tf.cast(labels, tf.float32))
        return compute_weighted_loss(losses, weights, scope=scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None) -> tf.Tensor:
    """Weighted mean of ``(predictions - labels) ** 2``."""
    with tf.name_scope(scope or "mean_squared_error") as scope:
        _check_compatible(predictions, labels, "predictions", "labels")
        losses = tf.math.squared_difference(
            tf.cast(predictions, tf.float32), tf.cast(labels, tf.float32)
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def sigmoid_cross_entropy(
    logits, multi_class_labels, weights=1.0, label_smoothing=0, scope=None
) -> tf.Tensor:
    """Weighted mean sigmoid cross entropy; labels smoothed towards 0.5."""
    with tf.name_scope(scope or "sigmoid_cross_entropy_loss") as scope:
        _check_compatible(logits, multi_class_labels, "logits", "multi_class_labels")
        labels = tf.cast(multi_class_labels, logits.dtype)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = tf.nn.sigmoid_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def softmax_cross_entropy(
    logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None
) -> tf.Tensor:
    """Weighted mean softmax cross entropy; labels smoothed towards uniform."""
    with tf.name_scope(scope or "softmax_cross_entropy_loss") as scope:
        _check_compatible(logits, onehot_labels, "logits", "onehot_labels")
        labels = tf.cast(onehot_labels, logits.dtype)
        if label_smoothing > 0:
            num_classes = tf.cast(tf.shape(labels)[1], logits.dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / num_classes
        losses = tf.nn.softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None) -> tf.Tensor:
    """Weighted mean binary log loss of probabilities ``predictions``."""
    with tf.name_scope(scope or "log_loss") as scope:
        _check_compatible(predictions, labels, "predictions", "labels")
        predictions = tf.cast(predictions, tf.float32)
        labels = tf.cast(labels, tf.float32)
        losses = -tf.multiply(labels, tf.math.log(predictions + epsilon)) - tf.multiply(
            (1 - labels), tf.math.log(1 - predictions + epsilon)
        )
        return compute_weighted_loss(losses, weights, scope=scope)


def hinge_loss(logits, labels=None, scope=None) -> tf.Tensor:
    """Element-wise hinge loss ``relu(1 - (2 * labels - 1) * logits)`` (not reduced, as TF1)."""
    with tf.name_scope(scope or "hinge_loss"):
        _check_compatible(logits, labels, "logits", "labels")
        labels = tf.cast(labels, tf.float32)
        all_ones = tf.ones_like(labels)
        labels = tf.subtract(2 * labels, all_ones)
        return tf.nn.relu(tf.subtract(all_ones, tf.multiply(labels, logits)))


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    """Weighted mean of ``1 - sum(predictions * labels, axis)`` (unit-normalised inputs).

    Raises
    ------
    ValueError
        If neither ``axis`` nor its old name ``dim`` is given, or both are.
    """
    if axis is not None and dim is not None:
        raise ValueError(f"`axis` and `dim` must not both be given, got {axis} and {dim}.")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("`axis` must be given, got None.")
    with tf.name_scope(scope or "cosine_distance_loss") as scope:
        _check_compatible(predictions, labels, "predictions", "labels")
        predictions = tf.cast(predictions, tf.float32)
        labels = tf.cast(labels, tf.float32)
        losses = 1 - tf.reduce_sum(tf.multiply(predictions, labels), axis=[axis])
        return compute_weighted_loss(losses, weights, scope=scope)
