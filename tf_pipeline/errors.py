"""Errors shared by the TF1 and Keras training paths.

Example
-------
>>> from tf_pipeline.errors import NanLossError
>>> str(NanLossError.at_step(3, float("inf")))[:41]
'inf loss during training at step 3; train'
"""

from __future__ import annotations

import math

import tensorflow as tf


def describe_loss(loss: float) -> str:
    """``"NaN"``, ``"inf"`` or ``"-inf"``: how a non-finite loss is named in messages."""
    return "NaN" if math.isnan(loss) else ("inf" if loss > 0 else "-inf")


class NanLossError(tf.compat.v1.train.NanLossDuringTrainingError):
    """The training loss became NaN or infinite; training stopped.

    Attributes
    ----------
    step : int or None
        The global step whose loss was not finite.
    loss : float or None
    """

    def __init__(self, message: str, step: int | None = None, loss: float | None = None) -> None:
        super().__init__()
        self.message = message
        self.step = step
        self.loss = loss

    @classmethod
    def at_step(cls, step: int, loss: float, kept: str | None = None) -> NanLossError:
        """The error for a non-finite ``loss`` at ``step``.

        Parameters
        ----------
        step : int
        loss : float
        kept : str, optional
            What was kept, e.g. ``"The last good checkpoint is kept: <path>."``; by
            default the message says nothing of this fit was kept.
        """
        kept = kept or "Nothing of this fit was kept."
        return cls(
            f"{describe_loss(loss)} loss during training at step {step}; training stopped. "
            f"{kept} Lower the learning rate, scale the targets or clip gradients.",
            step=int(step),
            loss=float(loss),
        )

    def __str__(self) -> str:
        return self.message
