"""``tensorflow.contrib.learn.python.learn.datasets``: the CSV loaders (no downloads)."""

from tf_pipeline.tf1.contrib.learn.python.learn.datasets import base
from tf_pipeline.tf1.contrib.learn.python.learn.datasets.base import (
    Dataset,
    Datasets,
    load_csv_with_header,
    load_csv_without_header,
)

__all__ = ["Dataset", "Datasets", "base", "load_csv_with_header", "load_csv_without_header"]
