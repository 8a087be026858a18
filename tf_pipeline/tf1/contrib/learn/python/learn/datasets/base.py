"""``tf.contrib.learn.datasets.base``: ``Dataset``/``Datasets`` and the CSV loaders.

``load_csv_with_header`` reads TF 1.x's format (the iris/boston files): a first row
``n_samples,n_features[,class names...]``, then one row per sample with the target in
``target_column``. Nothing is downloaded.

Example
-------
>>> import tempfile, numpy as np
>>> from tf_pipeline.tf1.contrib.learn.python.learn.datasets import base
>>> path = tempfile.mktemp(suffix=".csv")
>>> _ = open(path, "w").write("2,2,a,b\\n1.5,2,0\\n3,4.5,1\\n")
>>> base.load_csv_with_header(path, np.int32, np.float32).target
array([0, 1], dtype=int32)
"""

from __future__ import annotations

import collections
import csv
from typing import Any

import numpy as np
import tensorflow as tf

Dataset = collections.namedtuple("Dataset", ["data", "target"])
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def load_csv_with_header(
    filename: str, target_dtype: Any, features_dtype: Any, target_column: int = -1
) -> Dataset:
    """Load a CSV whose header row gives ``n_samples, n_features``."""
    with tf.io.gfile.GFile(filename) as csv_file:
        rows = csv.reader(csv_file)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        data = np.zeros((n_samples, n_features), dtype=features_dtype)
        target = np.zeros((n_samples,), dtype=target_dtype)
        for i, row in enumerate(rows):
            if i >= n_samples:
                raise ValueError(
                    f"`filename` must hold the {n_samples} rows its header says, got more "
                    f"({filename!r})."
                )
            target[i] = np.asarray(row.pop(target_column), dtype=target_dtype)
            data[i] = np.asarray(row, dtype=features_dtype)
    return Dataset(data=data, target=target)


def load_csv_without_header(
    filename: str, target_dtype: Any, features_dtype: Any, target_column: int = -1
) -> Dataset:
    """Load a CSV without a header row; the target is in ``target_column``."""
    data, target = [], []
    with tf.io.gfile.GFile(filename) as csv_file:
        for row in csv.reader(csv_file):
            target.append(row.pop(target_column))
            data.append(np.asarray(row, dtype=features_dtype))
    return Dataset(data=np.array(data), target=np.array(target, dtype=target_dtype))


__all__ = ["Dataset", "Datasets", "load_csv_with_header", "load_csv_without_header"]
