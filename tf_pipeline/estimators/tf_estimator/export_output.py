"""Export outputs (``tf.estimator.export.*Output``) and the signatures they become.

Ported from TensorFlow 2.15's ``saved_model/model_utils`` onto the public
``tf.compat.v1.saved_model`` signature builders.

Example
-------
>>> import tensorflow as tf
>>> with tf.Graph().as_default():
...     output = PredictOutput(tf.constant([1.0]))
>>> list(output.outputs)
['output']
"""

from __future__ import annotations

import abc
import logging
from typing import Any

import tensorflow as tf

logger = logging.getLogger("estimators")

_SAVED_MODEL = tf.compat.v1.saved_model
DEFAULT_SERVING_KEY = _SAVED_MODEL.DEFAULT_SERVING_SIGNATURE_DEF_KEY
SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"
SINGLE_LABEL_DEFAULT_NAME = "label"


class ExportOutput(abc.ABC):
    """One output of a served model (a model head): makes its ``SignatureDef``."""

    _SEPARATOR_CHAR = "/"

    @abc.abstractmethod
    def as_signature_def(self, receiver_tensors: dict[str, tf.Tensor]) -> Any:
        """The ``SignatureDef`` with these outputs and ``receiver_tensors`` as inputs."""

    def _check_output_key(self, key: Any, error_label: str) -> str:
        if isinstance(key, tuple):
            key = self._SEPARATOR_CHAR.join(key)
        if not isinstance(key, str):
            raise ValueError(f"`{error_label}` output key must be a string, got {key!r}.")
        return key

    def _wrap_and_check_outputs(
        self, outputs: Any, single_output_default_name: str, error_label: str | None = None
    ) -> dict[str, tf.Tensor]:
        if not isinstance(outputs, dict):
            outputs = {single_output_default_name: outputs}
        error_name = error_label or single_output_default_name
        checked = {}
        for key, value in outputs.items():
            key = self._check_output_key(key, error_name)
            if not isinstance(value, tf.Tensor):
                raise ValueError(f"`{error_name}` output value must be a Tensor, got {value!r}.")
            checked[key] = value
        return checked


def _single_string_input(receiver_tensors: dict[str, tf.Tensor], kind: str) -> tf.Tensor:
    if len(receiver_tensors) != 1 or next(iter(receiver_tensors.values())).dtype != tf.string:
        raise ValueError(
            f"`receiver_tensors` must be a single tf.string tensor (serialized tf.Example) for a "
            f"{kind} signature, got {receiver_tensors}. Use "
            "build_parsing_serving_input_receiver_fn, or PredictOutput for raw tensors."
        )
    return next(iter(receiver_tensors.values()))


class ClassificationOutput(ExportOutput):
    """The output of a classification head: ``scores`` (float) and/or ``classes`` (string)."""

    def __init__(self, scores: tf.Tensor | None = None, classes: tf.Tensor | None = None) -> None:
        if scores is not None and not (isinstance(scores, tf.Tensor) and scores.dtype.is_floating):
            raise ValueError(f"`scores` must be a float Tensor, got {scores!r}.")
        if classes is not None and not (
            isinstance(classes, tf.Tensor) and classes.dtype == tf.string
        ):
            raise ValueError(f"`classes` must be a string Tensor, got {classes!r}.")
        if scores is None and classes is None:
            raise ValueError("`scores` or `classes` must be given, got neither.")
        self._scores = scores
        self._classes = classes

    @property
    def scores(self) -> tf.Tensor | None:
        return self._scores

    @property
    def classes(self) -> tf.Tensor | None:
        return self._classes

    def as_signature_def(self, receiver_tensors: dict[str, tf.Tensor]) -> Any:
        examples = _single_string_input(receiver_tensors, "classification")
        return _SAVED_MODEL.classification_signature_def(examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """The output of a regression head: a float ``value``."""

    def __init__(self, value: tf.Tensor) -> None:
        if not (isinstance(value, tf.Tensor) and value.dtype.is_floating):
            raise ValueError(f"`value` must be a float Tensor, got {value!r}.")
        self._value = value

    @property
    def value(self) -> tf.Tensor:
        return self._value

    def as_signature_def(self, receiver_tensors: dict[str, tf.Tensor]) -> Any:
        examples = _single_string_input(receiver_tensors, "regression")
        return _SAVED_MODEL.regression_signature_def(examples, self.value)


class PredictOutput(ExportOutput):
    """The output of a generic prediction head: a Tensor or a dict of named Tensors."""

    _SINGLE_OUTPUT_DEFAULT_NAME = "output"

    def __init__(self, outputs: Any) -> None:
        self._outputs = self._wrap_and_check_outputs(
            outputs, self._SINGLE_OUTPUT_DEFAULT_NAME, error_label="Prediction"
        )

    @property
    def outputs(self) -> dict[str, tf.Tensor]:
        return self._outputs

    def as_signature_def(self, receiver_tensors: dict[str, tf.Tensor]) -> Any:
        return _SAVED_MODEL.predict_signature_def(receiver_tensors, self.outputs)


def get_export_outputs(export_outputs: dict | None, predictions: Any) -> dict[str, ExportOutput]:
    """Validate ``export_outputs``, or the default ``PredictOutput(predictions)``, as TF 1.x."""
    if export_outputs is None:
        export_outputs = {DEFAULT_SERVING_KEY: PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"`export_outputs` must be a dict, got {export_outputs!r}.")
    for value in export_outputs.values():
        if not isinstance(value, ExportOutput):
            raise TypeError(
                f"`export_outputs` values must be ExportOutput objects, got {value!r}."
            )
    export_outputs = dict(export_outputs)
    if len(export_outputs) == 1:
        ((_, value),) = export_outputs.items()
        export_outputs.setdefault(DEFAULT_SERVING_KEY, value)
    elif DEFAULT_SERVING_KEY not in export_outputs:
        raise ValueError(
            f"`export_outputs` must name one output {DEFAULT_SERVING_KEY!r} when it holds "
            f"several, got keys {sorted(export_outputs)}."
        )
    return export_outputs


def build_all_signature_defs(
    receiver_tensors: Any,
    export_outputs: dict[str, ExportOutput],
    receiver_tensors_alternatives: dict | None = None,
) -> dict[str, Any]:
    """Serving ``SignatureDef`` of every export output (and receiver alternative).

    Outputs that cannot be served from these inputs (e.g. a RegressionOutput fed raw
    tensors) are left out with a log line, as TF 1.x did.
    """
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
    groups = [("", receiver_tensors)]
    for name, alternative in (receiver_tensors_alternatives or {}).items():
        if not isinstance(alternative, dict):
            alternative = {SINGLE_RECEIVER_DEFAULT_NAME: alternative}
        groups.append((f"{name}:", alternative))
    signatures = {}
    for prefix, inputs in groups:
        for key, output in export_outputs.items():
            try:
                signature = output.as_signature_def(inputs)
            except ValueError as error:
                logger.info("Signature %r excluded from export: %s", f"{prefix}{key}", error)
                continue
            if _SAVED_MODEL.is_valid_signature(signature):
                signatures[f"{prefix}{key}"] = signature
    if DEFAULT_SERVING_KEY not in signatures:
        logger.warning("Export includes no default signature!")
    return signatures
