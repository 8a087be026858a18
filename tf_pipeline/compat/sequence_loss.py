"""Weighted sequence cross-entropy: the ``contrib.seq2seq`` and ``contrib.legacy_seq2seq`` losses.

- :func:`sequence_loss` is ``tf.contrib.seq2seq.sequence_loss``: logits
  ``[batch, time, classes]``, integer targets and float weights ``[batch, time]``,
  reduced by weighted average (``average_across_*``) or by the sum over the non-zero
  weights (``sum_over_*``).
- :func:`sequence_loss_by_example` and :func:`legacy_sequence_loss` are
  ``tf.contrib.legacy_seq2seq``'s: lists of per-time-step tensors, the log-perplexity
  per example and its batch total.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.sequence_loss import sequence_loss
>>> logits = tf.zeros([2, 3, 4])
>>> targets = tf.zeros([2, 3], tf.int32)
>>> round(float(sequence_loss(logits, targets, tf.ones([2, 3]))), 4)  # log(4)
1.3863
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

LossFunction = Callable[..., tf.Tensor]


def _check_rank(value: tf.Tensor, rank: int, name: str, layout: str) -> None:
    if value.shape.rank != rank:
        raise ValueError(f"`{name}` must be a {layout} tensor (rank {rank}), got {value.shape}.")


def _cross_entropy(
    labels: tf.Tensor, logits: tf.Tensor, softmax_loss_function: LossFunction | None
) -> tf.Tensor:
    if softmax_loss_function is None:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    # TF1 called it with keywords, so user functions were written to accept them.
    return softmax_loss_function(labels=labels, logits=logits)


def _count_nonzero(weights: tf.Tensor, dtype: tf.DType, axis: Any = None) -> tf.Tensor:
    return tf.cast(tf.math.count_nonzero(weights, axis=axis), dtype)


def sequence_loss(
    logits: tf.Tensor,
    targets: tf.Tensor,
    weights: tf.Tensor,
    average_across_timesteps: bool = True,
    average_across_batch: bool = True,
    sum_over_timesteps: bool = False,
    sum_over_batch: bool = False,
    softmax_loss_function: LossFunction | None = None,
    name: str | None = None,
) -> tf.Tensor:
    """Weighted cross-entropy of a sequence of logits (``tf.contrib.seq2seq.sequence_loss``).

    With ``ce[b, t]`` the softmax cross-entropy of ``targets[b, t]`` times
    ``weights[b, t]``: both averages give ``sum(ce) / sum(weights)`` (a scalar); both
    sums give ``sum(ce) / count_nonzero(weights)``; one of them reduces only its axis
    (``[time]`` across the batch, ``[batch]`` across time steps); none keeps
    ``[batch, time]``. Divisions by zero give 0 (``div_no_nan``).

    Parameters
    ----------
    logits : tf.Tensor
        ``[batch_size, sequence_length, num_classes]``, float.
    targets : tf.Tensor
        ``[batch_size, sequence_length]``, int.
    weights : tf.Tensor
        ``[batch_size, sequence_length]``, float (a mask, e.g. ``tf.sequence_mask``).
    average_across_timesteps, average_across_batch : bool, default=True
        Weighted average over that axis.
    sum_over_timesteps, sum_over_batch : bool, default=False
        Sum over that axis divided by its number of non-zero weights; exclusive with
        the average over the same axis.
    softmax_loss_function : callable, optional
        ``f(labels=..., logits=...) -> losses`` in place of the sparse softmax
        cross-entropy.
    name : str, optional
        Name scope, default ``"sequence_loss"``.

    Returns
    -------
    tf.Tensor
        Rank 0, 1 or 2 as described above.
    """
    logits = tf.convert_to_tensor(logits)
    targets = tf.convert_to_tensor(targets)
    weights = tf.convert_to_tensor(weights)
    _check_rank(logits, 3, "logits", "[batch_size, sequence_length, num_classes]")
    _check_rank(targets, 2, "targets", "[batch_size, sequence_length]")
    _check_rank(weights, 2, "weights", "[batch_size, sequence_length]")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError(
            "`sum_over_timesteps` must be False when `average_across_timesteps` is True, "
            "got both True."
        )
    if average_across_batch and sum_over_batch:
        raise ValueError(
            "`sum_over_batch` must be False when `average_across_batch` is True, got both True."
        )
    with tf.name_scope(name or "sequence_loss"):
        num_classes = tf.shape(logits)[2]
        logits_flat = tf.reshape(logits, [-1, num_classes])
        crossent = _cross_entropy(tf.reshape(targets, [-1]), logits_flat, softmax_loss_function)
        crossent *= tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return tf.math.divide_no_nan(tf.reduce_sum(crossent), tf.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            total = tf.reduce_sum(crossent)
            return tf.math.divide_no_nan(total, _count_nonzero(weights, total.dtype))
        crossent = tf.reshape(crossent, tf.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return tf.math.divide_no_nan(
                tf.reduce_sum(crossent, axis=axis), tf.reduce_sum(weights, axis=axis)
            )
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            total = tf.reduce_sum(crossent, axis=axis)
            return tf.math.divide_no_nan(total, _count_nonzero(weights, total.dtype, axis))
        return crossent


def _check_lists(logits: Sequence, targets: Sequence, weights: Sequence) -> None:
    for name, value in (("logits", logits), ("targets", targets), ("weights", weights)):
        if not isinstance(value, (list, tuple)):
            raise TypeError(
                f"`{name}` must be a list of per-time-step tensors, got "
                f"{type(value).__name__}. Use tf.unstack(x, axis=1) on a [batch, time] tensor."
            )
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError(
            f"`targets` and `weights` must have as many time steps as `logits` ({len(logits)}), "
            f"got {len(targets)} and {len(weights)}."
        )


def sequence_loss_by_example(
    logits: Sequence[tf.Tensor],
    targets: Sequence[tf.Tensor],
    weights: Sequence[tf.Tensor],
    average_across_timesteps: bool = True,
    softmax_loss_function: LossFunction | None = None,
    name: str | None = None,
) -> tf.Tensor:
    """Log-perplexity of each sequence (``tf.contrib.legacy_seq2seq.sequence_loss_by_example``).

    ``sum_t ce_t * w_t``, divided by ``sum_t w_t + 1e-12`` when
    ``average_across_timesteps``.

    Parameters
    ----------
    logits : list of tf.Tensor
        ``T`` tensors ``[batch_size, num_classes]``.
    targets : list of tf.Tensor
        ``T`` int tensors ``[batch_size]`` (reshaped to 1-D, as TF1 did).
    weights : list of tf.Tensor
        ``T`` float tensors ``[batch_size]``.
    average_across_timesteps : bool, default=True
    softmax_loss_function : callable, optional
        ``f(labels=..., logits=...) -> losses``.
    name : str, optional
        Name scope, default ``"sequence_loss_by_example"``.

    Returns
    -------
    tf.Tensor
        ``[batch_size]``.
    """
    _check_lists(logits, targets, weights)
    with tf.name_scope(name or "sequence_loss_by_example"):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights, strict=True):
            if softmax_loss_function is None:
                # TF1 accepted per-step targets of shape [batch, 1] (or scalars) here.
                target = tf.reshape(target, [-1])
            crossent = _cross_entropy(target, logit, softmax_loss_function)
            log_perp_list.append(crossent * weight)
        log_perps = tf.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = tf.add_n(list(weights))
            total_size += 1e-12  # TF1's guard against all-zero weights
            log_perps /= total_size
    return log_perps


def legacy_sequence_loss(
    logits: Sequence[tf.Tensor],
    targets: Sequence[tf.Tensor],
    weights: Sequence[tf.Tensor],
    average_across_timesteps: bool = True,
    average_across_batch: bool = True,
    softmax_loss_function: LossFunction | None = None,
    name: str | None = None,
) -> tf.Tensor:
    """Batch total of :func:`sequence_loss_by_example` (``legacy_seq2seq.sequence_loss``).

    Divided by the batch size when ``average_across_batch``.

    Returns
    -------
    tf.Tensor
        A scalar.
    """
    _check_lists(logits, targets, weights)
    with tf.name_scope(name or "sequence_loss"):
        cost = tf.reduce_sum(
            sequence_loss_by_example(
                logits,
                targets,
                weights,
                average_across_timesteps=average_across_timesteps,
                softmax_loss_function=softmax_loss_function,
            )
        )
        if average_across_batch:
            batch_size = tf.shape(targets[0])[0]
            return cost / tf.cast(batch_size, cost.dtype)
        return cost
