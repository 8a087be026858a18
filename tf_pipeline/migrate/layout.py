"""Find the LSTM stack and the regression head inside a TF1 checkpoint.

Recognises the names TF1 gave: ``rnn/multi_rnn_cell/cell_<i>/basic_lstm_cell/kernel``
and ``.../bias`` (TF >= 1.2), ``.../weights`` and ``.../biases`` (TF 1.0-1.1), a
single cell without ``MultiRNNCell`` (``rnn/basic_lstm_cell/kernel``), ``lstm_cell``
without peepholes or projection, and a ``fully_connected`` (or ``dense``) head.
Sizes and the layer count are read off the shapes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import tensorflow as tf

from tf_pipeline.migrate.coverage import unaccounted

_CELL = re.compile(
    r"^(?P<prefix>.*?)(?:cell_(?P<index>\d+)/)?(?P<cell>basic_lstm_cell|lstm_cell)/"
    r"(?P<kind>kernel|weights|bias|biases)$"
)
_HEADS = (("fully_connected/weights", "fully_connected/biases"), ("dense/kernel", "dense/bias"))
_UNSUPPORTED = ("w_f_diag", "w_i_diag", "w_o_diag", "projection/kernel", "projection/weights")


@dataclass(frozen=True)
class LSTMLayer:
    """One TF1 LSTM layer: checkpoint names and sizes."""

    kernel: str
    bias: str
    input_depth: int
    units: int


@dataclass(frozen=True)
class TF1LSTMLayout:
    """An LSTM stack with a one-output head, as the legacy pipeline saved it.

    ``unmapped`` lists the checkpoint's other model variables (neither the stack, the
    head nor training bookkeeping): a port that ignored them would drop part of the model.
    """

    path: str
    layers: tuple[LSTMLayer, ...]
    head_weights: str
    head_biases: str
    unmapped: tuple[str, ...] = ()

    @property
    def units(self) -> int:
        return self.layers[-1].units

    @property
    def input_depth(self) -> int:
        return self.layers[0].input_depth

    @property
    def num_layers(self) -> int:
        return len(self.layers)


def resolve_checkpoint(path: str | os.PathLike) -> str:
    """A model_dir (its latest checkpoint) or a checkpoint prefix -> the prefix."""
    path = os.fspath(path)
    if os.path.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest is None:
            raise FileNotFoundError(
                f"`path` {path!r} is a directory without a TF1 checkpoint (no `checkpoint` "
                "state file naming one). Pass a model_dir that was trained, or a prefix."
            )
        return latest
    if not os.path.exists(path + ".index"):
        raise FileNotFoundError(
            f"`path` must be a model_dir or a checkpoint prefix (with {path}.index), "
            f"got {path!r}, which is neither."
        )
    return path


def read_layout(path: str | os.PathLike) -> TF1LSTMLayout:
    """Describe the LSTM stack and head stored at ``path`` (model_dir or prefix)."""
    prefix = resolve_checkpoint(path)
    shapes = dict(tf.train.list_variables(prefix))
    found: dict[tuple[str, int], dict[str, str]] = {}
    for name in shapes:
        match = _CELL.match(name)
        if match is None or name.startswith("OptimizeLoss/"):
            continue
        kind = "kernel" if match["kind"] in ("kernel", "weights") else "bias"
        key = (match["prefix"], int(match["index"] or 0))
        found.setdefault(key, {})[kind] = name
    prefixes = {key[0] for key in found}
    if not found:
        raise ValueError(
            f"Checkpoint {prefix!r} holds no TF1 LSTM cell variables (basic_lstm_cell/kernel "
            "or .../weights); it is not a legacy LSTM model."
        )
    if len(prefixes) > 1:
        raise ValueError(
            f"Checkpoint {prefix!r} holds several LSTM stacks ({sorted(prefixes)}); "
            "porting expects one."
        )
    unsupported = [n for n in shapes if n.split("/")[-1] in _UNSUPPORTED or "projection/" in n]
    unsupported = [n for n in unsupported if not n.startswith("OptimizeLoss/")]
    if unsupported:
        raise ValueError(
            f"Checkpoint {prefix!r} uses LSTMCell peepholes or projections ({unsupported[0]}), "
            "which Keras' LSTM layer has no equivalent for."
        )
    layers = []
    for index, (key, names) in enumerate(sorted(found.items(), key=lambda kv: kv[0][1])):
        if key[1] != index or set(names) != {"kernel", "bias"}:
            raise ValueError(
                f"Checkpoint {prefix!r} has an incomplete LSTM stack near layer {index}: "
                f"found {sorted(names.values())}."
            )
        rows, columns = shapes[names["kernel"]]
        units = columns // 4
        layers.append(LSTMLayer(names["kernel"], names["bias"], rows - units, units))
    for below, above in zip(layers, layers[1:], strict=False):
        if above.input_depth != below.units:
            raise ValueError(
                f"Checkpoint {prefix!r}: layer {above.kernel} expects input depth "
                f"{above.input_depth}, but the layer below has {below.units} units."
            )
    for weights, biases in _HEADS:
        if weights in shapes and biases in shapes:
            if shapes[weights] != [layers[-1].units, 1]:
                raise ValueError(
                    f"Checkpoint {prefix!r}: head {weights} has shape {shapes[weights]}, "
                    f"expected [{layers[-1].units}, 1]."
                )
            mapped = [n for layer in layers for n in (layer.kernel, layer.bias)]
            left = unaccounted(shapes, [*mapped, weights, biases])
            return TF1LSTMLayout(prefix, tuple(layers), weights, biases, tuple(left))
    raise ValueError(
        f"Checkpoint {prefix!r} has no one-output head (fully_connected/weights and "
        "fully_connected/biases, or dense/kernel and dense/bias)."
    )
