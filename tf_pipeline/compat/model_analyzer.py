"""slim's ``model_analyzer``: sizes of a graph's variables and op outputs, printed as TF1 did.

A port of ``tensorflow/contrib/slim/python/slim/model_analyzer.py`` (kept as
``tf_slim.model_analyzer``). With ``print_info=True`` the report goes to stdout,
line for line as slim printed it (scripts compare that text).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.model_analyzer import analyze_vars
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", [3, 4])
...     analyze_vars([w], print_info=True)
---------
Variables: name (type shape) [size]
---------
w:0 (float32 3x4) [12, bytes: 48]
Total size of variables: 12
Total bytes of variables: 48
(12, 48)
"""

from __future__ import annotations

from collections.abc import Iterable

import tensorflow as tf

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]


def tensor_description(var: tf.Tensor | tf.Variable) -> str:
    """``'(float32 1x8x8x1024)'``: dtype name and shape."""
    # TF1 printed unknown dimensions as '?'.
    sizes = ["?" if size is None else str(size) for size in var.shape]
    return f"({var.dtype.name} {'x'.join(sizes)})"


def analyze_ops(graph: tf.Graph, print_info: bool = False) -> int:
    """Total number of elements of every op output in ``graph`` (unknown sizes count 0)."""
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    total_size = 0
    for op in graph.get_operations():
        op_size = 0
        shapes = []
        for output in op.outputs:
            output_size = output.shape.num_elements() or 0
            # slim tested the shape's truth value: only unknown-rank shapes are skipped.
            if output.shape.ndims is not None:
                shapes.append(tensor_description(output))
            op_size += output_size
        if print_info:
            print(op.name, "\t->", ", ".join(shapes), "[" + str(op_size) + "]")
        total_size += op_size
    return total_size


def analyze_vars(variables: Iterable[tf.Variable], print_info: bool = False) -> tuple[int, int]:
    """``(total elements, total bytes)`` of ``variables``; with ``print_info`` list each."""
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    total_size = 0
    total_bytes = 0
    for var in variables:
        var_size = var.shape.num_elements() or 0
        var_bytes = var_size * var.dtype.size
        total_size += var_size
        total_bytes += var_bytes
        if print_info:
            print(var.name, tensor_description(var), "[%d, bytes: %d]" % (var_size, var_bytes))
    if print_info:
        print("Total size of variables: %d" % total_size)
        print("Total bytes of variables: %d" % total_bytes)
    return total_size, total_bytes
