"""Which checkpoint variables a port must account for, and which are bookkeeping.

A checkpoint holds the model's variables plus training bookkeeping: ``global_step``,
optimizer slots (``<var>/Adam``, ``OptimizeLoss/<var>/Adagrad``, ...) and optimizer
scalars (``beta1_power``, ``OptimizeLoss/learning_rate``). A port that leaves a model
variable out must say so; these helpers decide which is which.

Example
-------
>>> from tf_pipeline.migrate.coverage import unaccounted
>>> names = ["dense/kernel", "dense/kernel/Adam", "global_step", "gru/gates/kernel"]
>>> unaccounted(names, mapped={"dense/kernel"})
['gru/gates/kernel']
"""

from __future__ import annotations

from collections.abc import Iterable

_SLOTS = frozenset(
    ("Adam", "Adam_1", "Adagrad", "Momentum", "RMSProp", "RMSProp_1", "Ftrl", "Ftrl_1",
     "Adadelta", "Adadelta_1", "AdagradDA", "ExponentialMovingAverage")
)  # fmt: skip
_SCALARS = frozenset(
    ("global_step", "beta1_power", "beta2_power", "OptimizeLoss/learning_rate", "learning_rate")
)
_OPTIMIZER_SCOPE = "OptimizeLoss/"


def is_bookkeeping(name: str, mapped: Iterable[str]) -> bool:
    """Whether ``name`` is training bookkeeping: the step, an optimizer scalar or slot."""
    if name in _SCALARS or name.split("/")[-1] in ("beta1_power", "beta2_power"):
        return True
    bare = name[len(_OPTIMIZER_SCOPE) :] if name.startswith(_OPTIMIZER_SCOPE) else name
    owner, _, slot = bare.rpartition("/")
    return slot in _SLOTS and owner in set(mapped)


def unaccounted(names: Iterable[str], mapped: Iterable[str]) -> list[str]:
    """Checkpoint variables neither mapped nor bookkeeping, sorted."""
    mapped = set(mapped)
    return sorted(n for n in names if n not in mapped and not is_bookkeeping(n, mapped))
