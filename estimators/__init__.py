"""``estimators``: the top-level name of :mod:`tf_pipeline.estimators`.

The Estimator engine, SKCompat and the scikit-learn regressors live in
:mod:`tf_pipeline.estimators`, the layer above the core modules of
``tf_pipeline`` (see the README's "Architecture"). ``estimators`` stays importable
as the short name users write, and as the name pickles of fitted models and earlier
releases refer to: ``estimators.X`` *is* the module ``tf_pipeline.estimators.X``
(the same object, so classes, ``isinstance`` checks and monkeypatches agree).

Example
-------
>>> import estimators, tf_pipeline.estimators
>>> estimators is tf_pipeline.estimators
True
>>> from estimators.engine import EstimatorEngine
>>> import tf_pipeline.estimators.engine as engine
>>> EstimatorEngine is engine.EstimatorEngine
True
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

import tf_pipeline.estimators as _target

_TARGET = _target.__name__


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``estimators.X`` to the already importable ``tf_pipeline.estimators.X``."""

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        if fullname.startswith("estimators."):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        # The real module, not a copy: importlib keeps its __name__ and __spec__.
        return importlib.import_module(_TARGET + spec.name[len("estimators") :])

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the real module was executed under its own name."""


if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())
sys.modules[__name__] = _target
