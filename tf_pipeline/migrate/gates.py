"""Convert LSTM weights between TF1's layout and Keras' (pure numpy).

TF1 ``BasicLSTMCell``: one kernel ``[input_depth + units, 4*units]`` applied to
``concat([x, h])``, gate blocks ``[i, j, f, o]``, and ``forget_bias`` added to ``f``
at run time. Keras ``LSTM``: ``kernel [input_depth, 4*units]``,
``recurrent_kernel [units, 4*units]``, ``bias [4*units]``, blocks ``[i, f, c, o]``
(``c`` is TF1's ``j``), nothing added at run time.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.migrate.gates import tf1_to_keras, keras_to_tf1
>>> kernel, bias = np.arange(12.0).reshape(3, 4), np.zeros(4)
>>> w, u, b = tf1_to_keras(kernel, bias, input_depth=2, forget_bias=1.0)
>>> b.tolist()
[0.0, 1.0, 0.0, 0.0]
>>> back_kernel, back_bias = keras_to_tf1(w, u, b, forget_bias=1.0)
>>> bool(np.array_equal(back_kernel, kernel)), back_bias.tolist()
(True, [0.0, 0.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np

# Position k of the Keras layout takes TF1 block _TF1_TO_KERAS[k]: [i, f, c, o] <- [i, j, f, o].
_TF1_TO_KERAS = (0, 2, 1, 3)
_FORGET_BLOCK_KERAS = 1


def _reorder_blocks(matrix: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    blocks = np.split(matrix, 4, axis=-1)
    return np.concatenate([blocks[k] for k in order], axis=-1)


def tf1_to_keras(
    kernel: np.ndarray, bias: np.ndarray, input_depth: int, forget_bias: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TF1 ``(kernel, bias)`` -> Keras ``(kernel, recurrent_kernel, bias)``."""
    units = kernel.shape[1] // 4
    if kernel.shape != (input_depth + units, 4 * units) or bias.shape != (4 * units,):
        raise ValueError(
            f"`kernel` must have shape [{input_depth} + units, 4*units] and `bias` [4*units], "
            f"got {list(kernel.shape)} and {list(bias.shape)}."
        )
    reordered = _reorder_blocks(kernel, _TF1_TO_KERAS)
    keras_bias = _reorder_blocks(bias, _TF1_TO_KERAS).copy()
    keras_bias[_FORGET_BLOCK_KERAS * units : (_FORGET_BLOCK_KERAS + 1) * units] += forget_bias
    return reordered[:input_depth], reordered[input_depth:], keras_bias


def keras_to_tf1(
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    forget_bias: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Keras ``(kernel, recurrent_kernel, bias)`` -> TF1 ``(kernel, bias)``."""
    units = recurrent_kernel.shape[0]
    unfolded = bias.copy()
    unfolded[_FORGET_BLOCK_KERAS * units : (_FORGET_BLOCK_KERAS + 1) * units] -= forget_bias
    # The permutation swaps blocks 1 and 2, so it is its own inverse.
    tf1_kernel = _reorder_blocks(np.concatenate([kernel, recurrent_kernel]), _TF1_TO_KERAS)
    return tf1_kernel, _reorder_blocks(unfolded, _TF1_TO_KERAS)
